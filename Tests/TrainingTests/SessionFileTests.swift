import Foundation
import Testing
@testable import Training

/// Session files survive what happens to them: a recording cut off mid-line, a damaged line, a
/// file that is not a session at all. Every complete line is recovered and the problem is named.
@Suite struct SessionFileTests {
    func lines(of path: String) throws -> [String] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
    }

    func write(_ lines: [String], ending: String = "\n") throws -> String {
        let path = try scratchDirectory().appendingPathComponent("session.jsonl").path
        try (lines.joined(separator: "\n") + ending).write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func aRecordedSessionReadsBack() throws {
        let path = try record(shippedLab("zone-partition"), [(10, "sim.clock()"), (5, "x = 1\nreturn x + 1")])
        let reading = try SessionReader.read(path: path)
        #expect(reading.header.lab == "zone-partition" && reading.header.seed == 3 && reading.header.labHash == shippedLab("zone-partition").fingerprint.combined)
        #expect(reading.commands.map(\.input) == ["sim.clock()", "x = 1\nreturn x + 1"])
        #expect(reading.commands.map(\.output) == ["09:00:10", "2"])
        #expect(reading.commands.map(\.clock) == ["09:00:10", "09:00:15"])
        #expect(reading.end?.reason == "end of input" && reading.problems.isEmpty)
        #expect(throws: TrainingError.self) { try SessionRecorder(path: path) }
    }

    @Test func replayUntilReadsTheClockTheLabHandsOverOn() throws {
        // The setup moves the calendar three hours on (as the Monzo lab's skips two weeks), so
        // the trainee arrives at 12:00; "12:06" must mean six minutes in, not three hours.
        let lab = minimalLab(extra: "setup = function(world) world.sim.skip_calendar('3h') end,")
        let catalog = try LabCatalog.load(directory: try writeLab("tiny", lab: lab), displayDirectory: "Labs")
        let path = try record(catalog.lab("tiny")!, [(0, "sim.clock()"), (300, "sim.clock()"), (300, "sim.clock()")])
        let reading = try SessionReader.read(path: path)
        #expect(reading.commands.map(\.output) == ["12:00:00", "12:05:00", "12:10:00"])
        let replay = try SessionReplay.run(reading, lab: catalog.lab("tiny")!, until: LabMoment.parse("12:06"))
        #expect(replay.replayed.map(\.clock) == ["12:00:00", "12:05:00"] && replay.warnings.isEmpty, "\(replay.warnings)")
    }

    @Test func aHugeOutputIsCutShortInTheFileOnly() throws {
        let path = try record(shippedLab("zone-partition"), [(1, "string.rep('x', 250000)"), (1, "'small'")])
        let outputs = try SessionReader.read(path: path).commands.map(\.output)
        #expect(outputs[0].hasSuffix("x\n… (150000 more bytes not recorded)") && outputs[0].utf8.count < 100_100)
        #expect(outputs[1] == "small")
    }

    @Test func aLineCutOffMidWriteKeepsEveryCompleteLine() throws {
        let original = try lines(of: try record(shippedLab("zone-partition"), [(1, "sim.clock()"), (1, "1 + 1"), (1, "2 + 2")], end: false))
        let cut = original.last!.prefix(30)
        let path = try write(Array(original.dropLast()) + [String(cut)], ending: "")
        let reading = try SessionReader.read(path: path)
        #expect(reading.commands.map(\.input) == ["sim.clock()", "1 + 1"])
        #expect(reading.problems.map(\.description) == ["line 4: is cut off (the recording stopped while writing it; not valid JSON); the lines before it are complete"])
        #expect(!reading.isCorrupt && reading.end == nil)
    }

    @Test func aDamagedLineIsNamedAndTheOthersRecovered() throws {
        var original = try lines(of: try record(shippedLab("zone-partition"), [(1, "1 + 1"), (1, "2 + 2"), (1, "3 + 3")]))
        original[2] = "{\"kind\": \"command\", \"inp"
        original.insert("{\"kind\": \"command\", \"number\": 9}", at: 3)
        original.append("{\"kind\": \"command\"}")
        let reading = try SessionReader.read(path: try write(original))
        #expect(reading.commands.map(\.input) == ["1 + 1", "3 + 3"])
        #expect(reading.end != nil && reading.isCorrupt)
        #expect(reading.problems.map(\.description) == [
            "line 3: not valid JSON",
            "line 4: the field \"time_us\" is missing",
            "line 5: command number 3 where 2 was due",
            "line 7: comes after the session's end line; ignored",
        ])
        #expect(reading.seal == .broken(line: 3, signingKey: nil))
    }

    @Test func somethingElseIsNotASession() throws {
        let empty = try write([], ending: "")
        #expect(throws: TrainingError("'\(empty)' is empty: it is not a Firedrill session (the header line is missing)")) {
            try SessionReader.read(path: empty)
        }
        let notes = try write(["my notes", "{\"kind\":\"command\"}"])
        #expect(throws: TrainingError("'\(notes)' is not a Firedrill session: line 1 should be its header (not valid JSON)")) {
            try SessionReader.read(path: notes)
        }
        #expect(throws: TrainingError("cannot read session '/nonexistent.jsonl': No such file")) {
            try SessionReader.read(path: "/nonexistent.jsonl")
        }
    }
}
