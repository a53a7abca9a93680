/// A control-plane process the master's kubelet shows as a static (mirror) pod in kube-system, so
/// that `kubectl get pods -n kube-system` lists it and `kubectl logs` reads its log.
public struct StaticPod {
    public let name: String
    public let container: String
    public unowned let process: SimProcess
}

/// A pod that really runs at an address right now, as the kubelet knows it (not as the API says).
public struct LivePod: Equatable, Sendable {
    public let namespace: String
    public let name: String
    public let nodeName: String
    public let ready: Bool
}

/// The kubelet of one node: registers the node and posts its status, watches the pods bound to
/// it, fetches their ConfigMaps from the apiserver, pulls images and starts containers with
/// realistic delays, turns them ready, backs off crash loops, hands out pod IPs from the node's
/// range, reports pod status, and finishes graceful deletions.
public final class Kubelet: SimProcess {
    public let nodeName: String
    public unowned let cluster: KubernetesCluster
    public let index: Int
    public let isMaster: Bool
    public var staticPods: [StaticPod] = []
    /// Images already on the node's disk: durable across kubelet restarts.
    public private(set) var pulledImages = Set<String>()
    private var client: APIClient!
    private(set) var recorder: EventRecorder!
    private var pods: Informer<Pod>!
    private(set) var workers: [String: PodWorker] = [:]
    private var addressesInUse = Set<Int>()
    private var lastAddress = 1
    private var random: RandomStream
    private var reportedStaticPodStates: [String: Bool] = [:]
    public private(set) var heartbeatCount = 0

    init(nodeName: String, host: Host, cluster: KubernetesCluster, index: Int, isMaster: Bool) {
        (self.nodeName, self.cluster, self.index, self.isMaster) = (nodeName, cluster, index, isMaster)
        self.random = cluster.world.random("kube/kubelet/\(nodeName)")
        super.init(name: "kubelet/\(nodeName)", host: host)
    }

    public var internalIP: String { "10.0.\(index / 200).\(index % 200 + 10)" }
    public var podCIDR: String { "10.\(2 + index / 256).\(index % 256).0/24" }
    func podAddress(_ number: Int) -> String { "10.\(2 + index / 256).\(index % 256).\(number)" }

    /// Pods whose containers run on this node now, by IP.
    public var livePods: [String: LivePod] {
        var result: [String: LivePod] = [:]
        for worker in workers.values where !worker.podIP.isEmpty && worker.containers.contains(where: \.isRunning) {
            result[worker.podIP] = LivePod(namespace: worker.pod.namespace, name: worker.pod.name, nodeName: nodeName, ready: worker.allReady)
        }
        return result
    }

    /// The apiserver this kubelet talks to now, if connected.
    public var connectedServerName: String? { client?.connectedServer?.name }

    // MARK: Lifecycle

    public override func didStart() {
        client = APIClient(process: self, cluster: cluster)
        recorder = EventRecorder(client: client, component: "kubelet", host: nodeName)
        recorder.combinesSimilarEvents = true
        recorder.logError = { [unowned self] in log(.error, $0) }
        workers.removeAll()
        addressesInUse.removeAll()
        reportedStaticPodStates.removeAll()
        log(.info, "server.go:294] Version: \(cluster.configuration.version.gitVersion)")
        registerNode()
        pods = Informer(client: client, filter: ObjectFilter(nodeName: nodeName), random: random)
        pods.onAdd = { [unowned self] pod in sync(pod) }
        pods.onUpdate = { [unowned self] _, pod in sync(pod) }
        pods.onDelete = { [unowned self] pod in podRemoved(pod) }
        pods.start()
        after(cluster.configuration.nodeStatusUpdateFrequency) { [unowned self] in heartbeat() }
    }

    public override func willStop() {
        // By pod key, not the dictionary's per-process order: stopping schedules events.
        for key in workers.keys.sorted() { stopContainers(workers[key]!) }
        workers.removeAll()
        pods?.stop()
    }

