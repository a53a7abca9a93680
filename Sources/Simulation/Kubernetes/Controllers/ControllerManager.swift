/// kube-controller-manager: elects a leader through a lock in kube-system, and the leader runs
/// the deployment, replicaset, daemonset, endpoints and node lifecycle controllers over shared
/// informers. Losing the lock ends the process, which its supervisor restarts, as in 1.6.
public final class ControllerManager: SimProcess {
    public unowned let cluster: KubernetesCluster
    public private(set) var client: APIClient!
    public private(set) var isLeader = false
    private var recorders: [String: EventRecorder] = [:]
    var random: RandomStream
    private var elector: LeaderElector?
    private(set) var pods: Informer<Pod>!
    private(set) var replicaSets: Informer<ReplicaSet>!
    private(set) var deployments: Informer<Deployment>!
    private(set) var daemonSets: Informer<DaemonSet>!
    private(set) var services: Informer<Service>!
    private(set) var endpoints: Informer<Endpoints>!
    private(set) var nodes: Informer<Node>!
    private(set) var replicaSetController: ReplicaSetController!
    private(set) var deploymentController: DeploymentController!
    private(set) var daemonSetController: DaemonSetController!
    private(set) var endpointsController: EndpointsController!
    private(set) var nodeLifecycleController: NodeLifecycleController!

    init(name: String, host: Host, cluster: KubernetesCluster) {
        self.cluster = cluster
        self.random = cluster.world.random("kube/\(name)")
        super.init(name: name, host: host)
    }

    public var podName: String { "kube-controller-manager-\(host.name)" }

    func log(_ level: GlogFormat.Level, _ text: String) {
        cluster.log(namespace: "kube-system", pod: podName, container: "kube-controller-manager", level, text)
    }

    public override func didStart() {
        isLeader = false
        client = APIClient(process: self, cluster: cluster)
        recorders.removeAll()
        let elector = LeaderElector(client: client, lockName: "kube-controller-manager", identity: host.name)
        elector.onStartedLeading = { [unowned self] in
            log(.info, "leaderelection.go:189] successfully acquired lease kube-system/kube-controller-manager")
            isLeader = true
            startControllers()
        }
        elector.onStoppedLeading = { [unowned self] in
            log(.error, "controllermanager.go:228] leaderelection lost")
            let world = self.world!
            world.schedule(after: Span.seconds(5)) { [unowned self] in
                if !self.isRunning { world.start(self) }
            }
            world.stop(self)
        }
        self.elector = elector
        log(.info, "leaderelection.go:179] attempting to acquire leader lease...")
        elector.start()
    }

    /// The event recorder of one controller, named as its events' source (`deployment-controller`).
    func recorder(_ component: String) -> EventRecorder {
        if let existing = recorders[component] { return existing }
        let recorder = EventRecorder(client: client, component: component, host: "")
        recorders[component] = recorder
        return recorder
    }

    public override func willStop() {
        for informer in [pods as AnyObject?, replicaSets, deployments, daemonSets, services, endpoints, nodes] {
            (informer as? Stoppable)?.stop()
        }
    }

    private func startControllers() {
        pods = Informer(client: client, random: random)
        replicaSets = Informer(client: client, random: random)
        deployments = Informer(client: client, random: random)
        daemonSets = Informer(client: client, random: random)
        services = Informer(client: client, random: random)
        endpoints = Informer(client: client, random: random)
        nodes = Informer(client: client, random: random)
        pods.addIndex("owner") { pod in pod.metadata.controllerReference.map { [$0.uid] } ?? [] }
        pods.addIndex("namespace") { [$0.namespace] }
        pods.addIndex("node") { [$0.spec.nodeName] }
        pods.addIndex("label") { pod in pod.metadata.labels.map { "\(pod.namespace)/\($0.key)=\($0.value)" } }
        replicaSets.addIndex("owner") { rs in rs.metadata.controllerReference.map { [$0.uid] } ?? [] }
        services.addIndex("namespace") { [$0.namespace] }
        services.addIndex("selector") { service in service.selector.map { "\(service.namespace)/\($0.key)=\($0.value)" } }
        replicaSetController = ReplicaSetController(manager: self)
        deploymentController = DeploymentController(manager: self)
        daemonSetController = DaemonSetController(manager: self)
        endpointsController = EndpointsController(manager: self)
        nodeLifecycleController = NodeLifecycleController(manager: self)
        pods.onAdd = { [unowned self] pod in podChanged(nil, pod) }
        pods.onUpdate = { [unowned self] old, pod in podChanged(old, pod) }
        pods.onDelete = { [unowned self] pod in podChanged(pod, nil) }
        replicaSets.onAdd = { [unowned self] rs in replicaSetController.replicaSetChanged(rs); deploymentController.replicaSetChanged(rs) }
        replicaSets.onUpdate = { [unowned self] _, rs in replicaSetController.replicaSetChanged(rs); deploymentController.replicaSetChanged(rs) }
        replicaSets.onDelete = { [unowned self] rs in replicaSetController.replicaSetDeleted(rs); deploymentController.replicaSetChanged(rs) }
        deployments.onAdd = { [unowned self] deployment in deploymentController.enqueue(deployment) }
        deployments.onUpdate = { [unowned self] _, deployment in deploymentController.enqueue(deployment) }
        deployments.onDelete = { [unowned self] deployment in deploymentController.deploymentDeleted(deployment) }
        daemonSets.onAdd = { [unowned self] ds in daemonSetController.enqueue(ds) }
        daemonSets.onUpdate = { [unowned self] _, ds in daemonSetController.enqueue(ds) }
        daemonSets.onDelete = { [unowned self] ds in daemonSetController.daemonSetDeleted(ds) }
        services.onAdd = { [unowned self] service in endpointsController.enqueue(service.namespace, service.name) }
        services.onUpdate = { [unowned self] _, service in endpointsController.enqueue(service.namespace, service.name) }
        services.onDelete = { [unowned self] service in endpointsController.enqueue(service.namespace, service.name) }
        nodes.onAdd = { [unowned self] _ in daemonSetController.enqueueAll() }
        nodes.onUpdate = { [unowned self] old, node in
            if old.spec != node.spec || old.metadata.labels != node.metadata.labels { daemonSetController.enqueueAll() }
        }
        nodes.onDelete = { [unowned self] _ in daemonSetController.enqueueAll() }
        let all: [Stoppable] = [nodes, services, endpoints, pods, replicaSets, deployments, daemonSets]
        for informer in all { informer.start() }
        nodeLifecycleController.start()
    }

    private func podChanged(_ old: Pod?, _ new: Pod?) {
        replicaSetController.podChanged(old, new)
        daemonSetController.podChanged(old, new)
        endpointsController.podChanged(old, new)
    }

    public override func stableHash(into hasher: inout StableHasher) {
        hasher.combine(isLeader)
        pods?.stableHash(into: &hasher)
        replicaSets?.stableHash(into: &hasher)
        deployments?.stableHash(into: &hasher)
        endpoints?.stableHash(into: &hasher)
    }
}

/// What a process does with its informers when it stops.
protocol Stoppable: AnyObject {
    func start()
    func stop()
}

extension Informer: Stoppable {}
