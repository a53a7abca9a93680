import Foundation

/// An instructor's key for signing session files: the same on the lab machines and on `grade`.
/// Given as `FIREDRILL_SESSION_KEY` (the key itself) or `--key-file` (a file holding it; a
/// trailing newline is not part of the key). A session only says which key signed it, by id.
public struct SessionKey: Sendable, Equatable {
    let bytes: [UInt8]

    public init(_ text: String) { bytes = Array(text.utf8) }

    /// 16 hex digits that name the key without giving it away.
    public var id: String { String(SHA256.hex(SHA256.hash(Array("firedrill session key\n".utf8) + bytes)).prefix(16)) }

    public static let environmentVariable = "FIREDRILL_SESSION_KEY"

    /// The key from `--key-file` if given, else from the environment, else none.
    public static func load(keyFile: String?, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> SessionKey? {
        if let keyFile {
            guard let data = FileManager.default.contents(atPath: keyFile), let text = String(data: data, encoding: .utf8) else {
                throw TrainingError("cannot read the key file '\(keyFile)'")
            }
            var key = text
            while key.hasSuffix("\n") || key.hasSuffix("\r") { key.removeLast() }
            guard !key.isEmpty else { throw TrainingError("the key file '\(keyFile)' is empty") }
            return SessionKey(key)
        }
        guard let text = environment[environmentVariable], !text.isEmpty else { return nil }
        return SessionKey(text)
    }
}

/// The hash chain that seals a session file (format 2): each line ends with a `chain` field,
/// the SHA-256 of the previous line's chain and this line's own text; with a key, an
/// HMAC-SHA-256 under it instead, which nobody without the key can recompute. Inserting,
/// removing, reordering or editing a line breaks the chain from that line on.
struct SessionChain {
    let key: SessionKey?
    /// The chain value of the last line sealed or checked; empty before the header.
    private(set) var previous = ""

    init(key: SessionKey?) { self.key = key }

    /// The chain value of a line's text following `previous`.
    func link(_ content: Data) -> String {
        let message = Array(previous.utf8) + [0x0A] + Array(content)
        return SHA256.hex(key.map { SHA256.hmac(key: $0.bytes, message) } ?? SHA256.hash(message))
    }

    /// The line with its `chain` field (the JSON object's last), newline included.
    mutating func seal(_ json: Data) -> Data {
        precondition(json.last == UInt8(ascii: "}"), "a session line is a JSON object")
        let chain = link(json)
        previous = chain
        var line = json.dropLast()
        line.append(contentsOf: Array(",\"chain\":\"\(chain)\"}\n".utf8))
        return Data(line)
    }

    /// Checks a sealed line (without its newline) and moves on to it: false if it does not follow.
    mutating func check(_ line: Data) -> Bool {
        guard let (content, chain) = SessionChain.split(line), link(content) == chain else { return false }
        previous = chain
        return true
    }

    /// A sealed line's text as it was sealed, and its chain value.
    static func split(_ line: Data) -> (Data, String)? {
        let suffix = ",\"chain\":\""
        let bytes = Array(line)
        let tail = suffix.utf8.count + 64 + 2
        guard bytes.count > tail, bytes.last == UInt8(ascii: "}"), bytes[bytes.count - 2] == UInt8(ascii: "\"") else { return nil }
        let start = bytes.count - tail
        guard Array(bytes[start..<start + suffix.utf8.count]) == Array(suffix.utf8) else { return nil }
        let chain = String(decoding: bytes[(start + suffix.utf8.count)..<(bytes.count - 2)], as: UTF8.self)
        guard chain.allSatisfy({ $0.isHexDigit && !$0.isUppercase }) else { return nil }
        return (Data(bytes[..<start] + [UInt8(ascii: "}")]), chain)
    }
}