    /// The kubelet runs under systemd: its glog lines go to the host's journal (`journalctl -u kubelet`).
    func log(_ level: GlogFormat.Level, _ text: String) {
        world.journal(self, unit: unitName, identifier: unitName,
                      GlogFormat.line(level, text, at: world.now, calendarStart: world.calendarStart, pid: pid))
    }

    // MARK: The node

    private func nodeObject(now: Timestamp) -> Node {
        var labels = ["kubernetes.io/hostname": nodeName, Node.zoneLabel: host.zone, "beta.kubernetes.io/os": "linux",
                      "beta.kubernetes.io/arch": "amd64"]
        if isMaster { labels[Node.masterRoleLabel] = "" }
        var spec = NodeSpec(podCIDR: podCIDR)
        if isMaster { spec.taints = [Taint(key: Node.masterRoleLabel, effect: "NoSchedule")] }
        var status = NodeStatus(nodeInfo: NodeSystemInfo(kubeletVersion: cluster.configuration.version.gitVersion))
        status.capacity = cluster.configuration.nodeCapacity
        status.allocatable = cluster.configuration.nodeCapacity
        status.addresses = [("InternalIP", internalIP), ("Hostname", nodeName)]
        status.conditions = Kubelet.readyConditions(now: now)
        return Node(metadata: ObjectMeta(name: nodeName, labels: labels), spec: spec, status: status)
    }

    static func readyConditions(now: Timestamp) -> [Condition] {
        [
            Condition(type: "OutOfDisk", status: "False", lastHeartbeatTime: now, lastTransitionTime: now, reason: "KubeletHasSufficientDisk",
                      message: "kubelet has sufficient disk space available"),
            Condition(type: "MemoryPressure", status: "False", lastHeartbeatTime: now, lastTransitionTime: now,
                      reason: "KubeletHasSufficientMemory", message: "kubelet has sufficient memory available"),
            Condition(type: "DiskPressure", status: "False", lastHeartbeatTime: now, lastTransitionTime: now,
                      reason: "KubeletHasNoDiskPressure", message: "kubelet has no disk pressure"),
            Condition(type: "Ready", status: "True", lastHeartbeatTime: now, lastTransitionTime: now, reason: "KubeletReady",
                      message: "kubelet is posting ready status"),
        ]
    }

    private func registerNode() {
        let node = nodeObject(now: Timestamp(world))
        client.create(node) { [weak self] result in
            guard let self else { return }
            switch result {
            case .success:
                self.log(.info, "kubelet_node_status.go:85] Successfully registered node \(self.nodeName)")
                self.recorder.normal(node.reference, "Starting", "Starting kubelet.")
            case .failure(.alreadyExists): self.postNodeStatus()
            case .failure(let error):
                self.log(.error, "kubelet_node_status.go:106] Unable to register node \"\(self.nodeName)\" with API server: \(error.message)")
                self.after(Span.seconds(7)) { self.registerNode() }
            }
        }
    }

    private func heartbeat() {
        heartbeatCount += 1
        postNodeStatus()
        syncStaticPods()
        after(cluster.configuration.nodeStatusUpdateFrequency) { [unowned self] in heartbeat() }
    }

    private func postNodeStatus() {
        let now = Timestamp(world)
        let fresh = nodeObject(now: now)
        client.patch(Node.self, name: nodeName, { (node: inout Node) throws(APIError) in
            for condition in fresh.status.conditions {
                var updated = condition
                if let old = node.status.conditions[condition.type], old.status == condition.status {
                    updated.lastTransitionTime = old.lastTransitionTime
                }
                node.status.conditions.set(updated)
            }
            node.status.nodeInfo = fresh.status.nodeInfo
        }) { [weak self] result in
            if case .failure(let error) = result {
                self?.log(.error, "kubelet_node_status.go:326] Error updating node status, will retry: \(error.message)")
            }
        }
    }

    // MARK: Static pods of the control plane

