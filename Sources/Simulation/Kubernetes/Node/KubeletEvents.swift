/// What a kubelet records as events and writes to its journal as it runs pods, in the words of
/// the Kubernetes release the cluster runs (1.6 by default; 1.5 shares 1.6's container words,
/// 1.10 has its own). The strings follow the kubelet of each release: `pkg/kubelet/kuberuntime`
/// (containers), `pkg/volume/util/operationexecutor` and the volume manager (mounts), and the
/// pod workers' `FailedSync`.
extension Kubelet {
    private var version: KubernetesVersion { cluster.configuration.version }
    /// Releases before 1.7 followed every failed pod sync with a `FailedSync` event.
    private var recordsFailedSync: Bool { version != .v1_10 }

    /// `l5d-zmvnz_linkerd(2b0c…)`: how the kubelet names a pod in its messages (`format.Pod`).
    func formatted(_ pod: Pod) -> String { "\(pod.name)_\(pod.namespace)(\(pod.metadata.uid))" }

    // MARK: Pods arriving and leaving

    func podAdded(_ pod: Pod) { log(.info, "kubelet.go:1782] SyncLoop (ADD, \"api\"): \"\(formatted(pod))\"") }
    func podDeleting(_ pod: Pod) { log(.info, "kubelet.go:1798] SyncLoop (DELETE, \"api\"): \"\(formatted(pod))\"") }
    func podRemovedFromAPI(_ pod: Pod) { log(.info, "kubelet.go:1792] SyncLoop (REMOVE, \"api\"): \"\(formatted(pod))\"") }

    // MARK: Volumes

    /// The volume a pod mounts a ConfigMap as (its name in `spec.volumes`), or the ConfigMap's name.
    func volumeName(forConfigMap configMap: String, in pod: Pod) -> String {
        for volume in pod.spec.volumes where volume["configMap"]?["name"]?.stringValue == configMap {
            if let name = volume["name"]?.stringValue { return name }
        }
        return configMap
    }

    /// `kubernetes.io/configmap/<pod uid>-<volume>`: the volume manager's unique volume name.
    private func uniqueVolumeName(_ volume: String, _ pod: Pod) -> String { "kubernetes.io/configmap/\(pod.metadata.uid)-\(volume)" }

    private func setUpFailure(_ volume: String, _ pod: Pod, _ error: APIError) -> String {
        guard version != .v1_10 else { return "MountVolume.SetUp failed for volume \"\(volume)\" : \(error.message)" }
        let uid = pod.metadata.uid
        return "MountVolume.SetUp failed for volume \"\(uniqueVolumeName(volume, pod))\" (spec.Name: \"\(volume)\") pod \"\(uid)\" (UID: \"\(uid)\") with: \(error.message)"
    }

    /// The volume reconciler's wait before trying a failed mount again: 500 ms, doubling, at most
    /// 2m2s (`nestedpendingoperations`).
    static func durationBeforeRetry(afterFailures failures: Int) -> SimTime {
        min(Span.milliseconds(500) << min(failures - 1, 20), Span.seconds(122))
    }

    /// A ConfigMap volume could not be set up (the apiserver did not give the ConfigMap): logged
    /// and recorded on every attempt, as the operation executor did.
    func mountFailed(_ pod: Pod, configMap: String, error: APIError, retryIn delay: SimTime) {
        let volume = volumeName(forConfigMap: configMap, in: pod)
        let failure = setUpFailure(volume, pod, error)
        log(.error, "configmap.go:181] Couldn't get configMap \(pod.namespace)/\(configMap): \(error.message)")
        let until = RequestTrace.goTime(world.wallMicroseconds + delay)
        log(.error, "nestedpendingoperations.go:262] Operation for \"\\\"\(uniqueVolumeName(volume, pod))\\\" (\\\"\(pod.metadata.uid)\\\")\" failed. No retries permitted until \(until) (durationBeforeRetry \(RequestTrace.goDuration(delay))). Error: \(failure)")
        recorder.warning(pod.reference, "FailedMount", failure)
    }

    func mountSucceeded(_ worker: PodWorker, configMap: String) {
        worker.mountedConfigMaps.insert(configMap)
        let pod = worker.pod
        let volume = volumeName(forConfigMap: configMap, in: pod)
        let uid = pod.metadata.uid
        log(.info, "operation_generator.go:597] MountVolume.SetUp succeeded for volume \"\(uniqueVolumeName(volume, pod))\" (spec.Name: \"\(volume)\") pod \"\(uid)\" (UID: \"\(uid)\").")
    }

    /// The pod worker gave up waiting for the pod's volumes (two minutes, then it syncs again).
    func mountTimedOut(_ pod: Pod, unmounted: [String]) {
        let volumes = "[" + unmounted.joined(separator: " ") + "]"
        let expired = version == .v1_10
            ? "timeout expired waiting for volumes to attach or mount for pod \"\(pod.namespace)\"/\"\(pod.name)\". list of unmounted volumes=\(volumes). list of unattached volumes=\(volumes)"
            : "timeout expired waiting for volumes to attach/mount for pod \"\(pod.namespace)\"/\"\(pod.name)\". list of unattached/unmounted volumes=\(volumes)"
        log(.error, "kubelet.go:1549] Unable to mount volumes for pod \"\(formatted(pod))\": \(expired); skipping pod")
        recorder.warning(pod.reference, "FailedMount", "Unable to mount volumes for pod \"\(formatted(pod))\": \(expired)")
        syncFailed(pod, expired)
    }

