import Foundation
import Testing
@testable import Training

/// A world prepared once for a lab and seed is the world each session would have built: grading
/// on it changes nothing, and only sessions of that lab and seed use it. (The forking around it
/// is tested through the command, in FiredrillTests, where the process has one thread.)
@Suite struct SharedSetupTests {
    let grader = Grader(catalog: shippedCatalog, options: gradingOptions)

    @Test func aSessionGradesTheSameOnAPreparedWorld() throws {
        let path = referenceSession("write-a-drill")
        let prepared = try grader.prepare(SessionSetup(lab: "write-a-drill", seed: 7))
        let onPrepared = grader.grade(path: path, prepared: prepared)
        #expect(onPrepared == grader.grade(path: path))
        #expect(onPrepared.score == 10 && onPrepared.error == nil, "\(onPrepared)")
        // Taken once: a second session builds its own world rather than reuse a played one.
        #expect(prepared.take(SessionSetup(lab: "write-a-drill", seed: 7)) == nil)
    }

    @Test func aPreparedWorldOfAnotherSeedIsLeftAlone() throws {
        let prepared = try grader.prepare(SessionSetup(lab: "write-a-drill", seed: 8))
        #expect(grader.grade(path: referenceSession("zone-partition"), prepared: prepared).score == 10)
        #expect(prepared.take(SessionSetup(lab: "write-a-drill", seed: 8)) != nil, "a zone-partition session does not take it")
    }

    /// Game days of one seed drawn at different difficulties are different incidents: they
    /// never share a prepared world.
    @Test func drawsWithOtherParametersAreNotShared() {
        let easy = SessionSetup(lab: "gameday", seed: 5, parameters: ["difficulty": "easy"])
        let hard = SessionSetup(lab: "gameday", seed: 5, parameters: ["difficulty": "hard"])
        let groups = SharedSetupBatch.groups([easy, hard, easy, hard])
        #expect(groups == [SharedSetupBatch.SetupGroup(setup: easy, shares: true, indices: [0, 2]),
                           SharedSetupBatch.SetupGroup(setup: hard, shares: true, indices: [1, 3])])
    }

    @Test func sessionsSharingALabAndSeedAreGroupedInOrder() {
        let drill = SessionSetup(lab: "write-a-drill", seed: 7), zone = SessionSetup(lab: "zone-partition", seed: 3)
        let other = SessionSetup(lab: "write-a-drill", seed: 8)
        let groups = SharedSetupBatch.groups([zone, drill, nil, drill, other, zone, drill])
        #expect(groups == [SharedSetupBatch.SetupGroup(setup: zone, shares: true, indices: [0, 5]),
                           SharedSetupBatch.SetupGroup(setup: drill, shares: true, indices: [1, 3, 6]),
                           SharedSetupBatch.SetupGroup(setup: nil, shares: false, indices: [2, 4])])
    }
}
