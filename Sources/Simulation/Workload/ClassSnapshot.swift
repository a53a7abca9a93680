/// One request class over the last tick, as customers and the platform saw it.
public struct ClassSnapshot: Sendable, Equatable {
    public var requestsPerSecond = 0.0
    /// Answered by the platform itself.
    public var platformSuccessRate = 1.0
    /// What customers experienced: the platform's answers plus card stand-in approvals.
    public var successRate = 1.0
    public var standInApprovalsPerSecond = 0.0
    public var latencyP50Milliseconds = 0.0
    public var latencyP99Milliseconds = 0.0

    public init() {}
}

/// Latencies of a tick's requests as weighted points, and the percentiles of them. Kept in one
/// buffer that is reused every tick: the traffic allocates nothing per request or per tick.
struct LatencyPoints {
    private(set) var latencies: [Double] = []
    private(set) var weights: [Double] = []

    init() {
        latencies.reserveCapacity(64)
        weights.reserveCapacity(64)
    }

    mutating func removeAll() {
        latencies.removeAll(keepingCapacity: true)
        weights.removeAll(keepingCapacity: true)
    }

    mutating func add(milliseconds: Double, weight: Double) {
        guard weight > 1e-12 else { return }
        latencies.append(milliseconds)
        weights.append(weight)
    }

    /// Sorts by latency in place (insertion sort: a few dozen points, mostly in order).
    mutating func sort() {
        guard latencies.count > 1 else { return }
        for index in 1..<latencies.count {
            let latency = latencies[index], weight = weights[index]
            var position = index
            while position > 0 && latencies[position - 1] > latency {
                latencies[position] = latencies[position - 1]
                weights[position] = weights[position - 1]
                position -= 1
            }
            latencies[position] = latency
            weights[position] = weight
        }
    }

    /// The latency below which `quantile` of the weight lies; the points must be sorted.
    func percentile(_ quantile: Double) -> Double {
        var total = 0.0
        for weight in weights { total += weight }
        guard total > 0 else { return 0 }
        var cumulative = 0.0
        for index in latencies.indices {
            cumulative += weights[index]
            if cumulative >= quantile * total - 1e-12 { return latencies[index] }
        }
        return latencies.last ?? 0
    }
}
