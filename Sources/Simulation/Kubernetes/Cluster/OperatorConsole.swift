/// The operator's seat: the process `kubectl` and the `k8s` module send their requests from,
/// through the same load balancer and apiservers every component uses.
public final class OperatorConsole: SimProcess {
    public unowned let cluster: KubernetesCluster
    public private(set) var client: APIClient!
    /// Clients that dial one apiserver each, by name and address, made the first time kubectl names that
    /// master with `--server` (so a world that never does draws exactly what it did before).
    private var directClients: [String: APIClient] = [:]

    init(host: Host, cluster: KubernetesCluster) {
        self.cluster = cluster
        super.init(name: "kubectl", host: host)
    }

    public override func didStart() {
        client = APIClient(process: self, cluster: cluster)
        directClients = [:]
    }

    /// The client for requests sent straight to `server`, named `address`, bypassing the load
    /// balancer.
    public func client(to server: APIServer, address: String) -> APIClient {
        let key = "\(server.name) \(address)"
        if let existing = directClients[key] { return existing }
        let direct = APIClient(process: self, cluster: cluster, pinnedTo: server, address: address)
        directClients[key] = direct
        return direct
    }

    public override func stableHash(into hasher: inout StableHasher) {
        client?.stableHash(into: &hasher)
        for name in directClients.keys.sorted() { directClients[name]!.stableHash(into: &hasher) }
    }
}
