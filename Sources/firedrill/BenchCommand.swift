import ArgumentParser
import Foundation
import Scripting
import Simulation

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure Firedrill's performance figures and print them as one JSON object.",
        discussion: """
        Each figure is measured inside this one process, as a ratio where it can be, because the
        machine may be shared and noisy. Build in release first (Scripts/firedrill does).
        Figures: \(Benchmarks.all.map(\.name).joined(separator: ", ")).
        """
    )

    @Argument(help: "Figures to measure (default: all).")
    var names: [String] = []

    func validate() throws {
        let known = Set(Benchmarks.all.map(\.name))
        for name in names where !known.contains(name) {
            throw ValidationError("unknown figure '\(name)'; known: \(Benchmarks.all.map(\.name).joined(separator: ", "))")
        }
    }

    func run() throws {
        let chosen = names.isEmpty ? Benchmarks.all : Benchmarks.all.filter { names.contains($0.name) }
        var figures: [(String, Double)] = []
        for benchmark in chosen {
            figures.append((benchmark.name, try benchmark.measure()))
        }
        let body = figures.map { "  \"\($0.0)\": \(Benchmarks.format($0.1))" }.joined(separator: ",\n")
        print("{\n" + body + "\n}")
    }
}

/// One figure `firedrill bench` reports.
struct Benchmark: Sendable {
    let name: String
    let measure: @Sendable () throws -> Double
}

enum Benchmarks {
    static let all: [Benchmark] = [
        Benchmark(name: "bridge_call_ratio", measure: bridgeCallRatio),
        Benchmark(name: "kernel_events_per_second", measure: kernelEventsPerSecond),
        Benchmark(name: "grade_ms_per_session", measure: gradeMillisecondsPerSession),
        Benchmark(name: "grade_ms_per_small_session", measure: gradeMillisecondsPerSmallSession),
        Benchmark(name: "grade_class_ms", measure: gradeClassMilliseconds),
        Benchmark(name: "report_ms_per_session", measure: reportMillisecondsPerSession),
        Benchmark(name: "etcd_sim_speed", measure: etcdSimulationSpeed),
        Benchmark(name: "kube_sim_speed", measure: kubeSimSpeed),
        Benchmark(name: "control_plane_sim_speed", measure: controlPlaneSimSpeed),
        Benchmark(name: "bank_sim_speed", measure: bankSimulationSpeed),
        Benchmark(name: "bank_memory_mib", measure: bankMemoryMebibytes),
        Benchmark(name: "world_leak_mib", measure: worldLeakMebibytes),
        Benchmark(name: "bank_traffic_share", measure: bankTrafficShare),
        Benchmark(name: "repl_start_ms", measure: ReplStartBenchmark.monzoLabMedianMilliseconds),
        Benchmark(name: "repl_plain_start_ms", measure: ReplStartBenchmark.plainReplMedianMilliseconds),
        Benchmark(name: "api_request_us", measure: APIBenchmark.requestMicroseconds),
        Benchmark(name: "kubectl_start_us", measure: APIBenchmark.kubectlStartMicroseconds),
    ]

    static func format(_ value: Double) -> String {
        value.rounded() == value && abs(value) < 1e15 ? String(Int64(value)) : String(format: "%.3f", value)
    }

    /// Wall-clock seconds for `body`, the best of `repetitions` runs (the least disturbed).
    static func seconds(repetitions: Int = 5, _ body: () throws -> Void) rethrows -> Double {
        var best = Double.infinity
        for _ in 0..<repetitions {
            let start = clockNanoseconds()
            try body()
            best = min(best, Double(clockNanoseconds() - start) / 1e9)
        }
        return best
    }

    /// The clock figures are timed with: the wall clock, or with `FIREDRILL_BENCH_CLOCK=cpu` this
    /// thread's CPU time, which a machine shared with other work disturbs far less (comparisons
    /// of two builds on a busy machine; the published figures use the wall clock).
    static func clockNanoseconds() -> UInt64 {
        guard usesCPUClock else { return DispatchTime.now().uptimeNanoseconds }
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }

    static let usesCPUClock = ProcessInfo.processInfo.environment["FIREDRILL_BENCH_CLOCK"] == "cpu"

    /// Calling a Swift function from Lua against calling the built-in `math.abs`, in the same
    /// state and the same loop shape. The Swift function does what `math.abs` does.
    static func bridgeCallRatio() throws -> Double {
        let lua = try LuaState(limits: .unlimited, random: RandomStream(seed: 1, name: "bench"))
        lua.register("bench.abs") { call in
            call.push(integer: abs(try call.integer(1)))
            return 1
        }
        let loop = { (function: String) in
            "local f = \(function) local x = 0 for i = -2000000, 2000000 do x = x + f(i) end return x"
        }
        let builtin = try lua.compile(loop("math.abs"))
        let bridged = try lua.compile(loop("bench.abs"))
        var builtinTime = 0.0, bridgedTime = 0.0
        // Interleave the two so that machine noise hits both alike.
        for _ in 0..<5 {
            builtinTime += try seconds(repetitions: 1) { try lua.call(builtin) }
            bridgedTime += try seconds(repetitions: 1) { try lua.call(bridged) }
        }
        return bridgedTime / builtinTime
    }

    /// Events through schedule-and-run of the kernel queue: many timers that each reschedule
    /// themselves with a random delay, so the heap stays realistically full. Half the timers are
    /// closures and half event targets, the two forms the kernel offers.
    static func kernelEventsPerSecond() -> Double {
        let eventCount = 5_000_000
        let timerCount = 10_000
        final class Ticker: EventTarget {
            let world: World
            let random: RandomStream
            let budget: Budget
            init(world: World, random: RandomStream, budget: Budget) { (self.world, self.random, self.budget) = (world, random, budget) }
            func fire() {
                budget.remaining -= 1
                if budget.remaining > 0 { world.schedule(after: random.span(1, 1_000), self) }
            }
        }
        final class Budget { var remaining = 5_000_000 }
        let elapsed = seconds(repetitions: 3) {
            let world = World(seed: 7)
            let random = world.random("bench/kernel")
            let budget = Budget()
            func reschedule() {
                budget.remaining -= 1
                if budget.remaining > 0 { world.schedule(after: random.span(1, 1_000), reschedule) }
            }
            for index in 0..<timerCount {
                if index % 2 == 0 {
                    world.schedule(after: random.span(1, 1_000), reschedule)
                } else {
                    world.schedule(after: random.span(1, 1_000), Ticker(world: world, random: random, budget: budget))
                }
            }
            while budget.remaining > 0, world.pendingEventCount > 0 {
                world.advance(by: Span.seconds(1))
            }
        }
        return (Double(eventCount) / elapsed).rounded()
    }
}
