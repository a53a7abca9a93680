import Foundation
import Scripting
import Simulation
import Testing
@testable import Training

/// A lab author's kit: `require` from the lab's folder and `Labs/lib`, labkit's documented
/// helpers, `lab new`'s scaffold and `lab check`.
@Suite struct LabAuthoringTests {
    /// A lab whose code and grader share helpers: one module of its own, one from `lib/`.
    func labWithModules(shared: String = "return { zone = \"eu-west-1c\" }\n") throws -> URL {
        let lab = minimalLab(extra: "", done: "function(world) return #world.faults.active() > helpers.threshold end")
            .replacingOccurrences(of: "return {\n  id", with: "local helpers = require \"helpers\"\nlocal shared = require \"shared\"\nassert(shared.zone)\nreturn {\n  id")
        let grader = minimalGrader.replacingOccurrences(of: "return {\n  checks", with: "local helpers = require \"helpers\"\nreturn {\n  checks")
            .replacingOccurrences(of: "return #world.faults.active() > 0", with: "return #world.faults.active() > helpers.threshold")
        let labs = try writeLab("tiny", lab: lab, grader: grader)
        try "local shared = require \"shared\"\nreturn { threshold = 0, zone = shared.zone }\n"
            .write(to: labs.appendingPathComponent("tiny/helpers.lua"), atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(at: labs.appendingPathComponent("lib"), withIntermediateDirectories: true)
        try shared.write(to: labs.appendingPathComponent("lib/shared.lua"), atomically: true, encoding: .utf8)
        return labs
    }

    @Test func labCodeAndGradersRequireFromTheirFolderAndLib() throws {
        let labs = try labWithModules()
        let lab = try loadLab("tiny", from: labs)
        #expect(Set(lab.modules.keys) == ["helpers", "shared"])
        #expect(lab.fingerprint.files.keys.sorted() == ["../lib/shared.lua", "grade.lua", "helpers.lua", "lab.lua"])
        // The modules run in sessions and grading from what was read: the check and the rubric work.
        let session = try LabSession(lab: lab)
        _ = session.submit("faults.partition{'eu-west-1a'}", at: session.world.now)
        let reply = session.checkNow()
        #expect(session.stepCompletions[0] != nil, "\(reply)")
    }

    @Test func aChangedRequiredFileChangesTheFingerprint() throws {
        let before = try loadLab("tiny", from: try labWithModules())
        let after = try loadLab("tiny", from: try labWithModules(shared: "return { zone = \"eu-west-1b\" }\n"))
        #expect(before.fingerprint.combined != after.fingerprint.combined)
        #expect(after.fingerprint.changedFiles(comparedWith: before.fingerprint) == ["../lib/shared.lua"])
    }

    /// A lab that loads nothing has the fingerprint it had before `require` existed: its lab.lua
    /// and grade.lua, so every session recorded before still grades.
    @Test func aLabThatLoadsNothingKeepsItsFingerprint() throws {
        let lab = shippedLab("zone-partition")
        #expect(lab.modules.isEmpty && lab.fingerprint.files.keys.sorted() == ["grade.lua", "lab.lua"])
        let reading = try SessionReader.read(path: referenceSession("zone-partition"))
        #expect(reading.header.labHash == lab.fingerprint.combined)
    }

    @Test(arguments: ["../secret", "lib/shared", ".hidden", "", "a..b", "/etc/passwd", "lab", "shared.lua.x/../y"])
    func requireCannotNameAPathOutsideItsFolders(name: String) throws {
        let labs = try labWithModules()
        try minimalLab().replacingOccurrences(of: "return {\n  id", with: "require \(LuaValue.quote(name))\nreturn {\n  id")
            .write(to: labs.appendingPathComponent("tiny/lab.lua"), atomically: true, encoding: .utf8)
        #expect {
            try loadLab("tiny", from: labs)
        } throws: { error in
            "\(error)".hasPrefix("Labs/tiny/lab.lua:1: require") && ("\(error)".contains("module name is words") || "\(error)".contains("is the lab itself"))
        }
    }

