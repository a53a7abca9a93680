import Foundation
import Training

extension Benchmarks {
    /// `grade_ms_per_session`: milliseconds to grade the Monzo lab's reference session: read it,
    /// re-execute it on a fresh world (the lab's setup replays the etcd resize two weeks before)
    /// and run the grader at 15:40, best of three (target: < 200 ms in release).
    static func gradeMillisecondsPerSession() throws -> Double {
        try gradeMilliseconds(lab: "monzo-2017", repetitions: 3)
    }

    /// `grade_ms_per_small_session`: the same for the `write-a-drill` reference, best of five.
    static func gradeMillisecondsPerSmallSession() throws -> Double {
        try gradeMilliseconds(lab: "write-a-drill", repetitions: 5)
    }

    /// `report_ms_per_session`: the same as `grade_ms_per_session`, writing the Monzo reference's
    /// debrief page instead (grading it, reading the chart off its world, rendering the HTML).
    static func reportMillisecondsPerSession() throws -> Double {
        try gradeMilliseconds(lab: "monzo-2017", repetitions: 3) { grader, session in
            let report = Reporter(grader: grader).report(path: session)
            _ = report.html
            return report.grade
        }
    }

    /// Sessions in the class `grade_class_ms` grades, and the jobs it grades them with.
    static let classSize = 16
    static let classJobs = 2

    /// `grade_class_ms`: milliseconds for `firedrill grade --jobs 2` on a class of 16 Monzo
    /// sessions (copies of the reference: one lab and seed, so one shared setup), run as an
    /// instructor runs it, in a process of its own. With `FIREDRILL_BENCH_GRADE_FLAGS=--no-fork`
    /// the same class with every world built afresh, for comparison.
    static func gradeClassMilliseconds() throws -> Double {
        let location = try LabsLocation.parse([])
        guard let directory = location.locate() else { throw fail("grade_class_ms needs the Labs folder") }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("firedrill-bench-class-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let reference = directory.appendingPathComponent("monzo-2017/solutions/reference.jsonl")
        let sessions = try (1...classSize).map { number in
            let copy = folder.appendingPathComponent("trainee-\(number).jsonl")
            try FileManager.default.copyItem(at: reference, to: copy)
            return copy.path
        }
        let flags = (ProcessInfo.processInfo.environment["FIREDRILL_BENCH_GRADE_FLAGS"] ?? "").split(separator: " ").map(String.init)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
        process.arguments = ["grade", "--jobs", "\(classJobs)", "--format", "jsonl", "--labs", directory.path] + flags + sessions
        process.standardOutput = FileHandle.nullDevice
        let elapsed = try seconds(repetitions: 1) {
            try process.run()
            process.waitUntilExit()
        }
        guard process.terminationStatus == 0 else { throw fail("grade_class_ms: firedrill grade exited with status \(process.terminationStatus)") }
        return (elapsed * 1_000_000).rounded() / 1_000
    }

    private static func gradeMilliseconds(lab: String, repetitions: Int,
                                          work: (Grader, String) -> SessionGrade = { $0.grade(path: $1) }) throws -> Double {
        let location = try LabsLocation.parse([])
        guard let directory = location.locate() else { throw fail("grade_ms_per_session needs the Labs folder") }
        let catalog = try location.catalog()
        let session = directory.appendingPathComponent("\(lab)/solutions/reference.jsonl").path
        let grader = Grader(catalog: catalog, options: GradingOptions(firedrillVersion: FiredrillVersion.current))
        var failure: String?
        let elapsed = seconds(repetitions: repetitions) {
            let grade = work(grader, session)
            if let error = grade.error { failure = error }
        }
        if let failure { throw fail("grade_ms_per_session: \(failure)") }
        return (elapsed * 1_000_000).rounded() / 1_000
    }
}
