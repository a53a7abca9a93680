import Foundation
import Testing
import Simulation
@testable import Scripting

/// A practice world with a Lua runtime, driven like an operator session.
struct OperatorSession {
    let runtime: ScriptRuntime

    /// `storage: "local"` gives apiservers stallable clients, for tests that break one by hand.
    init(seed: UInt64 = 1, version: KubernetesVersion = .v1_6, storage: String = "etcd") throws {
        runtime = try ScriptRuntime(scenario: ScenarioCatalog.named("practice")!, seed: seed,
                                    options: ["kubernetes": version.rawValue, "storage": storage],
                                    limits: LuaLimits(instructions: 50_000_000, memoryBytes: 256 << 20))
    }

    var world: World { runtime.world }
    var cluster: KubernetesCluster { world.component(KubernetesCluster.self)! }

    /// Runs Lua and returns its first result as text ("nil" for nil).
    @discardableResult
    func lua(_ code: String) throws -> String {
        let results = try runtime.lua.execute(code)
        guard let first = results.first else { return "" }
        if case .string(let text) = first { return text }
        return first.description
    }

    /// `kubectl(cmd)`: the text, or the error prefixed with `ERROR: `.
    func kubectl(_ command: String, stdin: String? = nil) throws -> String {
        switch try KubectlModule.run(command, stdin: stdin, runtime: runtime) {
        case .success(let text): return text
        case .failure(let failure): return "ERROR: " + failure.message
        }
    }

    func advance(_ span: String) throws { try runtime.advance(by: Span.parse(span)!) }

    func pods(_ selector: String = "") throws -> [Pod] {
        let filter = ObjectFilter(namespace: "default", selector: selector.isEmpty ? nil : try LabelSelector(parsing: selector))
        return cluster.apiServers[0].cachedObjects(.pods, filter: filter).compactMap { $0 as? Pod }
    }
}

/// Compares a transcript with its golden file; FIREDRILL_UPDATE_GOLDENS=1 rewrites the file.
func expectGolden(_ name: String, _ transcript: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Goldens/\(name).txt")
    if ProcessInfo.processInfo.environment["FIREDRILL_UPDATE_GOLDENS"] == "1" {
        try transcript.write(to: url, atomically: true, encoding: .utf8)
        return
    }
    let expected = (try? String(contentsOf: url, encoding: .utf8)) ?? "<missing golden \(url.path)>"
    if expected != transcript {
        let got = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("\(name).actual.txt")
        try? transcript.write(to: got, atomically: true, encoding: .utf8)
        Issue.record("transcript \(name) differs from its golden; see diff \(url.path) \(got.path); FIREDRILL_UPDATE_GOLDENS=1 swift test --filter KubectlGoldenTests rewrites it",
                     sourceLocation: sourceLocation)
    }
}

/// Runs kubectl commands (and `sim.advance` lines) and records them as a terminal would show them.
func transcript(_ session: OperatorSession, _ commands: [String], stdin: [String: String] = [:]) throws -> String {
    var lines: [String] = []
    for command in commands {
        if command.hasPrefix("sim.") || command.hasPrefix("--") {
            if command.hasPrefix("sim.") { try session.lua(command) }
            lines.append("-- \(command)")
            continue
        }
        lines.append("$ kubectl \(command)")
        lines.append(try session.kubectl(command, stdin: stdin[command]))
        lines.append("")
    }
    return lines.joined(separator: "\n") + "\n"
}
