/// The operator's seat: the process `kubectl` and the `k8s` module send their requests from,
/// through the same load balancer and apiservers every component uses.
public final class OperatorConsole: SimProcess {
    public unowned let cluster: KubernetesCluster
    public private(set) var client: APIClient!

    init(host: Host, cluster: KubernetesCluster) {
        self.cluster = cluster
        super.init(name: "kubectl", host: host)
    }

    public override func didStart() {
        client = APIClient(process: self, cluster: cluster)
    }

    public override func stableHash(into hasher: inout StableHasher) {
        client?.stableHash(into: &hasher)
    }
}
