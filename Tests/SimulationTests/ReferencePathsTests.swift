import Testing
@testable import Simulation

/// The cheaper paths (API watches filed by namespace, cluster IPs without a sorted list) do the
/// same thing with less work: a world built on them has, at every checkpoint, the digest of the
/// same world built on the reference paths they replaced. Any event moved, any address changed,
/// and the digests part.
@Suite struct ReferencePathsTests {
    /// The bank at noon under full traffic, with an apiserver crashed and restarted so that every
    /// watch on it ends and the linkerds and controllers list and watch again.
    @Test func theBankAtNoonIsTheSameWorldOnBothPaths() throws {
        let noon = ScenarioCatalog.named("bank")!.arriving(at: CalendarTime(year: 2017, month: 10, day: 27, hour: 12))
        let cheap = try noon.makeWorld(seed: 7)
        let reference = try World.$buildsOnReferencePaths.withValue(true) { try noon.makeWorld(seed: 7) }
        #expect(reference.usesReferencePaths && !cheap.usesReferencePaths)
        #expect(cheap.digest() == reference.digest(), "after warm-up (seed 7)")
        for world in [cheap, reference] {
            world.advance(by: Span.minutes(2))
            world.crash(world.host(named: "master-1")!)
            world.advance(by: Span.seconds(30))
            world.restart(world.host(named: "master-1")!)
        }
        #expect(cheap.digest() == reference.digest(), "with master-1 crashed (seed 7)")
        for minute in 1...3 {
            cheap.advance(by: Span.minutes(1))
            reference.advance(by: Span.minutes(1))
            #expect(cheap.digest() == reference.digest(), "\(minute) min after master-1 restarted (seed 7)")
        }
        #expect(cheap.executedEventCount == reference.executedEventCount)
    }
}
