import ArgumentParser
import Foundation
import Scripting
import Simulation

@main
struct Firedrill: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "firedrill",
        abstract: "An incident-training sandbox: a deterministic simulated platform you drive from Lua.",
        version: FiredrillVersion.current,
        subcommands: [RunCommand.self, ReplCommand.self, ScenariosCommand.self, BenchCommand.self,
                      LabsCommand.self, LabCommand.self, ReplayCommand.self, GradeCommand.self,
                      ReportCommand.self, GamedayCommand.self]
    )
}

enum FiredrillVersion {
    static let current = "0.1.0"
}

/// Options every command that builds a world shares.
struct WorldOptions: ParsableArguments {
    @Option(help: "The seed the world is built from; the same seed and inputs give the same run.")
    var seed: UInt64 = 1

    @Option(help: ArgumentHelp("The platform to start from (see `firedrill scenarios`).", valueName: "name"))
    var scenario: String = ScenarioCatalog.defaultName

    @Option(name: .customLong("option"),
            help: ArgumentHelp("A scenario option, repeatable: --option kubernetes=1.10 (see `firedrill scenarios`).", valueName: "name=value"))
    var options: [String] = []

    /// The `--option` values as a map; a malformed one is refused in `validate`.
    var optionValues: [String: String] {
        var values: [String: String] = [:]
        for option in options {
            let parts = option.split(separator: "=", maxSplits: 1).map(String.init)
            if parts.count == 2 { values[parts[0]] = parts[1] }
        }
        return values
    }

    @Option(help: "Lua instructions one command or script may run before it is stopped (0: no limit).")
    var instructionLimit: Int64 = LuaLimits().instructions

    @Option(help: "Memory the Lua state may use, in MiB (0: no limit).")
    var memoryLimitMiB: Int = LuaLimits().memoryBytes >> 20

    @Option(help: "Wall-clock seconds one command or script may run before the watchdog stops it (0: no limit).")
    var wallClockLimit: Double = LuaLimits().wallClockSeconds

    func validate() throws {
        guard let chosen = ScenarioCatalog.named(scenario) else {
            throw ValidationError("unknown scenario '\(scenario)'; choose one of: \(ScenarioCatalog.names.joined(separator: ", "))")
        }
        for option in options where !option.contains("=") || option.hasPrefix("=") {
            throw ValidationError("--option takes name=value, not '\(option)'")
        }
        do {
            _ = try chosen.settings(optionValues)
        } catch {
            throw ValidationError(error.description)
        }
        guard instructionLimit >= 0, memoryLimitMiB >= 0, memoryLimitMiB <= 1 << 30 else {
            throw ValidationError("limits must not be negative (and memory at most 1073741824 MiB)")
        }
        if let problem = limits.problem { throw ValidationError(problem) }
    }

    var limits: LuaLimits {
        LuaLimits(instructions: instructionLimit, memoryBytes: memoryLimitMiB << 20, wallClockSeconds: wallClockLimit)
    }

    func makeRuntime() throws -> ScriptRuntime {
        try ScriptRuntime(scenario: ScenarioCatalog.named(scenario)!, seed: seed, options: optionValues, limits: limits)
    }
}

/// Prints one line to standard error and exits non-zero: how every operating error ends.
func fail(_ message: String, code: Int32 = 1) -> ExitCode {
    FileHandle.standardError.write(Data(("error: " + message + "\n").utf8))
    return ExitCode(code)
}

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a Lua script (a drill) against a fresh world.",
        discussion: "Exits non-zero with the Lua traceback if the script fails."
    )

    @Argument(help: ArgumentHelp("The Lua script to run.", valueName: "file.lua"))
    var file: String

    @OptionGroup var world: WorldOptions

    func run() throws {
        let source = try readTextFile(file)
        let runtime = try world.makeRuntime()
        runtime.lua.printSink = { line in print(line) }
        do {
            try runtime.runScript(source, chunkName: file)
        } catch {
            FileHandle.standardOutput.synchronizeFile()
            throw fail(ReplCore.describe(error))
        }
    }
}

/// Reads a text file, or explains in one line why it cannot be read.
func readTextFile(_ path: String) throws -> String {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
        throw fail("cannot read '\(path)': No such file or directory")
    }
    guard !isDirectory.boolValue else { throw fail("cannot read '\(path)': Is a directory") }
    guard let data = FileManager.default.contents(atPath: path) else {
        throw fail("cannot read '\(path)': Permission denied")
    }
    guard let text = String(data: data, encoding: .utf8) else {
        throw fail("cannot read '\(path)': not UTF-8 text")
    }
    return text
}

struct ScenariosCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scenarios",
        abstract: "List the platforms a script or REPL can start from."
    )

    func run() {
        let width = (ScenarioCatalog.names.map(\.count).max() ?? 0) + 2
        for scenario in ScenarioCatalog.all {
            let marker = scenario.name == ScenarioCatalog.defaultName ? " (default)" : ""
            print(scenario.name.padding(toLength: width, withPad: " ", startingAt: 0) + scenario.summary + marker)
            for option in scenario.options {
                let choices = option.allowed.isEmpty ? "" : " (" + option.allowed.joined(separator: ", ") + ")"
                print(String(repeating: " ", count: width) + "--option \(option.name)=\(option.defaultValue)\(choices): \(option.summary)")
            }
        }
    }
}
