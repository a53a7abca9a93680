import Simulation

extension KubectlCommands {
    /// `kubectl top node|pod`: 2017's clusters ran no metrics pipeline the bank relied on, and
    /// kubectl 1.6 said so in these words.
    func top(_ arguments: ArraySlice<String>) throws -> String {
        // kubectl asks the apiserver (for heapster's service) before it gives up.
        if case .failure(let error) = try session.call(.list(.services, filter: ObjectFilter(namespace: "kube-system"), resourceVersion: "")) {
            throw failure(error)
        }
        throw KubectlFailure("error: metrics not available yet")
    }

    /// `kubectl cluster-info`: the master's address and the kube-system services labelled
    /// `kubernetes.io/cluster-service=true`, with their proxy URLs as the era built them.
    func clusterInfo() throws -> String {
        let master = session.target?.url ?? "https://\(session.cluster.configuration.apiEndpoint)"
        let selector = try LabelSelector(parsing: "kubernetes.io/cluster-service=true")
        let services = try fetchAll(.services, namespace: "kube-system", selector: selector).sorted { $0.name < $1.name }
        var lines = ["Kubernetes master is running at \(master)"]
        for service in services {
            let title = service.metadata.labels["kubernetes.io/name"] ?? service.name
            let path = era.printers == .v1_6 ? "api/v1/proxy/namespaces/kube-system/services/\(service.name)"
                : "api/v1/namespaces/kube-system/services/\(service.name)/proxy"
            lines.append("\(title) is running at \(master)/\(path)")
        }
        return (lines + ["", "To further debug and diagnose cluster problems, use 'kubectl cluster-info dump'."]).joined(separator: "\n")
    }

    /// `kubectl get componentstatuses`: the answering apiserver's own checks of the scheduler and
    /// controller manager beside it and of each etcd endpoint it is configured with.
    func componentStatuses(_ arguments: ArraySlice<String>) throws -> String {
        if case .failure(let error) = try session.call(.list(.namespaces, filter: .everything, resourceVersion: "")) {
            throw failure(error)
        }
        // The apiserver that answered: the one named with --server, else the first running.
        guard let server = session.target.map(\.server) ?? session.cluster.firstRunningAPIServer, server.isRunning else {
            throw KubectlFailure("The connection to the server \(session.cluster.configuration.apiEndpoint) was refused - did you specify the right host or port?")
        }
        var rows = ComponentStatus.all(seenBy: server, in: session.world)
        let names = arguments.dropFirst()
        if !names.isEmpty {
            for name in names where !rows.contains(where: { $0.name == name }) {
                throw KubectlFailure("Error from server (NotFound): componentstatuses \"\(name)\" not found")
            }
            rows = rows.filter { names.contains($0.name) }
        }
        if let output = line.value("output"), !["", "wide"].contains(output) {
            throw KubectlFailure("error: -o \(output) is not supported for componentstatuses here; the table is")
        }
        var table = era.table(header: ["NAME", "STATUS", "MESSAGE", "ERROR"])
        for row in rows { table.add([row.name, row.healthy ? "Healthy" : "Unhealthy", row.message, row.error]) }
        return table.render()
    }
}

/// One line of `kubectl get componentstatuses`, worked out as the apiserver's health checks do.
struct ComponentStatus {
    let name: String
    let healthy: Bool
    let message: String
    let error: String

    /// The scheduler (port 10251) and controller manager (10252) on the apiserver's own host, then
    /// `etcd-N` for each etcd endpoint its storage client dials, in order.
    static func all(seenBy server: APIServer, in world: World) -> [ComponentStatus] {
        let cluster = server.cluster
        let scheduler = cluster.schedulers.first { $0.host === server.host }?.isRunning ?? false
        let controllerManager = cluster.controllerManagers.first { $0.host === server.host }?.isRunning ?? false
        var rows = [local("scheduler", running: scheduler, port: 10251), local("controller-manager", running: controllerManager, port: 10252)]
        let endpoints = (server.storageClient(for: .pods) as? EtcdClient)?.endpoints ?? []
        let etcd = world.component(EtcdCluster.self)
        for (index, endpoint) in endpoints.enumerated() {
            let member = etcd?.resolve(endpoint)
            let reachable = member.map { $0.isRunning && world.network.canReach(from: server.host, to: $0.host) } ?? false
            let hostPort = endpoint.replacingOccurrences(of: "http://", with: "")
            rows.append(ComponentStatus(name: "etcd-\(index)", healthy: reachable, message: reachable ? "{\"health\": \"true\"}" : "",
                                        error: reachable ? "" : "Get \(endpoint)/health: dial tcp \(hostPort): getsockopt: connection refused"))
        }
        return rows
    }

    private static func local(_ name: String, running: Bool, port: Int) -> ComponentStatus {
        ComponentStatus(name: name, healthy: running, message: running ? "ok" : "",
                        error: running ? "" : "Get http://127.0.0.1:\(port)/healthz: dial tcp 127.0.0.1:\(port): getsockopt: connection refused")
    }
}
