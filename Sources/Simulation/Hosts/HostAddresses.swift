/// Where each host is on the platform's private network. A node or master has the InternalIP its
/// kubelet reports (what `kubectl get nodes -o wide` shows); every other host (etcd, the
/// bastion) gets one in 10.0.64.0/18, a /24 per zone, in the order hosts were added. Clients of
/// the Kubernetes API dial the load balancer's address, not an apiserver's.
extension World {
    public func address(of host: Host) -> String {
        if let kubelet = component(KubernetesCluster.self)?.kubelet(onNode: host.name) { return kubelet.internalIP }
        let zoneIndex = zones.firstIndex(of: host.zone) ?? 0
        let cluster = component(KubernetesCluster.self)
        var position = 0
        for other in hosts.values where other.zone == host.zone && cluster?.kubelet(onNode: other.name) == nil {
            if other === host { break }
            position += 1
        }
        return "10.0.\(64 + zoneIndex).\(10 + position)"
    }

    /// The host at a private address, if any.
    public func host(atAddress address: String) -> Host? {
        hosts.values.first { self.address(of: $0) == address }
    }
}
