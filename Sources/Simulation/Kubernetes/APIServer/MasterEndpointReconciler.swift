/// The master endpoint reconciler every apiserver runs (`DefaultEndpointReconcilerInterval`,
/// 10 s in Kubernetes 1.6): it reads namespace `default`, service `kubernetes` and endpoints
/// `kubernetes` straight from etcd, so each apiserver's Namespaces, Services and Endpoints
/// storage clients send a request every ten seconds. That traffic decides who heals: a client
/// stranded on a dead connection is found out 924.6 s after its first unanswered send
/// (`Connection.retransmissionTimeout`), and a client that sends nothing never is.
extension APIServer {
    /// How often the reconciler runs (`DefaultEndpointReconcilerInterval`).
    public static let endpointReconcilerInterval = Span.seconds(10)

    func startEndpointReconciler() {
        after(APIServer.endpointReconcilerInterval) { [weak self] in self?.reconcileMasterEndpoints() }
    }

    private func reconcileMasterEndpoints() {
        let reads: [APIRequest] = [.get(.namespaces, namespace: "", name: "default"),
                                   .get(.services, namespace: "default", name: "kubernetes"),
                                   .get(.endpoints, namespace: "default", name: "kubernetes")]
        // Each read waits on its own storage client; an answer (or none) changes nothing here.
        for read in reads { perform(read) { _ in } }
        startEndpointReconciler()
    }
}
