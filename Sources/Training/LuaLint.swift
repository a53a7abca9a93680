import Foundation

/// The linter for lab Lua: Debian's `lua-check` (luacheck), with Firedrill's `.luacheckrc`, which
/// declares the globals each kind of file has (lab code and graders, policies, drills). It
/// catches unused variables, undefined globals and shadowing before a trainee meets them.
public struct LuaLint: Sendable {
    /// The `luacheck` executable.
    public let executable: String
    /// The `.luacheckrc` to use, or nil when none was found (then linting is skipped and said so).
    public let config: String?

    /// luacheck on the `PATH`, with the `.luacheckrc` nearest above `near` (the labs), else the one
    /// of the checkout firedrill was built in; nil when luacheck is not installed.
    public static func locate(near folders: [URL], environment: [String: String]) -> LuaLint? {
        let path = environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        guard let executable = path.split(separator: ":").map({ $0 + "/luacheck" })
                .first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else { return nil }
        return LuaLint(executable: String(executable), config: folders.lazy.compactMap(nearestConfig).first)
    }

    /// What `lab check` says when luacheck is missing.
    public static let missing = "luacheck is not installed (Debian's lua-check; Scripts/setup installs it): the lab's Lua was not linted"

    static func nearestConfig(above folder: URL) -> String? {
        var directory = folder.standardizedFileURL
        for _ in 0..<12 {
            let candidate = directory.appendingPathComponent(".luacheckrc")
            if FileManager.default.fileExists(atPath: candidate.path) { return candidate.path }
            let parent = directory.deletingLastPathComponent()
            if parent.path == directory.path { break }
            directory = parent
        }
        return nil
    }

    /// A finding of luacheck's: `Labs/x/grade.lua:12:7: (W211) unused variable 'y'`.
    public struct Warning: Sendable, Equatable {
        public let file: String
        public let line: Int
        public let message: String
    }

    /// Lints the Lua files under `folder` (shown as `displayDirectory`); nil and why, when it could
    /// not run at all.
    public func lint(folder: URL, displayDirectory: String) -> Result<[Warning], LuaLintError> {
        guard let config else {
            return .failure(LuaLintError("no .luacheckrc above \(displayDirectory) or beside firedrill: the lab's Lua was not linted"))
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.currentDirectoryURL = folder.standardizedFileURL.deletingLastPathComponent()
        process.arguments = ["--config", config, "--formatter", "plain", "--codes", "--no-color", "--no-cache",
                             folder.standardizedFileURL.lastPathComponent]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        do { try process.run() } catch { return .failure(LuaLintError("luacheck did not start: \(error.localizedDescription)")) }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        let parent = (displayDirectory as NSString).deletingLastPathComponent
        let warnings = text.split(separator: "\n").compactMap { LuaLint.warning(String($0), parent: parent) }
        if process.terminationStatus > 2 || (process.terminationStatus != 0 && warnings.isEmpty) {
            return .failure(LuaLintError("luacheck failed (exit \(process.terminationStatus)): \(text.trimmingCharacters(in: .whitespacesAndNewlines))"))
        }
        return .success(warnings)
    }

    /// Parses `path:line:column: message`, naming the file as the author sees it.
    static func warning(_ line: String, parent: String) -> Warning? {
        let parts = line.split(separator: ":", maxSplits: 3, omittingEmptySubsequences: false)
        guard parts.count == 4, let number = Int(parts[1]), Int(parts[2]) != nil else { return nil }
        let file = parent.isEmpty ? String(parts[0]) : parent + "/" + parts[0]
        return Warning(file: file, line: number, message: parts[3].trimmingCharacters(in: .whitespaces))
    }

    /// Adds the lab's lint to a `lab check` report.
    func check(folder: URL, displayDirectory: String, into report: inout LabCheckReport) {
        switch lint(folder: folder, displayDirectory: displayDirectory) {
        case .failure(let error):
            report.note(.skipped, file: displayDirectory, error.message)
        case .success(let warnings) where warnings.isEmpty:
            report.note(.passed, file: displayDirectory, "luacheck finds nothing")
        case .success(let warnings):
            for warning in warnings { report.note(.failed, file: warning.file, line: warning.line, "luacheck " + warning.message) }
        }
    }
}

public struct LuaLintError: Error, Sendable {
    public let message: String
    init(_ message: String) { self.message = message }
}
