/// A tiny bank to practise on: three nodes in three zones, two masters (two apiservers behind
/// the load balancer, so one can go wrong while the other works), a three-member etcd, linkerd
/// on every node, seven services in four namespaces and two request classes. Small
/// enough to start in a moment, large enough for every mechanism of the bank: stale routes,
/// the namer's NullPointerException, failure accrual, stand-in.
///
/// Options as the bank's, plus `storage`: `etcd`, or `local` for a Raft-less store whose
/// storage clients a test can stall by hand (as the zombie etcd connection would).
public enum BankPracticeScenario {
    public static let zones = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
    public static let warmUp = Span.minutes(4)

    public static let scenario = Scenario(
        name: "mini-bank",
        summary: "Three nodes and two masters running a tiny bank: linkerd on every node, seven services, card payments and balance checks.",
        calendarStart: CalendarTime(year: 2017, month: 10, day: 27, hour: 13, minute: 55),
        warmUp: warmUp,
        options: [
            ScenarioOption("kubernetes", default: "1.6", allowed: KubernetesVersion.allCases.map(\.rawValue),
                           "the Kubernetes release: 1.6 writes empty Endpoints as null; 1.5 as []"),
            ScenarioOption("linkerd", default: "0.9.1", allowed: LinkerdVersion.allCases.map(\.rawValue),
                           "the linkerd release: 0.9.1 throws NullPointerException on null Endpoints subsets while listing a namespace"),
            ScenarioOption("storage", default: "etcd", allowed: ["etcd", "local"],
                           "where apiservers keep objects: the etcd cluster, or a local store whose clients can be stalled by hand"),
        ]
    ) { world, settings in
        let kubernetes = KubernetesVersion(rawValue: settings.value("kubernetes"))!
        for (index, zone) in zones.enumerated() {
            world.addHost("node-\(index + 1)", zone: zone)
            world.addHost("etcd-\(index + 1)", zone: zone)
        }
        world.addHost("master-1", zone: zones[0])
        world.addHost("master-2", zone: zones[1])
        EtcdCluster.install(in: world, hosts: ["etcd-1", "etcd-2", "etcd-3"], configuration: .asLabsWereVetted)
        let storage = settings.value("storage") == "local" ? KubernetesStorage.local(world).1 : KubernetesStorage.etcd(version: kubernetes)
        let catalog = catalog(seed: world.seed)
        let meshConfiguration = MeshConfiguration(routedNamespaces: catalog.namespaces)
        var configuration = KubernetesConfiguration(masters: ["master-1", "master-2"], nodes: ["node-1", "node-2", "node-3"])
        configuration.version = kubernetes
        configuration.initialObjects = meshConfiguration.objects(version: LinkerdVersion(rawValue: settings.value("linkerd"))!)
            + catalog.kubernetesObjects()
        let cluster = KubernetesCluster.install(in: world, configuration: configuration, storage: storage)
        let mesh = Mesh.install(in: world, cluster: cluster, configuration: meshConfiguration)
        TrafficEngine.install(in: world, mesh: mesh, catalog: catalog, startingAt: world.now + warmUp - Span.minutes(1))
    }

    /// The service a drill scales to zero, in the namespace both classes call.
    public static let emptiedService = ServiceReference(namespace: "accounts", name: "new-feature")

    static func catalog(seed: UInt64) -> WorkloadCatalog {
        let services = [
            ("edge", "gateway"), ("edge", "app-api"), ("cards", "authoriser"), ("accounts", "account"), ("accounts", "balance"),
            ("accounts", "new-feature"), ("ledger", "ledger"),
        ].map { CatalogService(ServiceReference(namespace: $0.0, name: $0.1), replicas: 2, image: "monzo/\($0.1):1.0", serviceTimeMilliseconds: 4) }
        let catalog = WorkloadCatalog(services: services, classes: [])
        func call(_ caller: String, _ callee: String) -> ServiceCall {
            ServiceCall(caller: catalog.index(of: ServiceReference(parsing: caller)!)!, callee: catalog.index(of: ServiceReference(parsing: callee)!)!)
        }
        let classes = [
            RequestClass(name: "card_payments", summary: "card payments from the card network", entry: 0,
                         calls: [call("edge/gateway", "cards/authoriser"), call("cards/authoriser", "accounts/account"), call("accounts/account", "ledger/ledger")],
                         peakRequestsPerSecond: 50, curve: .cardSpending, standInShare: 0.8),
            RequestClass(name: "balance_checks", summary: "the app checking balances", entry: 1,
                         calls: [call("edge/app-api", "accounts/balance"), call("accounts/balance", "ledger/ledger")],
                         peakRequestsPerSecond: 200, curve: .appUsage),
        ]
        return WorkloadCatalog(services: services, classes: classes)
    }
}
