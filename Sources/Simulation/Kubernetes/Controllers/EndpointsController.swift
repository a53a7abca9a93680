/// Keeps each Service's Endpoints object listing the IPs of the pods its selector picks: ready
/// ones as addresses, others as notReadyAddresses. With no pods at all, Kubernetes 1.6 and later
/// write `subsets: null`, 1.5 wrote `subsets: []`.
final class EndpointsController {
    private unowned let manager: ControllerManager
    private var queue: WorkQueue!

    init(manager: ControllerManager) {
        self.manager = manager
        queue = WorkQueue(process: manager) { [unowned self] key in sync(key) }
    }

    private var client: APIClient { manager.client }

    func enqueue(_ namespace: String, _ name: String) { queue.add(Informer<Service>.key(namespace: namespace, name: name)) }

    /// Services whose selector picks the pod before or after the change; candidates come from
    /// the services indexed under one of the pod's labels, so no change scans every service.
    func podChanged(_ old: Pod?, _ new: Pod?) {
        for pod in [old, new].compactMap({ $0 }) {
            for (key, value) in pod.metadata.labels {
                for service in manager.services.indexed("selector", "\(pod.namespace)/\(key)=\(value)")
                    where service.selector.allSatisfy({ pod.metadata.labels[$0.key] == $0.value }) {
                    enqueue(service.namespace, service.name)
                }
            }
        }
    }

    private func sync(_ key: String) {
        let parts = key.split(separator: "/", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { return }
        let (namespace, name) = (parts[0], parts[1])
        guard let service = manager.services.objects[key] else {
            if manager.endpoints.objects[key] != nil {
                client.delete(.endpoints, namespace: namespace, name: name)
            }
            return
        }
        guard !service.selector.isEmpty else { return }
        let subsets = subsets(for: service)
        let existing = manager.endpoints.objects[key]
        if let existing, existing.subsets == subsets, existing.metadata.labels == service.metadata.labels { return }
        var endpoints = existing ?? Endpoints(metadata: ObjectMeta(name: name, namespace: namespace), subsets: nil)
        endpoints.metadata.labels = service.metadata.labels
        endpoints.subsets = subsets
        let completion: (Result<Endpoints, APIError>) -> Void = { [weak self] result in
            guard let self else { return }
            switch result {
            case .success: self.queue.forget(key)
            case .failure(let error):
                self.manager.log(.error, "endpoints_controller.go:375] Error syncing endpoints for service \"\(key)\": \(error.message)")
                self.queue.addRateLimited(key)
            }
        }
        if existing == nil { client.create(endpoints, completion: completion) } else { client.update(endpoints, completion: completion) }
    }

    private func subsets(for service: Service) -> [EndpointSubset]? {
        let selector = LabelSelector(matchLabels: service.selector)
        // Candidates carry the selector's first label; the rest of the selector filters them.
        let first = selector.requirements[0]
        let pods = manager.pods.indexed("label", "\(service.namespace)/\(first.key)=\(first.values[0])")
            .filter { selector.matches($0.metadata.labels) && !$0.status.podIP.isEmpty && !$0.metadata.isTerminating }
        var ready: [EndpointAddress] = [], notReady: [EndpointAddress] = []
        for pod in pods {
            let address = EndpointAddress(ip: pod.status.podIP, nodeName: pod.spec.nodeName, targetRef: pod.reference)
            if pod.isReady { ready.append(address) } else { notReady.append(address) }
        }
        guard !ready.isEmpty || !notReady.isEmpty else {
            return manager.cluster.configuration.version.emptySubsetsAreNull ? nil : []
        }
        let ports = service.ports.map { port in
            EndpointPort(name: port.name, port: EndpointsController.resolve(port.targetPort, in: pods.first), protocol: port.protocol)
        }
        return [EndpointSubset(addresses: EndpointsController.sortedByAddress(ready), notReadyAddresses: EndpointsController.sortedByAddress(notReady),
                               ports: ports)]
    }

    /// Addresses in numeric IP order, as the real controller packs them.
    static func sortedByAddress(_ addresses: [EndpointAddress]) -> [EndpointAddress] {
        func number(_ ip: String) -> UInt32 {
            var value: UInt32 = 0, octet: UInt32 = 0
            for byte in ip.utf8 {
                if byte == UInt8(ascii: ".") { value = value << 8 | octet; octet = 0 } else { octet = octet * 10 + UInt32(byte &- 48) }
            }
            return value << 8 | octet
        }
        return addresses.map { (number($0.ip), $0) }.sorted { $0.0 < $1.0 }.map(\.1)
    }

    /// A target port by number, or by the name of a container port.
    static func resolve(_ targetPort: String, in pod: Pod?) -> Int64 {
        if let number = Int64(targetPort) { return number }
        for container in pod?.spec.containers ?? [] {
            if let port = container.ports.first(where: { $0.name == targetPort }) { return port.containerPort }
        }
        return 0
    }
}
