/// The kubelet as the systemd unit it runs as on every node and master.
extension Kubelet: SystemdService {
    public var unitName: String { "kubelet" }
    public var unitDescription: String { "Kubernetes Kubelet Server" }

    public var commandLine: String {
        "/usr/local/bin/kubelet --api-servers=https://\(cluster.configuration.apiEndpoint) --kubeconfig=/var/lib/kubelet/kubeconfig"
            + " --require-kubeconfig --allow-privileged=true --pod-manifest-path=/etc/kubernetes/manifests"
            + " --cluster-dns=10.3.0.10 --cluster-domain=cluster.local --network-plugin=kubenet"
            + " --node-status-update-frequency=\(Span.describe(cluster.configuration.nodeStatusUpdateFrequency)) --v=2"
    }
}

extension Kubelet {
    /// dockerd, which the kubelet needs: it starts first after every boot of the host.
    public func startDependencies() {
        let journal = host.journal
        guard (journal.entries(unit: "docker").last?.wallMicroseconds ?? Int64.min) < host.bootedAtWallMicroseconds else { return }
        let now = world.wallMicroseconds
        var hasher = StableHasher()
        hasher.combine("dockerd")
        hasher.combine(host.name)
        hasher.combine(now)
        let pid = 600 + Int(hasher.finalize() % 400)
        journal.append(unit: "docker", identifier: "systemd", pid: 1, "Starting Docker Application Container Engine...", at: now)
        for (level, message) in [("info", "libcontainerd: new containerd process, pid: \(pid + 7)"),
                                 ("info", "Graph migration to content-addressability took 0.00 seconds"),
                                 ("info", "Loading containers: start."),
                                 ("info", "Loading containers: done."),
                                 ("info", "Daemon has completed initialization"),
                                 ("info", "Docker daemon commit=78d1802 graphdriver=overlay version=1.12.6"),
                                 ("info", "API listen on /var/run/docker.sock")] {
            journal.append(unit: "docker", identifier: "dockerd", pid: pid, Kubelet.dockerLine(level, message, at: now), at: now)
        }
        journal.append(unit: "docker", identifier: "systemd", pid: 1, "Started Docker Application Container Engine.", at: now)
    }
}

extension Kubelet {
    /// The containers running on this node now, by pod and container, with when each started.
    public var runningContainers: [(pod: Pod, container: Container, startedAt: Timestamp)] {
        var result: [(pod: Pod, container: Container, startedAt: Timestamp)] = []
        for key in workers.keys.sorted() {
            let worker = workers[key]!
            for run in worker.containers {
                if case .running(let startedAt) = run.state { result.append((worker.pod, run.spec, startedAt)) }
            }
        }
        return result
    }
}
