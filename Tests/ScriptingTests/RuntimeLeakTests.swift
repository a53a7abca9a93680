import Testing
import Simulation
@testable import Scripting

/// A runtime that is dropped must free its world: graders, replays and `firedrill grade` build
/// one runtime after another in one process. The Lua state holds Swift closures for every
/// module, and scripts leave timers and callbacks behind; none of it may keep the world alive.
@Suite struct RuntimeLeakTests {
    /// Builds a runtime on the mini bank, plays a little through every kind of module, drops it,
    /// and returns weak references into it.
    static func dropPlayedRuntime() throws -> (runtime: () -> ScriptRuntime?, world: () -> World?) {
        let runtime = try ScriptRuntime(scenario: ScenarioCatalog.named("mini-bank")!, seed: 7)
        _ = try runtime.runScript("""
            local seen = 0
            sim.every("5s", function() seen = seen + 1 end)
            sim.at(3600, function() end)
            sim.when(function() return etcd.leader() ~= nil end, function() end)
            kubectl("get pods -A")
            etcdctl("endpoint status")
            faults.partition{"eu-west-1a"}
            sim.advance("20s")
            faults.heal()
            sim.advance("20s")
            return mesh.proxies(), traffic.classes(), dashboard()
            """, chunkName: "leak-probe")
        return ({ [weak runtime] in runtime }, { [weak world = runtime.world] in world })
    }

    @Test func aDroppedRuntimeFreesItsWorld() throws {
        let probes = try RuntimeLeakTests.dropPlayedRuntime()
        #expect(probes.runtime() == nil, "the runtime outlived every reference to it")
        #expect(probes.world() == nil, "the world outlived its runtime")
    }
}
