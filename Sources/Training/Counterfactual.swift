import Scripting
import Simulation

/// The do-nothing counterfactual of a session: the same lab, seed and parameters, run to the
/// same end with nobody at the keyboard. Simulation is deterministic, so this is exactly the
/// world the trainee would have had by not touching it: a game day's grader measures the
/// trainee's customer impact against it (`history.counterfactual.series`).
enum Counterfactual {
    /// The counterfactual's `history` as a grader reads it (series and events, no actions).
    static func history(lab: Lab, seed: UInt64, parameters: [String: String], until end: SimTime) throws -> LuaValue {
        let idle = try LabSession(lab: lab, seed: seed, parameters: parameters)
        idle.advanceWorld(to: end)
        idle.history.sample(idle.world)
        let full = idle.history.luaValue(world: idle.world)
        var table = LuaTable()
        table["series"] = full.tableValue?["series"] ?? .nil
        table["events"] = full.tableValue?["events"] ?? .nil
        return .table(table)
    }
}

extension Grader {
    /// Hands a session of a lab with `counterfactual = true` its do-nothing counterfactual.
    func attachCounterfactual(to session: LabSession, ending: SessionEnding) throws {
        guard session.lab.counterfactual else { return }
        session.history.counterfactual = try Counterfactual.history(lab: session.lab, seed: session.world.seed,
                                                                    parameters: session.parameters, until: ending.time)
    }
}
