import Simulation

/// `world.truth`: the authoritative view for graders and a lab's checks, never the trainee's.
/// `truth.k8s.get` reads objects from etcd's committed state (no apiserver, no cache, no
/// simulated time); `truth.etcd` reports the members as the most advanced member has applied
/// the membership, and a key's committed value. Reading records nothing and changes nothing.
///
/// The functions are registered as the global `world.truth` (so errors name them as graders
/// call them); the lab environment takes that global away before any trainee code runs and
/// hands `truth` to lab functions and graders in their `world` argument.
public enum TruthModule {
    /// The global the functions are registered under until the lab environment takes them.
    public static let hiddenGlobal = "world"

    public static func install(into runtime: ScriptRuntime) {
        let world = runtime.world
        let prefix = hiddenGlobal + ".truth."
        runtime.lua.register(prefix + "k8s.get") { call in
            guard let cluster = world.component(KubernetesCluster.self) else {
                throw call.error("this world has no Kubernetes cluster (scenario \(LuaValue.quote(world.scenarioName)))")
            }
            let resource = try KubeModule.resource(call, 1)
            let name = try call.optionalString(2)
            let (namespace, selector) = try KubeModule.options(call, 3)
            let scope = resource.isNamespaced ? (namespace ?? "default") : ""
            if let name {
                guard let object = cluster.committedObject(resource, namespace: scope, name: name) else {
                    return call.fail(APIError.notFound(resource, name: name).kubectlText)
                }
                try call.push(KubeValues.lua(object))
                return 1
            }
            let filter = ObjectFilter(namespace: scope == "*" || scope.isEmpty ? nil : scope, selector: selector)
            try call.push(.table(LuaTable(array: cluster.committedObjects(resource, filter: filter).map(KubeValues.lua))))
            return 1
        }
        runtime.lua.register(prefix + "etcd.members") { call in
            let cluster = try EtcdModule.requireCluster(call, world)
            try call.push(.table(LuaTable(array: EtcdModule.sortedMembers(cluster).map { EtcdModule.memberTable($0, cluster: cluster, world: world) })))
            return 1
        }
        runtime.lua.register(prefix + "etcd.leader") { call in
            let cluster = try EtcdModule.requireCluster(call, world)
            guard let leader = cluster.leader, let info = cluster.membership.members[leader.memberID] else {
                call.pushNil()
                return 1
            }
            try call.push(EtcdModule.memberTable(info, cluster: cluster, world: world))
            return 1
        }
        runtime.lua.register(prefix + "etcd.health") { call in
            try call.push(EtcdModule.health(try EtcdModule.requireCluster(call, world), world: world))
            return 1
        }
        runtime.lua.register(prefix + "etcd.get") { call in
            let cluster = try EtcdModule.requireCluster(call, world)
            let key = try call.string(1)
            guard let value = cluster.committedStore?.value(of: key) else {
                call.pushNil()
                return 1
            }
            call.push(string: value.value)
            return 1
        }
    }
}
