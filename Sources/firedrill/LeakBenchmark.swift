import Foundation
import Simulation
#if canImport(Glibc)
import Glibc
#endif

extension Benchmarks {
    /// Banks built in one process: the first warms the allocator, the figure is over the rest.
    static let leakProbeWorlds = 5

    /// Resident memory each bank leaves behind once dropped, in MiB: one bank is built, run on
    /// for a simulated minute and dropped to settle the allocator, then five more; the figure is
    /// the growth over those five, per bank. Grading a class builds one world per session in one
    /// process, so anything a world leaks adds up there.
    static func worldLeakMebibytes() throws -> Double {
        func buildAndDrop() throws {
            let world = try makeBankBenchmarkWorld()
            world.advance(by: Span.minutes(1))
        }
        try buildAndDrop()
        let before = settledResidentKibibytes()
        for _ in 0..<leakProbeWorlds { try buildAndDrop() }
        let after = settledResidentKibibytes()
        return (max(0, after - before) / 1_024 / Double(leakProbeWorlds) * 10).rounded() / 10
    }

    /// VmRSS in KiB once freed memory has gone back to the system, so that what is counted is
    /// what something still holds (0 where there is no /proc).
    static func settledResidentKibibytes() -> Double {
        returnFreedMemoryToTheSystem()
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kibibytes = Double(line.split(separator: " ").dropFirst().first ?? "") else { return 0 }
        return kibibytes
    }

    /// glibc's `malloc_trim(0)`, looked up at run time: Swift's Glibc module leaves `malloc.h` out.
    private static func returnFreedMemoryToTheSystem() {
        #if canImport(Glibc)
        typealias MallocTrim = @convention(c) (Int) -> Int32
        guard let symbol = dlsym(nil, "malloc_trim") else { return }
        _ = unsafeBitCast(symbol, to: MallocTrim.self)(0)
        #endif
    }
}
