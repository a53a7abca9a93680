/// One process as `ps` shows it on a host.
public struct HostProcess: Equatable, Sendable {
    public let user: String
    public let pid: Int
    /// Its command (`comm`, at most 15 characters) and full command line.
    public let name: String
    public let commandLine: String
    public let startedAtWallMicroseconds: Int64
    /// Nominal figures: the model does not simulate CPU or memory, so each kind of process has
    /// the share a 2017 host typically showed.
    public let cpuPercent: Double
    public let memoryPercent: Double

    public init(user: String, pid: Int, name: String, commandLine: String, startedAtWallMicroseconds: Int64,
                cpuPercent: Double, memoryPercent: Double) {
        (self.user, self.pid, self.name, self.commandLine) = (user, pid, name, commandLine)
        (self.startedAtWallMicroseconds, self.cpuPercent, self.memoryPercent) = (startedAtWallMicroseconds, cpuPercent, memoryPercent)
    }
}

/// A mounted filesystem as `df` shows it.
public struct HostDisk: Equatable, Sendable {
    public let device: String
    public let sizeBytes: Int64
    public let usedBytes: Int64
    public let mountPoint: String
}

/// What runs on a host, as its process table would list it: systemd and sshd everywhere; on the
/// platform's nodes and masters dockerd and the kubelet, the control plane's static pods and the
/// containers the kubelet runs; etcd on the etcd hosts. Only processes that run now are listed.
enum HostProcessCatalog {
    /// The `comm` of a model process, as `ps` and `ss -p` name it.
    static func commandName(of process: SimProcess) -> String {
        switch process {
        case is APIServer: "kube-apiserver"
        case is ControllerManager: "kube-controller"
        case is Scheduler: "kube-scheduler"
        case is Kubelet: "kubelet"
        case is EtcdMember: "etcd"
        case is LinkerdProxy: "java"
        case is OperatorConsole: "kubectl"
        default: String(process.name.split(separator: "/").first ?? Substring(process.name))
        }
    }

    /// The nominal %CPU and %MEM of a kind of process.
    static func usage(_ name: String) -> (cpu: Double, memory: Double) {
        switch name {
        case "kube-apiserver": (6.5, 4.1)
        case "kube-controller": (2.2, 1.0)
        case "kube-scheduler": (0.6, 0.5)
        case "kubelet": (2.0, 1.2)
        case "dockerd": (0.8, 0.9)
        case "docker-containe": (0.3, 0.2)
        case "etcd": (3.5, 2.2)
        case "java": (4.0, 2.6)
        case "systemd", "sshd", "bash", "ps": (0.0, 0.1)
        default: (1.0, 0.8)
        }
    }

    /// The command line a container's main process runs, from its image.
    static func commandLine(image: String) -> String {
        let (repository, tag) = ContainerImageCatalog.split(image)
        let name = String(repository.split(separator: "/").last ?? Substring(repository))
        switch name {
        case "linkerd":
            return "java -XX:+UseConcMarkSweepGC -XX:+CMSParallelRemarkEnabled -Xms64M -Xmx256M -jar /io.buoyant/linkerd/\(tag)/bundle-exec /io.buoyant/linkerd/config/config.yaml"
        case "nginx":
            return "nginx: master process nginx -g daemon off;"
        default:
            return "/usr/local/bin/\(name)"
        }
    }
}