    private func syncStaticPods() {
        for staticPod in staticPods {
            let running = staticPod.process.isRunning
            guard reportedStaticPodStates[staticPod.name] != running else { continue }
            reportedStaticPodStates[staticPod.name] = running
            let mirror = mirrorPod(staticPod, running: running)
            client.create(mirror) { [weak self] result in
                guard case .failure(.alreadyExists) = result else { return }
                self?.client.patch(Pod.self, namespace: "kube-system", name: staticPod.name, { (pod: inout Pod) throws(APIError) in
                    pod.status = mirror.status
                })
            }
        }
    }

    private func mirrorPod(_ staticPod: StaticPod, running: Bool) -> Pod {
        let now = Timestamp(world)
        let image = "gcr.io/google_containers/\(staticPod.container)-amd64:\(cluster.configuration.version.gitVersion)"
        var pod = Pod(metadata: ObjectMeta(name: staticPod.name, namespace: "kube-system",
                                           labels: ["component": staticPod.container, "tier": "control-plane"],
                                           annotations: ["kubernetes.io/config.mirror": staticPod.name, "kubernetes.io/config.source": "file"]),
                      spec: PodSpec(containers: [Container(name: staticPod.container, image: image)]))
        pod.spec.nodeName = nodeName
        pod.spec.other["hostNetwork"] = .bool(true)
        pod.status.phase = "Running"
        pod.status.hostIP = internalIP
        pod.status.podIP = internalIP
        pod.status.startTime = now
        pod.status.conditions = [
            Condition(type: "Initialized", status: "True", lastTransitionTime: now),
            Condition(type: "Ready", status: running ? "True" : "False", lastTransitionTime: now),
            Condition(type: "PodScheduled", status: "True", lastTransitionTime: now),
        ]
        pod.status.containerStatuses = [ContainerStatus(name: staticPod.container,
                                                        state: running ? .running(startedAt: now) : .terminated(exitCode: 2, reason: "Error", startedAt: nil, finishedAt: now),
                                                        ready: running, image: image, containerID: "docker://\(staticPod.container)")]
        return pod
    }

    // MARK: Pods

    private func sync(_ pod: Pod) {
        guard pod.metadata.annotations["kubernetes.io/config.mirror"] == nil else { return }
        if let worker = workers[pod.metadata.uid] {
            worker.pod = pod
            if let reported = worker.reportedStatus, reported != pod.status, !worker.statusSyncScheduled {
                // Someone else wrote the status (the node controller marking pods not ready while
                // this kubelet could not report): the status manager puts its own view back.
                worker.reportedStatus = nil
                scheduleStatusSync(worker)
            }
            if pod.metadata.isTerminating && worker.stage != .terminating && worker.stage != .terminated { terminate(worker) }
            return
        }
        guard !pod.metadata.isTerminating else {
            // Nothing runs here for it (the kubelet restarted, or it never started): finish the deletion.
            confirmDeletion(of: pod)
            return
        }
        guard pod.status.phase != "Succeeded" && pod.status.phase != "Failed" else { return }
        let worker = PodWorker(pod: pod, startTime: pod.status.startTime ?? Timestamp(world))
        workers[pod.metadata.uid] = worker
        podAdded(pod)
        scheduleStatusSync(worker)
        fetchConfiguration(worker)
        if !pod.spec.configMapNames.isEmpty { waitForVolumes(worker) }
    }

    private func podRemoved(_ pod: Pod) {
        guard let worker = workers.removeValue(forKey: pod.metadata.uid) else { return }
        podRemovedFromAPI(pod)
        worker.epoch += 1
        stopContainers(worker)
        cluster.logs.removeStreams(namespace: pod.namespace, pod: pod.name)
    }

    /// Runs `action` after `delay` if the worker is still in the same epoch.
    func later(_ worker: PodWorker, _ delay: SimTime, _ action: @escaping () -> Void) {
        let epoch = worker.epoch
        after(delay) { [weak worker] in
            guard let worker, worker.epoch == epoch else { return }
            action()
        }
    }

