import OrderedCollections

/// Records Kubernetes events for a component as client-go's recorder did in 2017: a repeat of
/// the same event raises its count; with `combinesSimilarEvents`, the tenth and later different
/// messages for the same object and reason within ten minutes are combined into one event
/// ("(combined from similar events): ..."); a write the server rejects is logged and dropped; a
/// write that could not reach the server is logged and tried again, up to twelve times, ten
/// seconds apart. Both caches are bounded, so an object that keeps failing adds counts, not events.
///
/// Only the kubelet combines so far: its events name each container run (`Created container
/// with id ...`), which would otherwise add an event per restart of a crash loop. The
/// controllers' recorders keep writing every message (combining them changes the traffic of a
/// scenario's warm-up, and with it every seed's history).
final class EventRecorder {
    private unowned let client: APIClient
    let component: String
    let host: String
    /// Where the owner wants the recorder's own errors (the kubelet's journal); nil keeps them quiet.
    var logError: ((String) -> Void)?
    /// Whether different messages for one object and reason are combined past the limit.
    var combinesSimilarEvents = false
    /// The event each distinct occurrence was written as, by its key, most recent last.
    private var recorded: OrderedDictionary<String, String> = [:]
    /// The different messages seen lately for one object and reason.
    private var similar: OrderedDictionary<String, (messages: Set<String>, lastSeen: SimTime)> = [:]
    private var sequence: Int64 = 0
    private lazy var random = client.process.world.random("kube/events/\(component)/\(host)")

    /// Most keys either cache keeps (client-go's LRU size).
    static let cacheLimit = 4_096
    /// Different messages for one object and reason before they are combined, and for how long.
    static let similarMessagesLimit = 10
    static let similarMessagesWindow = Span.minutes(10)
    /// Tries for an event whose write could not reach the server, and the wait between them.
    static let writeTries = 12
    static let retryWait = Span.seconds(10)

    init(client: APIClient, component: String, host: String) {
        (self.client, self.component, self.host) = (client, component, host)
    }

    func normal(_ object: ObjectReference, _ reason: String, _ message: String) { record(object, "Normal", reason, message) }
    func warning(_ object: ObjectReference, _ reason: String, _ message: String) { record(object, "Warning", reason, message) }

    func record(_ object: ObjectReference, _ type: String, _ reason: String, _ message: String) {
        let now = Timestamp(client.process.world)
        let (key, text) = aggregate(object, type, reason, message)
        let namespace = object.namespace.isEmpty ? "default" : object.namespace
        if let existing = recorded.removeValue(forKey: key) {
            recorded[key] = existing
            patch(namespace: namespace, name: existing, key: key, at: now, tries: 1)
            return
        }
        sequence += 1
        let nanoseconds = UInt64(bitPattern: now.secondsSinceEpoch) &* 1_000_000_000 &+ UInt64(client.process.world.now % Span.microsecondsPerSecond) &* 1_000 &+ UInt64(sequence)
        let name = "\(object.name).\(String(nanoseconds, radix: 16))"
        recorded[key] = name
        if recorded.count > EventRecorder.cacheLimit { recorded.removeFirst() }
        var event = Event(metadata: ObjectMeta(name: name, namespace: namespace), involvedObject: object, reason: reason,
                          message: text, sourceComponent: component, type: type, at: now)
        event.sourceHost = host
        create(event, key: key, tries: 1, namespaceRetries: 5)
    }

    /// The key an event is counted under, and its message: its own, or the combined form once
    /// the object has had too many different messages for this reason lately.
    private func aggregate(_ object: ObjectReference, _ type: String, _ reason: String, _ message: String) -> (String, String) {
        let objectKey = "\(object.kind)|\(object.namespace)|\(object.name)|\(object.uid)|\(type)|\(reason)"
        guard combinesSimilarEvents else { return (objectKey + "|" + message, message) }
        let now = client.process.world.now
        var entry = similar.removeValue(forKey: objectKey) ?? (messages: [], lastSeen: now)
        if now - entry.lastSeen > EventRecorder.similarMessagesWindow { entry.messages = [] }
        entry.lastSeen = now
        entry.messages.insert(message)
        var result = (objectKey + "|" + message, message)
        if entry.messages.count >= EventRecorder.similarMessagesLimit {
            entry.messages.remove(message)
            result = (objectKey, "(combined from similar events): " + message)
        }
        similar[objectKey] = entry
        if similar.count > EventRecorder.cacheLimit { similar.removeFirst() }
        return result
    }

