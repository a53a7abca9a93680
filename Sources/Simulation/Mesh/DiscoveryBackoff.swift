/// The namer's retry schedule: exponential from 1 ms, doubling to a 5 s ceiling, each delay
/// drawn uniformly between the start and the current ceiling (finagle's
/// `Backoff.exponentialJittered(1.millisecond, 5.seconds)`, which linkerd's k8s client used).
/// Retried forever: discovery never gives up.
struct DiscoveryBackoff {
    static let start = Span.milliseconds(1)
    static let maximum = Span.seconds(5)
    private(set) var failures = 0

    mutating func reset() { failures = 0 }

    /// The delay before the next attempt after one more failure.
    mutating func next(_ random: RandomStream) -> SimTime {
        failures += 1
        let shift = min(failures - 1, 30)
        let ceiling = min(DiscoveryBackoff.maximum, DiscoveryBackoff.start << shift)
        return random.span(DiscoveryBackoff.start, ceiling)
    }
}
