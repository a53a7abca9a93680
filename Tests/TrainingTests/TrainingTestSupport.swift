import Foundation
import Scripting
import Simulation
@testable import Training

/// The repository's `Labs` folder, found from this file.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
let labsDirectory = repositoryRoot.appendingPathComponent("Labs")

/// The shipped labs, loaded once per test process (loading is a pure function of the files).
let shippedCatalog: LabCatalog = try! LabCatalog.load(directory: labsDirectory, displayDirectory: "Labs")

func shippedLab(_ id: String) -> Lab { shippedCatalog.lab(id)! }

func referenceSession(_ id: String) -> String {
    labsDirectory.appendingPathComponent(id).appendingPathComponent("solutions/reference.jsonl").path
}

/// Tests judge scores, never speed: a debug build on a busy 2-core machine grades the full Monzo
/// outage many times slower than the lab's `grading_seconds` assumes, so the wall-clock ceiling
/// is set far away (GradingTests covers the timeout itself with its own small one).
let gradingOptions = GradingOptions(firedrillVersion: "test", timeoutSeconds: 3_600)

/// A wall clock moved by hand.
final class ManualWallClock: WallClock {
    var nanoseconds: UInt64 = 1_000_000_000
    func uptimeNanoseconds() -> UInt64 { nanoseconds }
    func date() -> Date { Date(timeIntervalSince1970: 1_700_000_000 + Double(nanoseconds) / 1e9) }
    func pass(seconds: Double) { nanoseconds += UInt64(seconds * 1e9) }
}

func scratchDirectory() throws -> URL {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("firedrill-training-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    return directory
}

/// A lab folder written from text, for labs made to be broken. Returns the labs folder.
func writeLab(_ id: String, lab: String, grader: String = minimalGrader, readme: String? = "# A test lab\n",
              in labs: URL? = nil) throws -> URL {
    let labs = try labs ?? scratchDirectory()
    let folder = labs.appendingPathComponent(id)
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    try lab.write(to: folder.appendingPathComponent("lab.lua"), atomically: true, encoding: .utf8)
    try grader.write(to: folder.appendingPathComponent("grade.lua"), atomically: true, encoding: .utf8)
    if let readme { try readme.write(to: folder.appendingPathComponent("README.md"), atomically: true, encoding: .utf8) }
    return labs
}

func loadLab(_ id: String, from labs: URL) throws -> Lab {
    try LabLoader.load(directory: labs.appendingPathComponent(id), displayDirectory: "Labs/\(id)")
}

/// A small valid lab; tests replace parts of it to break it, line numbers included.
func minimalLab(id: String = "tiny", time: String = "{ speed = 1 }", extra: String = "",
                done: String = "function(world) return #world.faults.active() > 0 end") -> String {
    """
    return {
      id = "\(id)",
      title = "Tiny",
      summary = "A lab for tests.",
      difficulty = "beginner",
      minutes = 5,
      scenario = { name = "practice", seed = 1 },
      time = \(time),
      \(extra)
      steps = {
        { title = "Break it", briefing = "Partition a zone.", hints = { "faults.partition{...}", "faults.partition{'eu-west-1a'}" },
          done = \(done) },
      },
    }
    """
}

let minimalGrader = """
return {
  checks = {
    { name = "Broken", points = 2, check = function(world) return #world.faults.active() > 0 end,
      pass = "It is broken.", fail = "Nothing is broken." },
  },
}
"""

/// A session file for `lab`, recorded through `LiveLab` with a hand-moved clock: each entry is
/// (wall-clock seconds to wait first, line typed). Returns the path.
@discardableResult
func record(_ lab: Lab, _ lines: [(wait: Double, line: String)], end: Bool = true, to path: String? = nil,
            seed: UInt64? = nil) throws -> String {
    let path = try path ?? scratchDirectory().appendingPathComponent("session.jsonl").path
    let clock = ManualWallClock()
    let live = try LiveLab(session: try LabSession(lab: lab, seed: seed), clock: clock, recorder: try SessionRecorder(path: path),
                           firedrillVersion: "test")
    for (wait, line) in lines {
        clock.pass(seconds: wait)
        _ = live.submit(line)
        if live.isFinishRequested { break }
    }
    if end { live.finish(reason: "end of input") }
    return path
}

extension LiveLab {
    /// Submits a line and returns the reply's text.
    func run(_ line: String) -> String {
        if case .output(let text, _) = submit(line) { return text }
        return ""
    }
}