    private func seconds(_ range: ClosedRange<Double>) -> SimTime {
        Span.fromSeconds(random.uniform(range.lowerBound, range.upperBound))
    }

    // MARK: Configuration, sandbox, images, containers

    private func fetchConfiguration(_ worker: PodWorker, remaining: [String]? = nil) {
        let names = remaining ?? worker.pod.spec.configMapNames
        guard let name = names.first else {
            worker.stage = .creatingSandbox
            later(worker, seconds(0.3...1.0)) { [unowned self] in createSandbox(worker) }
            return
        }
        client.get(ConfigMap.self, namespace: worker.pod.namespace, name: name) { [weak self, weak worker] result in
            guard let self, let worker, worker.stage == .fetchingConfiguration else { return }
            switch result {
            case .success:
                self.mountSucceeded(worker, configMap: name)
                self.fetchConfiguration(worker, remaining: Array(names.dropFirst()))
            case .failure(let error):
                worker.configurationFailures += 1
                let delay = Kubelet.durationBeforeRetry(afterFailures: worker.configurationFailures)
                self.mountFailed(worker.pod, configMap: name, error: error, retryIn: delay)
                self.later(worker, delay) { [unowned self] in self.fetchConfiguration(worker, remaining: names) }
            }
        }
    }

    private func createSandbox(_ worker: PodWorker) {
        worker.podIP = allocateAddress()
        worker.stage = .running
        for index in worker.containers.indices { startContainer(worker, index) }
        scheduleStatusSync(worker)
    }

    private func allocateAddress() -> String {
        for step in 1...253 {
            let candidate = (lastAddress - 2 + step) % 253 + 2
            if !addressesInUse.contains(candidate) {
                addressesInUse.insert(candidate)
                lastAddress = candidate
                return podAddress(candidate)
            }
        }
        return ""
    }

    private func releaseAddress(_ address: String) {
        guard let last = address.split(separator: ".").last, let number = Int(last) else { return }
        addressesInUse.remove(number)
    }

    private func startContainer(_ worker: PodWorker, _ index: Int) {
        let spec = worker.containers[index].spec
        let behaviour = cluster.images.behaviour(for: spec.image)
        if pulledImages.contains(spec.image) {
            createContainer(worker, index, behaviour)
            return
        }
        recorder.normal(worker.pod.reference, "Pulling", "pulling image \"\(spec.image)\"")
        later(worker, seconds(behaviour.pullSeconds)) { [unowned self] in
            guard behaviour.pullable else { pullFailed(worker, index); return }
            pulledImages.insert(spec.image)
            recorder.normal(worker.pod.reference, "Pulled", "Successfully pulled image \"\(spec.image)\"")
            createContainer(worker, index, behaviour)
        }
    }

    private func pullFailed(_ worker: PodWorker, _ index: Int) {
        let image = worker.containers[index].spec.image
        worker.containers[index].pullFailures += 1
        let failures = worker.containers[index].pullFailures
        let reason = pullError(image)
        pullFailed(worker.pod, worker.containers[index].spec.name, image: image)
        worker.containers[index].state = .waiting(reason: "ErrImagePull", message: reason)
        scheduleStatusSync(worker)
        let backoff = Span.seconds(min(300, 10 << min(failures - 1, 5)))
        later(worker, Span.seconds(1)) { [unowned self] in
            worker.containers[index].state = .waiting(reason: "ImagePullBackOff", message: "Back-off pulling image \"\(image)\"")
            pullBackOff(worker.pod, worker.containers[index].spec.name, image: image)
            scheduleStatusSync(worker)
        }
        later(worker, backoff) { [unowned self] in startContainer(worker, index) }
    }

