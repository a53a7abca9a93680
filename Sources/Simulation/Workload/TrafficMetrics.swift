/// The series the traffic writes, and the per-service sums it keeps between scrapes.
///
/// Per class, every second, for six hours: `requests_per_second`, `success_rate` (what
/// customers saw), `platform_success_rate` (answered by the platform), `latency_p50_ms`,
/// `latency_p99_ms`, and for card classes `standin_approvals_per_second`; labels `{class}`.
/// Per service every 15 s (a Prometheus scrape), for six hours: `requests_per_second`,
/// `success_rate` and `latency_p99_ms` with labels `{namespace, service}`, and per namespace
/// `namespace_requests_per_second` and `namespace_success_rate`. The mesh's own gauges, every
/// 15 s: `mesh_proxies_running`, `mesh_proxies_not_running`, `mesh_discovery_failures`.
final class TrafficMetrics {
    static let scrapeInterval = Span.seconds(15)
    static let classCapacity = 6 * 3_600
    static let scrapeCapacity = 6 * 3_600 / 15

    private struct ClassSeries {
        let rate, success, platformSuccess, latencyP50, latencyP99: MetricSeries
        let standIn: MetricSeries?
    }

    /// What a service received between scrapes.
    private struct ServiceSums {
        var offered = 0.0
        var succeeded = 0.0
        var outcome = HopOutcome.zero
    }

    private let store: MetricStore
    private let catalog: WorkloadCatalog
    private let classSeries: [ClassSeries]
    private var sums: [ServiceSums]
    private var serviceSeries: [(rate: MetricSeries, success: MetricSeries, latencyP99: MetricSeries)?]
    private var namespaceSeries: [String: (rate: MetricSeries, success: MetricSeries)] = [:]
    private let meshSeries: (running: MetricSeries, notRunning: MetricSeries, failures: MetricSeries)

    init(store: MetricStore, catalog: WorkloadCatalog) {
        self.store = store
        self.catalog = catalog
        let second = Span.seconds(1), capacity = TrafficMetrics.classCapacity
        classSeries = catalog.classes.map { requestClass in
            let labels = ["class": requestClass.name]
            func series(_ name: String) -> MetricSeries {
                store.series(for: SeriesKey(name, labels), resolution: second, capacity: capacity)
            }
            return ClassSeries(rate: series("requests_per_second"), success: series("success_rate"),
                               platformSuccess: series("platform_success_rate"), latencyP50: series("latency_p50_ms"),
                               latencyP99: series("latency_p99_ms"),
                               standIn: requestClass.isCardPayment ? series("standin_approvals_per_second") : nil)
        }
        sums = Array(repeating: ServiceSums(), count: catalog.services.count)
        serviceSeries = Array(repeating: nil, count: catalog.services.count)
        func gauge(_ name: String) -> MetricSeries {
            store.series(for: SeriesKey(name), resolution: TrafficMetrics.scrapeInterval, capacity: TrafficMetrics.scrapeCapacity)
        }
        meshSeries = (gauge("mesh_proxies_running"), gauge("mesh_proxies_not_running"), gauge("mesh_discovery_failures"))
    }

    func record(_ snapshot: ClassSnapshot, classIndex: Int, at time: SimTime) {
        let series = classSeries[classIndex]
        series.rate.record(snapshot.requestsPerSecond, at: time)
        series.standIn?.record(snapshot.standInApprovalsPerSecond, at: time)
        guard snapshot.requestsPerSecond > 0 else { return }
        series.success.record(snapshot.successRate, at: time)
        series.platformSuccess.record(snapshot.platformSuccessRate, at: time)
        series.latencyP50.record(snapshot.latencyP50Milliseconds, at: time)
        series.latencyP99.record(snapshot.latencyP99Milliseconds, at: time)
    }

    /// Adds what one hop into `service` did this tick: `offered` requests ended as `outcome`.
    func accumulate(service: Int, offered: Double, outcome: HopOutcome) {
        sums[service].offered += offered
        sums[service].succeeded += offered * outcome.successFraction
        sums[service].outcome.add(outcome, weight: offered)
    }

