/// How a container image behaves when a kubelet runs it: whether it pulls, how long that and
/// starting take, whether it crashes, and what it logs. Images not registered follow a
/// convention drills can use without setup: tag `bad` (or a name containing `does-not-exist`)
/// fails to pull; tag `crash` starts and exits with code 1 after a few seconds.
public struct ContainerImageBehaviour: Sendable {
    public var pullable = true
    public var pullSeconds: ClosedRange<Double> = 2...8
    public var startSeconds: ClosedRange<Double> = 0.5...2
    /// Seconds after starting at which the container exits, or nil if it keeps running.
    public var crashAfterSeconds: Double?
    public var exitCode: Int64 = 1
    /// Lines written to the container's log when it starts.
    public var startupLogLines: [String] = []
    /// Lines written just before it crashes.
    public var crashLogLines: [String] = []

    public init() {}
}

/// A container the kubelet has started, as hooks see it (the mesh starts its proxy here).
public struct RunningContainer: Sendable {
    public let namespace: String
    public let podName: String
    public let podUID: String
    public let containerName: String
    public let image: String
    public let nodeName: String
    public let podIP: String
}

/// The images of the simulated registry and what the kubelets do with them, plus hooks other
/// subsystems use to run their own processes inside pods.
public final class ContainerImageCatalog {
    private var behaviours: [String: ContainerImageBehaviour] = [:]
    private var started: [(RunningContainer) -> Void] = []
    private var stopped: [(RunningContainer) -> Void] = []

    public init() {}

    /// Registers a behaviour for an exact image (`repo:tag`) or for every tag of a repository (`repo`).
    public func register(_ image: String, _ behaviour: ContainerImageBehaviour) { behaviours[image] = behaviour }

    public func behaviour(for image: String) -> ContainerImageBehaviour {
        if let exact = behaviours[image] { return exact }
        let (repository, tag) = ContainerImageCatalog.split(image)
        if let byRepository = behaviours[repository] { return byRepository }
        var behaviour = ContainerImageBehaviour()
        if tag == "bad" || image.contains("does-not-exist") { behaviour.pullable = false }
        if tag == "crash" {
            behaviour.crashAfterSeconds = 3
            behaviour.crashLogLines = ["panic: runtime error: invalid memory address or nil pointer dereference"]
        }
        if behaviour.startupLogLines.isEmpty && behaviour.pullable {
            behaviour.startupLogLines = ["Starting \(repository.split(separator: "/").last.map(String.init) ?? repository) (\(tag))", "Listening on :8080"]
        }
        return behaviour
    }

    /// `repo:tag` split at the tag's colon (a registry port's colon is not a tag); tag `latest` if none.
    public static func split(_ image: String) -> (repository: String, tag: String) {
        let lastSlash = image.lastIndex(of: "/")
        if let colon = image.lastIndex(of: ":"), lastSlash.map({ colon > $0 }) ?? true {
            return (String(image[..<colon]), String(image[image.index(after: colon)...]))
        }
        return (image, "latest")
    }

    /// Calls `observer` whenever a kubelet starts a container.
    public func onContainerStarted(_ observer: @escaping (RunningContainer) -> Void) { started.append(observer) }
    /// Calls `observer` whenever a container stops (exit, kill, or its node going down).
    public func onContainerStopped(_ observer: @escaping (RunningContainer) -> Void) { stopped.append(observer) }

    func containerStarted(_ container: RunningContainer) { for observer in started { observer(container) } }
    func containerStopped(_ container: RunningContainer) { for observer in stopped { observer(container) } }

    func stableHash(into hasher: inout StableHasher) {
        hasher.combine(behaviours.keys.sorted())
    }
}
