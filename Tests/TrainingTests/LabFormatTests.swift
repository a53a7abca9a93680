import Foundation
import Testing
@testable import Training

/// A lab author who makes a mistake is told the file, the line and the field.
@Suite struct LabFormatTests {
    @Test func theShippedLabsLoad() throws {
        #expect(shippedCatalog.failures.isEmpty, "\(shippedCatalog.failures)")
        let drill = shippedLab("write-a-drill")
        #expect(drill.title == "Write a drill" && drill.difficulty == .beginner && drill.minutes == 15)
        #expect(drill.steps.count == 5 && drill.timing.advance == .always && drill.maxScore == 10)
        let partition = shippedLab("zone-partition")
        #expect(partition.timing.advance == .upTo(300_000_000) && partition.injects.first?.notice?.contains("PAGE") == true)
    }

    /// Graders and step checks judge deeds, looks and the world (the audit log and the truth),
    /// never the text of a command: no lab's grade.lua, lab.lua or module reads a command's
    /// input or output, so printing the right words earns nothing.
    static let shippedLabs = ["etcd-quorum", "gameday", "linkerd-npe", "monzo-2017", "service-discovery", "write-a-drill", "zone-partition"]

    @Test(arguments: shippedLabs)
    func noGraderOrCheckMatchesCommandText(lab: String) throws {
        let folder = labsDirectory.appendingPathComponent(lab)
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".lua") }
        #expect(files.contains("grade.lua") && files.contains("lab.lua"))
        for file in files {
            let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            for pattern in [".input", ".output", "commands()", ".commands"] {
                #expect(!text.contains(pattern), "Labs/\(lab)/\(file) reads \(pattern)")
            }
        }
        let labs = try FileManager.default.contentsOfDirectory(atPath: labsDirectory.path).filter { !$0.hasPrefix(".") && $0 != "lib" }
        #expect(labs.sorted() == Self.shippedLabs, "every lab is checked")
    }

    /// Each case breaks one thing in a valid lab and names what the error must say.
    @Test(arguments: [
        (minimalLab().replacingOccurrences(of: "minutes = 5", with: "minutes = \"ten\""),
         "Labs/tiny/lab.lua:6: minutes: expected a whole number, got string"),
        (minimalLab().replacingOccurrences(of: "title = \"Break it\"", with: "title = 42"),
         "Labs/tiny/lab.lua:11: steps[1].title: expected a string, got number"),
        (minimalLab(done: "nil"), "Labs/tiny/lab.lua:12: steps[1].done: expected a function, got nil"),
        (minimalLab().replacingOccurrences(of: "hints =", with: "hint ="),
         "Labs/tiny/lab.lua:11: steps[1].hint: unknown field (did you mean 'hints'?)"),
        (minimalLab(id: "other"), "Labs/tiny/lab.lua:2: id: is \"other\" but the folder is \"tiny\""),
        (minimalLab().replacingOccurrences(of: "name = \"practice\"", with: "name = \"mars\""),
         "Labs/tiny/lab.lua:7: scenario.name: unknown scenario \"mars\""),
        (minimalLab(time: "{ advance = 5 }"), "Labs/tiny/lab.lua:8: time.advance: expected true, false or a duration"),
        (minimalLab(time: "{ grade_at = \"teatime\" }"), "Labs/tiny/lab.lua:8: time.grade_at: is \"teatime\""),
        (minimalLab(extra: "injects = { { at = \"09:05\" } },"), "Labs/tiny/lab.lua:9: injects[1].run: expected a function, got nil"),
        (minimalLab(extra: "injects = { { run = print } },"), "Labs/tiny/lab.lua:9: injects[1]: an inject needs exactly one trigger"),
        (minimalLab().replacingOccurrences(of: "difficulty = \"beginner\",", with: ""),
         "Labs/tiny/lab.lua:1: difficulty: expected a string, got nil"),
        ("return {\n  id = \"tiny\",\n  title = = 1,\n}\n", "Labs/tiny/lab.lua:3: unexpected symbol near '='"),
        ("local x = nil\nreturn x.y\n", "Labs/tiny/lab.lua:2: attempt to index a nil value"),
    ])
    func aMalformedLabNamesFileLineAndField(lab: String, expected: String) throws {
        let labs = try writeLab("tiny", lab: lab)
        #expect {
            try loadLab("tiny", from: labs)
        } throws: { error in
            "\(error)".hasPrefix(expected) || { print("got: \(error)"); return false }()
        }
    }

    @Test func aMalformedGraderNamesFileLineAndField() throws {
        let grader = minimalGrader.replacingOccurrences(of: "points = 2", with: "points = 0")
        let labs = try writeLab("tiny", lab: minimalLab(), grader: grader)
        #expect(throws: LabError(file: "Labs/tiny/grade.lua", line: 3, field: "checks[1].points",
                                 problem: "must be more than 0 and at most 1000")) {
            try loadLab("tiny", from: labs)
        }
        let missing = try writeLab("tiny", lab: minimalLab(), readme: nil)
        #expect(throws: LabError(file: "Labs/tiny/README.md", problem: "missing: every lab folder has lab.lua, grade.lua and README.md")) {
            try loadLab("tiny", from: missing)
        }
    }

    @Test func fieldsAreFoundThroughALocalTable() {
        let source = """
            local steps = {
              { title = "one" },
              {
                title = "two",
                done = function(world) local a, b = 1, 2; if a then return { b } end end,
                hints = { "x" },
              },
            }
            return { id = "x", steps = steps }
            """
        let locator = LuaSourceLocator(source: source)
        #expect(locator.line(of: FieldPath([.name("steps"), .index(2), .name("hints")])) == 6)
        #expect(locator.line(of: FieldPath([.name("steps"), .index(2), .name("missing")])) == 3)
        #expect(locator.line(of: FieldPath([.name("id")])) == 9)
    }

    @Test func aBrokenLabDoesNotHideTheOthers() throws {
        let labs = try writeLab("good", lab: minimalLab(id: "good"))
        try writeLab("bad", lab: minimalLab(id: "bad", time: "{ speed = -1 }"), in: labs)
        let catalog = try LabCatalog.load(directory: labs, displayDirectory: "Labs")
        #expect(catalog.labs.map(\.id) == ["good"])
        #expect(catalog.failures.map(\.description) == ["Labs/bad/lab.lua:8: time.speed: must be between 0 and 1000 (simulated seconds per wall-clock second)"])
        #expect(throws: catalog.failures[0]) { try catalog.requireLab("bad") }
        #expect(throws: TrainingError("no lab 'nope' in Labs; the labs are: good")) { try catalog.requireLab("nope") }
    }
}
