/// A seeded pseudo-random stream (xoshiro256**). Every subsystem draws from its own stream,
/// derived from the world seed and a stable name such as `"etcd/member-3/election"`, so that a new
/// draw in one place does not shift every other (see DESIGN.md, "Randomness").
public final class RandomStream: RandomNumberGenerator {
    public let name: String
    private var state: (UInt64, UInt64, UInt64, UInt64)

    public init(seed: UInt64, name: String) {
        self.name = name
        var splitMix = seed ^ StableHasher.hash(name)
        func nextSplitMix() -> UInt64 {
            splitMix &+= 0x9e37_79b9_7f4a_7c15
            return StableHasher.mix(splitMix)
        }
        state = (nextSplitMix(), nextSplitMix(), nextSplitMix(), nextSplitMix())
    }

    public func next() -> UInt64 {
        let result = rotateLeft(state.1 &* 5, 7) &* 9
        let shifted = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= shifted
        state.3 = rotateLeft(state.3, 45)
        return result
    }

    /// Re-seeds this stream in place (Lua's `math.randomseed(n)`).
    public func reseed(_ seed: UInt64) {
        let fresh = RandomStream(seed: seed, name: name)
        state = fresh.state
    }

    /// A uniform integer in `0..<bound` without modulo bias (Lemire's method).
    public func integer(below bound: UInt64) -> UInt64 {
        precondition(bound > 0, "random bound must be positive")
        var product = next().multipliedFullWidth(by: bound)
        if product.low < bound {
            let threshold = (0 &- bound) % bound
            while product.low < threshold { product = next().multipliedFullWidth(by: bound) }
        }
        return product.high
    }

    /// A uniform integer in the closed range.
    public func integer(in range: ClosedRange<Int64>) -> Int64 {
        let width = UInt64(bitPattern: range.upperBound &- range.lowerBound)
        if width == UInt64.max { return Int64(bitPattern: next()) }
        return range.lowerBound &+ Int64(bitPattern: integer(below: width + 1))
    }

    public func integer(in range: Range<Int>) -> Int {
        precondition(!range.isEmpty, "random range must not be empty")
        return range.lowerBound + Int(integer(below: UInt64(range.count)))
    }

    /// A uniform number in `[0, 1)` with 53 random bits.
    public func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    public func uniform(_ low: Double, _ high: Double) -> Double { low + (high - low) * unit() }

    public func chance(_ probability: Double) -> Bool { probability > 0 && unit() < probability }

    /// A span uniformly drawn from `low...high`, as jittered timers need.
    public func span(_ low: SimTime, _ high: SimTime) -> SimTime {
        low >= high ? low : integer(in: low...high)
    }

    public func element<Element>(of elements: [Element]) -> Element? {
        elements.isEmpty ? nil : elements[integer(in: 0..<elements.count)]
    }

    public func shuffle<Element>(_ elements: inout [Element]) {
        guard elements.count > 1 else { return }
        for index in stride(from: elements.count - 1, to: 0, by: -1) {
            elements.swapAt(index, integer(in: 0..<(index + 1)))
        }
    }

    func stableHash(into hasher: inout StableHasher) {
        hasher.combine(name)
        hasher.combine(state.0); hasher.combine(state.1); hasher.combine(state.2); hasher.combine(state.3)
    }

    private func rotateLeft(_ value: UInt64, _ count: UInt64) -> UInt64 {
        (value << count) | (value >> (64 - count))
    }
}
