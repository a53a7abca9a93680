import Testing
@testable import Simulation

/// Controllers retry a failed sync per key, backing off as client-go's default item limiter
/// does (5 ms doubling to 1000 s). Before this, the endpoints controller behind a stale cache
/// retried hundreds of Conflicts a second, and a resize on some seeds ran away (issue 14).
@Suite struct WorkQueueBackoffTests {
    /// A controller whose every sync fails, counting its attempts.
    final class FailingController: SimProcess {
        var queue: WorkQueue!
        var attempts: [String: Int] = [:]
        var succeedFrom: [String: Int] = [:]

        override func didStart() {
            queue = WorkQueue(process: self) { [unowned self] key in
                attempts[key, default: 0] += 1
                if let from = succeedFrom[key], attempts[key]! >= from { queue.forget(key) } else { queue.addRateLimited(key) }
            }
        }
    }

    static func controller() -> (World, FailingController) {
        let world = World(seed: 1)
        let controller = FailingController(name: "controller", host: world.addHost("master-1", zone: "a"))
        world.add(controller)
        #expect(world.start(controller))
        return (world, controller)
    }

    @Test func aKeyThatKeepsFailingIsRetriedLessAndLessOften() {
        let (world, controller) = Self.controller()
        controller.queue.add("payments/web")
        _ = world.advance(by: Span.seconds(60))
        // 5 ms doubling: about log2(60 s / 5 ms) ≈ 14 attempts in a minute, not one a second
        // (60) or one each 5 ms (12,000).
        let inAMinute = controller.attempts["payments/web"] ?? 0
        #expect((12...16).contains(inAMinute), "\(inAMinute) attempts in a minute")
        _ = world.advance(by: Span.seconds(3_600))
        // Capped at 1000 s between attempts: a key never stops being retried.
        let inAnHour = (controller.attempts["payments/web"] ?? 0) - inAMinute
        #expect((3...7).contains(inAnHour), "\(inAnHour) attempts in the next hour")
    }

    @Test func aSuccessStartsTheBackoffAgainForThatKeyAlone() {
        let (world, controller) = Self.controller()
        controller.succeedFrom["payments/web"] = 10
        controller.queue.add("payments/web")
        controller.queue.add("payments/db")
        _ = world.advance(by: Span.seconds(60))
        let web = controller.attempts["payments/web"] ?? 0
        #expect(web == 10, "payments/web synced at its tenth attempt and stopped: \(web)")
        // The key that synced is retried from 5 ms again when it next fails.
        controller.succeedFrom["payments/web"] = nil
        controller.queue.add("payments/web")
        _ = world.advance(by: Span.milliseconds(200))
        #expect((controller.attempts["payments/web"] ?? 0) - web >= 4, "after a success the next failure retries within milliseconds")
    }
}
