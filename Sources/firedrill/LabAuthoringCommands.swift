import ArgumentParser
import Foundation
import Simulation
import Training

/// `firedrill lab new ID --scenario NAME`: scaffold a lab that runs and grades as it is.
struct LabNewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "new",
        abstract: "Scaffold a lab that runs and grades at once: lab.lua, grade.lua, README.md, solutions/, policies/.",
        discussion: """
        The new lab has one inject (a zone drops off the network), one step and a rubric of three \
        checks, and two policies that play it (one careful, one idle). Edit it into your own \
        incident, then `firedrill lab check ID`. An existing folder is never overwritten.
        """
    )

    @Argument(help: ArgumentHelp("The new lab's id, which names its folder: lower-case words and dashes.", valueName: "id"))
    var id: String

    @Option(help: ArgumentHelp("The platform the lab starts from (see `firedrill scenarios`).", valueName: "name"))
    var scenario: String = ScenarioCatalog.defaultName

    @OptionGroup var location: LabsLocation

    func run() throws {
        let folder = location.locate() ?? location.currentDirectory.appendingPathComponent("Labs")
        let display = LabCatalog.display(folder, currentDirectory: location.currentDirectory)
        let written: [String]
        do {
            written = try LabScaffold.create(id: id, scenario: scenario, in: folder, displayDirectory: display)
        } catch {
            throw fail("\(error)")
        }
        print("Created \(id) on \(scenario):")
        for file in written where !file.hasSuffix("/.keep") { print("  " + file) }
        let labsFlag = location.labs.map { " --labs \($0)" } ?? ""
        print("""

        Next: edit lab.lua, grade.lua and README.md, then
          firedrill lab check \(id)\(labsFlag)     # loads, grades solutions and policies, lints
          firedrill lab \(id)\(labsFlag) --session \(display)/\(id)/solutions/reference.jsonl
                                                 # record a reference solution; put its score in reference.expect
        """)
    }
}

/// `firedrill lab check [ID|PATH]`: a lab checked the way CI would.
struct LabCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check a lab as CI would: it loads, its solutions earn their .expect scores, its policies score in range, luacheck is clean.",
        discussion: """
        Each solutions/NAME.jsonl is graded by re-execution and must earn the score in \
        solutions/NAME.expect (`score = 10`). Each policies/NAME.lua is played as a trainee (its \
        chunks as commands, time passing only by sim.advance) and graded; its opening comment \
        states the range it must score in (`-- score = 8..10`). The lab's Lua is linted with \
        luacheck and the nearest .luacheckrc. Every finding names its file and line; the exit \
        status is non-zero when anything fails. With no argument, every lab is checked.
        """
    )

    @Argument(help: ArgumentHelp("The lab (its id, or the path of its folder); every lab when omitted.", valueName: "id|path"))
    var lab: String?

    @OptionGroup var location: LabsLocation

    func run() throws {
        let folders = try labFolders()
        var failed = 0
        for (folder, display) in folders {
            let lint = LuaLint.locate(near: [folder, executableFolder], environment: ProcessInfo.processInfo.environment)
            let report = LabCheck.run(directory: folder, displayDirectory: display,
                                      firedrillVersion: FiredrillVersion.current, lint: lint)
            for finding in report.findings { print(finding.text) }
            if !report.passed { failed += 1 }
        }
        if failed > 0 {
            print("\(failed) of \(folders.count) lab(s) failed their check")
            throw ExitCode.failure
        }
        print(folders.count == 1 ? "\(folders[0].1): passed" : "all \(folders.count) labs passed")
    }

    private var executableFolder: URL {
        (Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])).resolvingSymlinksInPath().deletingLastPathComponent()
    }

    /// The lab folders to check: a path, an id in the labs folder, or every lab there.
    private func labFolders() throws -> [(URL, String)] {
        let current = location.currentDirectory
        if let lab, lab.contains("/") || lab == "." {
            let folder = URL(fileURLWithPath: lab, relativeTo: current).standardizedFileURL
            guard FileManager.default.fileExists(atPath: folder.appendingPathComponent("lab.lua").path) else {
                throw fail("\(lab) is not a lab folder: it has no lab.lua")
            }
            return [(folder, lab.hasSuffix("/") ? String(lab.dropLast()) : lab)]
        }
        guard let labs = location.locate(), LabCatalog.isDirectory(labs) else {
            throw fail("no Labs folder found: looked in ./Labs and next to the firedrill executable; pass --labs DIR or set FIREDRILL_LABS")
        }
        let display = LabCatalog.display(labs, currentDirectory: current)
        let prefix = display == "." ? "" : display + "/"
        if let lab {
            let folder = labs.appendingPathComponent(lab)
            guard FileManager.default.fileExists(atPath: folder.appendingPathComponent("lab.lua").path) else {
                let known = LabCheck.labFolders(in: labs).joined(separator: ", ")
                throw fail("no lab '\(lab)' in \(display); the labs are: \(known.isEmpty ? "(none)" : known)")
            }
            return [(folder, prefix + lab)]
        }
        return LabCheck.labFolders(in: labs).map { (labs.appendingPathComponent($0), prefix + $0) }
    }
}
