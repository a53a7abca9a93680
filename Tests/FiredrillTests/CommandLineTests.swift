import Foundation
import Testing

/// The command as a new user meets it: good input works, bad input gets one clear line and a
/// non-zero exit, never a crash.
@Suite struct CommandLineTests {
    func script(_ text: String) throws -> URL {
        let file = try CommandRunner.scratchDirectory().appendingPathComponent("drill.lua")
        try text.write(to: file, atomically: true, encoding: .utf8)
        return file
    }

    @Test func runsAScript() throws {
        let file = try script("sim.advance('10m') print(sim.clock(), sim.scenario())")
        let outcome = try CommandRunner.run(["run", file.path, "--seed", "3"])
        #expect(outcome.status == 0)
        #expect(outcome.standardOutput == "09:10:00\tpractice\n")
    }

    @Test func sameSeedSameOutput() throws {
        let file = try script("sim.every(1, function() if math.random() < 0.1 then faults.crash('node-' .. math.random(1, 3)) end end) sim.advance('5m') print(sim.digest())")
        let first = try CommandRunner.run(["run", file.path, "--seed", "42"])
        let second = try CommandRunner.run(["run", file.path, "--seed", "42"])
        let other = try CommandRunner.run(["run", file.path, "--seed", "43"])
        #expect(first.status == 0 && first.standardOutput == second.standardOutput)
        #expect(first.standardOutput != other.standardOutput)
    }

    @Test func aFailingScriptExitsNonZeroWithItsTraceback() throws {
        let file = try script("local function inject()\n  faults.crash('node-9')\nend\ninject()\n")
        let outcome = try CommandRunner.run(["run", file.path])
        #expect(outcome.status == 1)
        #expect(outcome.standardError.contains("drill.lua:2: bad argument #1 to 'faults.crash' (unknown host \"node-9\""))
        #expect(outcome.standardError.contains("stack traceback:"))
        #expect(outcome.standardError.contains("in local 'inject'"))
    }

    @Test func aMissingFileIsOneClearLine() throws {
        let outcome = try CommandRunner.run(["run", "/nonexistent/drill.lua"])
        #expect(outcome.status == 1)
        #expect(outcome.standardError == "error: cannot read '/nonexistent/drill.lua': No such file or directory\n")
    }

    @Test func aSyntaxErrorNamesTheLine() throws {
        let file = try script("print('ok')\nx = = 2\n")
        let outcome = try CommandRunner.run(["run", file.path])
        #expect(outcome.status == 1)
        #expect(outcome.standardError.contains("drill.lua:2: unexpected symbol near '='"))
        #expect(outcome.standardOutput.isEmpty, "nothing runs when the file does not compile")
    }

    @Test func badFlagsAreRefusedClearly() throws {
        let unknownFlag = try CommandRunner.run(["run", "x.lua", "--sed", "3"])
        #expect(unknownFlag.status != 0)
        #expect(unknownFlag.standardError.contains("Unknown option '--sed'"))
        let badSeed = try CommandRunner.run(["run", "x.lua", "--seed", "banana"])
        #expect(badSeed.status != 0)
        #expect(badSeed.standardError.contains("The value 'banana' is invalid for '--seed <seed>'"))
        let badScenario = try CommandRunner.run(["repl", "--scenario", "mars"])
        #expect(badScenario.status != 0)
        #expect(badScenario.standardError.contains("unknown scenario 'mars'; choose one of: practice, empty"))
    }

    @Test func everySubcommandHasHelp() throws {
        for command in ["run", "repl", "scenarios", "bench"] {
            let outcome = try CommandRunner.run([command, "--help"])
            #expect(outcome.status == 0, "\(command) --help")
            #expect(outcome.standardOutput.contains("USAGE: firedrill \(command)"))
        }
    }

    @Test func scenariosAreListed() throws {
        let outcome = try CommandRunner.run(["scenarios"])
        #expect(outcome.status == 0)
        #expect(outcome.standardOutput.contains("practice") && outcome.standardOutput.contains("(default)"))
    }

    @Test func pipedReplRunsWithoutPrompts() throws {
        let outcome = try CommandRunner.run(["repl"], input: "x = 20\nfunction f(n)\n  return n + x\nend\nf(22)\n")
        #expect(outcome.status == 0)
        #expect(outcome.standardOutput == "42\n")
    }

    @Test func pipedReplReportsErrorsAndGoesOn() throws {
        let outcome = try CommandRunner.run(["repl"], input: "error('first')\n'second'\n")
        #expect(outcome.status == 1, "a piped session with an error fails the pipeline")
        #expect(outcome.standardOutput.hasPrefix("stdin:1: first\n"))
        #expect(outcome.standardOutput.hasSuffix("second\n"))
    }

    @Test func pipedReplShowsNoPromptsNoColourAndStopsAtExit() throws {
        let script = "sim.advance('1m')\n'pod-1 Running'\nexit\nprint('never')\n"
        let outcome = try CommandRunner.run(["repl"], input: script, environment: ["TERM": "xterm-256color"])
        #expect(outcome.status == 0)
        #expect(outcome.standardOutput == "pod-1 Running\n", "no prompt, no banner, no escape codes, nothing after exit")
        #expect(outcome.standardError.isEmpty)
    }
}
