/// A large cluster for measuring speed: many nodes over three zones, many deployments, and
/// rollouts started on demand. The benchmark and the load tests share it.
public enum LoadPlatform {
    public static let zones = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]

    /// `nodeCount` workers and one master per zone, with `deploymentCount` deployments of
    /// `replicas` pods each (and a service for each), already converging.
    public static func make(seed: UInt64, nodeCount: Int, deploymentCount: Int, replicas: Int64) -> (World, KubernetesCluster) {
        let world = World(seed: seed)
        let configuration = configuration(in: world, nodeCount: nodeCount, deploymentCount: deploymentCount, replicas: replicas)
        let (_, storage) = KubernetesStorage.local(world)
        return (world, KubernetesCluster.install(in: world, configuration: configuration, storage: storage))
    }

    /// The bank's control plane at rest, as the floor under the bank's speed: `etcdMemberCount`
    /// etcd members spread over the three zones, one master per zone storing in that etcd through
    /// the release's client, `nodeCount` workers and `deploymentCount` deployments of `replicas`
    /// pods each (with a service each), already converging.
    public static func makeOnEtcd(seed: UInt64, etcdMemberCount: Int = 9, nodeCount: Int, deploymentCount: Int, replicas: Int64,
                                  version: KubernetesVersion = .v1_6,
                                  configure: (inout KubernetesConfiguration) -> Void = { _ in }) -> (World, KubernetesCluster) {
        let world = World(seed: seed)
        var etcdHosts: [String] = []
        for index in 0..<etcdMemberCount {
            etcdHosts.append("etcd-\(index + 1)")
            world.addHost("etcd-\(index + 1)", zone: zones[index % zones.count])
        }
        EtcdCluster.install(in: world, hosts: etcdHosts)
        var configuration = configuration(in: world, nodeCount: nodeCount, deploymentCount: deploymentCount, replicas: replicas)
        configuration.version = version
        configure(&configuration)
        return (world, KubernetesCluster.install(in: world, configuration: configuration, storage: KubernetesStorage.etcd(version: version)))
    }

    /// Adds the masters and nodes to the world and lays out the cluster's configuration.
    private static func configuration(in world: World, nodeCount: Int, deploymentCount: Int, replicas: Int64) -> KubernetesConfiguration {
        var masters: [String] = [], nodes: [String] = []
        for (index, zone) in zones.enumerated() {
            masters.append("master-\(index + 1)")
            world.addHost("master-\(index + 1)", zone: zone)
        }
        for index in 0..<nodeCount {
            let name = "node-\(index + 1)"
            world.addHost(name, zone: zones[index % zones.count])
            nodes.append(name)
        }
        var configuration = KubernetesConfiguration(masters: masters, nodes: nodes)
        configuration.nodeCapacity = ["cpu": "16", "memory": "64Gi", "pods": "110"]
        configuration.operatorHost = nodes.first
        for index in 0..<deploymentCount {
            let name = "service-\(index + 1)"
            configuration.initialObjects.append(ObjectTemplates.deployment(name, replicas: replicas, image: "monzo/\(name):1"))
            configuration.initialObjects.append(ObjectTemplates.service(name))
        }
        return configuration
    }

    /// Changes a deployment's image, which starts a rolling update of all its pods.
    public static func startRollout(_ cluster: KubernetesCluster, deployment index: Int, version: Int) {
        cluster.operatorConsole.client.patch(Deployment.self, namespace: "default", name: "service-\(index + 1)", { (deployment: inout Deployment) throws(APIError) in
            deployment.spec.template.spec.containers[0].image = "monzo/service-\(index + 1):\(version)"
        })
    }

    /// Whether a deployment runs the given version on all its replicas, and nothing older.
    public static func isRolledOut(_ cluster: KubernetesCluster, deployment index: Int, version: Int) -> Bool {
        guard let deployment = cluster.firstRunningAPIServer?.cachedObject(.deployments, namespace: "default", name: "service-\(index + 1)") as? Deployment else {
            return false
        }
        let status = deployment.status
        return deployment.spec.template.spec.containers[0].image.hasSuffix(":\(version)") && status.observedGeneration >= deployment.metadata.generation
            && status.updatedReplicas == deployment.spec.replicas && status.replicas == deployment.spec.replicas
            && status.availableReplicas == deployment.spec.replicas
    }

    /// Pods that are ready, across the cluster, as the first apiserver's cache has them.
    public static func readyPodCount(_ cluster: KubernetesCluster) -> Int {
        (cluster.firstRunningAPIServer?.cachedObjects(.pods, filter: ObjectFilter(namespace: "default")) ?? [])
            .reduce(0) { $0 + (($1 as? Pod)?.isReady == true ? 1 : 0) }
    }
}
