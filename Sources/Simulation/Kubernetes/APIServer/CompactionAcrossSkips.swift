extension KubernetesCluster {
    /// The calendar is about to skip `span` of a platform at rest. Periodic work went on in
    /// those days: the apiserver that compacts etcd (the one that compacted last) logs the
    /// rounds it would have made, so its log does not stop on the day of the skip.
    func calendarWillSkip(by span: SimTime) {
        let compactors = apiServers.filter(\.isRunning).compactMap(\.compactor)
        let latest = compactors.filter { $0.lastCompactionTime != nil }.max { $0.lastCompactionTime! < $1.lastCompactionTime! }
        latest?.logRoundsDuringSkip(span)
    }
}

extension APIServer {
    /// Appends a log line stamped with a wall-clock time other than now (a round during a skip).
    func logAt(_ wallMicroseconds: Int64, _ level: GlogFormat.Level, _ text: String) {
        let line = GlogFormat.line(level, text, wallMicroseconds: wallMicroseconds)
        cluster.logs.append(line, to: LogStore.StreamKey(namespace: "kube-system", pod: podName, container: "kube-apiserver"), at: world.now)
    }
}