    private func createContainer(_ worker: PodWorker, _ index: Int, _ behaviour: ContainerImageBehaviour) {
        let name = worker.containers[index].spec.name
        let id = Kubelet.containerID(podUID: worker.uid, container: name, restart: worker.containers[index].restartCount)
        containerRan(worker.pod, "Created", id: id)
        later(worker, seconds(behaviour.startSeconds)) { [unowned self] in
            let now = Timestamp(world)
            worker.containers[index].state = .running(startedAt: now)
            containerRan(worker.pod, "Started", id: id)
            let stream = LogStore.StreamKey(namespace: worker.pod.namespace, pod: worker.pod.name, container: name)
            if worker.containers[index].restartCount > 0 { cluster.logs.rotate(stream) }
            for line in behaviour.startupLogLines { cluster.logs.append(line, to: stream, at: world.now) }
            cluster.images.containerStarted(runningContainer(worker, index))
            publishLiveness(worker)
            let probe = worker.containers[index].spec.readinessProbe
            let readyDelay = probe.map { Span.seconds($0.initialDelaySeconds) + random.span(0, Span.seconds($0.periodSeconds)) } ?? 0
            later(worker, readyDelay) { [unowned self] in
                guard worker.containers[index].isRunning else { return }
                worker.containers[index].ready = true
                publishLiveness(worker)
                scheduleStatusSync(worker)
            }
            if let crashAfter = behaviour.crashAfterSeconds {
                later(worker, Span.fromSeconds(crashAfter)) { [unowned self] in crash(worker, index, behaviour, stream) }
            }
            scheduleStatusSync(worker)
        }
    }

    private func crash(_ worker: PodWorker, _ index: Int, _ behaviour: ContainerImageBehaviour, _ stream: LogStore.StreamKey) {
        guard case .running(let startedAt) = worker.containers[index].state else { return }
        for line in behaviour.crashLogLines { cluster.logs.append(line, to: stream, at: world.now) }
        let container = worker.containers[index].spec.name
        let terminated = ContainerState.terminated(exitCode: behaviour.exitCode, reason: "Error", startedAt: startedAt, finishedAt: Timestamp(world))
        worker.containers[index].lastState = terminated
        worker.containers[index].ready = false
        worker.containers[index].restartCount += 1
        cluster.images.containerStopped(runningContainer(worker, index))
        worker.containers[index].state = .waiting(reason: "CrashLoopBackOff", message: "")
        publishLiveness(worker)
        let restarts = worker.containers[index].restartCount
        let backoff = Span.seconds(min(300, 10 << min(Int(restarts) - 1, 5)))
        worker.containers[index].state = .waiting(reason: "CrashLoopBackOff",
                                                  message: "Back-off \(Span.describe(backoff)) restarting failed container=\(container) pod=\(worker.pod.name)_\(worker.pod.namespace)(\(worker.uid))")
        crashLoopBackOff(worker.pod, container, backOff: backoff)
        scheduleStatusSync(worker)
        later(worker, backoff) { [unowned self] in createContainer(worker, index, behaviour) }
    }

    /// Tells the cluster what runs at the worker's address now.
    private func publishLiveness(_ worker: PodWorker) {
        let running = workers[worker.uid] === worker && worker.containers.contains(where: \.isRunning)
        cluster.setLive(running ? LivePod(namespace: worker.pod.namespace, name: worker.pod.name, nodeName: nodeName, ready: worker.allReady) : nil,
                        at: worker.podIP)
    }

    private func runningContainer(_ worker: PodWorker, _ index: Int) -> RunningContainer {
        RunningContainer(namespace: worker.pod.namespace, podName: worker.pod.name, podUID: worker.uid,
                         containerName: worker.containers[index].spec.name, image: worker.containers[index].spec.image,
                         nodeName: nodeName, podIP: worker.podIP)
    }

    private func stopContainers(_ worker: PodWorker) {
        for index in worker.containers.indices where worker.containers[index].isRunning {
            cluster.images.containerStopped(runningContainer(worker, index))
        }
        if !worker.podIP.isEmpty {
            if cluster.livePods[worker.podIP]?.name == worker.pod.name { cluster.setLive(nil, at: worker.podIP) }
            releaseAddress(worker.podIP)
        }
    }

