import Simulation

/// The kubectl that ships with the world's Kubernetes release, and what it prints differently:
/// table columns, how it names a type in front of a name, the words of its success lines.
///
/// Two printers are modelled, read from the kubernetes printers at those tags: kubectl 1.6 (for
/// clusters on 1.5 to 1.9, as the bank of 2017 ran) and kubectl 1.10. Both lay tables out with
/// tabwriter columns at least ten wide and print ages as `ShortHumanDuration` (`5m`, `3h`, `13d`);
/// the longer `5m12s` ages and six-wide columns came later, in 1.12 and 1.13.
struct KubectlEra: Sendable {
    enum Printers: Sendable { case v1_6, v1_10 }

    /// The Kubernetes release of the cluster, which names the client and server versions.
    let release: KubernetesVersion
    let printers: Printers

    init(_ release: KubernetesVersion) {
        self.release = release
        printers = release == .v1_10 ? .v1_10 : .v1_6
    }

    /// tabwriter's minimum cell width in kubectl before 1.13 (`tabwriterMinWidth = 10`).
    var tableMinimumWidth: Int { 10 }

    func table(header: [String]) -> KubectlTable { KubectlTable(header: header, minimumWidth: tableMinimumWidth) }

    /// `ShortHumanDuration`: whole seconds below a minute, then minutes, hours, days, years.
    static func shortHumanDuration(seconds: Int64) -> String {
        if seconds < -1 { return "<invalid>" }
        if seconds < 0 { return "0s" }
        if seconds < 60 { return "\(seconds)s" }
        let minutes = seconds / 60
        if minutes < 60 { return "\(minutes)m" }
        let hours = minutes / 60
        if hours < 24 { return "\(hours)h" }
        if hours < 24 * 365 { return "\(hours / 24)d" }
        return "\(hours / 24 / 365)y"
    }

    func age(_ timestamp: Timestamp?, now: Timestamp) -> String {
        guard let timestamp else { return "<unknown>" }
        return KubectlEra.shortHumanDuration(seconds: timestamp.seconds(until: now))
    }

    // MARK: Naming types

    /// The API group this kubectl resolves a typed resource to: 1.10 still reads the workload
    /// controllers from `extensions`, except where `all` expands them through discovery (`apps`).
    func group(_ resource: Resource, fromAll: Bool = false) -> String {
        guard resource.group == "apps", !fromAll else { return resource.group }
        return "extensions"
    }

    /// `po/web-1` (1.6, the resource's short form) or `deployment.apps/web` (1.10): the NAME
    /// cell when a listing shows several types.
    func kindPrefix(_ resource: Resource, fromAll: Bool) -> String {
        switch printers {
        case .v1_6: return resource.shortNames.first ?? resource.rawValue
        case .v1_10: return qualifiedKind(resource, group: group(resource, fromAll: fromAll))
        }
    }

    /// What `-o name` prints for one object: `pods/web-1` in 1.6, `pod/web-1` or
    /// `deployment.extensions/web` in 1.10.
    func nameOutput(_ object: any APIObject) -> String {
        switch printers {
        case .v1_6: return "\(object.resource.rawValue)/\(object.name)"
        case .v1_10: return "\(qualifiedKind(object.resource, group: group(object.resource)))/\(object.name)"
        }
    }

    /// How a success line names an object: `deployment "web"` (1.6, the singular resource) or
    /// `deployment.extensions "web"` (1.10, kind and group; a manifest's own group for apply).
    func subject(_ resource: Resource, _ name: String, group manifestGroup: String? = nil) -> String {
        switch printers {
        case .v1_6: return "\(resource.kind.lowercased()) \"\(name)\""
        case .v1_10: return "\(qualifiedKind(resource, group: manifestGroup ?? group(resource))) \"\(name)\""
        }
    }

    /// `deployment "web" scaled`, `service "web" deleted`: PrintSuccess of both releases.
    func success(_ resource: Resource, _ name: String, _ operation: String, group: String? = nil) -> String {
        "\(subject(resource, name, group: group)) \(operation)"
    }

    private func qualifiedKind(_ resource: Resource, group: String) -> String {
        group.isEmpty ? resource.kind.lowercased() : "\(resource.kind.lowercased()).\(group)"
    }

    /// The group of a manifest's `apiVersion` (`apps/v1` → `apps`, `v1` → core).
    static func group(ofAPIVersion apiVersion: String) -> String {
        guard let slash = apiVersion.firstIndex(of: "/") else { return "" }
        return String(apiVersion[..<slash])
    }

    /// The apiserver's error as this kubectl shows it: it asked for the workload controllers at
    /// `extensions`, so the server named them `deployments.extensions`.
    func errorText(_ error: APIError) -> String {
        var text = error.kubectlText
        for resource in Resource.allCases where resource.group == "apps" {
            text = text.replacingOccurrences(of: "\(resource.rawValue).apps ", with: "\(resource.rawValue).extensions ")
        }
        return text
    }

    /// The resources `kubectl get all` lists, in its order: 1.6's fixed list of user resources
    /// (no DaemonSets), 1.10's `all` category.
    var allResources: [Resource] {
        switch printers {
        case .v1_6: return [.pods, .services, .deployments, .replicasets]
        case .v1_10: return [.pods, .services, .daemonsets, .deployments, .replicasets]
        }
    }
}

extension KubectlEra {
    /// The era of the cluster the runtime's world runs (1.6 when it runs none).
    static func of(_ runtime: ScriptRuntime) -> KubectlEra {
        KubectlEra(runtime.world.component(KubernetesCluster.self)?.configuration.version ?? .v1_6)
    }
}
