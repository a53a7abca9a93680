import Foundation
import KubeAPI
import Simulation

/// The first line of a session file: which lab, against which files, from which seed and with
/// which limits, so that grading can rebuild exactly the world the trainee had. Grading takes
/// the lab, files and seed from here, never the limits or the speed: those are the lab's own.
///
/// Format 2 seals every line with a hash chain (`SessionChain`), signed with an instructor's key
/// when one was given; format 1 files, from before the chain, still read, with a warning.
public struct SessionHeader: Codable, Sendable, Equatable {
    public var kind = "header"
    /// The file format's version; readers refuse ones they do not know.
    public var format = SessionHeader.currentFormat
    public var lab: String
    public var labHash: String
    /// Hash of each lab file by name (`lab.lua`, `grade.lua`), to say which one changed.
    public var labFiles: [String: String]
    public var firedrill: String
    public var scenario: String
    public var seed: UInt64
    /// Simulated seconds per wall-clock second while the trainee worked.
    public var speed: Double
    /// The Lua limits every command ran under; replay uses the same, or a command that fitted
    /// could fail.
    public var instructionLimit: Int64
    public var memoryLimitBytes: Int
    /// When the trainee took over (after the lab's setup), in microseconds since the epoch.
    public var arrivedUs: Int64
    public var arrivedClock: String
    /// Wall-clock time the session began, UTC.
    public var wall: String
    /// For a what-if session started by `firedrill replay`: the session it continues.
    public var forkedFrom: String?
    /// The id of the key that signed the chain (`SessionKey.id`), or nil when unsigned.
    public var signingKey: String?
    /// What the lab was started with besides the seed (a game day's `difficulty`), which its
    /// code reads as `session.parameters()`: grading starts the same lab with the same ones. Nil
    /// for a lab started without any (every session recorded before parameters existed).
    public var parameters: [String: String]?

    public static let currentFormat = 2
    /// The formats this firedrill reads: 1 (no chain) and 2.
    public static let readableFormats = 1...2
}

/// One command the trainee ran: a complete chunk, at the simulated time it ran.
public struct SessionCommand: Codable, Sendable, Equatable {
    public var kind = "command"
    /// 1, 2, 3... in the order they ran.
    public var number: Int
    /// Simulated time the command ran at, microseconds since the scenario's epoch: what replay uses.
    public var timeUs: Int64
    /// The same, as the trainee saw it (for people reading the file).
    public var clock: String
    public var wall: String
    /// The chunk as typed; lines of a multi-line chunk joined by newlines.
    public var input: String
    /// What the trainee saw. Never trusted: grading re-executes and ignores it.
    public var output: String
    public var failed: Bool
    /// Announcements shown after the command (steps completed, pages), for people reading.
    public var notices: [String]?
    /// On a line of kind `api`: the real kubectl's request, which grading re-executes at `timeUs`
    /// in place of `input` (which then only shows the request line to people).
    public var api: KubeAPIRequest?
    /// On a line of kind `api`: the status the API answered with, for people reading.
    public var status: Int?
}

extension SessionCommand {
    /// Makes this the line of a request of the real kubectl, when `command` was one: kind `api`,
    /// with the request grading re-executes and the status it got.
    mutating func markAPIRequest(of command: ExecutedCommand) {
        guard let request = command.api else { return }
        (kind, api, status) = ("api", request, command.status)
    }
}

/// The last line: the session ended here, on purpose. Time went on after the last command (the
/// trainee watched the world recover, or not), so the end has its own simulated time.
public struct SessionEnd: Codable, Sendable, Equatable {
    public var kind = "end"
    public var timeUs: Int64
    public var clock: String
    public var wall: String
    /// How it ended: "lab.finish()", "end of input", ...
    public var reason: String
}

/// JSON for session lines and reports: sorted keys and snake_case, so the same data is always
/// the same bytes.
enum SessionJSON {
    static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return encoder
    }

    static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return decoder
    }

    /// One line of JSON, newline included.
    static func line<Record: Encodable>(_ record: Record) throws -> Data {
        var data = try encoder().encode(record)
        data.append(UInt8(ascii: "\n"))
        return data
    }
}

/// Wall-clock time for session files: `2025-11-26T18:30:01.123Z`.
public enum WallTime {
    public static func format(_ date: Date) -> String {
        let milliseconds = Int64((date.timeIntervalSince1970 * 1_000).rounded(.down))
        let calendar = CalendarTime(secondsSinceEpoch: milliseconds.floorDividedBy(1_000))
        let fraction = Int(milliseconds - milliseconds.floorDividedBy(1_000) * 1_000)
        let digits = String(fraction)
        return "\(calendar.date)T\(calendar.clock).\(String(repeating: "0", count: 3 - digits.count))\(digits)Z"
    }
}

extension Int64 {
    func floorDividedBy(_ divisor: Int64) -> Int64 {
        let quotient = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }
}
