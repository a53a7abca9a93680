import Foundation
import Testing
import Scripting
@testable import Training

/// Sessions cannot be forged quietly: every line is chained to the one before it (signed with an
/// instructor's key when there is one), the grader takes no limits from the file, a seed outside
/// the lab's makes a practice session, and whatever `--force` overrides is marked FORCED.
@Suite struct SessionSealTests {
    let grader = Grader(catalog: shippedCatalog, options: gradingOptions)

    func lines(_ path: String) throws -> [String] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
    }

    func write(_ lines: [String]) throws -> String {
        let path = try scratchDirectory().appendingPathComponent("edited.jsonl").path
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// A JSON line's fields changed, written back with sorted keys (and its old chain, if any).
    func edited(_ line: String, _ change: (inout [String: Any]) -> Void) throws -> String {
        var record = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
        change(&record)
        return String(decoding: try JSONSerialization.data(withJSONObject: record, options: [.sortedKeys, .withoutEscapingSlashes]), as: UTF8.self)
    }

    /// The session as format 1 wrote it: no chain.
    func formatOne(_ path: String) throws -> [String] {
        try lines(path).map { line in
            try edited(line) { record in
                record["chain"] = nil
                if record["kind"] as? String == "header" { record["format"] = 1 }
            }
        }
    }

    @Test func sha256AndHMACMatchTheStandardsVectors() {
        #expect(SHA256.hex(SHA256.hash([])) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex(SHA256.hash(Array("abc".utf8))) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hex(SHA256.hash(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)))
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(SHA256.hex(SHA256.hash([UInt8](repeating: 0x61, count: 1_000_000))) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
        // RFC 4231, test cases 2 and 6 (a key longer than a block).
        #expect(SHA256.hex(SHA256.hmac(key: Array("Jefe".utf8), Array("what do ya want for nothing?".utf8)))
                == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        #expect(SHA256.hex(SHA256.hmac(key: [UInt8](repeating: 0xaa, count: 131), Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8)))
                == "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
    }

    @Test func aForgedInsertAnEditedSeedAndARaisedLimitAreRefusedNamingTheLine() throws {
        let original = try lines(try record(shippedLab("zone-partition"), [(0, "1 + 1"), (0, "2 + 2")]))
        // A command inserted by hand, numbered to fit.
        var inserted = original
        inserted.insert(try edited(original[2]) { $0["input"] = "faults.heal()"; $0["chain"] = nil }, at: 2)
        let forged = grader.grade(path: try write(inserted))
        #expect(forged.error?.contains("line 3 does not follow from the line before it") == true, "\(forged)")
        // The seed edited to another world, and the limits raised, in the header.
        let seed = grader.grade(path: try write([try edited(original[0]) { $0["seed"] = 4 }] + original.dropFirst()))
        #expect(seed.error?.contains("line 1 does not follow from the line before it") == true, "\(seed)")
        let limit = grader.grade(path: try write([try edited(original[0]) { $0["instruction_limit"] = 1_000_000_000_000 }] + original.dropFirst()))
        #expect(limit.error?.contains("line 1 does not follow") == true, "\(limit)")
        #expect(grader.grade(path: try write(original)).error == nil)
    }

    @Test func aFormatOneFileStillGradesWithAWarningAndItsHeaderIsChecked() throws {
        let path = try record(shippedLab("zone-partition"), [(0, "sim.advance('3m')"), (0, "faults.active()"), (0, "faults.heal()")])
        let old = try formatOne(path)
        let graded = grader.grade(path: try write(old))
        #expect(graded.error == nil && graded.score == grader.grade(path: path).score, "\(graded)")
        #expect(graded.warnings.contains { $0.hasPrefix("format 1 session, from before sessions were sealed") })
        // Without a chain, the header is checked against the lab: a raised limit is refused...
        let raised = grader.grade(path: try write([try edited(old[0]) { $0["instruction_limit"] = 1_000_000_000_000 }] + old.dropFirst()))
        #expect(raised.error?.contains("line 1: the header's limits (1000000000000 instructions, 256 MiB) are not the lab's") == true, "\(raised)")
        // ... and an edited seed is a practice session.
        let other = grader.grade(path: try write([try edited(old[0]) { $0["seed"] = 4 }] + old.dropFirst()))
        #expect(other.error == nil && other.practice == "seed 4 is not one of this lab's graded seeds (3), so this is a practice session")
        // Numbers out of order and a clock that disagrees with time_us are named with their line.
        var shuffled = old
        shuffled[2] = try edited(old[2]) { $0["number"] = 1 }
        #expect(grader.grade(path: try write(shuffled)).error?.contains("line 3: command number 1 repeats or goes back (line 2 was command 1)") == true)
        var clocked = old
        clocked[3] = try edited(old[3]) { $0["clock"] = "09:00:00" }
        #expect(grader.grade(path: try write(clocked)).error?.contains("line 4: command 3 says it ran at 09:00:00, but its time_us is 09:03:00") == true)
    }

    @Test func aSignedSessionNeedsItsKey() throws {
        let key = SessionKey("the instructors' secret")
        let path = try scratchDirectory().appendingPathComponent("signed.jsonl").path
        let live = try LiveLab(session: try LabSession(lab: shippedLab("zone-partition")), clock: ManualWallClock(),
                               recorder: try SessionRecorder(path: path, key: key), firedrillVersion: "test")
        _ = live.run("faults.active()")
        live.finish(reason: "end of input")
        func grade(_ path: String, key: SessionKey?) -> SessionGrade {
            var options = gradingOptions
            options.key = key
            return Grader(catalog: shippedCatalog, options: options).grade(path: path)
        }
        #expect(grade(path, key: key).error == nil)
        #expect(grade(path, key: nil).error?.contains("line 1: it is signed with key \(key.id); grade it with that key") == true)
        #expect(grade(path, key: SessionKey("a guess")).error?.contains("not with the key given") == true)
        // Re-chained without the key, as someone without it would have to: unsigned, so refused.
        var unsigned = SessionChain(key: nil)
        let rechained = try lines(path).map { line -> String in
            let (content, _) = SessionChain.split(Data(line.utf8))!
            let stripped = try edited(String(decoding: content, as: UTF8.self)) { $0["signing_key"] = nil }
            return String(decoding: unsigned.seal(Data(stripped.utf8)), as: UTF8.self).trimmingCharacters(in: .newlines)
        }
        #expect(grade(try write(rechained), key: nil).error == nil, "a valid unsigned chain")
        #expect(grade(try write(rechained), key: key).error?.contains("line 1: it is not signed; this grading requires sessions signed with key") == true)
    }

    @Test func forcedAndPracticeShowInEveryFormat() throws {
        var forcing = gradingOptions
        forcing.force = true
        var changed = try lines(try record(shippedLab("zone-partition"), [(0, "faults.active()")], seed: 4))
        changed[1] = try edited(changed[1]) { $0["output"] = "edited" }
        let grade = Grader(catalog: shippedCatalog, options: forcing).grade(path: try write(changed))
        #expect(grade.isForced && grade.isPractice && grade.error == nil)
        let text = GradeReportFormat.text.render([grade])
        #expect(text.split(separator: "\n").allSatisfy { $0.hasPrefix("FORCED ") }, "\(text)")
        #expect(text.contains("(zone-partition, seed 4): 0/10 PRACTICE"))
        let json = GradeReportFormat.json.render([grade])
        #expect(json.contains("\"practice\" : \"seed 4 is not one of this lab's graded seeds (3)") && json.contains("\"seed\" : 4"))
        #expect(json.contains("\"feedback\" : \"FORCED: "))
        let junit = GradeReportFormat.junit.render([grade])
        #expect(junit.contains("<property name=\"practice\"") && junit.contains("<property name=\"forced\""))
        let gradescope = try #require(try JSONSerialization.jsonObject(with: Data(GradeReportFormat.gradescope.render([grade]).utf8)) as? [String: Any])
        #expect(gradescope["score"] as? Double == 0 && (gradescope["output"] as? String)?.contains("scores 0: seed 4") == true)
    }

    @Test func aRunawaySessionTimesOutAndTheBatchGoesOn() throws {
        // The grader's own limits let a loop run for ever; the timeout stops it.
        var options = gradingOptions
        options.limits = LuaLimits(instructions: 0, memoryBytes: 256 << 20)
        // Long enough for the ordinary session beside it on a loaded 2-core machine (it takes about
        // a second alone); the runaway is stopped at it either way.
        options.timeoutSeconds = 15
        let runaway = try record(shippedLab("zone-partition"), [(0, "sim.at('+10s', function() while true do end end)"), (0, "sim.advance('1m')")])
        options.force = true // the header's limits are the defaults, not the unlimited ones given here
        let started = Date()
        let grades = BatchGrader.grade([runaway, referenceSession("zone-partition")], with: Grader(catalog: shippedCatalog, options: options), jobs: 1)
        #expect(grades[0].error?.contains("grading took longer than its timeout of 15 seconds") == true, "\(grades[0])")
        #expect(grades[1].error == nil && grades[1].score == 10)
        #expect(Date().timeIntervalSince(started) < 120)
    }
}
