import Foundation
import KubeAPI
import KubeAPIServer

/// The machine's kubectl against a world this test's thread owns (see `KubectlRunner`).
final class RealKubectlHarness {
    let runner: KubectlRunner
    var endpoint: KubeAPIEndpoint { runner.endpoint }

    init(answer: @escaping (KubeAPIRequest) -> KubeAPIResponse) throws {
        runner = try KubectlRunner(kubectl: machineKubectl!, answer: answer)
    }

    func kubectl(_ line: String) throws -> KubectlRunner.Run { try runner.run(line) }
}

/// A table's cells: columns are runs of two or more spaces apart (kubectl 1.32 pads by three
/// from the widest cell; the 1.6-era printer Lua's kubectl models pads cells to ten at least).
func cells(_ table: String) -> [[String]] {
    table.split(separator: "\n").map { line in
        line.components(separatedBy: "  ").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}
