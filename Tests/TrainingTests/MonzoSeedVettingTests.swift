import Foundation
import Testing
import Simulation
@testable import Training

/// Vets the Monzo lab's seeds by playing the lab itself: on each vetted seed the history its
/// setup replays (the resize, strands healing, two quiet weeks, Thursday's scale to zero) must
/// give a Monzo-like day by mechanism alone, with no lab code steering it: payments are whole
/// until the 14:10 deploy, which rolls out; payments then fail through linkerds whose discovery
/// went stale; and a mass linkerd restart reaches the NullPointerException on the Service with no
/// endpoints.
///
/// CI vets the first `FIREDRILL_MONZO_VET_SEEDS` of the lab's seeds other than its default one
/// (default 1; the default seed is played in full by `MonzoOutageTests` and the policies);
/// `FIREDRILL_MONZO_VET_SEEDS=all` vets them all. `FIREDRILL_MONZO_VET_RANGE=100-160` instead
/// lists which seeds of a range are Monzo-like, to choose the lab's seeds again when the model
/// changes (run it in release: `swift test -c release --filter MonzoSeedVettingTests`).
@Suite struct MonzoSeedVettingTests {
    static var seedsToVet: [UInt64] {
        let scenario = shippedLab("monzo-2017").scenario
        let setting = ProcessInfo.processInfo.environment["FIREDRILL_MONZO_VET_SEEDS"] ?? "1"
        if setting == "all" { return scenario.seeds }
        // The default seed is played in full by MonzoOutageTests and the policies: vet the others.
        return Array(scenario.seeds.filter { $0 != scenario.seed }.prefix(Int(setting) ?? 0))
    }

    /// Plays the day on `seed` and says why it is not Monzo's, or nil when it is.
    static func problemWithTheDay(seed: UInt64) throws -> String? {
        let session = try LabSession(lab: shippedLab("monzo-2017"), seed: seed)
        func run(_ line: String) -> String {
            if case .output(let text, _) = session.submit(line, at: session.world.now) { return text }
            return ""
        }
        // Payments were whole before the deploy: a day that was already failing tells another story.
        // (Only Friday's last minute: a longer window reaches back across the calendar skips.)
        let before = run(#"return math.min(traffic.success_rate("card_payments", "1m"), traffic.success_rate("bank_transfers", "1m"))"#)
        guard let healthy = Double(before), healthy >= 0.99 else { return "payments were failing before the deploy (\(before))" }
        _ = run(#"sim.advance("4m")"#)
        let cluster = session.world.component(KubernetesCluster.self)!
        let deployment = cluster.committedObjects(.deployments, filter: ObjectFilter(namespace: "payments"))
            .compactMap { $0 as? Deployment }.first { $0.name == "transaction-processor" }
        guard let deployment, deployment.status.updatedReplicas == deployment.spec.replicas,
              deployment.status.availableReplicas == deployment.spec.replicas else { return "the deploy did not roll out" }
        let payments = run(#"return math.min(traffic.success_rate("card_payments", "30s"), traffic.success_rate("bank_transfers", "30s"))"#)
        guard let rate = Double(payments), rate < 0.9 else { return "payments did not fail (\(payments))" }
        let stale = run("""
            local stale = 0 for _, p in ipairs(mesh.proxies()) do local routes = mesh.routes(p.node, "payments/transaction-processor") \
            local live = false for _, r in ipairs(routes) do live = live or r.live end \
            if #routes > 0 and not live then stale = stale + 1 end end return stale
            """)
        guard (Int(stale) ?? 0) > 0 else { return "no linkerd went stale" }
        _ = run(#"kubectl "delete pods -l app=l5d -n linkerd --wait=false""#)
        _ = run(#"sim.advance("10m")"#)
        _ = run(#"sim.advance("10m")"#)
        let thrown = Int(run("""
            local n = 0 for _, p in ipairs(mesh.proxies()) do \
            if mesh.logs(p.node):find("java.lang.NullPointerException", 1, true) then n = n + 1 end end return n
            """)) ?? 0
        guard thrown > 0 else { return "the mass restart did not reach the NullPointerException" }
        return nil
    }

    @Test(arguments: seedsToVet)
    func eachVettedSeedGivesAMonzoLikeDay(seed: UInt64) throws {
        let problem = try Self.problemWithTheDay(seed: seed)
        #expect(problem == nil, "seed \(seed): \(problem ?? ""); replay: FIREDRILL_MONZO_VET_SEEDS=all swift test --filter MonzoSeedVettingTests")
    }

    /// The lab's policies prove its grader on every vetted seed: careful scores 9 or more, the
    /// 2017 response 3 to 6, doing nothing at most 1. CI plays the first
    /// `FIREDRILL_MONZO_POLICY_SEEDS` seeds (default 1, the default seed; `all` for every one).
    static var policySeeds: [UInt64] {
        let seeds = shippedLab("monzo-2017").scenario.seeds
        let setting = ProcessInfo.processInfo.environment["FIREDRILL_MONZO_POLICY_SEEDS"] ?? "1"
        return setting == "all" ? seeds : Array(seeds.prefix(Int(setting) ?? 0))
    }

    @Test(arguments: policySeeds)
    func thePoliciesScoreAsTheyStateOnEveryVettedSeed(seed: UInt64) throws {
        let lab = shippedLab("monzo-2017")
        let grader = Grader(catalog: shippedCatalog, options: gradingOptions)
        let folder = URL(fileURLWithPath: lab.directory).appendingPathComponent("policies")
        for name in LabCheck.files(in: folder, ending: ".lua") {
            let text = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
            let expectation = try ScoreExpectation.policy(text, display: name)
            let recording = try LabPolicy.play(text, display: name, lab: lab, firedrillVersion: "test", seed: seed)
            defer { try? FileManager.default.removeItem(atPath: recording.path) }
            #expect(recording.failures.isEmpty, "seed \(seed): \(name): \(recording.failures.map(\.message))")
            let grade = grader.grade(path: recording.path)
            let summary = grade.checks.map { "\($0.name): \($0.score)" }.joined(separator: "; ")
            #expect(grade.error == nil && expectation.admits(grade.score),
                    "seed \(seed): \(name) scores \(grade.score), expected \(expectation.description): \(summary); replay: FIREDRILL_MONZO_POLICY_SEEDS=all swift test --filter MonzoSeedVettingTests")
            print("seed \(seed): \(name) scores \(grade.score)")
        }
    }

    @Test func listMonzoLikeSeedsInARange() throws {
        guard let range = ProcessInfo.processInfo.environment["FIREDRILL_MONZO_VET_RANGE"] else { return }
        let bounds = range.split(separator: "-").compactMap { UInt64($0) }
        guard bounds.count == 2, bounds[0] <= bounds[1] else { Issue.record("FIREDRILL_MONZO_VET_RANGE=FIRST-LAST"); return }
        var good: [UInt64] = []
        for seed in bounds[0]...bounds[1] {
            let problem = try Self.problemWithTheDay(seed: seed)
            print("seed \(seed): \(problem ?? "Monzo-like")")
            if problem == nil { good.append(seed) }
        }
        print("Monzo-like: \(good.count) of \(bounds[1] - bounds[0] + 1): \(good.map(String.init).joined(separator: ", "))")
    }
}
