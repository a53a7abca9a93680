import Foundation
import Testing

/// The etcd scenario files under `testdata/etcd`: elections, partitions, log repair, membership
/// changes, quorum loss, compaction and watches, told as operator sessions with their output.
@Suite struct EtcdScenarioTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("testdata/etcd")

    static var files: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(".txt") }.sorted()
    }

    @Test(arguments: EtcdScenarioTests.files)
    func scenario(_ file: String) throws {
        let harness = EtcdScenarioHarness()
        try DataDrivenFile(path: EtcdScenarioTests.directory.appendingPathComponent(file)).check(harness.run)
    }
}
