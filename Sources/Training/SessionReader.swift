import Foundation

/// A session file as read: every complete, well-formed line, and what was wrong with the others.
public struct SessionReading: Sendable {
    public let path: String
    public let header: SessionHeader
    public let commands: [SessionCommand]
    /// The line each command was read from.
    public let commandLines: [Int]
    /// Nil when the recording was cut short (a crash, `kill -9`, a closed terminal).
    public let end: SessionEnd?
    public let problems: [SessionProblem]
    /// How the file is sealed, and whether the seal holds.
    public let seal: SessionSealCheck

    /// True when a line other than a cut-off last one was damaged: some command may be missing,
    /// so a replay may not be what the trainee did.
    public var isCorrupt: Bool { problems.contains { $0.kind != .cutOff && $0.kind != .inconsistent } }

    /// Lines that read but say impossible things: command numbers out of order, time going back.
    public var inconsistencies: [SessionProblem] { problems.filter { $0.kind == .inconsistent } }
}

/// What the hash chain of a session file says about it.
public enum SessionSealCheck: Sendable, Equatable {
    /// Format 1: written before the chain, so edits cannot be detected.
    case unsealed
    /// Every line follows from the one before it (signed with the key of this id, if any).
    case intact(signingKey: String?)
    /// A line does not follow from the line before it: the file was changed after recording.
    case broken(line: Int, signingKey: String?)
    /// Signed with a key the reader was not given (nil: no key given at all).
    case unverifiable(signingKey: String, given: String?)
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
        /// A line that reads but cannot be what was recorded: a command number repeated or out
        /// of order, time going backwards.
        case inconsistent
    }

    public let line: Int
    public let kind: Kind
    public let message: String

    public var description: String { "line \(line): \(message)" }
}

public enum SessionReader {
    /// Reads a session file, recovering every complete line. Throws only when there is nothing to
    /// grade at all: no file, or no header.
    public static func read(path: String, key: SessionKey? = nil) throws -> SessionReading {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw TrainingError("cannot read session '\(path)': No such file")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TrainingError("cannot read session '\(path)': Permission denied")
        }
        return try parse(data, path: path, key: key)
    }

    /// Reads a session's lines; with `key`, a signed session's chain is checked under it.
    public static func parse(_ data: Data, path: String, key: SessionKey? = nil) throws -> SessionReading {
        var lines = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        let lastIsComplete = lines.last?.isEmpty ?? true
        if lastIsComplete, !lines.isEmpty { lines.removeLast() }
        guard let first = lines.first, !first.allSatisfy(isSpace) else {
            throw TrainingError("'\(path)' is empty: it is not a Firedrill session (the header line is missing)")
        }
        let header = try readHeader(Data(first), path: path)
        let lastIsCutOff = !lastIsComplete && lines.count > 1
        let seal = checkSeal(lines.dropLast(lastIsCutOff ? 1 : 0).map { Data($0) }, header: header, key: key)
        var commands: [SessionCommand] = []
        var commandLines: [Int] = []
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
            case .success(.command(let command)):
                if let inconsistency = inconsistency(of: command, after: commands.last, firstLine: commandLines.last) {
                    problems.append(SessionProblem(line: number, kind: .inconsistent, message: inconsistency))
                }
                commands.append(command)
                commandLines.append(number)
            case .success(.end(let record)):
                if let last = commands.last, record.timeUs < last.timeUs {
                    problems.append(SessionProblem(line: number, kind: .inconsistent,
                                                   message: "ends the session at time_us \(record.timeUs), before its last command (\(last.timeUs))"))
                }
                end = record
            case .failure(let reason) where isLast && !lastIsComplete:
                problems.append(SessionProblem(line: number, kind: .cutOff,
                                               message: "is cut off (the recording stopped while writing it; \(reason)); the lines before it are complete"))
            case .failure(let reason):
                problems.append(SessionProblem(line: number, kind: .damaged, message: reason.description))
            }
        }
        return SessionReading(path: path, header: header, commands: commands, commandLines: commandLines, end: end,
                              problems: problems, seal: seal)
    }

    /// Why a command cannot follow the one before it, or nil: numbers go 1, 2, 3... and time
    /// never goes back.
    private static func inconsistency(of command: SessionCommand, after previous: SessionCommand?, firstLine: Int?) -> String? {
        let expected = (previous?.number ?? 0) + 1
        if command.number != expected {
            if let previous, command.number <= previous.number {
                return "command number \(command.number) repeats or goes back (line \(firstLine ?? 0) was command \(previous.number))"
            }
            return "command number \(command.number) where \(expected) was due"
        }
        if let previous, command.timeUs < previous.timeUs {
            return "command \(command.number) ran at time_us \(command.timeUs), before command \(previous.number) (\(previous.timeUs))"
        }
        return nil
    }

    /// Follows the chain over the complete lines (a cut-off last one is left out).
    private static func checkSeal(_ lines: [Data], header: SessionHeader, key: SessionKey?) -> SessionSealCheck {
        guard header.format >= 2 else { return .unsealed }
        let signer = header.signingKey
        if let signer, key?.id != signer { return .unverifiable(signingKey: signer, given: key?.id) }
        var chain = SessionChain(key: signer == nil ? nil : key)
        for (index, line) in lines.enumerated() where !line.allSatisfy(isSpace) {
            if !chain.check(line) { return .broken(line: index + 1, signingKey: signer) }
        }
        return .intact(signingKey: signer)
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
        guard SessionHeader.readableFormats.contains(header.format) else {
            throw TrainingError("'\(path)' is a session in format \(header.format); this firedrill reads formats \(SessionHeader.readableFormats.lowerBound) to \(SessionHeader.readableFormats.upperBound)")
        }
        return header
    }

    private static func decode(_ data: Data) -> Result<Line, DecodeFailure> {
        let decoder = SessionJSON.decoder()
        do {
            switch try decoder.decode(Kind.self, from: data).kind {
            case "command": return .success(.command(try decoder.decode(SessionCommand.self, from: data)))
            case "api":
                let command = try decoder.decode(SessionCommand.self, from: data)
                guard command.api != nil else { return .failure(DecodeFailure("is of kind \"api\" but has no \"api\" request")) }
                return .success(.command(command))
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
