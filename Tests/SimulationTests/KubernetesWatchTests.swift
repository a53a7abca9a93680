import Testing
@testable import Simulation

/// A client of the API, as the mesh's proxies will be: it lists and watches Endpoints.
final class EndpointsWatcher: SimProcess {
    unowned let cluster: KubernetesCluster
    var client: APIClient!
    var informer: Informer<Endpoints>!
    var updates = 0

    init(host: Host, cluster: KubernetesCluster) {
        self.cluster = cluster
        super.init(name: "watcher/\(host.name)", host: host)
    }

    override func didStart() {
        client = APIClient(process: self, cluster: cluster)
        informer = Informer(client: client, filter: ObjectFilter(namespace: "default"), random: world.random("test/watcher"))
        informer.onUpdate = { [unowned self] _, _ in updates += 1 }
        informer.start()
    }

    var webAddresses: Int { informer["default", "web"]?.readyAddresses.count ?? -1 }
}

func practiceWorld(seed: UInt64 = 1, storage: String = "etcd") -> (World, KubernetesCluster) {
    let world = try! ScenarioCatalog.named("practice")!.makeWorld(seed: seed, options: ["storage": storage])
    return (world, world.component(KubernetesCluster.self)!)
}

func scale(_ cluster: KubernetesCluster, _ name: String, to replicas: Int64) {
    cluster.operatorConsole.client.patch(Deployment.self, namespace: "default", name: name, { (deployment: inout Deployment) throws(APIError) in
        deployment.spec.replicas = replicas
    })
}

@Suite struct KubernetesWatchTests {
    @Test func aWatchSurvivesItsServerSideTimeoutByWatchingAgain() {
        let (world, cluster) = practiceWorld()
        let watcher = EndpointsWatcher(host: world.host(named: "node-1")!, cluster: cluster)
        world.add(watcher)
        world.start(watcher)
        world.advance(by: Span.minutes(2))
        #expect(watcher.webAddresses == 3)
        // Services do not change, so a renewed watch can always resume where the last one ended.
        let services = Informer<Service>(client: watcher.client, random: world.random("test/services"))
        services.start()
        world.advance(by: Span.hours(2))
        #expect(services.rewatchCount >= 2, "the apiserver ends watches after 30 to 60 minutes")
        #expect(services.relistCount == 0, "each renewed watch resumed from the last version seen")
        #expect(watcher.informer.rewatchCount >= 2)
        scale(cluster, "web", to: 4)
        world.advance(by: Span.minutes(1))
        #expect(watcher.webAddresses == 4, "the renewed endpoints watch still delivers")
    }

    @Test func aResourceVersionTheCacheNoLongerHoldsGets410Gone() {
        let (world, cluster) = practiceWorld()
        world.advance(by: Span.minutes(1))
        // More ConfigMap changes than the watch cache remembers (100).
        for index in 0..<120 {
            cluster.operatorConsole.client.create(ObjectTemplates.configMap("c\(index)", data: ["n": "\(index)"]))
        }
        world.advance(by: Span.seconds(5))
        var received: [String] = []
        cluster.operatorConsole.client.watch(.configmaps, resourceVersion: 2) { event in
            if case .error(let error) = event { received.append(error.kubectlText) } else { received.append(event.typeName) }
        }
        world.advance(by: Span.seconds(1))
        #expect(received.count == 1)
        #expect(received.first?.hasPrefix("Error from server (Gone): too old resource version: 2 (") == true)
    }

    @Test func anInformerRelistsWhenARestartedApiserverNoLongerHoldsItsVersion() {
        let (world, cluster) = practiceWorld()
        let watcher = EndpointsWatcher(host: world.host(named: "node-1")!, cluster: cluster)
        world.add(watcher)
        world.start(watcher)
        world.advance(by: Span.minutes(2))
        let server = cluster.apiServers[0]
        world.restart(server)
        world.advance(by: Span.seconds(30))
        #expect(watcher.informer.relistCount >= 1, "its version predates the new cache's window: 410, then a fresh list")
        scale(cluster, "web", to: 2)
        world.advance(by: Span.minutes(1))
        #expect(watcher.webAddresses == 2)
    }

