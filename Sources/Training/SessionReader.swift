import Foundation

/// A session file as read: every complete, well-formed line, and what was wrong with the others.
public struct SessionReading: Sendable {
    public let path: String
    public let header: SessionHeader
    public let commands: [SessionCommand]
    /// Nil when the recording was cut short (a crash, `kill -9`, a closed terminal).
    public let end: SessionEnd?
    public let problems: [SessionProblem]

    /// True when a line other than a cut-off last one was damaged: some command may be missing,
    /// so a replay may not be what the trainee did.
    public var isCorrupt: Bool { problems.contains { $0.kind != .cutOff } }
}

/// A line of a session file that could not be used, and why.
public struct SessionProblem: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The last line has no newline and does not parse: the recording stopped mid-write.
        case cutOff
        /// A line that is not valid JSON or not a session line.
        case damaged
        /// A line after the end line.
        case afterEnd
    }

    public let line: Int
    public let kind: Kind
    public let message: String

    public var description: String { "line \(line): \(message)" }
}

public enum SessionReader {
    /// Reads a session file, recovering every complete line. Throws only when there is nothing to
    /// grade at all: no file, or no header.
    public static func read(path: String) throws -> SessionReading {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw TrainingError("cannot read session '\(path)': No such file")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TrainingError("cannot read session '\(path)': Permission denied")
        }
        return try parse(data, path: path)
    }

    public static func parse(_ data: Data, path: String) throws -> SessionReading {
        var lines = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        let lastIsComplete = lines.last?.isEmpty ?? true
        if lastIsComplete, !lines.isEmpty { lines.removeLast() }
        guard let first = lines.first, !first.allSatisfy(isSpace) else {
            throw TrainingError("'\(path)' is empty: it is not a Firedrill session (the header line is missing)")
        }
        let header = try readHeader(Data(first), path: path)
        var commands: [SessionCommand] = []
        var end: SessionEnd?
        var problems: [SessionProblem] = []
        for (offset, bytes) in lines.enumerated().dropFirst() where !bytes.allSatisfy(isSpace) {
            let number = offset + 1
            let isLast = offset == lines.count - 1
            if end != nil {
                problems.append(SessionProblem(line: number, kind: .afterEnd, message: "comes after the session's end line; ignored"))
                continue
            }
            switch decode(Data(bytes)) {
            case .success(.command(let command)): commands.append(command)
            case .success(.end(let record)): end = record
            case .failure(let reason) where isLast && !lastIsComplete:
                problems.append(SessionProblem(line: number, kind: .cutOff,
                                               message: "is cut off (the recording stopped while writing it; \(reason)); the lines before it are complete"))
            case .failure(let reason):
                problems.append(SessionProblem(line: number, kind: .damaged, message: reason.description))
            }
        }
        return SessionReading(path: path, header: header, commands: commands, end: end, problems: problems)
    }

    private static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0D }

    private enum Line {
        case command(SessionCommand)
        case end(SessionEnd)
    }

    private struct Kind: Decodable { let kind: String }

    private static func readHeader(_ data: Data, path: String) throws -> SessionHeader {
        let header: SessionHeader
        do {
            guard try SessionJSON.decoder().decode(Kind.self, from: data).kind == "header" else {
                throw TrainingError("line 1 is not a header")
            }
            header = try SessionJSON.decoder().decode(SessionHeader.self, from: data)
        } catch {
            throw TrainingError("'\(path)' is not a Firedrill session: line 1 should be its header (\(describe(error)))")
        }
        guard header.format == SessionHeader.currentFormat else {
            throw TrainingError("'\(path)' is a session in format \(header.format); this firedrill reads format \(SessionHeader.currentFormat)")
        }
        return header
    }

    private static func decode(_ data: Data) -> Result<Line, DecodeFailure> {
        let decoder = SessionJSON.decoder()
        do {
            switch try decoder.decode(Kind.self, from: data).kind {
            case "command": return .success(.command(try decoder.decode(SessionCommand.self, from: data)))
            case "end": return .success(.end(try decoder.decode(SessionEnd.self, from: data)))
            case "header": return .failure(DecodeFailure("is a second header; a session has one, on line 1"))
            case let other: return .failure(DecodeFailure("has kind \"\(other)\", which is not a session line"))
            }
        } catch {
            return .failure(DecodeFailure(describe(error)))
        }
    }

    private struct DecodeFailure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    /// A decoding error in words: which field is missing or wrong, or that the JSON is broken.
    static func describe(_ error: Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, _):
            return "the field \"\(snakeCase(key.stringValue))\" is missing"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            let field = context.codingPath.map { snakeCase($0.stringValue) }.joined(separator: ".")
            return field.isEmpty ? "not a JSON object" : "the field \"\(field)\" has the wrong type"
        case DecodingError.dataCorrupted:
            return "not valid JSON"
        case let error as TrainingError:
            return error.message
        default:
            return "\(error)"
        }
    }

    private static func snakeCase(_ name: String) -> String {
        var result = ""
        for character in name {
            if character.isUppercase { result += "_" + character.lowercased() } else { result.append(character) }
        }
        return result
    }
}
