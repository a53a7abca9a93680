import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Grades (or reports on) many sessions, preparing each lab world once for all the sessions
/// that share its lab and seed: the lab's setup runs in this process, then every session of that
/// setup replays in a child forked from it (`--jobs` at a time), on its own copy-on-write copy
/// of the world, and sends its result back over a pipe. A session alone in its setup, or one
/// whose file cannot be read, is graded from scratch in a child of its own, so a crash or a
/// runaway stays that session's error whichever way it is graded.
///
/// Forking needs this process to have one thread (see `ForkedBatch`); when it has more (inside a
/// test runner, say), or with `fork: false`, every session is graded from scratch on threads, as
/// `Batch` does. The results are the same either way: a world prepared once and copied is the
/// world a fresh preparation builds, and the tests compare the two.
public enum SharedSetupBatch {
    /// Seconds a child may run past the session's own grading timeout before it is killed:
    /// time for the child's deadline to stop its Lua and report the timeout itself, which it
    /// can unless the world's own work runs away.
    static let killGraceSeconds = 10.0

    /// Runs `work` on every path and returns the results in the order of `paths`; `progress`
    /// hears of each as it finishes. `work` gets the world prepared for the session's setup, or
    /// nil when it must build its own; `unfinished` makes the result of a session whose child
    /// crashed or was killed.
    public static func run<Result: Codable & Sendable>(
        _ paths: [String], grader: Grader, jobs: Int, fork: Bool = true,
        work: @escaping @Sendable (String, PreparedWorld?) -> Result,
        unfinished: @escaping (String, SessionGrade) -> Result,
        progress: @escaping @Sendable (_ finished: Int, _ total: Int, Result) -> Void
    ) -> [Result] {
        guard fork, ForkedBatch.isSafe else {
            return Batch.run(paths, jobs: jobs, work: { work($0, nil) }, progress: progress)
        }
        let setups = paths.map(grader.setup(of:))
        var results = [Result?](repeating: nil, count: paths.count)
        var done = 0
        for group in groups(setups) {
            let prepared = group.shares ? group.setup.flatMap { try? grader.prepare($0) } : nil
            let tasks = group.indices.map {
                ForkedBatch.Task(index: $0, killAfterSeconds: grader.timeoutSeconds(setups[$0]) + killGraceSeconds)
            }
            ForkedBatch.run(tasks, jobs: jobs, work: { work(paths[$0], prepared) }) { index, outcome in
                let result: Result
                switch outcome {
                case .success(let value): result = value
                case .failure(let failure): result = unfinished(paths[index], grader.unfinished(paths[index], setup: setups[index], failure: failure))
                }
                results[index] = result
                done += 1
                progress(done, paths.count, result)
            }
        }
        return results.map { $0! }
    }

    /// The sessions to grade together, in the order of their first session: one group per setup
    /// that two or more sessions share, then one group of everything else (each of those builds
    /// its own world in its child, as many at once as there are jobs).
    static func groups(_ setups: [SessionSetup?]) -> [SetupGroup] {
        var order: [SessionSetup] = []
        var members: [SessionSetup: [Int]] = [:]
        for (index, setup) in setups.enumerated() {
            guard let setup else { continue }
            if members[setup] == nil { order.append(setup) }
            members[setup, default: []].append(index)
        }
        let shared = order.filter { members[$0]!.count > 1 }
        let sharedIndices = Set(shared.flatMap { members[$0]! })
        let alone = setups.indices.filter { !sharedIndices.contains($0) }
        return shared.map { SetupGroup(setup: $0, shares: true, indices: members[$0]!) }
            + (alone.isEmpty ? [] : [SetupGroup(setup: nil, shares: false, indices: alone)])
    }

    /// Sessions graded together: on one world prepared for `setup` when they share it.
    struct SetupGroup: Equatable {
        let setup: SessionSetup?
        let shares: Bool
        let indices: [Int]
    }
}

extension Grader {
    /// The setup a session's file names, if its header can be read and its lab is known.
    func setup(of path: String) -> SessionSetup? {
        guard let reading = try? SessionReader.read(path: path, key: options.key), catalog.lab(reading.header.lab) != nil else { return nil }
        return SessionSetup(lab: reading.header.lab, seed: reading.header.seed, parameters: reading.header.parameters ?? [:])
    }

    /// The world for `setup`, prepared under the limits every replayed command runs with.
    public func prepare(_ setup: SessionSetup) throws -> PreparedWorld {
        try PreparedWorld(setup, lab: try catalog.requireLab(setup.lab), limits: options.limits)
    }

    /// How long grading a session of `setup` may take, as `grade` enforces it.
    func timeoutSeconds(_ setup: SessionSetup?) -> Double {
        guard let lab = setup.flatMap({ catalog.lab($0.lab) }) else { return options.timeoutSeconds ?? 600 }
        return options.timeout(for: lab)
    }

    /// The grade of a session whose grading process ended without one.
    func unfinished(_ path: String, setup: SessionSetup?, failure: ForkedBatch.Failure) -> SessionGrade {
        let lab = setup.flatMap { catalog.lab($0.lab) }
        let error: String
        switch failure {
        case .killed:
            error = GradeDeadline.message(seconds: timeoutSeconds(setup))
        case .signal(let signal):
            error = "grading crashed: its process was ended by signal \(signal) (\(String(cString: strsignal(signal)))); the other sessions were graded on"
        case .exit(let code):
            error = "grading's process exited with status \(code) and sent back no grade"
        }
        return SessionGrade(session: path, lab: setup?.lab, checks: [], maxScore: lab?.maxScore ?? 0, warnings: [], error: error,
                            seed: setup?.seed, practice: setup.flatMap { lab?.scenario.practiceReason(seed: $0.seed) })
    }
}
