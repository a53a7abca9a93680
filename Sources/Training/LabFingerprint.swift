import Simulation

/// A stable hash of the files that decide what a session does and how it scores: `lab.lua`
/// (the world, steps and injects), `grade.lua` (the rubric) and every module they `require`
/// (named by their path from the lab's folder: `helpers.lua`, `../lib/labkit.lua`), so a lab
/// that loads nothing keeps the fingerprint it had before modules existed. The README is prose and the
/// solutions are sessions themselves, so neither is part of it. A session stores the fingerprint
/// it was recorded against; grading compares file by file, to say which one changed.
public struct LabFingerprint: Sendable, Equatable {
    /// Hash of each file by name, 16 hex digits.
    public let files: [String: String]

    public init(files: [String: String]) { self.files = files }

    init(_ labFiles: [LabFile]) {
        var files: [String: String] = [:]
        for file in labFiles { files[file.name] = LabFingerprint.hex(StableHasher.hash(file.text)) }
        self.files = files
    }

    /// One hash over every file, names included.
    public var combined: String {
        var hasher = StableHasher()
        for name in files.keys.sorted() {
            hasher.combine(name)
            hasher.combine(files[name]!)
        }
        return LabFingerprint.hex(hasher.finalize())
    }

    /// The files whose hash differs from `other`'s (or that only one side has), sorted.
    public func changedFiles(comparedWith other: LabFingerprint) -> [String] {
        Set(files.keys).union(other.files.keys).filter { files[$0] != other.files[$0] }.sorted()
    }

    static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
