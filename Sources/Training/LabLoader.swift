import Foundation
import Scripting
import Simulation

/// Reads a lab folder (`lab.lua`, `grade.lua`, `README.md`, and the modules they `require`) and checks it all, by running both
/// Lua files in a scratch world: a lab that loads here will start and grade.
public enum LabLoader {
    /// Loads the lab in `directory`; `displayDirectory` is how messages name the folder.
    public static func load(directory: URL, displayDirectory: String) throws -> Lab {
        let folderName = directory.lastPathComponent
        let labFile = try read("lab.lua", in: directory, displayDirectory: displayDirectory)
        let graderFile = try read("grade.lua", in: directory, displayDirectory: displayDirectory)
        let readme = try read("README.md", in: directory, displayDirectory: displayDirectory)
        let runtime = try ScriptRuntime(scenario: ScenarioCatalog.named("empty")!, seed: 1, limits: scratchLimits)
        let modules = LabModules(labDirectory: directory, displayDirectory: displayDirectory)
        let environment = try LabEnvironment(runtime: runtime, modules: modules)
        let definition = try LabDefinition.read(try environment.evaluateLab(labFile), file: labFile, folderName: folderName)
        let rubric = try RubricDefinition.read(try environment.evaluateGrader(graderFile), file: graderFile)
        var lab = Lab(id: definition.id, title: definition.title, summary: definition.summary,
                   difficulty: definition.difficulty, minutes: definition.minutes, gradingSeconds: definition.gradingSeconds,
                   directory: displayDirectory,
                   scenario: definition.scenario, timing: definition.timing, hasSetup: definition.setup != nil,
                   steps: definition.steps, injects: definition.injects.map(\.description), rubric: rubric.checks,
                   labFile: labFile, graderFile: graderFile, readme: readme.text, modules: modules.loaded,
                   fingerprint: LabFingerprint([labFile, graderFile] + modules.loaded.values))
        lab.counterfactual = definition.counterfactual
        return lab
    }

    /// Loading runs only the files' top level, which builds tables; a loop there is a mistake.
    static let scratchLimits = LuaLimits(instructions: 50_000_000, memoryBytes: 64 << 20)

    static func read(_ name: String, in directory: URL, displayDirectory: String) throws -> LabFile {
        let url = directory.appendingPathComponent(name)
        let displayPath = displayDirectory + "/" + name
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw LabError(file: displayPath, problem: "missing: every lab folder has lab.lua, grade.lua and README.md")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw LabError(file: displayPath, problem: "is not UTF-8 text")
        }
        return LabFile(name: name, displayPath: displayPath, text: text)
    }
}