    /// The pod worker waits up to two minutes for the pod's volumes; while they are not all set
    /// up it gives up on the sync, says so, backs off and waits again.
    func waitForVolumes(_ worker: PodWorker) {
        later(worker, Kubelet.mountWaitTimeout) { [unowned self] in
            guard worker.stage == .fetchingConfiguration else { return }
            let unmounted = worker.pod.spec.configMapNames.filter { !worker.mountedConfigMaps.contains($0) }
            mountTimedOut(worker.pod, unmounted: unmounted.map { volumeName(forConfigMap: $0, in: worker.pod) })
            later(worker, Kubelet.syncBackOff) { [unowned self] in waitForVolumes(worker) }
        }
    }

    /// How long the pod worker waits for volumes before it gives up on a sync (`podAttachAndMountTimeout`).
    static let mountWaitTimeout = Span.minutes(2)
    /// How long a pod worker backs off after a failed sync.
    static let syncBackOff = Span.seconds(10)

    // MARK: Failed syncs

    private func syncFailed(_ pod: Pod, _ error: String) {
        log(.error, "pod_workers.go:182] Error syncing pod \(pod.metadata.uid) (\"\(formatted(pod))\"), skipping: \(error)")
        if recordsFailedSync { recorder.warning(pod.reference, "FailedSync", "Error syncing pod, skipping: \(error)") }
    }

    /// `failed to "StartContainer" for "l5d" with CrashLoopBackOff: "Back-off 10s ..."`, Go's `%q` quoting.
    private func startFailure(_ container: String, reason: String, _ message: String) -> String {
        "failed to \"StartContainer\" for \"\(container)\" with \(reason): \(Kubelet.goQuoted(message))"
    }

    static func goQuoted(_ text: String) -> String {
        var quoted = "\""
        for character in text {
            if character == "\\" || character == "\"" { quoted.append("\\") }
            quoted.append(character)
        }
        return quoted + "\""
    }

    // MARK: Containers

    /// The container runtime's id of one run of a container: 64 hex digits, stable for the pod,
    /// container and restart, as docker would have given it.
    static func containerID(podUID: String, container: String, restart: Int64) -> String {
        var digits = ""
        for part in 0..<4 {
            var hasher = StableHasher()
            hasher.combine(podUID)
            hasher.combine(container)
            hasher.combine(restart)
            hasher.combine(part)
            let hex = String(hasher.finalize(), radix: 16)
            digits += String(repeating: "0", count: 16 - hex.count) + hex
        }
        return digits
    }

    /// `Created` or `Started`: the runtime made or started one run of a container.
    func containerRan(_ pod: Pod, _ reason: String, id: String) {
        let message = switch version {
        case .v1_5: "\(reason) container with docker id \(id.prefix(12))" + (reason == "Created" ? "; Security:[seccomp=unconfined]" : "")
        case .v1_6: "\(reason) container with id \(id)"
        case .v1_10: "\(reason) container"
        }
        recorder.normal(pod.reference, reason, message)
    }

    func containerKilled(_ pod: Pod, _ container: String, id: String) {
        let grace = pod.metadata.deletionGracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds
        log(.info, "kuberuntime_container.go:545] Killing container \"docker://\(id)\" with \(grace) second grace period")
        let message = switch version {
        case .v1_5: "Killing container with docker id \(id.prefix(12)): Need to kill pod."
        case .v1_6: "Killing container with id docker://\(id):Need to kill Pod"
        case .v1_10: "Killing container with id docker://\(container):Need to kill Pod"
        }
        recorder.normal(pod.reference, "Killing", message)
    }

    /// A container exited and is waiting out its restart back-off.
    func crashLoopBackOff(_ pod: Pod, _ container: String, backOff: SimTime) {
        recorder.warning(pod.reference, "BackOff", "Back-off restarting failed container")
        let waiting = "Back-off \(RequestTrace.goDuration(backOff)) restarting failed container=\(container) pod=\(formatted(pod))"
        syncFailed(pod, startFailure(container, reason: "CrashLoopBackOff", waiting))
    }

    // MARK: Images

    /// The runtime's error for an image the registry does not have, as the gRPC of the release printed it.
    func pullError(_ image: String) -> String {
        let code = version == .v1_10 ? "Unknown" : "2"
        return "rpc error: code = \(code) desc = Error response from daemon: manifest for \(image) not found"
    }

    func pullFailed(_ pod: Pod, _ container: String, image: String) {
        let error = pullError(image)
        world.journal(self, unit: "docker", identifier: "dockerd", Kubelet.dockerLine("error", "Not continuing with pull after error: manifest unknown: manifest unknown", at: world.wallMicroseconds))
        log(.error, "remote_image.go:102] PullImage \"\(image)\" from image service failed: \(error)")
        log(.error, "kuberuntime_manager.go:619] container start failed: ErrImagePull: \(error)")
        recorder.warning(pod.reference, "Failed", "Failed to pull image \"\(image)\": \(error)")
        syncFailed(pod, startFailure(container, reason: "ErrImagePull", error))
    }

    func pullBackOff(_ pod: Pod, _ container: String, image: String) {
        let message = "Back-off pulling image \"\(image)\""
        recorder.normal(pod.reference, "BackOff", message)
        syncFailed(pod, startFailure(container, reason: "ImagePullBackOff", message))
    }

    /// A dockerd line as logrus wrote it: `time="2017-10-27T14:26:31.123456789Z" level=error msg="..."`.
    static func dockerLine(_ level: String, _ message: String, at wallMicroseconds: Int64) -> String {
        let seconds = wallMicroseconds.floorDivided(by: Span.microsecondsPerSecond)
        let calendar = CalendarTime(secondsSinceEpoch: seconds)
        let micros = String(wallMicroseconds - seconds * Span.microsecondsPerSecond)
        let fraction = String(repeating: "0", count: 6 - micros.count) + micros + "000"
        return "time=\"\(calendar.date)T\(calendar.clock).\(fraction)Z\" level=\(level) msg=\(goQuoted(message))"
    }
}
