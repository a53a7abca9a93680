/// Which objects a list or watch covers: a namespace (or all), a label selector, and for pods
/// the node they are bound to (the kubelet's `spec.nodeName=` field selector).
public struct ObjectFilter: Equatable, Sendable {
    public var namespace: String?
    public var selector: LabelSelector?
    public var nodeName: String?

    public init(namespace: String? = nil, selector: LabelSelector? = nil, nodeName: String? = nil) {
        (self.namespace, self.selector, self.nodeName) = (namespace, selector, nodeName)
    }

    public static let everything = ObjectFilter()

    public func matches(_ object: any APIObject) -> Bool {
        // Metadata read out of the existential at most once, and only by a filter that looks at
        // it: each read copies the whole ObjectMeta, and every watch's filter runs on every
        // change it is offered.
        let namespace = namespace.flatMap { $0.isEmpty ? nil : $0 }
        if namespace != nil || selector != nil {
            let metadata = object.metadata
            if let namespace, metadata.namespace != namespace { return false }
            if let selector, !selector.matches(metadata.labels) { return false }
        }
        if let nodeName, (object as? Pod)?.spec.nodeName != nodeName { return false }
        return true
    }
}

/// A change to a patched object, run by the apiserver inside its read-modify-write loop (what
/// PATCH and the status subresources do). Throwing aborts the write with that error.
public typealias ObjectMutation = (inout any APIObject) throws(APIError) -> Void

/// One request to the apiserver, as it travels over the client's connection.
public enum APIRequest {
    case get(Resource, namespace: String, name: String)
    /// `resourceVersion` "" reads etcd (a quorum read), "0" is served from the watch cache.
    case list(Resource, filter: ObjectFilter, resourceVersion: String)
    case create(any APIObject)
    /// Replaces the object; fails with Conflict if `metadata.resourceVersion` is set and stale.
    case update(any APIObject)
    case patch(Resource, namespace: String, name: String, ObjectMutation)
    /// Pods bound to a node are deleted gracefully unless `gracePeriodSeconds` is 0.
    case delete(Resource, namespace: String, name: String, gracePeriodSeconds: Int64?)

    public var resource: Resource {
        switch self {
        case .get(let resource, _, _), .list(let resource, _, _), .patch(let resource, _, _, _), .delete(let resource, _, _, _): resource
        case .create(let object), .update(let object): object.resource
        }
    }

    /// The verb as the apiserver logs it and timeouts name it.
    public var verb: String {
        switch self {
        case .get: "get"
        case .list: "list"
        case .create: "post"
        case .update: "put"
        case .patch: "patch"
        case .delete: "delete"
        }
    }
}

/// What a successful request returns.
public enum APIResponse: Sendable {
    case object(any APIObject)
    case list([any APIObject], resourceVersion: Int64)

    public var object: (any APIObject)? { if case .object(let object) = self { object } else { nil } }
}

/// One change on a watch stream, as the API delivers it.
public enum APIWatchEvent: Sendable {
    case added(any APIObject)
    case modified(any APIObject)
    case deleted(any APIObject)
    /// The server refused or ended the watch with an error (410 Gone); the stream is over.
    case error(APIError)
    /// The stream ended without error: the server's watch timeout, or the connection closed.
    case ended

    public var object: (any APIObject)? {
        switch self {
        case .added(let object), .modified(let object), .deleted(let object): object
        case .error, .ended: nil
        }
    }

    public var typeName: String {
        switch self {
        case .added: "ADDED"
        case .modified: "MODIFIED"
        case .deleted: "DELETED"
        case .error: "ERROR"
        case .ended: "END"
        }
    }
}
