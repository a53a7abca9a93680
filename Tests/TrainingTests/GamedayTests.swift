import Foundation
import Scripting
import Simulation
import Testing
@testable import Training

/// Game days: the catalogue draws every fault across the default seeds, and the generic grader
/// tells a careful on-call engineer from nobody answering the page, seed after seed.
///
/// `FIREDRILL_GAMEDAY_SEEDS` sets the sweep: a count (the first N default seeds) or a list of
/// seeds (`7,12,31`). CI plays one seed; each seed plays two sessions on the bank and grades
/// each against its do-nothing run.
@Suite(.serialized) struct GamedayTests {
    static let lab = shippedLab("gameday")

    /// Seeds whose normal-difficulty incidents cover the whole catalogue (the first test proves it).
    static let defaultSeeds: [UInt64] = [21, 6, 11, 8, 1, 27, 4, 10, 18, 26]

    static var sweepSeeds: [UInt64] {
        let value = ProcessInfo.processInfo.environment["FIREDRILL_GAMEDAY_SEEDS"] ?? "1"
        if value.contains(",") { return value.split(separator: ",").compactMap { UInt64($0.trimmingCharacters(in: .whitespaces)) } }
        return Array(defaultSeeds.prefix(max(1, Int(value) ?? 1)))
    }

    /// The incident each seed draws, as `catalogue.describe` says it, from the lab's own module.
    static func incident(seed: UInt64, difficulty: String) throws -> [String] {
        let runtime = try ScriptRuntime(scenario: ScenarioCatalog.named("empty")!, seed: 1)
        let source = lab.modules["catalogue"]!.text
        let results = try runtime.runScript("""
            local catalogue = (function() \(source)
            end)()
            local described = {}
            for _, fault in ipairs(catalogue.plan(\(seed), "\(difficulty)")) do described[#described + 1] = fault.kind .. "|" .. catalogue.describe(fault) end
            return table.concat(described, ";")
            """, chunkName: "=incident")
        return (results.first?.stringValue ?? "").split(separator: ";").map(String.init)
    }

    static let catalogueKinds = ["bad_deploy", "scale_to_zero", "node_crash", "zone_partition", "clogged_link",
                                 "etcd_member_loss", "etcd_quorum_loss", "apiserver_crash"]

    @Test func theDefaultSeedsDrawEveryFaultInTheCatalogue() throws {
        var drawn = Set<String>()
        for seed in Self.defaultSeeds {
            let faults = try Self.incident(seed: seed, difficulty: "normal")
            print("game day seed \(seed) (normal): \(faults.map { $0.split(separator: "|").last! }.joined(separator: ", "))")
            for fault in faults { drawn.insert(String(fault.split(separator: "|").first!)) }
        }
        #expect(drawn == Set(Self.catalogueKinds), "missing: \(Set(Self.catalogueKinds).subtracting(drawn).sorted())")
        // The same seed draws the same incident; hard draws two different faults.
        #expect(try Self.incident(seed: 5, difficulty: "normal") == Self.incident(seed: 5, difficulty: "normal"))
        let hard = try Self.incident(seed: 5, difficulty: "hard")
        #expect(hard.count == 2 && hard[0].split(separator: "|").first != hard[1].split(separator: "|").first)
    }

    struct Played {
        let score: Double
        let customersHurt: Bool
        let feedback: String
    }

    /// Plays a policy on a seed and grades the recording like any session.
    static func play(_ policy: String, seed: UInt64, difficulty: String = "normal") throws -> Played {
        let text = try String(contentsOf: labsDirectory.appendingPathComponent("gameday/policies/\(policy).lua"), encoding: .utf8)
        let recording = try LabPolicy.play(text, display: "Labs/gameday/policies/\(policy).lua", lab: lab, firedrillVersion: "test",
                                           seed: seed, parameters: ["difficulty": difficulty])
        defer { try? FileManager.default.removeItem(atPath: recording.path) }
        let grade = Grader(catalog: shippedCatalog, options: gradingOptions).grade(path: recording.path)
        // Customers were hurt where doing nothing costs customer-impact points: the grader's own
        // yardstick (more than 0.5 % of requests lost after the page in the do-nothing run).
        let impact = grade.checks.first { $0.name == "Customer impact" }
        let hurt = policy == "idle" && impact.map { $0.score < $0.maxScore } == true
        #expect(grade.error == nil, "seed \(seed) \(policy): \(grade.error ?? "")")
        let feedback = grade.checks.map { "\($0.name) \(ScoreFormat.number($0.score))/\(ScoreFormat.number($0.maxScore)): \($0.feedback)" }
        return Played(score: grade.score, customersHurt: hurt, feedback: feedback.joined(separator: "\n    "))
    }

    @Test func aCarefulEngineerScoresHighAndNobodyScoresLow() throws {
        var careful: [Double] = []
        for seed in Self.sweepSeeds {
            let faults = try Self.incident(seed: seed, difficulty: "normal").map { $0.split(separator: "|").last! }
            let good = try Self.play("careful", seed: seed)
            let idle = try Self.play("idle", seed: seed)
            careful.append(good.score)
            print("game day seed \(seed): \(faults.joined(separator: ", ")): careful \(ScoreFormat.number(good.score)), idle \(ScoreFormat.number(idle.score)), customers hurt: \(idle.customersHurt)  (replay: FIREDRILL_GAMEDAY_SEEDS=\(seed), swift test --filter GamedayTests)")
            if good.score < 8 { print("  careful on seed \(seed):\n    \(good.feedback)") }
            if idle.customersHurt {
                #expect(idle.score <= 2, "seed \(seed): doing nothing scored \(idle.score) while customers were hurt:\n    \(idle.feedback)")
            }
        }
        let passing = careful.filter { $0 >= 8 }.count
        #expect(Double(passing) >= 0.9 * Double(careful.count), "the careful policy scored at least 8 on \(passing) of \(careful.count) seeds")
    }
}
