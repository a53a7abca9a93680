/// A small platform to learn on: three zones with one node each, a Kubernetes master and a
/// three-member etcd cluster (etcd-1..3, one per zone).
enum PracticeScenario {
    static let zones = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]

    static let scenario = Scenario(
        name: "practice",
        summary: "Three nodes in three zones, a master and a three-member etcd: a small cluster to practise on.",
        calendarStart: CalendarTime(year: 2017, month: 10, day: 27, hour: 9),
        warmUp: Span.minutes(5),
        options: [
            ScenarioOption("kubernetes", default: "1.6", allowed: KubernetesVersion.allCases.map(\.rawValue),
                           "the Kubernetes release: 1.5 writes empty Endpoints as [], 1.6 as null"),
            ScenarioOption("storage", default: "etcd", allowed: ["etcd", "local"],
                           "where apiservers keep objects: the etcd cluster, or a Raft-less local store whose clients can be stalled by hand"),
        ]
    ) { world, settings in
        for (index, zone) in zones.enumerated() {
            world.addHost("node-\(index + 1)", zone: zone)
        }
        world.addHost("master-1", zone: zones[0])
        for (index, zone) in zones.enumerated() {
            world.addHost("etcd-\(index + 1)", zone: zone)
        }
        EtcdCluster.install(in: world, hosts: ["etcd-1", "etcd-2", "etcd-3"], configuration: .asLabsWereVetted)
        let version = KubernetesVersion(rawValue: settings.value("kubernetes"))!
        let storage = settings.value("storage") == "local" ? KubernetesStorage.local(world).1 : KubernetesStorage.etcd(version: version)
        installKubernetes(in: world, version: version, storage: storage)
    }

    /// One master (apiserver, controller manager, scheduler) and a kubelet on each node, with a
    /// web front end and an API behind it in the default namespace.
    static func installKubernetes(in world: World, version: KubernetesVersion, storage: @escaping StorageClientFactory) {
        var configuration = KubernetesConfiguration(masters: ["master-1"], nodes: ["node-1", "node-2", "node-3"])
        configuration.version = version
        configuration.initialObjects = [
            ObjectTemplates.configMap("api-config", data: ["config.yaml": "listen: :8080\nbackend: postgres://db:5432\n"]),
            ObjectTemplates.deployment("web", replicas: 3, image: "nginx:1.13", port: 80),
            ObjectTemplates.service("web", port: 80, targetPort: 80),
            ObjectTemplates.deployment("api", replicas: 2, image: "monzo/api:1.0", configMap: "api-config"),
            ObjectTemplates.service("api"),
        ]
        KubernetesCluster.install(in: world, configuration: configuration, storage: storage)
    }
}
