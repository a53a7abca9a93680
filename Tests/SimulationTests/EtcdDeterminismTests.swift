import Testing
@testable import Simulation

/// An etcd world under chaos is as reproducible as the kernel: same seed, same digest, same
/// client histories; different seeds, different worlds.
@Suite struct EtcdDeterminismTests {
    /// FIREDRILL_ETCD_DETERMINISM_SEEDS sets the sweep (default 20).
    static let seeds = seedCount("FIREDRILL_ETCD_DETERMINISM_SEEDS", default: 20)

    @Test func sameSeedSameEtcdWorld() {
        var digests: Set<UInt64> = []
        for seed in 1...UInt64(EtcdDeterminismTests.seeds) {
            let first = EtcdChaosRun(seed: seed), second = EtcdChaosRun(seed: seed)
            first.execute()
            second.execute()
            let replay = "replay: FIREDRILL_ETCD_DETERMINISM_SEEDS=\(seed) swift test --filter EtcdDeterminismTests"
            #expect(first.world.digest() == second.world.digest(), "seed \(seed) diverged; \(replay)")
            #expect(first.completedOperations == second.completedOperations, "seed \(seed): different histories; \(replay)")
            digests.insert(first.world.digest())
        }
        #expect(digests.count == EtcdDeterminismTests.seeds, "two seeds gave the same etcd world")
    }

    @Test func theDigestSeesEtcdState() {
        let run = EtcdChaosRun(seed: 5)
        run.world.advance(by: Span.seconds(3))
        let before = run.world.digest()
        let leader = run.cluster.leader!
        leader.configuration.diskSyncLatency = Span.seconds(1)
        #expect(run.world.digest() != before, "a member's disk speed is part of the world")
    }
}
