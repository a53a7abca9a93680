/// How the requests offered to one hop end, as fractions of them: succeeded or failed, after
/// 0, 1, 2 or 3 connect timeouts on the way (each costs the caller the connect timeout).
/// Traffic is a flow, so an outcome is a small distribution, never a list of requests.
public struct HopOutcome: Equatable, Sendable {
    /// `succeeded[k]`: the fraction that succeeded after k connect timeouts.
    public var succeeded: SIMD4<Double>
    /// `failed[k]`: the fraction that failed after k connect timeouts.
    public var failed: SIMD4<Double>

    public init(succeeded: SIMD4<Double>, failed: SIMD4<Double>) {
        self.succeeded = succeeded
        self.failed = failed
    }

    public static let zero = HopOutcome(succeeded: .zero, failed: .zero)
    /// Every request succeeds at once.
    public static let clean = HopOutcome(succeeded: SIMD4(1, 0, 0, 0), failed: .zero)
    /// Every request fails at once (no route, nothing to call, a proxy that is not there).
    public static let failedFast = HopOutcome(succeeded: .zero, failed: SIMD4(1, 0, 0, 0))

    public var successFraction: Double { succeeded.sum() }

    /// Adds `other`'s fractions scaled by `weight`: a mixture over callers on different nodes.
    public mutating func add(_ other: HopOutcome, weight: Double) {
        succeeded += other.succeeded * weight
        failed += other.failed * weight
    }
}
