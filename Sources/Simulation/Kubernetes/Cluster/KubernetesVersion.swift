/// The Kubernetes releases whose behaviour differs where it matters to the labs.
public enum KubernetesVersion: String, CaseIterable, Sendable {
    /// 1.5: empty Endpoints have `subsets: []`.
    case v1_5 = "1.5"
    /// 1.6 to 1.9: empty Endpoints have `subsets: null`; the apiserver's etcd client is 3.1/3.2,
    /// whose balancer can stay pinned to a dead member.
    case v1_6 = "1.6"
    /// 1.10 and later: the etcd 3.3 client, whose balancer health-checks and fails over.
    case v1_10 = "1.10"

    /// Parses `1.5`, `1.6`, `1.7` ... `1.9` (all behave as 1.6), `1.10` and later.
    public init?(parsing text: String) {
        let trimmed = text.hasPrefix("v") ? String(text.dropFirst()) : text
        let parts = trimmed.split(separator: ".").compactMap { Int($0) }
        guard parts.count >= 2, parts[0] == 1 else { return nil }
        switch parts[1] {
        case 5: self = .v1_5
        case 6...9: self = .v1_6
        case 10...: self = .v1_10
        default: return nil
        }
    }

    public var gitVersion: String {
        switch self {
        case .v1_5: "v1.5.8"
        case .v1_6: "v1.6.13"
        case .v1_10: "v1.10.13"
        }
    }

    /// Whether an Endpoints object with no addresses has `subsets: null` (true) or `[]`.
    public var emptySubsetsAreNull: Bool { self != .v1_5 }

    /// The etcd client balancer the apiserver is built with.
    /// Kubernetes 1.6 shipped client 3.0.17 (kubernetes/kubernetes#41427), 1.10 the 3.2+ client
    /// with keepalive (kubernetes/kubernetes#58008), modelled by the 3.3 balancer.
    public var etcdClientVersion: String { self == .v1_10 ? "3.3" : "3.0" }
}
