import Foundation
import Testing
import Scripting
import Simulation
@testable import Training

/// A trainee in a lab: time follows the wall clock, steps complete by themselves and are
/// announced between commands, hints come one at a time, and the lab's limits hold.
@Suite struct LabSessionTests {
    func live(_ lab: Lab, clock: ManualWallClock = ManualWallClock()) throws -> LiveLab {
        try LiveLab(session: try LabSession(lab: lab), clock: clock, recorder: nil, firedrillVersion: "test")
    }

    @Test func simulatedTimeFollowsTheWallClockAtTheLabsSpeed() throws {
        let clock = ManualWallClock()
        let normal = try live(shippedLab("zone-partition"), clock: clock)
        clock.pass(seconds: 90)
        #expect(normal.run("sim.clock()") == "09:01:30")
        let labs = try writeLab("fast", lab: minimalLab(id: "fast", time: "{ speed = 4, advance = true }"))
        let fastClock = ManualWallClock()
        let fast = try live(try loadLab("fast", from: labs), clock: fastClock)
        fastClock.pass(seconds: 30)
        #expect(fast.run("sim.clock()") == "09:02:00", "four simulated seconds per wall second")
        _ = fast.run("sim.advance('1h')")
        fastClock.pass(seconds: 15)
        #expect(fast.run("sim.clock()") == "10:03:00", "pacing goes on from where sim.advance left the world")
    }

    /// A lab's setup is its author's history of the world, not a trainee's command: on a slow or
    /// busy machine it may take longer than one command's wall-clock limit (the Monzo lab's
    /// resize did, at 120 s), and the lab must still start. The trainee's commands keep the limit.
    @Test func aLongSetupIsNotStoppedByTheCommandWatchdog() throws {
        let history = #"setup = function(world) for _ = 1, 5e7 do end world.sim.advance("30m") end,"#
        let lab = try loadLab("history", from: try writeLab("history", lab: minimalLab(id: "history", extra: history)))
        let limits = LuaLimits(instructions: 0, wallClockSeconds: 0.1)
        let session = try LabSession(lab: lab, limits: limits)
        #expect(session.world.now >= Span.seconds(1_800), "the setup's history ran to its end")
        guard case .output(let text, let failed) = session.submit("for _ = 1, 1e10 do end", at: session.world.now) else {
            Issue.record("a trainee's command gets an answer"); return
        }
        #expect(failed && text.contains("wall-clock"), "a trainee's command past the wall-clock limit is stopped: \(text)")
    }

    @Test func theLabSaysWhetherTimeMayBeAdvanced() throws {
        let forbidden = try live(try loadLab("tiny", from: try writeLab("tiny", lab: minimalLab())))
        #expect(forbidden.run("sim.advance('1m')").contains("sim.advance is not allowed in this lab"))
        let capped = try live(shippedLab("zone-partition"))
        #expect(capped.run("sim.advance('10m')").contains("sim.advance can move the clock at most 5m in one command in this lab (asked for 10m)"))
        #expect(capped.run("sim.advance('5m') return sim.clock()") == "09:05:00")
    }

    @Test func stepsCompleteByThemselvesAndAreAnnouncedBetweenCommands() throws {
        let clock = ManualWallClock()
        let lab = try live(shippedLab("zone-partition"), clock: clock)
        #expect(lab.takeNotices().map(\.text) == [lab.session.stepBriefing(0)])
        #expect(lab.session.stepBriefing(0).hasPrefix("Step 1 of 3: Find the fault\n  At 09:02 something breaks"))
        #expect(lab.prompt == "[09:00:00 step 1/3] > ")
        clock.pass(seconds: 125)
        lab.catchUp()
        #expect(lab.takeNotices() == [LabNotice(.page, "[09:02:00] PAGE: node-3 (eu-west-1c) stopped answering node-1 and node-2.")])
        _ = lab.run("faults.active()")
        let notices = lab.takeNotices().map(\.text)
        #expect(notices.first == "✓ Step 1 of 3 done: Find the fault")
        #expect(notices.last?.hasPrefix("Step 2 of 3: Heal it") == true)
        _ = lab.run("faults.heal()")
        clock.pass(seconds: 5)
        #expect(lab.run("lab.status()").contains("✓ 2. Heal it  (09:02:05)"))
        #expect(lab.prompt == "[09:02:10 step 3/3] > ")
    }

    @Test func hintsComeOneAtATimeAndAreRecorded() throws {
        let lab = try live(try loadLab("tiny", from: try writeLab("tiny", lab: minimalLab())))
        #expect(lab.run("hint()") == "Hint 1 of 2 for step 1 (Break it):\n  faults.partition{...}")
        #expect(lab.run("hint()").hasPrefix("Hint 2 of 2"))
        #expect(lab.run("hint()") == "No more hints for step 1: you have seen all 2.")
        #expect(lab.session.hintsUsed.map(\.number) == [1, 2])
    }

    @Test func checkSaysWhatIsMissing() throws {
        let lab = try live(shippedLab("zone-partition"))
        #expect(lab.run("check()") == "Step 1 (Find the fault) is not done yet: nothing has broken yet: the page comes at 09:02")
        _ = lab.run("sim.advance('3m')")
        _ = lab.run("faults.active()")
        #expect(lab.run("check()") == "Step 2 (Heal it) is not done yet: a fault is still in force")
    }

    @Test func stepChecksAndInjectPredicatesCannotChangeTheWorld() throws {
        let cheat = minimalLab(extra: "injects = { { when = function(world) world.faults.heal() return false end, run = print } },",
                               done: "function(world) world.faults.partition{'eu-west-1a'} return true end")
        let lab = try live(try loadLab("tiny", from: try writeLab("tiny", lab: cheat)))
        lab.session.advanceWorld(to: lab.session.world.now + Span.seconds(5))
        let problems = lab.takeNotices().filter { $0.kind == .problem }.map(\.text)
        #expect(problems.contains { $0.contains("faults.partition changes the world, which a lab's step check may only read") })
        #expect(problems.contains { $0.contains("inject 1's when failed, so it will not fire: ") && $0.contains("faults.heal changes the world, which an inject's when may only read") })
        #expect(problems.count == 2, "each problem is reported once, not every poll")
        #expect(lab.session.world.network.partitions.isEmpty && lab.session.currentStep == 0)
    }

    @Test func statusUpdatesAndFinishAreRecorded() throws {
        let lab = try live(shippedLab("zone-partition"))
        #expect(lab.run("status_page('All good')") == "Status page updated at 09:00:00: All good")
        #expect(lab.run("status_page('  ')").contains("an update needs some text"))
        #expect(!lab.isFinishRequested)
        _ = lab.run("lab.finish()")
        #expect(lab.isFinishRequested && lab.session.statusPosts.map(\.text) == ["All good"])
    }

    @Test func aTraineeCannotFoolTheGraderByRedefiningFunctions() throws {
        let path = try record(shippedLab("zone-partition"), [
            (0, "sim.advance('3m')"),
            (0, "faults.active = function() return {} end"),
            (0, "string.format = function() return 'Healed 0.0 minutes after the page.' end"),
            (0, "status_page('fixed')"),
        ])
        let grade = Grader(catalog: shippedCatalog, options: gradingOptions).grade(path: path)
        #expect(grade.error == nil)
        #expect(grade.checks.first { $0.name == "Healed" }?.passed == false, "the grader sees the partition still in force")
        #expect(grade.checks.first { $0.name == "Time to heal" }?.feedback == "The partition was never healed.")
    }
}
