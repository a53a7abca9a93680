import Foundation
import Scripting

/// The Lua files a lab's code and grader may `require`: `require "name"` loads `name.lua` from the
/// lab's own folder, else from the shared `lib/` folder beside the labs (`Labs/lib/name.lua`); a
/// dotted name is a path below one of them (`require "runbooks.resize"` is `runbooks/resize.lua`).
/// Nothing outside those two folders can be named, whatever the name or a symbolic link says.
///
/// Modules are read once, when the lab is loaded (`LabLoader`), and kept with the lab: sessions
/// and grading run what was read then and never touch the disk again, and the lab's fingerprint
/// covers every module it loaded. So a lab must `require` at the top of its files, where loading
/// runs; a module first asked for later (inside a step's `done`) is refused with a message that
/// says so. A lab that loads nothing keeps the fingerprint it had before modules existed.
final class LabModules {
    /// Where modules come from: the disk while a lab loads, the files kept with it afterwards.
    private enum Origin {
        case folders(lab: URL, shared: URL, labDisplay: String, sharedDisplay: String)
        case kept
    }

    private let origin: Origin
    /// Every module loaded, by the name `require` was given.
    private(set) var loaded: [String: LabFile]

    /// Modules read from `labDirectory` and the `lib` folder beside it, as a lab loads.
    init(labDirectory: URL, displayDirectory: String) {
        let sharedDisplay = (displayDirectory as NSString).deletingLastPathComponent
        origin = .folders(lab: labDirectory.standardizedFileURL,
                          shared: labDirectory.standardizedFileURL.deletingLastPathComponent().appendingPathComponent(LabModules.sharedFolder),
                          labDisplay: displayDirectory,
                          sharedDisplay: sharedDisplay.isEmpty ? LabModules.sharedFolder : sharedDisplay + "/" + LabModules.sharedFolder)
        loaded = [:]
    }

    /// The modules a loaded lab kept, for its sessions and grading.
    init(kept: [String: LabFile]) {
        origin = .kept
        loaded = kept
    }

    /// The shared folder's name, beside the labs.
    static let sharedFolder = "lib"
    /// The longest module name `require` takes.
    static let longestName = 200
    /// The biggest module file read, like a lab file: a lab is code, not data.
    static let largestFileBytes = 1 << 20

    /// The module's file, or a message for the author (`require` raises it at the caller's line).
    func file(for name: String) -> Result<LabFile, LabModuleError> {
        if let file = loaded[name] { return .success(file) }
        if let problem = LabModules.nameProblem(name) { return .failure(LabModuleError(problem)) }
        guard case .folders(let lab, let shared, let labDisplay, let sharedDisplay) = origin else {
            return .failure(LabModuleError("require \"\(name)\": not loaded when the lab was read; require modules at the top of lab.lua or grade.lua, where the lab's fingerprint can cover them"))
        }
        let relative = name.replacingOccurrences(of: ".", with: "/") + ".lua"
        let candidates = [(lab, labDisplay, relative), (shared, sharedDisplay, "../" + LabModules.sharedFolder + "/" + relative)]
        for (folder, display, fingerprintName) in candidates {
            switch LabModules.read(relative, in: folder) {
            case .success(let text?):
                let file = LabFile(name: fingerprintName, displayPath: display + "/" + relative, text: text)
                loaded[name] = file
                return .success(file)
            case .success(nil):
                continue
            case .failure(let error):
                return .failure(LabModuleError("require \"\(name)\": \(display)/\(relative) \(error.message)"))
            }
        }
        return .failure(LabModuleError("require \"\(name)\": no \(labDisplay)/\(relative) or \(sharedDisplay)/\(relative)"))
    }

    /// Why `name` cannot name a module, or nil: words of letters, digits, `_` and `-` joined by
    /// dots, so no name can climb out of the folders (`..`, `/`) or hide (`.hidden`).
    static func nameProblem(_ name: String) -> String? {
        let words = name.split(separator: ".", omittingEmptySubsequences: false)
        let wordCharacters = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")
        guard !name.isEmpty, name.utf8.count <= longestName,
              words.allSatisfy({ !$0.isEmpty && $0.allSatisfy(wordCharacters.contains) }) else {
            return "require \(LuaValue.quote(String(name.prefix(60)))): a module name is words of letters, digits, _ and - joined by dots (\"labkit\", \"runbooks.resize\"), naming a .lua file in the lab's folder or Labs/lib"
        }
        if words.count == 1, name == "lab" || name == "grade" {
            return "require \"\(name)\": \(name).lua is the lab itself, not a module"
        }
        return nil
    }

    /// The text of `relative` inside `folder`: nil when there is no such file; an error when it
    /// resolves outside the folder (a symbolic link), is too big or is not UTF-8.
    private static func read(_ relative: String, in folder: URL) -> Result<String?, LabModuleError> {
        let url = folder.appendingPathComponent(relative)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            return .success(nil)
        }
        let root = folder.resolvingSymlinksInPath().path
        guard url.resolvingSymlinksInPath().path.hasPrefix(root + "/") else {
            return .failure(LabModuleError("leads outside its folder (a symbolic link): modules must live in the lab's folder or Labs/lib"))
        }
        guard let data = FileManager.default.contents(atPath: url.path) else { return .failure(LabModuleError("cannot be read")) }
        guard data.count <= largestFileBytes else { return .failure(LabModuleError("is over \(largestFileBytes >> 20) MiB")) }
        guard let text = String(data: data, encoding: .utf8) else { return .failure(LabModuleError("is not UTF-8 text")) }
        return .success(text)
    }
}

/// Why `require` failed, as the author reads it.
struct LabModuleError: Error {
    let message: String
    init(_ message: String) { self.message = message }
}
