import Foundation

/// The labs in a `Labs/` folder, each loaded and checked. A broken lab does not hide the others:
/// it is kept with its error, for `firedrill labs` to report.
public struct LabCatalog: Sendable {
    /// The folder the labs were read from, as messages name it.
    public let directory: String
    public let labs: [Lab]
    public let failures: [LabError]

    /// Loads every folder in `directory` that has a `lab.lua`, sorted by folder name.
    public static func load(directory: URL, displayDirectory: String) throws -> LabCatalog {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        } catch {
            throw TrainingError("cannot read the labs folder '\(displayDirectory)': \(error.localizedDescription)")
        }
        var labs: [Lab] = [], failures: [LabError] = []
        for name in names where FileManager.default.fileExists(atPath: directory.appendingPathComponent(name).appendingPathComponent("lab.lua").path) {
            do {
                labs.append(try LabLoader.load(directory: directory.appendingPathComponent(name), displayDirectory: displayDirectory + "/" + name))
            } catch let error as LabError {
                failures.append(error)
            }
        }
        return LabCatalog(directory: displayDirectory, labs: labs, failures: failures)
    }

    public func lab(_ id: String) -> Lab? { labs.first { $0.id == id } }

    /// The lab with `id`, or an error that lists the ones there are (or says why it is broken).
    public func requireLab(_ id: String) throws -> Lab {
        if let lab = lab(id) { return lab }
        if let failure = failures.first(where: { $0.file.hasPrefix(directory + "/" + id + "/") }) {
            throw failure
        }
        let known = labs.map(\.id).joined(separator: ", ")
        throw TrainingError("no lab '\(id)' in \(directory); the labs are: \(known.isEmpty ? "(none)" : known)")
    }

    /// Where the labs are: an explicit folder, `$FIREDRILL_LABS`, `./Labs`, or the `Labs` folder of
    /// the checkout the executable was built in (found by walking up from it).
    public static func locate(explicit: String?, environment: [String: String], currentDirectory: URL,
                              executable: URL) -> URL? {
        if let explicit { return URL(fileURLWithPath: explicit, relativeTo: currentDirectory).standardizedFileURL }
        if let variable = environment["FIREDRILL_LABS"], !variable.isEmpty {
            return URL(fileURLWithPath: variable, relativeTo: currentDirectory).standardizedFileURL
        }
        var candidates = [currentDirectory.appendingPathComponent("Labs")]
        var folder = executable.resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<6 {
            candidates.append(folder.appendingPathComponent("Labs"))
            folder = folder.deletingLastPathComponent()
        }
        return candidates.first { isDirectory($0) }
    }

    public static func isDirectory(_ url: URL) -> Bool {
        var directory: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &directory) && directory.boolValue
    }

    /// How a path is shown: relative to the current directory when it is inside it.
    public static func display(_ url: URL, currentDirectory: URL) -> String {
        let path = url.standardizedFileURL.path
        let base = currentDirectory.standardizedFileURL.path
        if path == base { return "." }
        return path.hasPrefix(base + "/") ? String(path.dropFirst(base.count + 1)) : path
    }
}
