import Testing
import Simulation
@testable import Scripting

/// Objects live in etcd: the installer writes a scenario's objects once, when the cluster is
/// created, and an apiserver that restarts re-creates nothing a person deleted. What every
/// apiserver ensures on start (the `kubernetes` Service, the system namespaces) comes back only
/// where it is absent. Played on every scenario with Kubernetes, restarting every master.
@Suite struct ObjectsLiveInEtcdTests {
    /// A scenario, one of its installer's Services and Deployments to delete, and its masters.
    struct Case: CustomTestStringConvertible, Sendable {
        let scenario: String
        let namespace: String
        let service: String
        let masters: [String]
        var testDescription: String { scenario }
    }

    static let cases = [
        Case(scenario: "practice", namespace: "default", service: "web", masters: ["master-1"]),
        Case(scenario: "mini-bank", namespace: "accounts", service: "new-feature", masters: ["master-1", "master-2"]),
        Case(scenario: "bank", namespace: "payments", service: "transaction-processor", masters: ["master-1", "master-2", "master-3"]),
    ]

    @Test(arguments: cases)
    func deletedObjectsStayDeletedAcrossApiserverRestarts(_ given: Case) throws {
        let session = try BankSession(given.scenario, seed: 7)
        let replay = "scenario \(given.scenario), seed 7"
        let namespace = "-n \(given.namespace)"
        #expect(try session.kubectl("delete service \(given.service) \(namespace)") == "service \"\(given.service)\" deleted", "\(replay)")
        #expect(try session.kubectl("delete deployment \(given.service) \(namespace)").hasSuffix("\"\(given.service)\" deleted"), "\(replay)")
        #expect(try session.kubectl("delete service kubernetes") == "service \"kubernetes\" deleted", "\(replay)")
        try session.advance("30s")
        for master in given.masters {
            try session.lua("faults.restart('\(master)')")
            try session.advance("60s")
        }
        #expect(try session.kubectl("get service \(given.service) \(namespace)")
                == "ERROR: Error from server (NotFound): services \"\(given.service)\" not found", "\(replay)")
        let deployment = try session.kubectl("get deployment \(given.service) \(namespace)")
        #expect(deployment.hasPrefix("ERROR: Error from server (NotFound): deployments.") && deployment.hasSuffix("\"\(given.service)\" not found"),
                "\(deployment); \(replay)")
        // etcd itself holds neither: no apiserver cache stands between the test and the truth.
        let stored = try session.lua("return etcdctl('get /registry/services/\(given.namespace)/\(given.service) --print-value-only') or 'error'")
        #expect(stored.isEmpty, "the deleted Service is back in etcd: \(stored); \(replay)")
        // What an apiserver ensures on start does come back, once.
        let kubernetes = try session.kubectl("get service kubernetes")
        #expect(kubernetes.contains("10.3.0.1") && kubernetes.split(separator: "\n").count == 2, "\(kubernetes); \(replay)")
        #expect(try session.kubectl("get namespace kube-public").contains("Active"), "\(replay)")
    }

    /// The Monzo cure, in the other order: delete the Service with no endpoints, then restart the
    /// apiservers. The Service stays gone, so the next fresh linkerd lists its namespace cleanly.
    @Test func theNullPointerExceptionDoesNotComeBackAfterTheCure() throws {
        let session = try BankSession("mini-bank", seed: 3)
        #expect(try session.kubectl("scale deployment new-feature -n accounts --replicas=0").hasSuffix("scaled"))
        try session.advance("1m")
        try session.lua("mesh.restart('node-1')")
        try session.advance("1m")
        let broken = try session.lua("for _, d in ipairs(mesh.discovery('node-1')) do if d.namespace == 'accounts' then return d.state end end")
        #expect(broken == "failed", "a fresh 0.9.1 linkerd throws on the null subsets: \(broken)")
        _ = try session.kubectl("delete service new-feature -n accounts")
        try session.advance("30s")
        for master in ["master-1", "master-2"] {
            try session.lua("faults.restart('\(master)')")
            try session.advance("60s")
        }
        try session.lua("mesh.restart('node-2')")
        try session.advance("1m")
        let fresh = try session.lua("""
            local states = {}
            for _, d in ipairs(mesh.discovery('node-2')) do states[#states + 1] = d.namespace .. '=' .. d.state .. '/' .. d.null_pointer_exceptions end
            return table.concat(states, ' ')
            """)
        #expect(fresh.contains("accounts=watching/0"), "\(fresh)")
    }

    /// The reproducer on the mini bank: the scaled-down service stays gone, and so do its pods.
    @Test func theReproducerShowsNewFeatureGoneForGood() throws {
        let session = try BankSession("mini-bank", seed: 1)
        _ = try session.kubectl("delete svc new-feature -n accounts")
        _ = try session.kubectl("delete deployment new-feature -n accounts")
        try session.advance("30s")
        try session.lua("faults.restart('master-1')")
        try session.advance("60s")
        let services = try session.kubectl("get svc -n accounts")
        #expect(!services.contains("new-feature") && services.contains("balance"), "\(services)")
        try session.advance("2m")
        let pods = try session.kubectl("get pods -n accounts")
        #expect(!pods.contains("new-feature"), "\(pods)")
    }
}
