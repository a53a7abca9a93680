import Scripting
import Simulation

/// Discovery as a 1.x apiserver without aggregated discovery serves it: `/version`, `/api`,
/// `/apis` and one resource list per group version. kubectl 1.32 asks for the aggregated form
/// first and falls back to these when the answer is plain JSON. No `metrics.k8s.io` group is
/// served, so `kubectl top` says the metrics API is not available, as without metrics-server.
enum KubeAPIDiscovery {
    static func version(_ gateway: KubeAPIGateway) -> JSONValue {
        let git = gateway.serverVersion
        let parts = git.dropFirst().split(separator: ".").map(String.init)
        return KubeAPIEncoding.object([
            "major": .string(parts.first ?? "1"), "minor": .string(parts.count > 1 ? parts[1] : "0"),
            "gitVersion": .string(git), "gitCommit": .string("firedrill"), "gitTreeState": .string("clean"),
            "buildDate": .string("2017-10-01T00:00:00Z"), "goVersion": .string("go1.8.3"), "compiler": .string("gc"),
            "platform": .string("linux/amd64"),
        ])
    }

    static var coreVersions: JSONValue {
        KubeAPIEncoding.object(["kind": .string("APIVersions"), "versions": .array([.string("v1")]),
                                "serverAddressByClientCIDRs": .array([KubeAPIEncoding.object(["clientCIDR": .string("0.0.0.0/0"),
                                                                                               "serverAddress": .string("127.0.0.1:443")])])])
    }

    static var groups: JSONValue {
        let version = KubeAPIEncoding.object(["groupVersion": .string("apps/v1"), "version": .string("v1")])
        let apps = KubeAPIEncoding.object(["name": .string("apps"), "versions": .array([version]), "preferredVersion": version])
        return KubeAPIEncoding.object(["kind": .string("APIGroupList"), "apiVersion": .string("v1"), "groups": .array([apps])])
    }

    static func group(_ name: String) -> JSONValue? {
        guard name == "apps", case .array(let served)? = groups["groups"] else { return nil }
        return served.first
    }

    /// The resources of one group version (`v1`, `apps/v1`) with the subresources kubectl uses.
    static func resources(groupVersion: String) -> JSONValue? {
        let group = groupVersion == "v1" ? "" : String(groupVersion.split(separator: "/").first ?? "")
        guard groupVersion == "v1" || groupVersion == "apps/v1" else { return nil }
        var entries: [JSONValue] = []
        for resource in Resource.allCases where resource.group == group {
            entries.append(entry(resource.rawValue, singular: resource.kind.lowercased(), namespaced: resource.isNamespaced,
                                 kind: resource.kind, verbs: ["create", "delete", "get", "list", "patch", "update", "watch"],
                                 shortNames: resource.shortNames))
            switch resource {
            case .pods: entries.append(entry("pods/log", singular: "", namespaced: true, kind: "Pod", verbs: ["get"]))
            case .deployments, .replicasets:
                entries.append(entry("\(resource.rawValue)/scale", singular: "", namespaced: true, kind: "Scale",
                                     verbs: ["get", "patch", "update"], group: "autoscaling", version: "v1"))
            default: break
            }
        }
        return KubeAPIEncoding.object(["kind": .string("APIResourceList"), "apiVersion": .string("v1"),
                                       "groupVersion": .string(groupVersion), "resources": .array(entries)])
    }

    private static func entry(_ name: String, singular: String, namespaced: Bool, kind: String, verbs: [String],
                              shortNames: [String] = [], group: String? = nil, version: String? = nil) -> JSONValue {
        var writer = FieldWriter()
        writer.set("name", name)
        writer.set("singularName", singular)
        writer.set("namespaced", namespaced)
        if let group { writer.set("group", group) }
        if let version { writer.set("version", version) }
        writer.set("kind", kind)
        writer.set("verbs", .array(verbs.map { .string($0) }))
        if !shortNames.isEmpty { writer.set("shortNames", .array(shortNames.map { .string($0) })) }
        return writer.value
    }
}