    @Test func requireCannotFollowALinkOutOfItsFolders() throws {
        let labs = try labWithModules()
        let outside = try scratchDirectory().appendingPathComponent("secret.lua")
        try "return { stolen = true }\n".write(to: outside, atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(at: labs.appendingPathComponent("lib/secret.lua"), withDestinationURL: outside)
        try minimalLab().replacingOccurrences(of: "return {\n  id", with: "require \"secret\"\nreturn {\n  id")
            .write(to: labs.appendingPathComponent("tiny/lab.lua"), atomically: true, encoding: .utf8)
        #expect {
            try loadLab("tiny", from: labs)
        } throws: { error in
            "\(error)".contains("Labs/lib/secret.lua leads outside its folder")
        }
    }

    @Test func aModuleFirstAskedForAfterLoadingIsRefused() throws {
        let labs = try labWithModules()
        try minimalLab(done: "function(world) return require('late').yes end")
            .write(to: labs.appendingPathComponent("tiny/lab.lua"), atomically: true, encoding: .utf8)
        try "return { yes = true }\n".write(to: labs.appendingPathComponent("tiny/late.lua"), atomically: true, encoding: .utf8)
        let session = try LabSession(lab: try loadLab("tiny", from: labs))
        _ = session.checkNow()
        let notices = session.takeNotices().map(\.text).joined(separator: "\n")
        #expect(notices.contains("require \"late\": not loaded when the lab was read"), "\(notices)")
    }

