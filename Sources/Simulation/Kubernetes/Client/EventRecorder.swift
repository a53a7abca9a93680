/// Records Kubernetes events for a component, aggregating repeats into a count as the real
/// recorder does. Failed writes are dropped: events are best effort.
final class EventRecorder {
    private unowned let client: APIClient
    let component: String
    let host: String
    private var recorded: [String: String] = [:]
    private var sequence: Int64 = 0

    init(client: APIClient, component: String, host: String) {
        (self.client, self.component, self.host) = (client, component, host)
    }

    func normal(_ object: ObjectReference, _ reason: String, _ message: String) { record(object, "Normal", reason, message) }
    func warning(_ object: ObjectReference, _ reason: String, _ message: String) { record(object, "Warning", reason, message) }

    func record(_ object: ObjectReference, _ type: String, _ reason: String, _ message: String) {
        let now = Timestamp(client.process.world)
        let aggregateKey = "\(object.uid)|\(object.name)|\(type)|\(reason)|\(message)"
        let namespace = object.namespace.isEmpty ? "default" : object.namespace
        if let existing = recorded[aggregateKey] {
            client.patch(Event.self, namespace: namespace, name: existing, { (event: inout Event) throws(APIError) in
                event.count += 1
                event.lastTimestamp = now
            })
            return
        }
        sequence += 1
        let nanoseconds = UInt64(bitPattern: now.secondsSinceEpoch) &* 1_000_000_000 &+ UInt64(client.process.world.now % Span.microsecondsPerSecond) &* 1_000 &+ UInt64(sequence)
        let name = "\(object.name).\(String(nanoseconds, radix: 16))"
        recorded[aggregateKey] = name
        var event = Event(metadata: ObjectMeta(name: name, namespace: namespace), involvedObject: object, reason: reason,
                          message: message, sourceComponent: component, type: type, at: now)
        event.sourceHost = host
        create(event, attempts: 5)
    }

    /// Events recorded while the cluster is still creating its namespaces are retried a few times.
    private func create(_ event: Event, attempts: Int) {
        client.create(event) { [weak self] result in
            guard let self, attempts > 1, case .failure(.notFound(.namespaces, _)) = result else { return }
            self.client.process.after(Span.seconds(1)) { self.create(event, attempts: attempts - 1) }
        }
    }
}
