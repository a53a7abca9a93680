/// One container as the kubelet runs it.
struct ContainerRun {
    let spec: Container
    var state: ContainerState = .waiting(reason: "ContainerCreating", message: "")
    var lastState: ContainerState?
    var ready = false
    var restartCount: Int64 = 0
    var pullFailures = 0
    var isRunning: Bool { if case .running = state { true } else { false } }

    /// The status the kubelet reports, with docker's id of this run while it runs.
    func status(podUID: String) -> ContainerStatus {
        let id = isRunning ? "docker://" + Kubelet.containerID(podUID: podUID, container: spec.name, restart: restartCount) : ""
        var status = ContainerStatus(name: spec.name, state: state, ready: ready, restartCount: restartCount, image: spec.image,
                                     containerID: id)
        status.lastState = lastState
        return status
    }
}

/// The kubelet's state for one pod on its node: configuration fetched, sandbox and IP, each
/// container pulled, started, ready or crash-looping, and termination. Timers carry the worker's
/// epoch so that a worker torn down ignores what it had scheduled.
final class PodWorker {
    enum Stage: Equatable { case fetchingConfiguration, creatingSandbox, running, terminating, terminated }

    var pod: Pod
    var stage = Stage.fetchingConfiguration
    var containers: [ContainerRun]
    var podIP = ""
    var startTime: Timestamp
    var epoch = 0
    var configurationFailures = 0
    /// The ConfigMaps already fetched (their volumes are set up).
    var mountedConfigMaps = Set<String>()
    var statusSyncScheduled = false
    /// Status writes that failed in a row: the retry backs off with them.
    var statusSyncFailures = 0
    /// The last status sent, so unchanged status is not written again.
    var reportedStatus: PodStatus?

    init(pod: Pod, startTime: Timestamp) {
        self.pod = pod
        self.startTime = startTime
        let previous = Dictionary(pod.status.containerStatuses.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        containers = pod.spec.containers.map { container in
            var run = ContainerRun(spec: container)
            if let earlier = previous[container.name] {
                // A kubelet restarting on a node whose containers ran before counts a restart.
                run.restartCount = earlier.restartCount + (earlier.containerID.isEmpty ? 0 : 1)
            }
            return run
        }
    }

    var uid: String { pod.metadata.uid }
    var allReady: Bool { !containers.isEmpty && containers.allSatisfy(\.ready) }

    /// The status the kubelet reports for this pod now.
    func status(hostIP: String, now: Timestamp, previous: PodStatus) -> PodStatus {
        var status = PodStatus()
        status.hostIP = hostIP
        status.podIP = podIP
        status.startTime = startTime
        status.containerStatuses = containers.map { $0.status(podUID: uid) }
        let anyRunning = containers.contains(where: \.isRunning)
        switch stage {
        case .terminated: status.phase = anyRunning ? "Running" : (previous.phase == "Pending" ? "Pending" : "Running")
        default: status.phase = (anyRunning || containers.contains { $0.restartCount > 0 }) ? "Running" : "Pending"
        }
        var conditions = previous.conditions
        conditions.set(Condition(type: "Initialized", status: "True", lastTransitionTime: now))
        conditions.set(Condition(type: "Ready", status: allReady ? "True" : "False", lastTransitionTime: now,
                                 reason: allReady ? "" : "ContainersNotReady",
                                 message: allReady ? "" : "containers with unready status: [\(containers.filter { !$0.ready }.map(\.spec.name).joined(separator: " "))]"))
        conditions.set(Condition(type: "PodScheduled", status: "True", lastTransitionTime: now))
        status.conditions = conditions.sorted { PodWorker.conditionOrder($0.type) < PodWorker.conditionOrder($1.type) }
        return status
    }

    static func conditionOrder(_ type: String) -> Int { ["Initialized": 0, "Ready": 1, "PodScheduled": 2][type] ?? 3 }
}
