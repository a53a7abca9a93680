/// A hash that is the same in every process and on every run, unlike Swift's `Hasher`, which is
/// seeded per process. Used for the world digest and for deriving random streams from names.
///
/// FNV-1a over the canonical bytes, finished with a 64-bit avalanche mix: fast, and stable by
/// definition; collisions matter only as much as they would for any 64-bit checksum.
public struct StableHasher: Sendable {
    private var state: UInt64 = 0xcbf2_9ce4_8422_2325

    public init() {}

    public mutating func combine(_ value: UInt64) {
        var word = value
        for _ in 0..<8 {
            state = (state ^ (word & 0xff)) &* 0x0000_0100_0000_01b3
            word >>= 8
        }
    }

    public mutating func combine(_ value: Int64) { combine(UInt64(bitPattern: value)) }
    public mutating func combine(_ value: Int) { combine(UInt64(bitPattern: Int64(value))) }
    public mutating func combine(_ value: Bool) { combine(UInt64(value ? 1 : 0)) }
    public mutating func combine(_ value: Double) { combine(value.bitPattern) }

    /// Strings are length-prefixed so that ("ab", "c") and ("a", "bc") differ.
    public mutating func combine(_ value: String) {
        let bytes = value.utf8
        combine(UInt64(bytes.count))
        for byte in bytes { state = (state ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
    }

    public mutating func combine<Value: StableHashable>(_ value: Value) { value.stableHash(into: &self) }

    public mutating func combine<Value: StableHashable>(_ values: [Value]) {
        combine(values.count)
        for value in values { value.stableHash(into: &self) }
    }

    public func finalize() -> UInt64 { StableHasher.mix(state) }

    /// The 64-bit finaliser of MurmurHash3: spreads every input bit over every output bit.
    public static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 33)) &* 0xff51_afd7_ed55_8ccd
        z = (z ^ (z >> 33)) &* 0xc4ce_b9fe_1a85_ec53
        return z ^ (z >> 33)
    }

    public static func hash(_ text: String) -> UInt64 {
        var hasher = StableHasher()
        hasher.combine(text)
        return hasher.finalize()
    }
}

/// Something that contributes a canonical encoding of itself to the world digest.
public protocol StableHashable {
    func stableHash(into hasher: inout StableHasher)
}

extension String: StableHashable {
    public func stableHash(into hasher: inout StableHasher) { hasher.combine(self) }
}

extension Int: StableHashable {
    public func stableHash(into hasher: inout StableHasher) { hasher.combine(self) }
}

extension Int64: StableHashable {
    public func stableHash(into hasher: inout StableHasher) { hasher.combine(self) }
}

extension UInt64: StableHashable {
    public func stableHash(into hasher: inout StableHasher) { hasher.combine(self) }
}

extension Bool: StableHashable {
    public func stableHash(into hasher: inout StableHasher) { hasher.combine(self) }
}
