extension World {
    /// Moves the calendar forward by `span` without simulating it: the clock, timestamps and
    /// ages jump, and nothing happens in between. Simulated time (`now`) does not move, so no
    /// timer fires and no timeout passes.
    ///
    /// This is how a scenario gets across days in which the platform sits at rest, such as the
    /// two weeks between Monzo's etcd resize and the outage: simulating them would take hours,
    /// and they would only repeat the periodic renewals (watch timeouts, heartbeats, leader
    /// leases) that a settled platform has already been through. It is honest only when the
    /// world has settled: run it long enough after the last change for every periodic process
    /// to have cycled, and skip only then. Work that spans the gap (a rollout, a backoff) would
    /// see the calendar jump under it.
    public func skipCalendar(by span: SimTime) {
        precondition(span >= 0, "the calendar only moves forward")
        component(KubernetesCluster.self)?.calendarWillSkip(by: span)
        recordCalendarSkip(by: span)
    }
}
