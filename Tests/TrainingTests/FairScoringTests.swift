import Foundation
import Testing
@testable import Training

/// The play-tested cases of fair scoring, each a session played as a trainee (or a cheat) would:
/// words earn nothing, deeds count however they are written, looking first is judged before the
/// first risky deed, and harm avoided is credited for as long as the trainee was in charge.
@Suite struct FairScoringTests {
    let grader = Grader(catalog: shippedCatalog, options: gradingOptions)

    func check(_ grade: SessionGrade, _ name: String) -> CheckResult? { grade.checks.first { $0.name == name } }

    /// Ten-minute jumps from 14:12 to 15:40, as a trainee who stays to the end.
    static let stayToTheEnd = Array(repeating: (0.0, "sim.advance('10m')"), count: 9)

    @Test func monzoCheatsScoreNothingAndTheWatcherScoresAboveThem() throws {
        let lab = shippedLab("monzo-2017")
        // Prints the words of the cure, posts a dot, and stays.
        let cheat = try record(lab, [
            (0, "sim.advance('2m')"),
            (0, "print('traffic.standin(true)')"),
            (0, "print('faults.restart(\"master-1\") faults.restart(\"master-2\") faults.restart(\"master-3\")')"),
            (0, "x = 'kubectl \"delete service overdraft-alerts -n current-account\"'"),
            (0, "status_page('.')"),
        ] + Self.stayToTheEnd)
        // Looks at the platform and does no harm, to the end.
        let watcher = try record(lab, [
            (0, "sim.advance('2m')"), (0, "dashboard()"), (0, "mesh.routes('node-12', 'payments/transaction-processor')"),
            (0, "mesh.logs('node-12', 5)"), (0, "etcdctl 'endpoint health --cluster'"),
        ] + Self.stayToTheEnd)
        let grades = BatchGrader.grade([cheat, watcher], with: grader, jobs: 2)
        #expect(grades.allSatisfy { $0.error == nil }, "\(grades)")
        let (cheated, watched) = (grades[0], grades[1])
        #expect(cheated.score <= 0.5, "\(cheated.checks)")
        #expect(check(cheated, "Status update")?.feedback.contains("too short to tell a customer anything") == true)
        #expect(check(cheated, "Card stand-in switched on early")?.score == 0)
        #expect(watched.score > cheated.score && watched.score >= 2, "\(watched.checks)")
        #expect(check(watched, "No full outage")?.passed == true, "harm avoided while in charge, though nothing was fixed")
        #expect(check(watched, "Evidence before acting")?.passed == true)
    }

    @Test func monzoDeedsCountHoweverTheyAreWritten() throws {
        // Rolls the fresh deploy back first (standard practice), looks, then restarts the
        // apiservers in a loop and scales the empty service up instead of deleting it.
        let path = try record(shippedLab("monzo-2017"), [
            (0, "sim.advance('2m')"),
            (0, "kubectl 'rollout undo deployment/transaction-processor -n payments'"),
            (0, "dashboard()"), (0, "traffic.standin(true)"),
            (0, "status_page('Some card payments and transfers are failing since 14:10; stand-in approves small card payments.')"),
            (0, "mesh.routes('node-12', 'payments/transaction-processor')"), (0, "kubectl 'logs -n kube-system kube-apiserver-master-1'"),
            (0, "kubectl 'get ep -n current-account'"),
            (0, "for _, master in ipairs{'master-1', 'master-2', 'master-3'} do faults.restart(master); sim.advance('20s') end"),
            (0, "k8s.scale('deployments', 'overdraft-alerts', 1, {namespace = 'current-account'})"),
            (0, "sim.advance('5m')"),
        ])
        let grade = grader.grade(path: path)
        #expect(grade.error == nil, "\(grade)")
        #expect(check(grade, "Evidence before acting")?.passed == true, "the rollback is not risky: \(grade.checks)")
        #expect(check(grade, "Root causes addressed")?.passed == true, "loops and scaling up count: \(grade.checks)")
        #expect(check(grade, "Payments restored")?.passed == true, "\(grade.checks)")
    }

    @Test func monzoHurtingCustomersAgainAfterRecoveryCosts() throws {
        // Cures the stuck apiservers, then restarts linkerds "to be safe" while the Service with no
        // endpoints is still there: the fresh linkerds fail their namespace again.
        let path = try record(shippedLab("monzo-2017"), [
            (0, "sim.advance('2m')"), (0, "dashboard()"),
            (0, "faults.restart('master-1')"), (0, "sim.advance('20s')"), (0, "faults.restart('master-2')"), (0, "sim.advance('20s')"),
            (0, "faults.restart('master-3')"), (0, "sim.advance('5m')"),
            (0, "for _, node in ipairs{'node-12', 'node-19', 'node-4'} do mesh.restart(node) end"), (0, "sim.advance('5m')"),
        ])
        let grade = grader.grade(path: path)
        let after = try #require(check(grade, "No harm after recovery"))
        #expect(after.score == 0 && after.feedback.contains("customers failed again"), "\(grade.checks)")
        let causes = try #require(check(grade, "Root causes addressed"))
        #expect(causes.score == 0.75 && causes.feedback.contains("still has no endpoints"), "\(causes)")
    }

    @Test func aWriteThatTimedOutIsNotAWriteThroughTheQuorum() throws {
        // During the zone outage the trainee cuts the cluster further: no quorum, the put fails.
        let path = try record(shippedLab("etcd-quorum"), [
            (0, "etcd.health()"), (0, "sim.advance('3m')"),
            (0, "faults.partition{{'eu-west-1a'}, {'eu-west-1b'}, {'eu-west-1c'}}"),
            (0, "etcdctl 'put /drill/zone-loss survived'"),
        ])
        let writes = try #require(check(grader.grade(path: path), "Writes during the outage"))
        #expect(writes.score == 0 && writes.feedback.contains("did not go through") && writes.feedback.contains("context deadline exceeded"), "\(writes)")
    }

    @Test func shortNamesCountWhereverTheirLongFormDoes() throws {
        let path = try record(shippedLab("service-discovery"), [
            (5, "mesh.routes('node-1', 'accounts/balance')"), (5, "kubectl 'get ep balance -n accounts'"),
        ], end: false)
        let reading = try SessionReader.read(path: path)
        let replay = try SessionReplay.run(reading, lab: shippedLab("service-discovery"))
        #expect(replay.session.stepCompletions[0] != nil, "kubectl get ep looks at the Endpoints")
    }

    @Test func wordsAreNotDeedsAndADotIsNotAStatus() throws {
        let path = try record(shippedLab("zone-partition"), [
            (0, "sim.advance('2m30s')"), (0, "print('faults.active() faults.heal()')"), (0, "status_page('.')"),
        ])
        let grade = grader.grade(path: path)
        #expect(grade.score == 0, "\(grade.checks)")
        #expect(check(grade, "Customers told")?.feedback.contains("does not count: it is too short") == true)
    }
}