    @Test func aSilentStorageWatchLeavesApiWatchersWithStaleEndpoints() {
        let (world, cluster) = practiceWorld(storage: "local")
        let watcher = EndpointsWatcher(host: world.host(named: "node-3")!, cluster: cluster)
        world.add(watcher)
        world.start(watcher)
        world.advance(by: Span.minutes(2))
        let server = cluster.apiServers[0]
        (server.storageClient(for: .endpoints) as! StallableKeyValueClient).stall()
        scale(cluster, "web", to: 1)
        world.advance(by: Span.minutes(5))
        let runningWeb = server.cachedObjects(.pods, filter: ObjectFilter(namespace: "default", selector: LabelSelector(matchLabels: ["app": "web"])))
            .compactMap { $0 as? Pod }.filter(\.isActive)
        #expect(runningWeb.count == 1, "pod writes work: two pods were deleted")
        #expect(watcher.webAddresses == 3, "the endpoints watch says nothing: the watcher still routes to three")
        world.restart(server)
        world.advance(by: Span.minutes(1))
        #expect(watcher.webAddresses == 1)
    }
}

@Suite struct KubernetesControlPlaneTests {
    /// Three masters, one per zone, as the bank runs them.
    func highlyAvailableWorld(seed: UInt64) -> (World, KubernetesCluster) {
        let world = World(seed: seed)
        let zones = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
        for (index, zone) in zones.enumerated() {
            world.addHost("master-\(index + 1)", zone: zone)
            world.addHost("node-\(index + 1)", zone: zone)
        }
        var configuration = KubernetesConfiguration(masters: ["master-1", "master-2", "master-3"], nodes: ["node-1", "node-2", "node-3"])
        configuration.initialObjects = [ObjectTemplates.deployment("web", replicas: 3, image: "nginx:1.13"), ObjectTemplates.service("web")]
        configuration.operatorHost = "node-3"
        let (_, storage) = KubernetesStorage.local(world)
        return (world, KubernetesCluster.install(in: world, configuration: configuration, storage: storage))
    }

    @Test func oneControllerManagerLeadsAndAnotherTakesOverWhenItsMasterDies() {
        let (world, cluster) = highlyAvailableWorld(seed: 4)
        world.advance(by: Span.minutes(1))
        let leaders = cluster.controllerManagers.filter(\.isLeader)
        #expect(leaders.count == 1)
        #expect(cluster.schedulers.filter(\.isLeader).count == 1)
        world.crash(leaders[0].host)
        world.advance(by: Span.minutes(2))
        let next = cluster.controllerManagers.filter { $0.isLeader && $0.isRunning }
        #expect(next.count == 1 && next[0] !== leaders[0])
        scale(cluster, "web", to: 5)
        world.advance(by: Span.minutes(2))
        let ready = cluster.firstRunningAPIServer!.cachedObjects(.pods).compactMap { $0 as? Pod }.filter { $0.isReady && $0.isActive && $0.namespace == "default" }
        #expect(ready.count == 5, "the new leader reconciles")
    }

    /// FIREDRILL_KUBE_DETERMINISM_SEEDS sets the sweep (default 3).
    static let seeds = seedCount("FIREDRILL_KUBE_DETERMINISM_SEEDS", default: 3)

    @Test func sameSeedSameKubernetesWorld() {
        for seed in 1...UInt64(KubernetesControlPlaneTests.seeds) {
            var digests: [UInt64] = []
            for _ in 0..<2 {
                let (world, cluster) = practiceWorld(seed: seed)
                world.advance(by: Span.minutes(1))
                scale(cluster, "web", to: 5)
                world.crash(world.host(named: "node-\(seed % 3 + 1)")!)
                world.advance(by: Span.minutes(7))
                world.restart(world.host(named: "node-\(seed % 3 + 1)")!)
                world.advance(by: Span.minutes(2))
                digests.append(world.digest())
            }
            #expect(digests[0] == digests[1],
                    "seed \(seed) diverged; replay: FIREDRILL_KUBE_DETERMINISM_SEEDS=\(seed) swift test --filter sameSeedSameKubernetesWorld")
        }
    }
}
