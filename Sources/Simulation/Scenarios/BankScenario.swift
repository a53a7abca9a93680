/// The Monzo-like bank of October 2017: three zones, 36 nodes, three masters (an apiserver per
/// zone behind a load balancer), an etcd cluster, Kubernetes 1.6 storing through etcd client
/// 3.1, a linkerd 0.9.1 on every node, a few hundred services in seven namespaces generated
/// from the seed (`BankCatalog`), the prepaid card platform on three hosts of its own
/// (prepaid-1..3, outside Kubernetes), and their traffic with its alerts.
///
/// Options: `kubernetes` (1.5, 1.6, 1.10), `linkerd` (0.9.1, 1.0.0) and `etcd`: `nine` members
/// (three per zone, the steady state after the resize) or `three-before-resize` (etcd-old-1..3,
/// one per zone, with the nine new instances etcd-1..9 provisioned and idle, for a lab that
/// replays the resize itself). The trainee arrives at 13:55 on Friday 27 October 2017, unless a
/// lab arrives earlier; the warm-up brings every pod up, and traffic has run for a few minutes.
public enum BankScenario {
    public static let zones = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
    public static let nodeCount = 36
    public static let warmUp = Span.minutes(8)
    /// Traffic starts this long before hand-over, once every pod has had time to come up.
    public static let trafficLead = Span.minutes(3)
    public static let oldEtcdHosts = ["etcd-old-1", "etcd-old-2", "etcd-old-3"]
    /// The new instances, three per zone: etcd-1, etcd-4 and etcd-7 in the first zone.
    public static let etcdHosts = (1...9).map { "etcd-\($0)" }
    /// The prepaid card platform's hosts, one per zone, outside Kubernetes.
    public static let prepaidHosts = ["prepaid-1", "prepaid-2", "prepaid-3"]

    public static let scenario = Scenario(
        name: "bank",
        summary: "A Monzo-like bank in October 2017: 36 nodes in three zones, linkerd on every node, a few hundred services, card payments, transfers, the app and COps.",
        calendarStart: CalendarTime(year: 2017, month: 10, day: 27, hour: 13, minute: 55),
        warmUp: warmUp,
        options: [
            ScenarioOption("kubernetes", default: "1.6", allowed: KubernetesVersion.allCases.map(\.rawValue),
                           "the Kubernetes release: 1.6 writes empty Endpoints as null and its apiservers use etcd client 3.1; 1.10 uses 3.3"),
            ScenarioOption("linkerd", default: "0.9.1", allowed: LinkerdVersion.allCases.map(\.rawValue),
                           "the linkerd release: 0.9.1 throws NullPointerException on null Endpoints subsets while listing a namespace; 1.0.0 does not"),
            ScenarioOption("etcd", default: "nine", allowed: ["nine", "three-before-resize"],
                           "nine members, three per zone; or three (etcd-old-1..3) with etcd-1..9 provisioned and idle, before the resize"),
        ]
    ) { world, settings in
        build(world, kubernetes: KubernetesVersion(rawValue: settings.value("kubernetes"))!,
              linkerd: LinkerdVersion(rawValue: settings.value("linkerd"))!, beforeResize: settings.value("etcd") == "three-before-resize")
    }

    static func build(_ world: World, kubernetes: KubernetesVersion, linkerd: LinkerdVersion, beforeResize: Bool) {
        let (masters, nodes) = addHosts(to: world)
        for (index, host) in etcdHosts.enumerated() { world.addHost(host, zone: zones[index % zones.count]) }
        if beforeResize {
            for (index, host) in oldEtcdHosts.enumerated() { world.addHost(host, zone: zones[index]) }
        }
        EtcdCluster.install(in: world, hosts: beforeResize ? oldEtcdHosts : etcdHosts)
        let prepaid = prepaidHosts.enumerated().map { index, host in world.addHost(host, zone: zones[index]) }
        StandalonePlatform.install(named: BankCatalog.prepaidPlatform, on: prepaid, in: world)
        let catalog = BankCatalog.make(seed: world.seed)
        let meshConfiguration = MeshConfiguration(routedNamespaces: catalog.kubernetesNamespaces)
        var configuration = KubernetesConfiguration(masters: masters, nodes: nodes)
        configuration.version = kubernetes
        configuration.nodeCapacity = ["cpu": "16", "memory": "64Gi", "pods": "110"]
        configuration.initialObjects = meshConfiguration.objects(version: linkerd) + catalog.kubernetesObjects()
        let cluster = KubernetesCluster.install(in: world, configuration: configuration, storage: KubernetesStorage.etcd(version: kubernetes))
        let mesh = Mesh.install(in: world, cluster: cluster, configuration: meshConfiguration)
        TrafficEngine.install(in: world, mesh: mesh, catalog: catalog, startingAt: world.now + warmUp - trafficLead)
    }

    /// Three masters, one per zone, and the nodes spread evenly over the zones.
    private static func addHosts(to world: World) -> (masters: [String], nodes: [String]) {
        var masters: [String] = [], nodes: [String] = []
        for (index, zone) in zones.enumerated() {
            masters.append("master-\(index + 1)")
            world.addHost("master-\(index + 1)", zone: zone)
        }
        for index in 0..<nodeCount {
            nodes.append("node-\(index + 1)")
            world.addHost("node-\(index + 1)", zone: zones[index % zones.count])
        }
        return (masters, nodes)
    }
}
