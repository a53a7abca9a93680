import Testing
@testable import Simulation

/// Evictions of pods from nodes that stopped reporting, limited per zone by the zone's health as
/// Kubernetes 1.6's node controller did (`handleDisruption`): one node per 10 s in a normal or a
/// wholly lost zone, none in a small zone where most nodes are down, and none anywhere when no
/// node at all reports, since then the fault is more likely the control plane's than the nodes'.
@Suite struct NodeEvictionTests {
    static let zones = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]

    /// One master in the first zone and four nodes per zone, with pods on every node.
    func zonedWorld() -> (World, KubernetesCluster) {
        let world = World(seed: 5)
        world.addHost("master-1", zone: Self.zones[0])
        var nodes: [String] = []
        for zone in Self.zones {
            for index in 1...4 {
                let name = "node-\(zone.suffix(1))\(index)"
                world.addHost(name, zone: zone)
                nodes.append(name)
            }
        }
        var configuration = KubernetesConfiguration(masters: ["master-1"], nodes: nodes)
        configuration.initialObjects = [ObjectTemplates.deployment("web", replicas: 26, image: "nginx:1.13")]
        let (_, storage) = KubernetesStorage.local(world)
        let cluster = KubernetesCluster.install(in: world, configuration: configuration, storage: storage)
        world.advance(by: Span.minutes(2))
        return (world, cluster)
    }

    /// The nodes whose pods the controller deleted.
    func evictedNodes(_ cluster: KubernetesCluster) -> Set<String> {
        let pods = cluster.firstRunningAPIServer!.cachedObjects(.pods).compactMap { $0 as? Pod }
        return Set(pods.filter { $0.metadata.isTerminating }.map(\.spec.nodeName))
    }

    func controllerLog(_ cluster: KubernetesCluster) -> String {
        let key = LogStore.StreamKey(namespace: "kube-system", pod: "kube-controller-manager-master-1", container: "kube-controller-manager")
        return cluster.logs.lines(key).map(\.text).joined(separator: "\n")
    }

    @Test func aMostlyLostSmallZoneKeepsItsPodsWhileANormalZoneEvicts() throws {
        let (world, cluster) = zonedWorld()
        let everyNodeHasPods = Set(cluster.firstRunningAPIServer!.cachedObjects(.pods).compactMap { ($0 as? Pod)?.spec.nodeName })
        #expect(everyNodeHasPods.count == 13, "\(everyNodeHasPods.sorted())")
        for name in ["node-b1", "node-b2", "node-b3", "node-c1", "node-c2"] { world.crash(world.host(named: name)!) }
        world.advance(by: Span.minutes(7))
        #expect(evictedNodes(cluster) == ["node-c1", "node-c2"], "3 of 4 down is a partial disruption: a small zone stops evicting")
        let log = controllerLog(cluster)
        #expect(log.contains("NodeController detected that zone eu-west-1b is now in state PartialDisruption."), "\(log)")
        #expect(!log.contains("zone eu-west-1c is now in state"), "2 of 4 down is still normal")
    }

    @Test func aNormalZoneEvictsOneNodeEveryTenSeconds() throws {
        let (world, cluster) = zonedWorld()
        world.crash(world.host(named: "node-c1")!)
        world.crash(world.host(named: "node-c2")!)
        var firstEvictions: [SimTime] = []
        for _ in 0..<(8 * 60) {
            world.advance(by: Span.seconds(1))
            if evictedNodes(cluster).count > firstEvictions.count { firstEvictions.append(world.now) }
        }
        #expect(firstEvictions.count == 2)
        if firstEvictions.count == 2 { #expect(firstEvictions[1] - firstEvictions[0] >= Span.seconds(10)) }
    }

    @Test func whenNoNodeReportsNothingIsEvictedAndTheTimersRestartAfter() throws {
        let (world, cluster) = zonedWorld()
        for kubelet in cluster.kubelets { world.stop(kubelet) }
        world.advance(by: Span.minutes(8))
        #expect(evictedNodes(cluster).isEmpty, "every zone wholly down: master disruption mode; \(controllerLog(cluster))")
        #expect(controllerLog(cluster).contains("NodeController detected that all Nodes are not-Ready. Entering master disruption mode."))
        world.start(cluster.kubelet(onNode: "node-a1")!)
        world.advance(by: Span.minutes(4))
        #expect(evictedNodes(cluster).isEmpty, "the eviction timeout starts again when a node is back; \(controllerLog(cluster))")
        world.advance(by: Span.minutes(3))
        #expect(!evictedNodes(cluster).isEmpty)
        #expect(controllerLog(cluster).contains("Exiting master disruption mode."))
    }
}
