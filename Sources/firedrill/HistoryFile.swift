import Foundation

/// The REPL's history across sessions, in `$XDG_STATE_HOME/firedrill/history`. One entry per line,
/// with backslash escapes so that a multi-line chunk (a function typed over several lines) stays
/// one entry and comes back whole. Entries are appended as they are typed, so a session that is
/// killed keeps what it had; the file is cut back to its bound when a session starts.
struct HistoryFile {
    let location: URL
    /// Entries kept; older ones are dropped.
    var limit = HistoryFile.defaultLimit

    static let defaultLimit = 1_000
    /// A longer entry (a huge paste) is not kept: recalling it would not help anyone.
    static let maximumEntryBytes = 64 * 1_024

    /// `$XDG_STATE_HOME/firedrill/history`, else `~/.local/state/firedrill/history`; nil when
    /// neither variable gives an absolute path (the XDG rule: relative paths are ignored).
    static func defaultLocation(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL? {
        if let state = environment["XDG_STATE_HOME"], state.hasPrefix("/") {
            return URL(fileURLWithPath: state).appendingPathComponent("firedrill/history")
        }
        if let home = environment["HOME"], home.hasPrefix("/") {
            return URL(fileURLWithPath: home).appendingPathComponent(".local/state/firedrill/history")
        }
        return nil
    }

    /// The most recent entries, oldest first. Rewrites the file without the excess when it has
    /// grown well past the limit (a quarter more, so that not every start rewrites it).
    func load() throws -> [String] {
        guard let data = FileManager.default.contents(atPath: location.path) else { return [] }
        let entries = HistoryFile.entries(in: String(decoding: data, as: UTF8.self))
        let kept = Array(entries.suffix(limit))
        if entries.count > limit + limit / 4 { try rewrite(kept) }
        return kept
    }

    /// Appends one entry, creating the file (readable only by its owner: it holds what was typed).
    func append(_ entry: String) throws {
        guard !entry.isEmpty, entry.utf8.count <= HistoryFile.maximumEntryBytes else { return }
        try createDirectory()
        // One write with O_APPEND: two sessions appending at once do not interleave within a line.
        try writeFile(HistoryFile.encode(entry) + "\n", to: location.path, flags: O_APPEND)
    }

    /// Writes `text` to a file opened with `flags`, created with owner-only permissions.
    private func writeFile(_ text: String, to path: String, flags: Int32) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | flags, 0o600)
        guard descriptor >= 0 else { throw HistoryError(location: location, reason: String(cString: strerror(errno))) }
        defer { close(descriptor) }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        guard written == bytes.count else { throw HistoryError(location: location, reason: String(cString: strerror(errno))) }
    }

    /// Replaces the file whole: a new file beside it, then a rename, so a crash halfway leaves
    /// the old history rather than half of it.
    private func rewrite(_ entries: [String]) throws {
        try createDirectory()
        let replacement = location.path + ".new"
        unlink(replacement)
        try writeFile(entries.map { HistoryFile.encode($0) + "\n" }.joined(), to: replacement, flags: O_EXCL)
        guard rename(replacement, location.path) == 0 else {
            throw HistoryError(location: location, reason: String(cString: strerror(errno)))
        }
    }

    private func createDirectory() throws {
        try FileManager.default.createDirectory(at: location.deletingLastPathComponent(),
                                                withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
    }

    // MARK: Encoding

    static func entries(in text: String) -> [String] {
        text.split(separator: "\n", omittingEmptySubsequences: true).map(decode)
    }

    static func encode(_ entry: String) -> String {
        var encoded = ""
        for character in entry {
            switch character {
            case "\\": encoded += "\\\\"
            case "\n": encoded += "\\n"
            case "\r": encoded += "\\r"
            case "\r\n": encoded += "\\r\\n"
            default: encoded.append(character)
            }
        }
        return encoded
    }

    static func decode(_ line: Substring) -> String {
        var decoded = ""
        var escaping = false
        for character in line {
            if escaping {
                switch character {
                case "n": decoded.append("\n")
                case "r": decoded.append("\r")
                default: decoded.append(character)
                }
                escaping = false
            } else if character == "\\" {
                escaping = true
            } else {
                decoded.append(character)
            }
        }
        return decoded
    }
}

/// The history file could not be written; the REPL says so once and goes on without it.
struct HistoryError: Error, CustomStringConvertible {
    let location: URL
    let reason: String

    var description: String {
        "cannot save history to \(location.path): \(reason) (set XDG_STATE_HOME, or use --no-history)"
    }
}
