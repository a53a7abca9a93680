import Foundation
import Testing
#if canImport(FoundationXML)
import FoundationXML
#endif
@testable import Training

/// Grading is re-execution: the reference solutions earn full marks, doing nothing earns little,
/// the same file always gives the same bytes, and nothing written in the file but the inputs and
/// their times can change a score.
@Suite struct GradingTests {
    let grader = Grader(catalog: shippedCatalog, options: gradingOptions)

    func json(_ grades: [SessionGrade]) -> String { GradeReportFormat.json.render(grades) }

    @Test(arguments: ["write-a-drill", "zone-partition", "etcd-quorum", "linkerd-npe", "service-discovery", "monzo-2017"])
    func theReferenceSolutionEarnsFullMarks(lab: String) {
        let grade = grader.grade(path: referenceSession(lab))
        #expect(grade.error == nil && grade.warnings.allSatisfy { $0.hasPrefix("recorded with firedrill") }, "\(grade.warnings)")
        #expect(grade.score == grade.maxScore && grade.maxScore == 10, "\(grade.checks)")
        #expect(grade.score == (try? expectedScore(lab, "reference")), "solutions/reference.expect states what lab check holds it to")
    }

    /// What `solutions/NAME.expect` says a shipped solution earns (`firedrill lab check` holds it to that).
    func expectedScore(_ lab: String, _ solution: String) throws -> Double {
        let file = labsDirectory.appendingPathComponent(lab).appendingPathComponent("solutions/\(solution).expect")
        let expectation = try ScoreExpectation.read(file, display: file.path)
        #expect(expectation.low == expectation.high, "a recorded solution earns one score")
        return expectation.low
    }

    @Test func everyShippedSolutionStatesItsScore() throws {
        for lab in LabCheck.labFolders(in: labsDirectory) {
            for solution in LabCheck.files(in: labsDirectory.appendingPathComponent(lab).appendingPathComponent("solutions"), ending: ".jsonl") {
                #expect(throws: Never.self, "Labs/\(lab)/solutions/\(solution)") { _ = try expectedScore(lab, String(solution.dropLast(6))) }
            }
        }
    }

    @Test(arguments: ["write-a-drill", "zone-partition", "etcd-quorum", "linkerd-npe", "service-discovery", "monzo-2017"])
    func anEmptySessionScoresLowAndSaysWhy(lab: String) throws {
        let grade = grader.grade(path: try record(shippedLab(lab), []))
        #expect(grade.error == nil)
        #expect(grade.score <= 1, "\(grade.checks)")
        for check in grade.checks where !check.passed {
            #expect(!check.feedback.isEmpty, "\(check.name) needs feedback")
        }
    }

    /// linkerd-npe credits either cure of linkerd#1219: no null subsets left, or every linkerd on
    /// a release that reads them. Restarting the fresh linkerd again cures nothing.
    @Test func linkerdNPEGradesTheCureNotTheRestart() throws {
        let reproduce: [(Double, String)] = [
            (0, "kubectl 'scale deployment new-feature -n accounts --replicas=0'"), (0, "sim.advance('30s')"),
            (0, "kubectl 'get endpoints new-feature -n accounts -o yaml'"), (0, "sim.advance('1m')"),
            (0, "mesh.discovery('node-1')"), (0, "mesh.restart('node-3')"), (0, "sim.advance('30s')"), (0, "mesh.logs('node-3', 20)"),
        ]
        let upgraded = grader.grade(path: try record(shippedLab("linkerd-npe"), reproduce + [
            (0, "kubectl 'set image ds/l5d l5d=buoyantio/linkerd:1.0.0 -n linkerd'"), (0, "sim.advance('5m')"),
        ]))
        #expect(upgraded.score == 10, "\(upgraded.checks)")
        let restartedAgain = grader.grade(path: try record(shippedLab("linkerd-npe"), reproduce + [
            (0, "mesh.restart('node-3')"), (0, "sim.advance('5m')"),
        ]))
        let cure = try #require(restartedAgain.checks.first { $0.name == "Cured the cause" })
        #expect(cure.score == 0 && cure.feedback.contains("accounts/new-feature still had subsets: null"), "\(cure)")
        #expect(restartedAgain.score <= 5, "\(restartedAgain.checks)")
    }

