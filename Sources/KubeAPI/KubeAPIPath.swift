import Simulation

/// Where a request points in the API: `/api/v1/namespaces/payments/pods/x/log` is the `log`
/// subresource of pod `x` in `payments`.
struct KubeAPIPath: Equatable {
    var resource: Resource
    var namespace: String?
    var name: String?
    var subresource: String?

    /// Nil for a path that names no resource this cluster serves (404).
    init?(_ path: String) {
        var segments = path.split(separator: "/").map(String.init)
        let groupVersion: String
        if segments.starts(with: ["api", "v1"]) {
            groupVersion = "v1"
            segments.removeFirst(2)
        } else if segments.count >= 3, segments[0] == "apis" {
            groupVersion = segments[1] + "/" + segments[2]
            segments.removeFirst(3)
        } else {
            return nil
        }
        // `namespaces/NAME/RESOURCE...` scopes a namespaced resource; `namespaces/NAME` alone
        // is the namespace object itself.
        var scope: String?
        if segments.count >= 3, segments[0] == "namespaces" {
            scope = segments[1]
            segments.removeFirst(2)
        }
        guard let first = segments.first, let resource = Resource(rawValue: first), resource.apiVersion == groupVersion,
              segments.count <= 3, scope == nil || resource.isNamespaced else { return nil }
        self.resource = resource
        namespace = scope
        name = segments.count >= 2 ? segments[1] : nil
        subresource = segments.count == 3 ? segments[2] : nil
    }
}
