/// A program running on a host: an etcd member, an apiserver, a kubelet, a linkerd.
///
/// Subclasses keep durable state (a write-ahead log, a disk) in stored properties that survive a
/// stop, and rebuild volatile state in `didStart()`. Each start is a new incarnation; timers and
/// deliveries from an earlier incarnation are dropped, as they would be by a real restart.
open class SimProcess {
    /// Unique in the world, stable across runs: `etcd-3`, `kubelet/node-a-1`.
    public let name: String
    public let host: Host
    public private(set) var incarnation = 0
    public private(set) var isRunning = false
    /// When this incarnation started, in wall-clock microseconds (`systemctl status`, `ps`).
    public private(set) var startedAtWallMicroseconds: Int64 = 0
    /// The world this process was added to. Set once by `World.add(_:)`.
    public private(set) unowned(unsafe) var world: World!

    public init(name: String, host: Host) {
        self.name = name
        self.host = host
    }

    /// Called on every start, after the incarnation is bumped: rebuild volatile state here.
    open func didStart() {}

    /// Called just before the process stops: volatile state is about to be lost.
    open func willStop() {}

    /// The process's part of the world digest: durable and volatile state in a canonical order.
    open func stableHash(into hasher: inout StableHasher) {}

    /// Runs `action` after `delay` unless this incarnation has stopped by then.
    public final func after(_ delay: SimTime, _ action: @escaping () -> Void) {
        let expected = incarnation
        // Unchecked: the world keeps every process it was given for as long as its queue exists.
        world.schedule(after: delay) { [unowned(unsafe) self] in
            guard self.isRunning, self.incarnation == expected else { return }
            action()
        }
    }

    /// Like `after`, but returns a timer the process can cancel.
    @discardableResult
    public final func timer(after delay: SimTime, _ action: @escaping () -> Void) -> Timer {
        let expected = incarnation
        return world.timer(after: delay) { [unowned(unsafe) self] in
            guard self.isRunning, self.incarnation == expected else { return }
            action()
        }
    }

    /// True when this is still the incarnation `expected` and it is running.
    public final func isCurrent(_ expected: Int) -> Bool { isRunning && incarnation == expected }

    func attach(to world: World) {
        precondition(self.world == nil, "process \(name) added twice")
        self.world = world
    }

    func start() {
        precondition(!isRunning, "process \(name) started twice")
        incarnation += 1
        isRunning = true
        startedAtWallMicroseconds = world.wallMicroseconds
        didStart()
    }

    func stop() {
        precondition(isRunning, "process \(name) stopped while not running")
        willStop()
        isRunning = false
    }
}