    @Test func growingEtcdTwoAtOnceCostsWhatItShould() throws {
        // Waits for the zone to come back, then adds two members before starting either: etcd
        // refuses the second, and the grade says why.
        let path = try record(shippedLab("etcd-quorum"), [
            (0, "etcdctl 'member list'"), (0, "sim.advance('5m')"), (0, "sim.advance('5m')"),
            (0, "etcdctl 'member add etcd-4 --peer-urls=http://node-1:2380'"),
            (0, "etcdctl 'member add etcd-5 --peer-urls=http://node-2:2380'"),
            (0, "etcd.start('etcd-4', 'http://node-1:2380')"), (0, "sim.advance('1m')"),
        ])
        let grade = grader.grade(path: path)
        let growth = try #require(grade.checks.first { $0.name == "One member at a time" })
        #expect(growth.score == 1.5 && growth.feedback.contains("unhealthy cluster"), "\(growth)")
        #expect(grade.score > 0 && grade.score < grade.maxScore)
    }

    @Test func restartingEveryLinkerdInsteadOfFindingTheStaleOnesCostsWhatItShould() throws {
        // Practises well, then meets the failing release by restarting every linkerd without
        // looking at their routes. The new linkerds list through master-2, whose Endpoints
        // storage is stuck, so it gets worse until master-2 is restarted ten minutes later.
        let path = try record(shippedLab("service-discovery"), [
            (5, "mesh.routes('node-1', 'accounts/balance')"), (5, "kubectl 'get endpoints balance -n accounts'"),
            (5, "kubectl 'scale deployment balance -n accounts --replicas=3'"), (30, "mesh.routes('node-2', 'accounts/balance')"),
            (5, "d = k8s.get('deployments', 'balance', {namespace = 'accounts'})"),
            (0, "d.spec.template.spec.containers[1].image = 'monzo/balance:1.1'"), (0, "k8s.apply(d)"),
            (0, "kubectl 'rollout status deploy/balance -n accounts'"), (5, "mesh.routes('node-3', 'accounts/balance')"),
            (5, "sim.advance('4m')"), (10, "dashboard()"),
            (10, "for _, p in ipairs(mesh.proxies()) do mesh.restart(p.node) end"),
            (0, "sim.advance('10m')"), (10, "faults.restart('master-2')"), (0, "sim.advance('2m')"),
        ])
        let grade = grader.grade(path: path)
        #expect(grade.error == nil)
        #expect(grade.score > 0 && grade.score < grade.maxScore, "\(grade.checks)")
        let looked = try #require(grade.checks.first { $0.name == "Spotted the stale routes" })
        #expect(looked.score == 0 && looked.feedback.contains("mesh.routes"), "\(looked)")
        let cause = try #require(grade.checks.first { $0.name == "Cured the cause, not the symptom" })
        #expect(cause.score == 0.5 && cause.feedback.contains("linkerds were restarted first"), "\(cause)")
        let cured = try #require(grade.checks.first { $0.name == "Every linkerd routes to live pods" })
        #expect(cured.passed, "\(cured)")
        let recovery = try #require(grade.checks.first { $0.name == "Time to recover" })
        #expect(recovery.score < recovery.maxScore, "\(recovery)")
    }

