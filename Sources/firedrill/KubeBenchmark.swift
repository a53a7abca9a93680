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

extension Benchmarks {
    /// Simulated seconds per wall second for the bank's control plane at rest: nine etcd members
    /// in three zones, three masters storing through Kubernetes 1.6's etcd client, 30 nodes and
    /// 600 pods in 150 deployments, no traffic and no rollout. What it costs is heartbeats,
    /// leases and status reports: the floor under the bank's own speed. Measured over 30
    /// simulated minutes once every pod is ready and a further minute has passed.
    static func controlPlaneSimSpeed() -> Double {
        let (world, cluster) = LoadPlatform.makeOnEtcd(seed: 7, nodeCount: 30, deploymentCount: 150, replicas: 4)
        while LoadPlatform.readyPodCount(cluster) < 600 && world.now < Span.minutes(30) {
            world.advance(by: Span.seconds(10))
        }
        precondition(LoadPlatform.readyPodCount(cluster) >= 600, "the control plane did not bring its pods up")
        world.advance(by: Span.minutes(1))
        let measuredSpan = Span.minutes(30)
        let elapsed = seconds(repetitions: 1) { world.advance(by: measuredSpan) }
        return (Span.asSeconds(measuredSpan) / elapsed).rounded()
    }
}
