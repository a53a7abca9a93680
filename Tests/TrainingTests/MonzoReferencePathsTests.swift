import Testing
@testable import Simulation
@testable import Training

/// A vetted seed is a knife edge: the Monzo outage hangs on the order in which the world's events
/// happen. The lab's world on its default seed, built on the cheaper paths, is the world built on
/// the reference paths they replaced, digest for digest and event for event, from its two weeks
/// of history through the 14:10 deploy.
@Suite struct MonzoReferencePathsTests {
    @Test func theMonzoLabOnItsDefaultSeedIsTheSameWorldOnBothPaths() throws {
        let lab = shippedLab("monzo-2017")
        let seed = lab.scenario.seed
        let cheap = try LabSession(lab: lab, seed: seed)
        let reference = try World.$buildsOnReferencePaths.withValue(true) { try LabSession(lab: lab, seed: seed) }
        #expect(reference.world.usesReferencePaths && !cheap.world.usesReferencePaths)
        #expect(cheap.world.digest() == reference.world.digest() && cheap.world.timeline == reference.world.timeline, "at arrival, \(cheap.world.calendarNow.clock)")
        for minutes in [1, 3, 6] {
            for session in [cheap, reference] { session.advanceWorld(to: session.arrival + Span.minutes(Int64(minutes))) }
            #expect(cheap.world.digest() == reference.world.digest() && cheap.world.timeline == reference.world.timeline, "at \(cheap.world.calendarNow.clock)")
        }
        #expect(cheap.world.executedEventCount == reference.world.executedEventCount)
    }
}