    @Test func aBrokenModuleIsNamedWithItsLine() throws {
        let labs = try labWithModules(shared: "local x = 1\nerror(\"no zone here\")\n")
        #expect {
            try loadLab("tiny", from: labs)
        } throws: { error in
            guard let error = error as? LabError else { return false }
            return error.file == "Labs/lib/shared.lua" && error.description.hasPrefix("Labs/lib/shared.lua:2: no zone here")
        }
        let missing = try labWithModules()
        try FileManager.default.removeItem(at: missing.appendingPathComponent("lib/shared.lua"))
        #expect {
            try loadLab("tiny", from: missing)
        } throws: { error in
            "\(error)".hasPrefix("Labs/tiny/helpers.lua:1: require \"shared\": no Labs/tiny/shared.lua or Labs/lib/shared.lua")
        }
    }

    @Test func modulesAreLoadedOncePerEnvironment() throws {
        let labs = try labWithModules()
        try "loads = (loads or 0) + 1\nreturn { threshold = 0, loads = loads }\n"
            .write(to: labs.appendingPathComponent("tiny/helpers.lua"), atomically: true, encoding: .utf8)
        try minimalLab(done: "function(world) local again = require 'helpers' return again.loads == 1 and again == require 'helpers', 'loaded ' .. again.loads .. ' times' end")
            .replacingOccurrences(of: "return {\n  id", with: "require \"helpers\"\nrequire \"helpers\"\nreturn {\n  id")
            .write(to: labs.appendingPathComponent("tiny/lab.lua"), atomically: true, encoding: .utf8)
        let session = try LabSession(lab: try loadLab("tiny", from: labs))
        #expect(!session.checkNow().contains("loaded"), "\(session.checkNow())")
    }

    // MARK: labkit

    @Test func everyLabkitHelperIsDocumented() throws {
        let topics = LabKit.topics
        let defined = LabKit.source.split(separator: "\n").filter { $0.trimmingCharacters(in: .whitespaces).hasPrefix("function labkit.") }
        #expect(topics.count == defined.count + 1)
        for topic in topics { #expect(!topic.summary.isEmpty, "\(topic.name) has no doc comment") }
        let session = try LabSession(lab: shippedLab("zone-partition"))
        let help = session.submit("help 'labkit.value_at'", at: session.world.now)
        guard case .output(let text, failed: false) = help else { Issue.record("\(help)"); return }
        #expect(text.hasPrefix("labkit.value_at(series, t, initial)\n  The value a gauge's series held at time `t`"), "\(text)")
    }

    /// value_at, outage, time_to_mitigate and lost_requests over a made-up success series:
    /// 100% until 60 s, 50% from 60 s, 100% again from 180 s, at 10 requests a second.
    @Test func labkitJudgesSeries() throws {
        let runtime = try ScriptRuntime(scenario: ScenarioCatalog.named("empty")!, seed: 1)
        let script = try runtime.lua.compile("""
            local labkit = load(..., "=labkit", "t", _ENV)()
            local success = { { t = 0, v = 1 }, { t = 60, v = 0.5 }, { t = 180, v = 1 } }
            local bad = function(v) return v < 0.9 end
            local seconds, began, ended = labkit.time_to_mitigate(success, bad)
            local open = { labkit.time_to_mitigate({ { t = 0, v = 1 }, { t = 60, v = 0.5 } }, bad) }
            return labkit.value_at(success, 59), labkit.value_at(success, 60), labkit.value_at(success, -1, "none"),
              seconds, began, ended, labkit.lost_requests(success, 10, 0, 300), labkit.lost_requests(success, 10, 120, 150),
              open[1], open[2], labkit.first_time(success, bad, 61)
            """)
        let results = try runtime.lua.call(script, [.string(LabKit.source)])
        let numbers = results.map { value -> String in
            switch value {
            case .integer(let n): return String(n)
            case .number(let n): return ScoreFormat.number(n)
            case .string(let text): return text
            default: return value.typeName
            }
        }
        #expect(numbers == ["1", "0.5", "none", "120", "60", "180", "600", "150", "nil", "60", "nil"])
    }

    // MARK: lab new and lab check

    func findLint() -> LuaLint? {
        LuaLint.locate(near: [repositoryRoot], environment: ProcessInfo.processInfo.environment)
    }

    @Test func aScaffoldedLabPassesItsCheckOutOfTheBox() throws {
        let labs = try scratchDirectory().appendingPathComponent("Labs")
        let written = try LabScaffold.create(id: "demo", scenario: "practice", in: labs, displayDirectory: "Labs")
        #expect(written.contains("Labs/demo/lab.lua") && written.contains("Labs/demo/policies/careful.lua"))
        let report = LabCheck.run(directory: labs.appendingPathComponent("demo"), displayDirectory: "Labs/demo",
                                  firedrillVersion: "test", lint: findLint())
        #expect(report.passed, "\(report.findings.map(\.text))")
        let texts = report.findings.map(\.text)
        #expect(texts.contains("ok   Labs/demo/policies/careful.lua: scores 10/10, within 10 as its opening comment states"), "\(texts)")
        #expect(texts.contains("ok   Labs/demo/policies/idle.lua: scores 0/10, within 0 as its opening comment states"), "\(texts)")
        #expect {
            try LabScaffold.create(id: "demo", scenario: "practice", in: labs, displayDirectory: "Labs")
        } throws: { "\($0)".contains("Labs/demo already exists") }
        #expect(throws: TrainingError.self) { try LabScaffold.create(id: "Demo Lab", scenario: "practice", in: labs, displayDirectory: "Labs") }
        #expect(throws: TrainingError.self) { try LabScaffold.create(id: "other", scenario: "nowhere", in: labs, displayDirectory: "Labs") }
    }

    /// The shipped policies prove their lab's grader across ways to respond (the Monzo lab's
    /// are played by its own, slower tests).
    @Test(arguments: ["zone-partition", "linkerd-npe"])
    func theShippedPoliciesScoreWhatTheyState(lab: String) throws {
        let report = LabCheck.run(directory: labsDirectory.appendingPathComponent(lab), displayDirectory: "Labs/\(lab)",
                                  firedrillVersion: "test", lint: nil)
        let policies = report.findings.filter { $0.text.contains("/policies/") }
        #expect(policies.count >= 3 && report.passed, "\(report.findings.map(\.text))")
    }

    @Test func aWrongExpectationFailsNamingItsFile() throws {
        let labs = try scratchDirectory().appendingPathComponent("Labs")
        try LabScaffold.create(id: "demo", scenario: "practice", in: labs, displayDirectory: "Labs")
        let folder = labs.appendingPathComponent("demo")
        let lab = try loadLab("demo", from: labs)
        let careful = try String(contentsOf: folder.appendingPathComponent("policies/careful.lua"), encoding: .utf8)
        let recording = try LabPolicy.play(careful, display: "careful", lab: lab, firedrillVersion: "test")
        try FileManager.default.moveItem(atPath: recording.path, toPath: folder.appendingPathComponent("solutions/reference.jsonl").path)
        try FileManager.default.copyItem(at: folder.appendingPathComponent("solutions/reference.jsonl"),
                                        to: folder.appendingPathComponent("solutions/unexpected.jsonl"))
        try "# what the reference earns\nscore = 7\n".write(to: folder.appendingPathComponent("solutions/reference.expect"), atomically: true, encoding: .utf8)
        try "-- score = 9..10\nsim.advance('3m')\n".write(to: folder.appendingPathComponent("policies/lazy.lua"), atomically: true, encoding: .utf8)
        let report = LabCheck.run(directory: folder, displayDirectory: "Labs/demo", firedrillVersion: "test", lint: nil)
        let failures = report.failures.map(\.text)
        #expect(failures.count == 3, "\(failures)")
        #expect(failures.contains { $0.hasPrefix("FAIL Labs/demo/solutions/reference.expect:2: Labs/demo/solutions/reference.jsonl scores 10/10 but this expects 7") }, "\(failures)")
        #expect(failures.contains { $0.hasPrefix("FAIL Labs/demo/solutions/unexpected.expect: missing") }, "\(failures)")
        #expect(failures.contains { $0.hasPrefix("FAIL Labs/demo/policies/lazy.lua:1: Labs/demo/policies/lazy.lua scores 0/10 but this expects 9..10") }, "\(failures)")
        #expect(report.findings.contains { $0.outcome == .skipped && $0.message.contains("luacheck") })
    }

    @Test func aLabThatDoesNotLoadFailsItsCheckAtTheLine() throws {
        let labs = try writeLab("tiny", lab: minimalLab().replacingOccurrences(of: "minutes = 5", with: "minutes = \"ten\""))
        let report = LabCheck.run(directory: labs.appendingPathComponent("tiny"), displayDirectory: "Labs/tiny", firedrillVersion: "test", lint: nil)
        #expect(report.failures.map(\.text) == ["FAIL Labs/tiny/lab.lua:6: minutes: expected a whole number, got string"])
    }

    // MARK: luacheck

    @Test(.enabled(if: LuaLint.locate(near: [repositoryRoot], environment: ProcessInfo.processInfo.environment) != nil,
                   "luacheck is not installed (Debian's lua-check; Scripts/setup installs it)"))
    func theShippedLabsLintClean() throws {
        let lint = try #require(findLint())
        #expect(lint.config == repositoryRoot.appendingPathComponent(".luacheckrc").path)
        let warnings = try lint.lint(folder: labsDirectory, displayDirectory: "Labs").get()
        #expect(warnings.isEmpty, "\(warnings.map { "\($0.file):\($0.line): \($0.message)" })")
    }

    @Test(.enabled(if: LuaLint.locate(near: [repositoryRoot], environment: ProcessInfo.processInfo.environment) != nil,
                   "luacheck is not installed (Debian's lua-check; Scripts/setup installs it)"))
    func theLinterCatchesWhatItShould() throws {
        let labs = try scratchDirectory().appendingPathComponent("Labs")
        try LabScaffold.create(id: "demo", scenario: "practice", in: labs, displayDirectory: "Labs")
        let grader = labs.appendingPathComponent("demo/grade.lua")
        let text = try String(contentsOf: grader, encoding: .utf8)
        try ("local unused = 1\nlocal function f() return undefined_helper() end\n" + text).write(to: grader, atomically: true, encoding: .utf8)
        let report = LabCheck.run(directory: labs.appendingPathComponent("demo"), displayDirectory: "Labs/demo",
                                  firedrillVersion: "test", lint: try #require(findLint()))
        let failures = report.failures.map(\.text)
        #expect(failures.contains("FAIL Labs/demo/grade.lua:1: luacheck (W211) unused variable 'unused'"), "\(failures)")
        #expect(failures.contains("FAIL Labs/demo/grade.lua:2: luacheck (W113) accessing undefined variable 'undefined_helper'"), "\(failures)")
    }
}
