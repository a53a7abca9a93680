import Testing
import Simulation
@testable import Scripting

/// The world's audit log records deeds and looks, not words: a deed in a loop counts like one
/// typed alone, a deed printed in a string counts as nothing, an alias is its long form, and a
/// write records what the platform answered.
@Suite struct AuditLogTests {
    func actions(_ session: OperatorSession) -> [String] {
        session.world.audit.actions.map { action in
            let object = action.object
            return "\(action.verb) \(object.kind) \(object.namespace)/\(object.name)@\(object.host) \(action.outcome.word)"
        }
    }

    @Test func deedsInALoopCountAndWordsDoNot() throws {
        let session = try OperatorSession()
        try session.lua("print('faults.restart(\"node-1\")')")
        try session.lua("local s = 'faults.crash(\"node-2\")'")
        #expect(session.world.audit.actions.isEmpty, "printing or holding the words does nothing")
        try session.lua("for _, node in ipairs{'node-1', 'node-2'} do faults.restart(node) end")
        try session.lua("faults.restart('node-3')")
        #expect(actions(session) == ["restart host /node-1@node-1 done", "restart host /node-2@node-2 done", "restart host /node-3@node-3 done"])
    }

    @Test func kubernetesWritesAreAuditEventsWithKubectlsVerbs() throws {
        let session = try OperatorSession()
        try session.advance("60s")
        #expect(try session.kubectl("scale deploy web --replicas=4") == "deployment \"web\" scaled")
        try session.lua("assert(k8s.scale('deployments', 'web', 3))")
        try session.lua("assert(k8s.delete('services', 'web'))")
        _ = try session.kubectl("delete svc web")
        let writes = session.world.audit.actions
        #expect(actions(session) == ["scale deployments default/web@ done", "scale deployments default/web@ done",
                                     "delete services default/web@ done", "delete services default/web@ refused"])
        #expect(writes.map(\.via) == ["kubectl", "k8s.scale", "k8s.delete", "kubectl"])
        #expect(writes.map(\.apiVerb) == ["patch", "patch", "delete", "delete"])
        #expect(writes.last?.outcome.reason == "Error from server (NotFound): services \"web\" not found")
    }

    @Test func readsNameTheKindWhateverAliasWasTyped() throws {
        let session = try OperatorSession()
        try session.advance("30s")
        for command in ["get ep", "get endpoints web", "get svc,deploy", "describe po", "logs -n kube-system kube-apiserver-master-1"] {
            _ = try session.lua("return kubectl(\(LuaValue.quote(command)))")
        }
        try session.lua("k8s.get('ep', 'web')")
        let reads = session.world.audit.reads.map { "\($0.verb) \($0.object.kind) \($0.object.namespace)/\($0.object.name)" }
        #expect(reads == ["get endpoints default/", "get endpoints default/web", "get services default/", "get deployments default/",
                          "describe pods default/", "logs pods kube-system/kube-apiserver-master-1", "get endpoints default/web"])
    }

    @Test func aGraderReadingLeavesNoTrace() throws {
        let session = try OperatorSession()
        TruthModule.install(into: session.runtime)
        try session.runtime.readingOnly(as: "a grader") {
            try session.lua("etcd.members(); faults.active(); world.truth.k8s.get('pods')")
        }
        #expect(session.world.audit.reads.isEmpty && session.world.audit.actions.isEmpty)
        try session.lua("etcd.members()")
        #expect(session.world.audit.reads.map(\.via) == ["etcd.members"])
    }

    @Test func anEtcdWriteRecordsItsOutcome() throws {
        let session = try OperatorSession()
        try session.advance("10s")
        try session.lua("assert(etcdctl('put /drill/a ok'))")
        // Two zones gone: one member of three left, no quorum, so the write times out.
        try session.lua("faults.partition{{'eu-west-1a'}, {'eu-west-1b'}, {'eu-west-1c'}}")
        try session.advance("5s")
        try session.lua("etcdctl('put /drill/b lost')")
        let puts = session.world.audit.actions.filter { $0.verb == "put" }
        #expect(puts.map(\.outcome.word) == ["done", "failed"])
        #expect(puts.last?.outcome.reason?.contains("context deadline exceeded") == true, "\(puts)")
    }

    @Test func timersActForTheCommandThatSetThem() throws {
        let session = try OperatorSession()
        session.world.audit.attribution = AuditLog.Attribution(actor: .trainee, command: 7)
        try session.lua("sim.at('+10s', function() faults.crash('node-2') end)")
        session.world.audit.attribution = AuditLog.Attribution(actor: .trainee, command: 8)
        try session.advance("20s")
        let crash = try #require(session.world.audit.actions.first { $0.verb == "crash" })
        #expect(crash.command == 7 && crash.object.host == "node-2")
    }

    @Test func theTruthIsEtcdsNotAFrozenCache() throws {
        // The apiserver's Services storage hangs (as on a zombie etcd connection); the Service is
        // then deleted from the store behind it. The watch cache, which k8s.get reads through the
        // apiserver, still holds it; the truth does not.
        let session = try OperatorSession(storage: "local")
        TruthModule.install(into: session.runtime)
        try session.advance("60s")
        let server = session.cluster.apiServers[0]
        let stalled = try #require(server.storageClient(for: .services) as? StallableKeyValueClient)
        let store = try #require(stalled.base as? LocalKeyValueClient)
        stalled.stall()
        store.txn(TxnRequest(compares: [], success: [.delete(.key(Resource.services.storageKey(namespace: "default", name: "web")))])) { _ in }
        try session.advance("5s")
        #expect(try session.lua("return k8s.get('services', 'web').metadata.name") == "web", "a client's view can be stale")
        try session.runtime.readingOnly(as: "a grader") {
            #expect(try session.lua("return select(2, world.truth.k8s.get('services', 'web'))") == "Error from server (NotFound): services \"web\" not found")
            let names = try session.lua("local n = {} for _, s in ipairs(world.truth.k8s.get('services')) do n[#n + 1] = s.metadata.name end return table.concat(n, ' ')")
            #expect(!names.contains("web") && names.contains("kubernetes"), "\(names)")
        }
    }
}