    /// Requests that reached an entry service from outside the mesh.
    func accumulateEntry(service: Int, offered: Double, succeeded: Double) {
        sums[service].offered += offered
        sums[service].succeeded += succeeded
        sums[service].outcome.add(.clean, weight: succeeded)
        sums[service].outcome.add(.failedFast, weight: offered - succeeded)
    }

    /// Writes the per-service and per-namespace series for the scrape interval just ended.
    func scrape(at time: SimTime, connectTimeoutMilliseconds: Double) {
        let seconds = Span.asSeconds(TrafficMetrics.scrapeInterval)
        var namespaceTotals: [String: (offered: Double, succeeded: Double)] = [:]
        for index in sums.indices {
            let sum = sums[index]
            guard sum.offered > 0 || serviceSeries[index] != nil else { continue }
            let series = serviceSeries[index] ?? makeServiceSeries(index)
            series.rate.record(sum.offered / seconds, at: time)
            if sum.offered > 0 {
                series.success.record(sum.succeeded / sum.offered, at: time)
                series.latencyP99.record(p99(sum.outcome, serviceTime: catalog.services[index].serviceTimeMilliseconds,
                                             connectTimeout: connectTimeoutMilliseconds), at: time)
            }
            let namespace = catalog.services[index].reference.namespace
            var total = namespaceTotals[namespace] ?? (0, 0)
            total.offered += sum.offered
            total.succeeded += sum.succeeded
            namespaceTotals[namespace] = total
            sums[index] = ServiceSums()
        }
        for namespace in namespaceTotals.keys.sorted() {
            let total = namespaceTotals[namespace]!
            let series = namespaceSeries[namespace] ?? makeNamespaceSeries(namespace)
            series.rate.record(total.offered / seconds, at: time)
            if total.offered > 0 { series.success.record(total.succeeded / total.offered, at: time) }
        }
    }

    func recordMesh(running: Int, notRunning: Int, discoveryFailures: Int, at time: SimTime) {
        meshSeries.running.record(Double(running), at: time)
        meshSeries.notRunning.record(Double(notRunning), at: time)
        meshSeries.failures.record(Double(discoveryFailures), at: time)
    }

    private func makeServiceSeries(_ index: Int) -> (rate: MetricSeries, success: MetricSeries, latencyP99: MetricSeries) {
        let reference = catalog.services[index].reference
        let labels = ["namespace": reference.namespace, "service": reference.name]
        func series(_ name: String) -> MetricSeries {
            store.series(for: SeriesKey(name, labels), resolution: TrafficMetrics.scrapeInterval, capacity: TrafficMetrics.scrapeCapacity)
        }
        let made = (series("requests_per_second"), series("success_rate"), series("latency_p99_ms"))
        serviceSeries[index] = made
        return made
    }

    private func makeNamespaceSeries(_ namespace: String) -> (rate: MetricSeries, success: MetricSeries) {
        let labels = ["namespace": namespace]
        func series(_ name: String) -> MetricSeries {
            store.series(for: SeriesKey(name, labels), resolution: TrafficMetrics.scrapeInterval, capacity: TrafficMetrics.scrapeCapacity)
        }
        let made = (series("namespace_requests_per_second"), series("namespace_success_rate"))
        namespaceSeries[namespace] = made
        return made
    }

    /// The 99th percentile of a hop's latency: the service's own time plus the connect
    /// timeouts on the way, over everything that reached it.
    private func p99(_ outcome: HopOutcome, serviceTime: Double, connectTimeout: Double) -> Double {
        let total = outcome.succeeded.sum() + outcome.failed.sum()
        guard total > 0 else { return serviceTime }
        var cumulative = 0.0
        for timeouts in 0..<4 {
            cumulative += outcome.succeeded[timeouts] + outcome.failed[timeouts]
            if cumulative >= 0.99 * total - 1e-9 { return serviceTime + Double(timeouts) * connectTimeout }
        }
        return serviceTime + 3 * connectTimeout
    }
}
