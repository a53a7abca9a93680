/// The resource types this cluster serves, with the names kubectl and the API use for them. Each
/// has its own storage client in every apiserver (see `APIServer`).
public enum Resource: String, CaseIterable, Sendable, Comparable {
    case namespaces, nodes, pods, services, endpoints, configmaps, events, deployments, replicasets, daemonsets

    public static func < (left: Resource, right: Resource) -> Bool {
        allCases.firstIndex(of: left)! < allCases.firstIndex(of: right)!
    }

    public var kind: String {
        switch self {
        case .namespaces: "Namespace"
        case .nodes: "Node"
        case .pods: "Pod"
        case .services: "Service"
        case .endpoints: "Endpoints"
        case .configmaps: "ConfigMap"
        case .events: "Event"
        case .deployments: "Deployment"
        case .replicasets: "ReplicaSet"
        case .daemonsets: "DaemonSet"
        }
    }

    /// The API group: "" for the core group, "apps" for the workload controllers.
    public var group: String {
        switch self {
        case .deployments, .replicasets, .daemonsets: "apps"
        default: ""
        }
    }

    public var apiVersion: String { group.isEmpty ? "v1" : "\(group)/v1" }

    public var isNamespaced: Bool { self != .nodes && self != .namespaces }

    /// `deployments.apps`: how the apiserver names the resource in its errors.
    public var qualifiedName: String { group.isEmpty ? rawValue : "\(rawValue).\(group)" }

    /// `deployment.apps`: how `kubectl -o name` and kubectl's messages name one object's type.
    public var singularQualifiedName: String {
        let singular = kind.lowercased()
        return group.isEmpty ? singular : "\(singular).\(group)"
    }

    public var shortNames: [String] {
        switch self {
        case .namespaces: ["ns"]
        case .nodes: ["no"]
        case .pods: ["po"]
        case .services: ["svc"]
        case .endpoints: ["ep"]
        case .configmaps: ["cm"]
        case .events: ["ev"]
        case .deployments: ["deploy"]
        case .replicasets: ["rs"]
        case .daemonsets: ["ds"]
        }
    }

    /// Finds a resource from what a person types: `po`, `pod`, `pods`, `Pod`, `deployments.apps`.
    public init?(typed text: String) {
        let lowered = text.lowercased()
        for resource in Resource.allCases {
            let singular = resource.kind.lowercased()
            let names = [resource.rawValue, singular, resource.qualifiedName, resource.singularQualifiedName] + resource.shortNames
            if names.contains(lowered) { self = resource; return }
        }
        return nil
    }

    /// The etcd key prefix of this resource: `/registry/pods/`.
    public var storagePrefix: String { "/registry/\(rawValue)/" }

    /// `/registry/<resource>/<namespace>/<name>`, or without the namespace for cluster-scoped types.
    public func storageKey(namespace: String, name: String) -> String {
        isNamespaced ? "\(storagePrefix)\(namespace)/\(name)" : "\(storagePrefix)\(name)"
    }

    /// The prefix covering one namespace, or the whole resource.
    public func storagePrefix(namespace: String?) -> String {
        guard isNamespaced, let namespace, !namespace.isEmpty else { return storagePrefix }
        return "\(storagePrefix)\(namespace)/"
    }

    /// The Swift type that models this resource.
    public var objectType: any APIObject.Type {
        switch self {
        case .namespaces: Namespace.self
        case .nodes: Node.self
        case .pods: Pod.self
        case .services: Service.self
        case .endpoints: Endpoints.self
        case .configmaps: ConfigMap.self
        case .events: Event.self
        case .deployments: Deployment.self
        case .replicasets: ReplicaSet.self
        case .daemonsets: DaemonSet.self
        }
    }
}
