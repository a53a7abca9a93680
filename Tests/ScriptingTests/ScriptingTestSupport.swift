import Simulation
@testable import Scripting

/// A runtime on the practice scenario with small limits, so hostile scripts end fast.
func makeRuntime(seed: UInt64 = 1, instructions: Int64 = 5_000_000, memoryMiB: Int = 128) throws -> ScriptRuntime {
    try ScriptRuntime(scenario: ScenarioCatalog.named("practice")!, seed: seed,
                      limits: LuaLimits(instructions: instructions, memoryBytes: memoryMiB << 20))
}

extension ReplCore {
    /// Submits lines and returns the last reply's text.
    func feed(_ lines: String...) -> (text: String, failed: Bool) {
        var last = (text: "", failed: false)
        for line in lines {
            if case .output(let text, let failed) = submit(line) { last = (text, failed) }
        }
        return last
    }
}