extension World {
    /// The processes running on a host now, ordered by process id.
    public func processes(on host: Host) -> [HostProcess] {
        guard host.isUp else { return [] }
        let boot = host.bootedAtWallMicroseconds
        var rows: [HostProcess] = []
        func add(_ user: String, _ pid: Int, _ name: String, _ command: String, _ started: Int64) {
            let usage = HostProcessCatalog.usage(name)
            rows.append(HostProcess(user: user, pid: pid, name: String(name.prefix(15)), commandLine: command,
                                    startedAtWallMicroseconds: started, cpuPercent: usage.cpu, memoryPercent: usage.memory))
        }
        add("root", 1, "systemd", "/sbin/init", boot)
        add("root", 512, "sshd", "/usr/sbin/sshd -D", boot)
        let cluster = component(KubernetesCluster.self)
        if let kubelet = cluster?.kubelet(onNode: host.name) {
            add("root", 603, "dockerd", "/usr/bin/dockerd -H fd:// --storage-driver=overlay", boot)
            add("root", 610, "docker-containe", "docker-containerd -l unix:///var/run/docker/libcontainerd/docker-containerd.sock --shim docker-containerd-shim --runtime docker-runc", boot)
            if kubelet.isRunning { add("root", kubelet.pid, "kubelet", kubelet.commandLine, kubelet.startedAtWallMicroseconds) }
            for staticPod in kubelet.staticPods where staticPod.process.isRunning {
                let process = staticPod.process
                add("root", process.pid, HostProcessCatalog.commandName(of: process), World.staticPodCommand(staticPod, cluster!), process.startedAtWallMicroseconds)
            }
            for (index, running) in kubelet.runningContainers.enumerated() {
                let command = HostProcessCatalog.commandLine(image: running.container.image)
                let name = String(command.split(separator: " ").first?.split(separator: "/").last ?? "app")
                var hasher = StableHasher()
                hasher.combine(running.pod.metadata.uid)
                hasher.combine(running.container.name)
                let pid = 2_000 + Int(hasher.finalize() % 28_000) + index
                add("root", pid, name == "nginx:" ? "nginx" : name, command, running.startedAt.secondsSinceEpoch * Span.microsecondsPerSecond)
            }
        }
        for process in host.processes where process.isRunning {
            if let member = process as? EtcdMember { add("etcd", member.pid, "etcd", member.commandLine, member.startedAtWallMicroseconds) }
        }
        return rows.sorted { $0.pid < $1.pid }
    }

    private static func staticPodCommand(_ staticPod: StaticPod, _ cluster: KubernetesCluster) -> String {
        switch staticPod.process {
        case is APIServer:
            let etcd = (staticPod.process as? APIServer)?.storageClient(for: .pods).flatMap { ($0 as? EtcdClient)?.endpoints.joined(separator: ",") } ?? ""
            return "/usr/local/bin/kube-apiserver --etcd-servers=\(etcd) --secure-port=443 --service-cluster-ip-range=10.3.0.0/16 --request-timeout=1m0s --v=2"
        case is ControllerManager:
            return "/usr/local/bin/kube-controller-manager --master=https://127.0.0.1:443 --leader-elect=true --v=2"
        default:
            return "/usr/local/bin/kube-scheduler --master=https://127.0.0.1:443 --leader-elect=true --v=2"
        }
    }

    /// A host's memory: a node's capacity, 8 GiB for an etcd host, 2 GiB for anything else.
    public func memoryBytes(of host: Host) -> Int64 {
        if let cluster = component(KubernetesCluster.self), cluster.kubelet(onNode: host.name) != nil,
           let memory = cluster.configuration.nodeCapacity["memory"].flatMap(Quantity.bytes) {
            return memory
        }
        return host.processes.contains { $0 is EtcdMember } ? 8 << 30 : 2 << 30
    }

    /// A host's filesystems: the root disk everywhere, docker's on nodes and masters (fuller
    /// with every image the kubelet pulled), etcd's data disk on etcd hosts (fuller with every
    /// revision written).
    public func disks(on host: Host) -> [HostDisk] {
        let gibibyte: Int64 = 1 << 30, mebibyte: Int64 = 1 << 20
        var disks = [HostDisk(device: "/dev/xvda1", sizeBytes: 20 * gibibyte, usedBytes: 3 * gibibyte + 180 * mebibyte, mountPoint: "/")]
        if let kubelet = component(KubernetesCluster.self)?.kubelet(onNode: host.name) {
            let images = Int64(kubelet.pulledImages.count)
            disks.append(HostDisk(device: "/dev/xvdb", sizeBytes: 100 * gibibyte, usedBytes: gibibyte + images * 310 * mebibyte,
                                  mountPoint: "/var/lib/docker"))
        }
        if let member = host.processes.compactMap({ $0 as? EtcdMember }).last {
            let revision = member.isRunning ? member.state.store.revision : 0
            disks.append(HostDisk(device: "/dev/xvdf", sizeBytes: 50 * gibibyte, usedBytes: 120 * mebibyte + revision * 2_048,
                                  mountPoint: "/var/lib/etcd"))
        }
        return disks
    }
}
