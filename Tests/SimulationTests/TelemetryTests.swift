import Testing
@testable import Simulation

@Suite struct TelemetryTests {
    @Test func seriesAreIdentifiedByNameAndSortedLabels() {
        let store = MetricStore()
        store.record("success_rate", ["class": "card_payments", "zone": "a"], value: 0.9, at: 0)
        store.record("success_rate", ["zone": "a", "class": "card_payments"], value: 0.8, at: Span.seconds(1))
        store.record("success_rate", ["class": "transfers"], value: 1, at: 0)
        #expect(store.seriesCount == 2)
        #expect(store.query("success_rate", ["class": "card_payments"]).first?.latest?.value == 0.8)
        #expect(store.query("success_rate").map(\.key.description) == [
            #"success_rate{class="card_payments",zone="a"}"#, #"success_rate{class="transfers"}"#,
        ])
    }

    @Test func retentionIsBounded() {
        let store = MetricStore()
        store.capacity = 60
        for second in 0..<600 { store.record("rate", value: Double(second), at: Span.seconds(Int64(second))) }
        let series = store.query("rate").first!
        #expect(series.count == 60)
        #expect(series.samples(from: 0, to: Span.hours(1)).first?.value == 540)
        #expect(series.samples(from: Span.seconds(590), to: Span.seconds(595)).map(\.value) == [590, 591, 592, 593, 594, 595])
    }

    /// The ring grows as samples arrive; growing, filling and wrapping keep every sample in order.
    @Test(arguments: [1, 63, 64, 65, 100, 129])
    func aGrowingRingKeepsTheNewestSamples(capacity: Int) {
        let store = MetricStore()
        store.capacity = capacity
        for second in 0..<(capacity * 2 + 7) { store.record("rate", value: Double(second), at: Span.seconds(Int64(second))) }
        let series = store.query("rate").first!
        let expected = ((capacity + 7)..<(capacity * 2 + 7)).map(Double.init)
        #expect(series.count == capacity)
        #expect(series.samples(from: 0, to: Span.hours(1)).map(\.value) == expected)
        #expect(series.latest?.value == expected.last)
    }

    @Test func samplesInOneSlotReplaceEachOther() {
        let store = MetricStore()
        store.record("rate", value: 1, at: Span.milliseconds(100))
        store.record("rate", value: 2, at: Span.milliseconds(900))
        let series = store.query("rate").first!
        #expect(series.count == 1 && series.latest?.value == 2)
    }

    @Test func alertsWaitTheirHoldThenPageAndResolve() {
        let world = World(seed: 1)
        let telemetry = Telemetry.of(world)
        telemetry.alerts.add(AlertRule(name: "CardPaymentsFailing", holdFor: Span.minutes(1),
                                       summary: "card payment success rate {value}") { metrics, _ in
            guard let rate = metrics.query("success_rate", ["class": "card_payments"]).first?.latest?.value, rate < 0.95 else { return nil }
            return rate
        })
        var rate = 1.0
        func feed(for span: SimTime) {
            let end = world.now + span
            while world.now < end {
                telemetry.metrics.record("success_rate", ["class": "card_payments"], value: rate, at: world.now)
                world.advance(by: Span.seconds(1))
            }
        }
        feed(for: Span.minutes(2))
        #expect(telemetry.alerts.firing.isEmpty)
        rate = 0.5
        feed(for: Span.seconds(50))
        #expect(telemetry.alerts.firing.isEmpty, "pending, not yet firing")
        feed(for: Span.seconds(40))
        #expect(telemetry.alerts.firing.map(\.name) == ["CardPaymentsFailing"])
        let pages = telemetry.alerts.drainPages()
        #expect(pages.map(\.kind) == [.firing])
        #expect(pages.first?.summary == "card payment success rate 0.5")
        rate = 1
        feed(for: Span.seconds(30))
        #expect(telemetry.alerts.firing.isEmpty)
        #expect(telemetry.alerts.drainPages().map(\.kind) == [.resolved])
    }
}
