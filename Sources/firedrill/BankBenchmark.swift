import Foundation
import Simulation

extension Benchmarks {
    /// Simulated seconds per wall second for the bank scenario under full traffic: arriving at
    /// noon (card payments at their daily peak, the app near its own), nine etcd members, every
    /// pod up, linkerd on every node, every request class flowing. Built and warmed up outside
    /// the measurement; the figure is the best of two 20-minute stretches.
    static func bankSimulationSpeed() throws -> Double {
        let measured = Span.minutes(20)
        var world: World!
        let elapsed = try seconds(repetitions: 2) {
            world = try makeBankBenchmarkWorld()
        } measuring: {
            world.advance(by: measured)
        }
        return (Span.asSeconds(measured) / elapsed).rounded()
    }

    /// The bank's resident memory after two simulated hours under full traffic, in MiB: what a
    /// long lab costs (metric series are bounded, so it levels off).
    static func bankMemoryMebibytes() throws -> Double {
        let world = try makeBankBenchmarkWorld()
        world.advance(by: Span.hours(2))
        return residentMebibytes()
    }

    /// The share of the bank's wall time that the traffic's ticks take: one tick's cost, timed
    /// alone on a warmed-up bank, against a simulated second of the whole world.
    static func bankTrafficShare() throws -> Double {
        let world = try makeBankBenchmarkWorld()
        let traffic = world.component(TrafficEngine.self)!
        let wholeSecond = seconds(repetitions: 1) { world.advance(by: Span.minutes(5)) } / 300
        let ticks = 3_000
        let tickTime = seconds(repetitions: 1) { for _ in 0..<ticks { traffic.fire() } } / Double(ticks)
        return (tickTime / wholeSecond * 1_000).rounded() / 1_000
    }

    static func makeBankBenchmarkWorld() throws -> World {
        let noon = ScenarioCatalog.named("bank")!.arriving(at: CalendarTime(year: 2017, month: 10, day: 27, hour: 12))
        return try noon.makeWorld(seed: 7)
    }

    static func seconds(repetitions: Int, _ setUp: () throws -> Void, measuring body: () -> Void) throws -> Double {
        var best = Double.infinity
        for _ in 0..<repetitions {
            try setUp()
            let start = DispatchTime.now().uptimeNanoseconds
            body()
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        return best
    }

    /// VmRSS from /proc/self/status, in MiB (0 where there is no /proc).
    static func residentMebibytes() -> Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kibibytes = Double(line.split(separator: " ").dropFirst().first ?? "") else { return 0 }
        return (kibibytes / 1_024).rounded()
    }
}
