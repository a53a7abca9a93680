/// The truth graders judge by: Kubernetes objects as etcd has committed them, not as any
/// apiserver's watch cache holds them. A cache can be frozen (a storage client on a zombie
/// connection) and say a deleted Service is still there; etcd's committed state cannot.
extension EtcdCluster {
    /// The key-value store as the most advanced running member has applied it. Everything a
    /// member applied was committed by a quorum, so this is the latest committed state any
    /// member knows; nil when no member runs.
    public var committedStore: MVCCStore? {
        processes.filter(\.isRunning).max { $0.appliedIndex < $1.appliedIndex }?.state.store
    }
}

extension KubernetesCluster {
    /// The store the apiservers keep objects in, as committed: the etcd cluster's, or the
    /// shared local store of a world built with `KubernetesStorage.local` (found through a
    /// running apiserver's storage client; nil if none runs).
    public var committedStore: MVCCStore? {
        for server in apiServers {
            guard let client = server.storageClient(for: .namespaces) else { continue }
            if let local = (client as? StallableKeyValueClient)?.base as? LocalKeyValueClient ?? client as? LocalKeyValueClient {
                return local.store
            }
            break
        }
        return world.component(EtcdCluster.self)?.committedStore
    }

    /// The committed objects of a resource that `filter` selects, in key order.
    public func committedObjects(_ resource: Resource, filter: ObjectFilter = .everything) -> [any APIObject] {
        guard let store = committedStore,
              let response = try? store.range(RangeRequest(range: .prefix(resource.storagePrefix(namespace: filter.namespace)))) else {
            return []
        }
        return response.keyValues.compactMap { try? codec.decode($0, as: resource) }.filter(filter.matches)
    }

    /// One committed object, or nil if etcd holds none by that name.
    public func committedObject(_ resource: Resource, namespace: String, name: String) -> (any APIObject)? {
        let key = resource.storageKey(namespace: resource.isNamespaced ? namespace : "", name: name)
        guard let keyValue = committedStore?.value(of: key) else { return nil }
        return try? codec.decode(keyValue, as: resource)
    }
}
