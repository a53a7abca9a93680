/// The linkerd releases whose behaviour differs where the Monzo outage turned: how the
/// `io.l5d.k8s` namer reads an Endpoints object whose `subsets` is null (linkerd/linkerd#1219).
public enum LinkerdVersion: String, CaseIterable, Sendable {
    /// Treats `subsets` as a list; a namespace list holding an Endpoints with `subsets: null`
    /// (what Kubernetes 1.6 writes for a service with no pods) throws NullPointerException.
    case v0_9_1 = "0.9.1"
    /// Reads `subsets` as optional (PR #1223, "Fixed k8s namer to handle null endpoint subsets").
    case v1_0_0 = "1.0.0"

    /// The version an image runs: `buoyantio/linkerd:1.0.0` is 1.0.0; any 0.x tag behaves as
    /// 0.9.1 and any later tag as 1.0.0, so a trainee's `1.0.2` rolls forward as expected.
    public init(image: String) {
        let tag = ContainerImageCatalog.split(image).tag
        let major = tag.split(separator: ".").first.flatMap { Int($0) } ?? 1
        self = major == 0 ? .v0_9_1 : .v1_0_0
    }

    /// Whether processing a namespace list with null subsets throws (the bug).
    public var throwsOnNullSubsets: Bool { self == .v0_9_1 }

    /// The image the bank deploys for this version.
    public var image: String { "buoyantio/linkerd:\(rawValue)" }
}
