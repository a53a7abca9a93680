import Foundation
import KubeAPI
import KubeAPIServer

/// The machine's kubectl against a world this test owns (see `KubectlRunner`). Tests run on
/// Swift's cooperative pool, as the server's tasks do: they wait for kubectl asynchronously, or
/// two such tests on a two-core machine would hold every thread the server needs.
final class RealKubectlHarness {
    let runner: KubectlRunner
    var endpoint: KubeAPIEndpoint { runner.endpoint }

    init(answer: @escaping (KubeAPIRequest) -> KubeAPIResponse) async throws {
        runner = try await KubectlRunner.make(kubectl: machineKubectl!, answer: answer)
    }

    func kubectl(_ line: String) async throws -> KubectlRunner.Run { try await runner.run(line) }
}

/// A table's cells: columns are runs of two or more spaces apart (kubectl 1.32 pads by three
/// from the widest cell; the 1.6-era printer Lua's kubectl models pads cells to ten at least).
func cells(_ table: String) -> [[String]] {
    table.split(separator: "\n").map { line in
        line.components(separatedBy: "  ").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}