    // MARK: Termination

    private func terminate(_ worker: PodWorker) {
        worker.stage = .terminating
        worker.epoch += 1
        podDeleting(worker.pod)
        for container in worker.containers where container.isRunning {
            let id = Kubelet.containerID(podUID: worker.uid, container: container.spec.name, restart: container.restartCount)
            containerKilled(worker.pod, container.spec.name, id: id)
        }
        // The period comes from the object, which a manifest may have set to anything.
        let grace = max(0, Span.secondsIfRepresentable(worker.pod.metadata.deletionGracePeriodSeconds ?? 30) ?? Span.maximum)
        later(worker, min(grace, seconds(0.5...2.0))) { [unowned self] in
            stopContainers(worker)
            let now = Timestamp(world)
            for index in worker.containers.indices {
                let startedAt: Timestamp? = if case .running(let started) = worker.containers[index].state { started } else { nil }
                worker.containers[index].state = .terminated(exitCode: 0, reason: "Completed", startedAt: startedAt, finishedAt: now)
                worker.containers[index].ready = false
            }
            worker.stage = .terminated
            confirmDeletion(of: worker.pod)
        }
    }

    /// The kubelet's final word on a graceful deletion: delete with no grace period.
    private func confirmDeletion(of pod: Pod) {
        client.delete(.pods, namespace: pod.namespace, name: pod.name, gracePeriodSeconds: 0) { [weak self] result in
            guard let self else { return }
            if case .failure(let error) = result, case .notFound = error {} else if case .failure = result {
                self.after(Span.seconds(2)) { self.confirmDeletion(of: pod) }
            }
        }
    }

    // MARK: Status

    private func scheduleStatusSync(_ worker: PodWorker) {
        guard !worker.statusSyncScheduled else { return }
        worker.statusSyncScheduled = true
        after(Span.milliseconds(10)) { [weak self, weak worker] in
            guard let self, let worker else { return }
            worker.statusSyncScheduled = false
            self.syncStatus(worker)
        }
    }

    private func syncStatus(_ worker: PodWorker) {
        guard worker.stage != .terminated, workers[worker.uid] === worker else { return }
        let now = Timestamp(world)
        let status = worker.status(hostIP: internalIP, now: now, previous: worker.reportedStatus ?? worker.pod.status)
        guard status != worker.reportedStatus else { return }
        worker.reportedStatus = status
        let uid = worker.uid
        client.patch(Pod.self, namespace: worker.pod.namespace, name: worker.pod.name, { (pod: inout Pod) throws(APIError) in
            guard pod.metadata.uid == uid else { throw .conflict(.pods, name: pod.name) }
            pod.status = status
        }) { [weak self, weak worker] result in
            guard let self, let worker else { return }
            guard case .failure(let error) = result else { worker.statusSyncFailures = 0; return }
            if case .notFound = error { return }
            worker.reportedStatus = nil
            // Back off, doubling from a second to a minute: a kubelet whose apiserver cannot
            // write must not retry every pod's status every second for as long as it lasts.
            worker.statusSyncFailures += 1
            let backoff = Span.seconds(1) << min(worker.statusSyncFailures - 1, 6)
            self.later(worker, min(backoff, Span.seconds(60))) { self.scheduleStatusSync(worker) }
        }
    }

    public override func stableHash(into hasher: inout StableHasher) {
        hasher.combine(heartbeatCount)
        hasher.combine(pulledImages.sorted())
        hasher.combine(workers.count)
        for uid in workers.keys.sorted() {
            let worker = workers[uid]!
            hasher.combine(uid)
            hasher.combine(worker.podIP)
            hasher.combine(worker.allReady)
            for container in worker.containers { hasher.combine(container.restartCount); hasher.combine(container.isRunning) }
        }
        pods?.stableHash(into: &hasher)
    }
}
