import Testing
import Simulation
@testable import Scripting

/// Graders and lab checks see the world read-only: every function that changes it refuses, with
/// a message that says why, and everything that only looks keeps working.
@Suite struct ReadOnlyModeTests {
    @Test func everyMutatingFunctionRefusesWhileReadOnly() throws {
        let runtime = try makeRuntime()
        let core = ReplCore(runtime: runtime)
        _ = core.feed("id = sim.at('+1m', function() end)")
        let mutating = [
            "sim.advance('1m')", "sim.at('+1m', print)", "sim.every(1, print)",
            "sim.when(function() return true end, print)", "sim.cancel(id)",
            "faults.partition{'eu-west-1a'}", "faults.heal()", "faults.crash('node-1')",
            "faults.restart('node-1')", "faults.clog{delay = '1s'}",
        ]
        let digest = runtime.world.digestHex()
        for command in mutating {
            let reply = runtime.readingOnly(as: "a grader") { core.feed(command) }
            #expect(reply.failed, "\(command) should refuse")
            let name = String(command.prefix { $0 != "(" && $0 != "{" })
            #expect(reply.text.contains("\(name) changes the world, which a grader may only read"), "\(reply.text)")
        }
        #expect(runtime.world.digestHex() == digest, "nothing changed")
        #expect(runtime.world.host(named: "node-1")?.isUp == true)
    }

    @Test func readingStillWorksAndTheModeEnds() throws {
        let runtime = try makeRuntime()
        let core = ReplCore(runtime: runtime)
        let reading = runtime.readingOnly(as: "a grader") {
            core.feed("return sim.clock(), sim.seed(), #faults.active(), type(help())")
        }
        #expect(reading.text == "09:00:00\t1\t0\tstring")
        #expect(!runtime.isReadOnly)
        #expect(!core.feed("sim.advance('1m')").failed, "outside the mode, time moves again")
        #expect(core.feed("sim.clock()").text == "09:01:00")
    }

    @Test func nestedReadersNameTheOutermost() throws {
        let runtime = try makeRuntime()
        let core = ReplCore(runtime: runtime)
        let reply = runtime.readingOnly(as: "a grader") {
            runtime.readingOnly(as: "a step check") { core.feed("faults.heal()") }
        }
        #expect(reply.text.contains("which a grader may only read"))
        #expect(runtime.readingOnly(as: "a step check") { runtime.readOnlyReader } == "a step check")
    }

    @Test func theCommandTimeCapLimitsScriptsButNotTheHost() throws {
        let runtime = try makeRuntime()
        let core = ReplCore(runtime: runtime)
        runtime.commandTimeCap = CommandTimeCap(allowsAdvance: true, limit: Span.minutes(5))
        #expect(core.feed("sim.advance('10m')").text.contains("at most 5m in one command"))
        #expect(!core.feed("sim.advance('5m')").failed)
        try runtime.advance(by: Span.hours(1))
        #expect(core.feed("sim.clock()").text == "10:05:00")
    }
}
