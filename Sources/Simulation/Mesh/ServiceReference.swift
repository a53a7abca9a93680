/// A Kubernetes service by namespace and name, as linkerd names a destination
/// (`/#/io.l5d.k8s/payments/http/transaction-processor`) and people type it
/// (`payments/transaction-processor`).
public struct ServiceReference: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let namespace: String
    public let name: String

    public init(namespace: String, name: String) {
        self.namespace = namespace
        self.name = name
    }

    /// Parses `namespace/name`; nil for anything else.
    public init?(parsing text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return nil }
        self.init(namespace: String(parts[0]), name: String(parts[1]))
    }

    public var description: String { "\(namespace)/\(name)" }

    public static func < (left: ServiceReference, right: ServiceReference) -> Bool {
        (left.namespace, left.name) < (right.namespace, right.name)
    }
}
