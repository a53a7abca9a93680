import Testing
import Simulation
@testable import Scripting

@Suite struct SimModuleTests {
    @Test func clockAdvances() throws {
        let core = ReplCore(runtime: try makeRuntime())
        #expect(core.feed("sim.clock()").text == "09:00:00")
        #expect(core.feed("sim.advance('1h30m') return sim.clock(), sim.now()").text == "10:30:00\t5400.0")
        #expect(core.feed("sim.advance(0.5) return sim.now()").text == "5400.5")
        #expect(core.feed("sim.advance('soon')").text.contains("invalid duration \"soon\""))
        #expect(core.feed("sim.advance(-1)").text.contains("must not be negative"))
    }

    @Test func timersFireAtTheirTimes() throws {
        let core = ReplCore(runtime: try makeRuntime())
        _ = core.feed("log = {}")
        _ = core.feed("sim.at(10, function() log[#log + 1] = 'at ' .. sim.now() end)")
        _ = core.feed("sim.at('09:01', function() log[#log + 1] = 'clock ' .. sim.clock() end)")
        _ = core.feed("sim.at('+30s', function() log[#log + 1] = 'offset ' .. sim.now() end)")
        _ = core.feed("n = 0 sim.every('20s', function() n = n + 1 return n < 3 end)")
        _ = core.feed("sim.advance('2m')")
        #expect(core.feed("table.concat(log, ', ')").text == "at 10.0, offset 30.0, clock 09:01:00")
        #expect(core.feed("n").text == "3", "every stops when its function returns false")
    }

    @Test func whenFiresOnceWhenThePredicateHolds() throws {
        let core = ReplCore(runtime: try makeRuntime())
        _ = core.feed("fired = 0 sim.when(function() return sim.now() >= 42 end, function() fired = fired + 1 end)")
        _ = core.feed("sim.advance(41)")
        #expect(core.feed("fired").text == "0")
        _ = core.feed("sim.advance(100)")
        #expect(core.feed("fired").text == "1")
    }

    @Test func cancelledTimersDoNotFire() throws {
        let core = ReplCore(runtime: try makeRuntime())
        _ = core.feed("fired = false id = sim.at(5, function() fired = true end)")
        #expect(core.feed("sim.cancel(id)").text == "true")
        _ = core.feed("sim.advance(10)")
        #expect(core.feed("fired").text == "false")
        #expect(core.feed("sim.cancel(id)").text == "false")
    }

    @Test func aFailingCallbackStopsAdvanceWithItsError() throws {
        let core = ReplCore(runtime: try makeRuntime())
        _ = core.feed("sim.at(5, function() error('inject broke') end)")
        let reply = core.feed("sim.advance(60)")
        #expect(reply.failed && reply.text.contains("inject broke"))
        #expect(core.feed("sim.now()").text == "5.0", "time stops where the callback failed")
    }

    @Test func aRunawayCallbackIsStoppedByTheBudget() throws {
        let core = ReplCore(runtime: try makeRuntime())
        _ = core.feed("sim.every(1, function() while true do end end)")
        let reply = core.feed("sim.advance(60)")
        #expect(reply.failed && reply.text.contains("instruction budget exhausted"), "\(reply.text)")
        #expect(core.feed("1 + 1").text == "2")
    }

    @Test func faultsActOnHostsAndZones() throws {
        let runtime = try makeRuntime()
        let core = ReplCore(runtime: runtime)
        _ = core.feed("faults.crash('node-2')")
        #expect(runtime.world.host(named: "node-2")?.isUp == false)
        _ = core.feed("faults.restart('node-2')")
        #expect(runtime.world.host(named: "node-2")?.isUp == true)
        _ = core.feed("faults.partition{'eu-west-1a'}")
        let a = runtime.world.host(named: "node-1")!, b = runtime.world.host(named: "node-2")!
        #expect(!runtime.world.network.canReach(from: a, to: b))
        _ = core.feed("faults.clog{from = 'node-2', delay = '200ms', drop = 0.5}")
        #expect(core.feed("#faults.active()").text == "2")
        _ = core.feed("faults.heal()")
        #expect(runtime.world.network.canReach(from: a, to: b))
        #expect(core.feed("faults.crash('nope')").text.contains("unknown host \"nope\""))
        #expect(core.feed("faults.partition{'mars'}").text.contains("unknown host or zone \"mars\""))
        #expect(core.feed("faults.clog{delay = '1s', speed = 3}").text.contains("unknown field"))
    }

    @Test func sameSeedSameScriptSameDigest() throws {
        let script = """
            sim.every('3s', function() if math.random() < 0.3 then faults.crash('node-' .. math.random(1, 3)) else faults.restart('node-' .. math.random(1, 3)) end end)
            sim.advance('10m')
            return sim.digest()
            """
        let first = try makeRuntime(seed: 8).runScript(script, chunkName: "drill.lua")
        let second = try makeRuntime(seed: 8).runScript(script, chunkName: "drill.lua")
        let other = try makeRuntime(seed: 9).runScript(script, chunkName: "drill.lua")
        #expect(first == second)
        #expect(first != other)
    }

    @Test func helpComesFromTheDocumentation() throws {
        let core = ReplCore(runtime: try makeRuntime())
        #expect(core.feed("help()").text.contains("faults"))
        #expect(core.feed("help('sim.advance')").text.contains("\"1h30m\""))
        #expect(core.feed("help('advance')").text.contains("did you mean sim.advance"))
    }
}
