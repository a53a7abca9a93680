/// A Kubernetes control plane and its nodes, installed into a world: apiservers behind a load
/// balancer, controller managers and schedulers that elect leaders, a kubelet per node, and the
/// shared pieces they use (the object codec, container logs, the image catalog).
///
/// Scenarios build one with `install(in:configuration:storage:)`; the `k8s` and `kubectl` Lua
/// modules find it with `world.component(KubernetesCluster.self)`.
public final class KubernetesCluster: WorldComponent {
    public let componentName = "kubernetes"
    public unowned let world: World
    public let configuration: KubernetesConfiguration
    public let storageClientFactory: StorageClientFactory
    public let codec = ObjectCodec()
    public let logs = LogStore()
    public let images = ContainerImageCatalog()
    public private(set) var apiServers: [APIServer] = []
    public private(set) var controllerManagers: [ControllerManager] = []
    public private(set) var schedulers: [Scheduler] = []
    public private(set) var kubelets: [Kubelet] = []
    /// Pods whose containers run right now, by pod IP, as the kubelets know it: what is really at
    /// an address, whatever the API or a proxy's cache says.
    public private(set) var livePods: [String: LivePod] = [:]
    /// Bumped whenever `livePods` changes, so that a cache of what runs where (the mesh's
    /// routing) knows when to look again without comparing the whole map.
    public private(set) var liveGeneration = 0
    /// Whether the installer's manifests (`configuration.initialObjects`) have all been written:
    /// they are applied once, when the cluster is created, as kubeadm or kops would, and from
    /// then on live in etcd like anything else.
    public private(set) var isInstalled = false
    /// The process `kubectl` and the `k8s` module speak through.
    public private(set) var operatorConsole: OperatorConsole!
    private let loadBalancerRandom: RandomStream

    init(world: World, configuration: KubernetesConfiguration, storage: @escaping StorageClientFactory) {
        self.world = world
        self.configuration = configuration
        self.storageClientFactory = storage
        self.loadBalancerRandom = world.random("kube/load-balancer")
    }

    /// Builds the cluster on hosts that already exist, starts every process, and installs it.
    @discardableResult
    public static func install(in world: World, configuration: KubernetesConfiguration,
                               storage: @escaping StorageClientFactory) -> KubernetesCluster {
        let cluster = KubernetesCluster(world: world, configuration: configuration, storage: storage)
        world.install(cluster)
        cluster.build()
        return cluster
    }

    private func host(_ name: String) -> Host {
        guard let host = world.host(named: name) else { preconditionFailure("Kubernetes host \(name) is not in the world") }
        return host
    }

    private func build() {
        var started: [SimProcess] = []
        for master in configuration.masters {
            let apiServer = APIServer(name: "kube-apiserver/\(master)", host: host(master), cluster: self)
            let controllerManager = ControllerManager(name: "kube-controller-manager/\(master)", host: host(master), cluster: self)
            let scheduler = Scheduler(name: "kube-scheduler/\(master)", host: host(master), cluster: self)
            apiServers.append(apiServer)
            controllerManagers.append(controllerManager)
            schedulers.append(scheduler)
            started += [apiServer, controllerManager, scheduler]
        }
        let allNodes = configuration.masters + configuration.nodes
        for (index, nodeName) in allNodes.enumerated() {
            let isMaster = index < configuration.masters.count
            let kubelet = Kubelet(nodeName: nodeName, host: host(nodeName), cluster: self, index: index, isMaster: isMaster)
            if isMaster {
                kubelet.staticPods = [
                    StaticPod(name: "kube-apiserver-\(nodeName)", container: "kube-apiserver", process: apiServers[index]),
                    StaticPod(name: "kube-controller-manager-\(nodeName)", container: "kube-controller-manager", process: controllerManagers[index]),
                    StaticPod(name: "kube-scheduler-\(nodeName)", container: "kube-scheduler", process: schedulers[index]),
                ]
            }
            kubelets.append(kubelet)
            started.append(kubelet)
        }
        operatorConsole = OperatorConsole(host: host(configuration.operatorHost ?? configuration.masters[0]), cluster: self)
        started.append(operatorConsole)
        for process in started {
            world.add(process)
            world.start(process)
        }
    }

    // MARK: Lookup

    public func kubelet(onNode name: String) -> Kubelet? { kubelets.first { $0.nodeName == name } }

    /// A running apiserver to read caches from, the first one in order.
    public var firstRunningAPIServer: APIServer? { apiServers.first { $0.isRunning } }

    /// The load balancer in front of the apiservers: a running one, picked at random, as an
    /// ELB with a TCP health check does. It cannot see a stuck storage client inside.
    func chooseAPIServer(for client: SimProcess) -> APIServer? {
        let candidates = apiServers.filter { $0.isRunning && world.network.canReach(from: client.host, to: $0.host) }
        return loadBalancerRandom.element(of: candidates)
    }

    /// Whether a running container of a pod is at this address now.
    public func isServing(ip: String) -> Bool { livePods[ip] != nil }

    func setLive(_ pod: LivePod?, at ip: String) {
        guard !ip.isEmpty else { return }
        livePods[ip] = pod
        liveGeneration += 1
    }

    /// An apiserver has written every object the installer applies.
    func finishInstallation() { isInstalled = true }

    /// Appends a glog line to a component's log stream.
    public func log(namespace: String, pod: String, container: String, _ level: GlogFormat.Level, _ text: String) {
        let line = GlogFormat.line(level, text, at: world.now, calendarStart: world.calendarStart)
        logs.append(line, to: LogStore.StreamKey(namespace: namespace, pod: pod, container: container), at: world.now)
    }

    public func stableHash(into hasher: inout StableHasher) {
        hasher.combine(configuration.version.rawValue)
        hasher.combine(isInstalled)
        logs.stableHash(into: &hasher)
        hasher.combine(livePods.count)
        images.stableHash(into: &hasher)
    }
}