    /// Raises the count of an event written before; one that has gone meanwhile is written anew.
    private func patch(namespace: String, name: String, key: String, at now: Timestamp, tries: Int) {
        client.patch(Event.self, namespace: namespace, name: name, { (event: inout Event) throws(APIError) in
            event.count += 1
            event.lastTimestamp = now
        }) { [weak self] result in
            guard let self, case .failure(let error) = result else { return }
            if case .notFound = error {
                self.forget(key, ifNamed: name)
                return
            }
            self.failed(error, describing: "\(namespace)/\(name)", tries: tries) {
                self.patch(namespace: namespace, name: name, key: key, at: now, tries: tries + 1)
            }
        }
    }

    /// Events recorded while the cluster is still creating its namespaces are retried a few
    /// times. An event that could not be written is forgotten, so the next occurrence writes it
    /// again rather than counting on one that does not exist.
    private func create(_ event: Event, key: String, tries: Int, namespaceRetries: Int) {
        client.create(event) { [weak self] result in
            guard let self, case .failure(let error) = result else { return }
            if case .notFound(.namespaces, _) = error, namespaceRetries > 1 {
                self.client.process.after(Span.seconds(1)) { self.create(event, key: key, tries: tries, namespaceRetries: namespaceRetries - 1) }
                return
            }
            let retrying = self.failed(error, describing: EventRecorder.goDump(event), tries: tries) {
                self.create(event, key: key, tries: tries + 1, namespaceRetries: namespaceRetries)
            }
            if !retrying { self.forget(key, ifNamed: event.name) }
        }
    }

    private func forget(_ key: String, ifNamed name: String) {
        if recorded[key] == name { recorded.removeValue(forKey: key) }
    }

    /// A write failed: one the server answered is dropped; one that never reached it is tried
    /// again (the first wait is random, so that clients do not retry in step). Returns whether
    /// it will be tried again.
    @discardableResult
    private func failed(_ error: APIError, describing event: String, tries: Int, retry: @escaping () -> Void) -> Bool {
        if case .alreadyExists = error { return false }
        guard case .unavailable = error else {
            logError?("event.go:259] Server rejected event '\(event)': '\(error.message)' (will not retry!)")
            return false
        }
        guard tries < EventRecorder.writeTries else {
            logError?("event.go:203] Unable to write event '\(event)' (retry limit exceeded!)")
            return false
        }
        logError?("event.go:268] Unable to write event: '\(error.message)' (may retry after sleeping)")
        let wait = tries == 1 ? random.span(0, EventRecorder.retryWait) : EventRecorder.retryWait
        client.process.after(wait, retry)
        return true
    }

    /// The event as Go's `%#v` printed it, with the fields that say what it was about.
    static func goDump(_ event: Event) -> String {
        let object = event.involvedObject
        return "&v1.Event{ObjectMeta:v1.ObjectMeta{Name:\"\(event.name)\", Namespace:\"\(event.namespace)\"}, "
            + "InvolvedObject:v1.ObjectReference{Kind:\"\(object.kind)\", Namespace:\"\(object.namespace)\", Name:\"\(object.name)\", UID:\"\(object.uid)\"}, "
            + "Reason:\"\(event.reason)\", Message:\(Kubelet.goQuoted(event.message)), "
            + "Source:v1.EventSource{Component:\"\(event.sourceComponent)\", Host:\"\(event.sourceHost)\"}, Count:\(event.count), Type:\"\(event.type)\"}"
    }
}
