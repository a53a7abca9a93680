import Foundation
#if canImport(Glibc)
import Glibc
private let systemWrite = Glibc.write
#elseif canImport(Darwin)
import Darwin
private let systemWrite = Darwin.write
#endif

/// Appends a session's lines to its file, each with one `write` and then `fsync`, so a crash or
/// `kill -9` loses at most the command in flight, and a power cut no more than that either.
/// Every line is sealed into the file's hash chain, signed when a key is given.
public final class SessionRecorder {
    public let path: String
    public let key: SessionKey?
    private let descriptor: Int32
    private var chain: SessionChain

    /// Creates the file; refuses to touch one that exists (appending to another session would
    /// corrupt both).
    public init(path: String, key: SessionKey? = nil) throws {
        self.key = key
        chain = SessionChain(key: key)
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty {
            try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        }
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            let reason = errno == EEXIST ? "it already exists; choose another path" : String(cString: strerror(errno))
            throw TrainingError("cannot record the session to '\(path)': \(reason)")
        }
        self.path = path
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }

    public func write(_ header: SessionHeader) throws {
        var signed = header
        signed.signingKey = key?.id
        try append(SessionJSON.encoder().encode(signed))
    }
    public func write(_ command: SessionCommand) throws { try append(SessionJSON.encoder().encode(command)) }
    public func write(_ end: SessionEnd) throws { try append(SessionJSON.encoder().encode(end)) }

    /// Seals the line into the chain, then writes it whole. A line that could not be written
    /// leaves the chain where it was, so the next one still follows the last line on disk.
    private func append(_ json: Data) throws {
        var next = chain
        try write(next.seal(json))
        chain = next
    }

    private func write(_ data: Data) throws {
        try data.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = systemWrite(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw TrainingError("cannot write to the session file '\(path)': \(String(cString: strerror(errno)))")
                }
                offset += written
            }
        }
        guard fsync(descriptor) == 0 else {
            throw TrainingError("cannot save the session file '\(path)' to disk: \(String(cString: strerror(errno)))")
        }
    }
}
