import Foundation
import Training

extension Benchmarks {
    /// Milliseconds to grade one session: read it, re-execute it on a fresh world and run the
    /// lab's grader, best of five. For now it measures the `write-a-drill` reference session;
    /// it will switch to the Monzo lab's reference session when that lab exists (target: < 200 ms
    /// in release).
    static func gradeMillisecondsPerSession() throws -> Double {
        let location = try LabsLocation.parse([])
        guard let directory = location.locate() else { throw fail("grade_ms_per_session needs the Labs folder") }
        let catalog = try location.catalog()
        let session = directory.appendingPathComponent("write-a-drill/solutions/reference.jsonl").path
        let grader = Grader(catalog: catalog, options: GradingOptions(firedrillVersion: FiredrillVersion.current))
        var failure: String?
        let elapsed = seconds(repetitions: 5) {
            let grade = grader.grade(path: session)
            if let error = grade.error { failure = error }
        }
        if let failure { throw fail("grade_ms_per_session: \(failure)") }
        return (elapsed * 1_000_000).rounded() / 1_000
    }
}
