import Foundation
import Simulation

extension Benchmarks {
    /// Simulated seconds per wall second for a cluster of 100 nodes running 3,000 pods (100
    /// deployments of 30) with a rolling update always in progress: when one deployment has
    /// rolled out, the next begins. The cluster is brought up first, outside the measurement.
    static func kubeSimSpeed() -> Double {
        let (world, cluster) = LoadPlatform.make(seed: 7, nodeCount: 100, deploymentCount: 100, replicas: 30)
        while LoadPlatform.readyPodCount(cluster) < 3_000 && world.now < Span.minutes(30) {
            world.advance(by: Span.seconds(10))
        }
        let measuredSpan = Span.minutes(30)
        var version = 2
        var rollouts = 0
        let elapsed = seconds(repetitions: 1) {
            let end = world.now + measuredSpan
            LoadPlatform.startRollout(cluster, deployment: 0, version: version)
            while world.now < end {
                world.advance(by: Span.seconds(5))
                if LoadPlatform.isRolledOut(cluster, deployment: (version - 2) % 100, version: version) {
                    version += 1
                    rollouts += 1
                    LoadPlatform.startRollout(cluster, deployment: (version - 2) % 100, version: version)
                }
            }
        }
        precondition(rollouts >= 5, "the benchmark's rollouts did not progress (\(rollouts) finished)")
        return (Span.asSeconds(measuredSpan) / elapsed).rounded()
    }
}