    @Test func theRealPathAtMonzoScoresInBetweenAndSaysWhy() throws {
        // Rollback, individual linkerd restarts, the mass restart at 14:26, the apiservers at
        // 14:37, the empty Service found at 15:31: payments come back, but late, through a full
        // outage, and after the one act the grader penalises.
        let grade = grader.grade(path: labsDirectory.appendingPathComponent("monzo-2017/solutions/as-it-happened.jsonl").path)
        #expect(grade.error == nil, "\(grade.warnings)")
        #expect(grade.score >= 3 && grade.score <= 6, "\(grade.checks)")
        #expect(grade.score == (try? expectedScore("monzo-2017", "as-it-happened")), "\(grade.score)")
        func check(_ name: String) -> CheckResult? { grade.checks.first { $0.name == name } }
        #expect(check("Payments restored")?.passed == true, "\(grade.checks)")
        #expect(check("No mass linkerd restart")?.score == 0 && check("No mass linkerd restart")?.feedback.contains("NullPointerException") == true, "\(grade.checks)")
        #expect(check("Evidence before acting")?.feedback.contains("before you restart pods") == true,
                "the rollback at 14:12 is not the risky act; the first linkerd restart is: \(grade.checks)")
        #expect(check("No full outage")?.passed == false && check("No full outage")?.feedback.contains("whole current account was down") == true, "\(grade.checks)")
        #expect(check("Time to mitigate")?.score == 0, "\(grade.checks)")
    }

    @Test func gradingIsByteForByteDeterministic() throws {
        let paths = [referenceSession("write-a-drill"), referenceSession("zone-partition"), try record(shippedLab("write-a-drill"), [(3, "hint()")])]
        let first = json(paths.map(grader.grade))
        let second = json(paths.map(grader.grade))
        let parallel = json(BatchGrader.grade(paths + paths, with: grader, jobs: 2))
        #expect(first == second)
        #expect(parallel == json((paths + paths).map(grader.grade)), "parallel grading shares nothing")
    }

    @Test func editedOutputsAreRefusedAndChangeNothingWhenForced() throws {
        let original = referenceSession("write-a-drill")
        var lines = try String(contentsOfFile: original, encoding: .utf8).split(separator: "\n").map(String.init)
        for index in lines.indices where lines[index].contains("\"kind\":\"command\"") {
            var record = try JSONSerialization.jsonObject(with: Data(lines[index].utf8)) as! [String: Any]
            record["output"] = "I did everything right"
            record["failed"] = false
            lines[index] = String(decoding: try JSONSerialization.data(withJSONObject: record, options: [.sortedKeys]), as: UTF8.self)
        }
        let edited = try scratchDirectory().appendingPathComponent("edited.jsonl").path
        try (lines.joined(separator: "\n") + "\n").write(toFile: edited, atomically: true, encoding: .utf8)
        let refused = grader.grade(path: edited)
        #expect(refused.error?.contains("line 2 does not follow from the line before it") == true, "\(refused)")
        var forcing = gradingOptions
        forcing.force = true
        let before = grader.grade(path: original), after = Grader(catalog: shippedCatalog, options: forcing).grade(path: edited)
        #expect(before.checks == after.checks && before.score == after.score && after.isForced)
    }

    @Test func aSessionCutShortIsGradedAsItStood() throws {
        let path = try record(shippedLab("zone-partition"), [(0, "sim.advance('3m')"), (0, "faults.active()"), (0, "faults.heal()")], end: false)
        let grade = grader.grade(path: path)
        #expect(grade.error == nil && grade.score == 8, "healed quickly after looking, but no status update")
        #expect(grade.warnings.contains { $0.hasPrefix("the session has no end line (the recording was cut short") })
    }

    @Test func theLabJudgesAtItsGradeTimeNotWhenTheTraineeLeft() throws {
        let path = try record(shippedLab("zone-partition"), [(30, "lab.finish()")])
        let grade = grader.grade(path: path)
        #expect(grade.checks.first?.feedback == "At 09:20 the zone was still cut off: faults.heal() removes the partition.")
    }

    @Test func otherLabFilesAreRefusedUnlessForced() throws {
        let path = try record(shippedLab("write-a-drill"), [])
        // The same lab with its grader changed since the session was recorded.
        let shipped = shippedLab("write-a-drill")
        let labs = try writeLab("write-a-drill", lab: shipped.labFile.text, grader: shipped.graderFile.text + "\n-- changed\n")
        let catalog = try LabCatalog.load(directory: labs, displayDirectory: "Labs")
        let refused = Grader(catalog: catalog, options: gradingOptions).grade(path: path)
        #expect(refused.error == "'\(path)' is refused: it was recorded against other lab files: grade.lua in Labs/write-a-drill changed since (the world is the same, only the scoring changed). --force grades it anyway, marked FORCED")
        var forcing = gradingOptions
        forcing.force = true
        let forced = Grader(catalog: catalog, options: forcing).grade(path: path)
        #expect(forced.error == nil && forced.forced.contains { $0.contains("other lab files: grade.lua") })
    }

    @Test func aDamagedSessionIsRefusedUnlessForced() throws {
        let path = try record(shippedLab("zone-partition"), [(0, "1 + 1"), (0, "2 + 2")])
        var lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
        lines[1] = "garbage"
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        #expect(grader.grade(path: path).error?.contains("has damaged lines (line 2: not valid JSON), so a command may be missing") == true)
        var forcing = gradingOptions
        forcing.force = true
        #expect(Grader(catalog: shippedCatalog, options: forcing).grade(path: path).error == nil)
    }

    @Test func oneBrokenSessionOrGraderDoesNotStopTheBatch() throws {
        let labs = try writeLab("tiny", lab: minimalLab())
        let brokenGrader = minimalGrader.replacingOccurrences(of: "return #world.faults.active() > 0", with: "return world.nothing.here")
        try writeLab("broken", lab: minimalLab(id: "broken"), grader: brokenGrader, in: labs)
        try writeLab("nonsense", lab: minimalLab(id: "nonsense"), grader: minimalGrader.replacingOccurrences(of: "return #world.faults.active() > 0", with: "return 'yes'"), in: labs)
        try writeLab("meddling", lab: minimalLab(id: "meddling"), grader: minimalGrader.replacingOccurrences(of: "return #world.faults.active() > 0", with: "world.faults.heal() return true"), in: labs)
        let catalog = try LabCatalog.load(directory: labs, displayDirectory: "Labs")
        let sessions = try ["tiny", "broken", "nonsense", "meddling"].map { try record(catalog.lab($0)!, []) } + ["/nonexistent.jsonl"]
        let grades = BatchGrader.grade(sessions, with: Grader(catalog: catalog, options: gradingOptions), jobs: 2)
        #expect(grades.map(\.isError) == [false, true, true, true, true])
        #expect(grades[0].checks.map(\.feedback) == ["Nothing is broken."])
        #expect(grades[1].error?.hasPrefix("Labs/broken/grade.lua: check \"Broken\" failed: Labs/broken/grade.lua:3: attempt to index a nil value (field 'nothing')") == true)
        #expect(grades[2].error == "Labs/nonsense/grade.lua: check \"Broken\" returned \"yes\"; a check returns true, false or a fraction between 0 and 1, then optional feedback")
        #expect(grades[3].error?.contains("faults.heal changes the world, which a grader may only read") == true)
        #expect(grades[4].error == "cannot read session '/nonexistent.jsonl': No such file")
    }

    @Test func theJUnitReportParses() throws {
        let odd = SessionGrade(session: "odd <&> \"name\".jsonl", lab: "x", checks: [
            CheckResult(name: "a & b", score: 0.5, maxScore: 1, passed: false, feedback: "<tag> & \u{1} \"quoted\"\nsecond line"),
        ], maxScore: 1, warnings: ["w<"])
        let grades = [grader.grade(path: try record(shippedLab("write-a-drill"), [(0, "hint()")])), grader.grade(path: "/nonexistent.jsonl"), odd]
        let xml = GradeReportFormat.junit.render(grades)
        let document = try XMLDocument(data: Data(xml.utf8))
        let root = try #require(document.rootElement())
        #expect(root.name == "testsuites" && root.attribute(forName: "errors")?.stringValue == "1")
        let suites = root.elements(forName: "testsuite")
        #expect(suites.count == 3)
        #expect(suites[2].attribute(forName: "name")?.stringValue == "odd <&> \"name\".jsonl")
        #expect(suites[2].elements(forName: "testcase").first?.elements(forName: "failure").first?.stringValue == "<tag> & \u{FFFD} \"quoted\"\nsecond line")
        #expect(suites[0].elements(forName: "testcase").count == 7)
        #expect(suites[0].elements(forName: "testcase").filter { !$0.elements(forName: "failure").isEmpty }.count == 7 - grades[0].checks.filter(\.passed).count)
        #expect(suites[1].elements(forName: "testcase").first?.elements(forName: "error").count == 1)
        #expect(XMLParser(data: Data(xml.utf8)).parse())
    }

    @Test func theGradescopeResultsHaveTheRequiredFields() throws {
        let text = GradeReportFormat.gradescope.render([grader.grade(path: referenceSession("zone-partition"))])
        let results = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(results["score"] as? Double == 10)
        let tests = try #require(results["tests"] as? [[String: Any]])
        #expect(tests.count == 4)
        for test in tests {
            #expect(test["name"] is String && test["score"] is Double && test["max_score"] is Double)
            #expect(["passed", "failed"].contains(test["status"] as? String))
            #expect(["visible", "hidden", "after_due_date", "after_published"].contains(test["visibility"] as? String))
        }
    }
}
