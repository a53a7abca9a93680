import Foundation
import Testing
import Yams
@testable import Training

/// Grading at scale: N shards, each grading every N-th session and writing JSON lines, merge into
/// exactly what grading every session at once gives; and the Job that runs them has that shape.
@Suite struct GradeShardTests {
    let grader = Grader(catalog: shippedCatalog, options: gradingOptions)

    @Test func threeShardsMergedEqualGradingAllAtOnce() throws {
        let directory = try scratchDirectory()
        let bad = directory.appendingPathComponent("damaged.jsonl")
        try "not a session\n".write(to: bad, atomically: true, encoding: .utf8)
        let sessions = [referenceSession("zone-partition"), referenceSession("write-a-drill"), bad.path,
                        try record(shippedLab("zone-partition"), []), referenceSession("etcd-quorum")]
        let all = BatchGrader.grade(sessions.sorted(), with: grader, jobs: 2)
        var files: [String] = []
        var sliced: [String] = []
        for index in 0..<3 {
            let shard = try GradeShard(parsing: "\(index)/3")
            let slice = shard.select(sessions.reversed())
            sliced += slice
            let file = directory.appendingPathComponent("shard-\(index).jsonl").path
            try GradeReportFormat.jsonl.render(BatchGrader.grade(slice, with: grader, jobs: 1)).write(toFile: file, atomically: true, encoding: .utf8)
            files.append(file)
        }
        #expect(sliced.sorted() == sessions.sorted(), "every session is in exactly one shard")
        let merged = try GradeMerge.merge(files: files.reversed())
        #expect(merged == all)
        for format in GradeReportFormat.allCases {
            #expect(format.render(merged) == format.render(all), "\(format)")
        }
        #expect(throws: TrainingError.self, "a shard merged twice") { try GradeMerge.merge(files: files + [files[0]]) }
    }

    @Test func aShardIsAnIndexBelowACount() {
        #expect((try? GradeShard(parsing: "2/3")) != nil)
        for text in ["3/3", "-1/3", "1", "a/b", "0/0", "1/2/3"] {
            #expect(throws: TrainingError.self, "\(text)") { try GradeShard(parsing: text) }
        }
    }

    @Test func theGradeJobIsAnIndexedJobPassingItsIndexToShard() throws {
        let text = try String(contentsOf: repositoryRoot.appendingPathComponent("deploy/grade-job.yaml"), encoding: .utf8)
        let job = try #require(try Yams.load(yaml: text) as? [String: Any])
        #expect(job["apiVersion"] as? String == "batch/v1")
        #expect(job["kind"] as? String == "Job")
        let spec = try #require(job["spec"] as? [String: Any])
        #expect(spec["completionMode"] as? String == "Indexed")
        let completions = try #require(spec["completions"] as? Int)
        #expect(spec["parallelism"] as? Int == completions)
        let pod = try #require((spec["template"] as? [String: Any])?["spec"] as? [String: Any])
        let container = try #require((pod["containers"] as? [[String: Any]])?.first)
        let env = (container["env"] as? [[String: Any]]) ?? []
        #expect(env.contains { $0["name"] as? String == "SHARDS" && $0["value"] as? String == "\(completions)" }, "SHARDS matches completions")
        let command = ((container["command"] as? [String]) ?? []) + ((container["args"] as? [String]) ?? [])
        let line = command.joined(separator: " ")
        #expect(line.contains("--shard \"${JOB_COMPLETION_INDEX}/${SHARDS}\""))
        #expect(line.contains("--format jsonl") && line.contains("/results/shard-${JOB_COMPLETION_INDEX}.jsonl"))
        let mounts = (container["volumeMounts"] as? [[String: Any]] ?? []).compactMap { $0["mountPath"] as? String }
        #expect(mounts.contains("/sessions") && mounts.contains("/results"))
        let volumes = (pod["volumes"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
        #expect(volumes.contains("sessions") && volumes.contains("results"))
    }

    @Test func theContainerfileShipsFiredrillAndTheLabs() throws {
        let text = try String(contentsOf: repositoryRoot.appendingPathComponent("deploy/Containerfile"), encoding: .utf8)
        #expect(text.contains("COPY Labs "))
        #expect(text.contains("ENV FIREDRILL_LABS="))
        #expect(text.contains("ENTRYPOINT [\"/usr/local/bin/firedrill\"]"))
    }
}
