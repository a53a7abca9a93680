import Testing
@testable import Simulation

/// A world that is dropped must free everything in it: grading a class of sessions builds one
/// world after another in one process, and every object a reference cycle keeps alive stays for
/// good. Each test builds a scenario, runs it on, drops it, and checks through weak references
/// that the world, its hosts, its processes and its components are all gone.
@Suite struct WorldLeakTests {
    /// Weak references to everything a world holds, taken before the world is dropped.
    struct Survivors {
        private var probes: [(name: String, probe: () -> AnyObject?)] = []

        init(_ world: World) {
            probes.append(("the world", { [weak world] in world }))
            for host in world.hosts.values {
                probes.append(("host \(host.name)", { [weak host] in host }))
            }
            for process in world.processes.values {
                probes.append(("process \(process.name)", { [weak process] in process }))
            }
            for component in world.installedComponents {
                probes.append(("component \(component.componentName)", { [weak component] in component }))
            }
        }

        /// What is still alive, by name.
        var alive: [String] { probes.filter { $0.probe() != nil }.map(\.name) }
        var count: Int { probes.count }
    }

    /// Builds the scenario, runs it on for `runOn`, and returns probes into the dropped world.
    static func dropWorld(_ scenario: String, options: [String: String] = [:], runOn: SimTime) throws -> Survivors {
        let world = try ScenarioCatalog.named(scenario)!.makeWorld(seed: 7, options: options)
        world.advance(by: runOn)
        return Survivors(world)
    }

    @Test(arguments: ["practice", "mini-bank"])
    func aDroppedWorldFreesEverything(scenario: String) throws {
        let survivors = try WorldLeakTests.dropWorld(scenario, runOn: Span.minutes(2))
        #expect(survivors.count > 10, "the \(scenario) world had almost nothing in it")
        #expect(survivors.alive.isEmpty, "still alive after dropping the \(scenario) world: \(survivors.alive.prefix(20))")
    }

    /// Crashes and restarts leave incarnations, zombie connections and timers behind; those
    /// must not pin the world either.
    @Test func aWorldDroppedAfterFaultsFreesEverything() throws {
        let survivors = try WorldLeakTests.dropFaultedWorld()
        #expect(survivors.alive.isEmpty, "still alive after dropping a faulted world: \(survivors.alive.prefix(20))")
    }

    static func dropFaultedWorld() throws -> Survivors {
        let world = try ScenarioCatalog.named("mini-bank")!.makeWorld(seed: 7)
        world.crash(world.host(named: "etcd-1")!)
        world.network.partition(Partition(groups: [["eu-west-1b"]]))
        world.advance(by: Span.seconds(30))
        world.network.heal()
        world.restart(world.host(named: "etcd-1")!)
        world.restart(world.process(named: "kube-apiserver/master-1")!)
        world.advance(by: Span.seconds(30))
        return Survivors(world)
    }
}
