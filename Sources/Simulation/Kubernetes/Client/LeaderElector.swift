/// Leader election as Kubernetes 1.6 components did it: a lock record in an annotation of an
/// Endpoints object in kube-system, stored in etcd through the apiserver. The holder renews it
/// every retry period; others take it over once it is older than the lease. A leader that cannot
/// renew within the renew deadline gives up, and its process exits to be restarted.
final class LeaderElector {
    static let annotation = "control-plane.alpha.kubernetes.io/leader"
    let leaseDuration = Span.seconds(15)
    let renewDeadline = Span.seconds(10)
    let retryPeriod = Span.seconds(2)
    private unowned let client: APIClient
    let lockName: String
    let identity: String
    private(set) var isLeader = false
    private var lastRenewTime: SimTime = 0
    private var observedRecord = ""
    private var observedTime: SimTime = 0
    private var transitions: Int64 = 0
    /// The last lock record read or written, with the fields this elector reads from it: every
    /// attempt reads the record, which is usually the one this elector last wrote or saw.
    private var knownRecord: (text: String, holder: String, acquireTime: String?) = ("", "", nil)
    var onStartedLeading: () -> Void = {}
    var onStoppedLeading: () -> Void = {}

    init(client: APIClient, lockName: String, identity: String) {
        (self.client, self.lockName, self.identity) = (client, lockName, identity)
    }

    private var world: World { client.process.world }

    func start() { attempt() }

    private func attempt() {
        if isLeader && world.now - lastRenewTime > renewDeadline {
            isLeader = false
            onStoppedLeading()
            return
        }
        let startedAt = world.now
        var answered = false
        // A hung request must not stop the renew-deadline check.
        client.process.after(renewDeadline) { [weak self] in
            guard let self, !answered, self.isLeader, self.world.now - self.lastRenewTime > self.renewDeadline else { return }
            answered = true
            self.isLeader = false
            self.onStoppedLeading()
        }
        tryAcquireOrRenew { [weak self] acquired in
            guard let self, !answered else { return }
            answered = true
            if acquired {
                self.lastRenewTime = startedAt
                if !self.isLeader {
                    self.isLeader = true
                    self.onStartedLeading()
                }
            }
            self.client.process.after(self.retryPeriod) { [weak self] in self?.attempt() }
        }
    }

    private func record(now: Timestamp, acquireTime: String?) -> String {
        let acquired = acquireTime ?? now.rfc3339
        return "{\"holderIdentity\":\"\(identity)\",\"leaseDurationSeconds\":15,\"acquireTime\":\"\(acquired)\",\"renewTime\":\"\(now.rfc3339)\",\"leaderTransitions\":\(transitions)}"
    }

    private func tryAcquireOrRenew(_ done: @escaping (Bool) -> Void) {
        let now = Timestamp(world)
        client.get(Endpoints.self, namespace: "kube-system", name: lockName) { [weak self] result in
            guard let self else { return }
            switch result {
            case .failure(.notFound):
                let lock = Endpoints(metadata: ObjectMeta(name: self.lockName, namespace: "kube-system",
                                                          annotations: [LeaderElector.annotation: self.record(now: now, acquireTime: nil)]),
                                     subsets: nil)
                self.client.create(lock) { done((try? $0.get()) != nil) }
            case .failure:
                done(false)
            case .success(var lock):
                let existing = lock.metadata.annotations[LeaderElector.annotation] ?? ""
                let holder = self.fields(of: existing).holder
                if existing != self.observedRecord {
                    self.observedRecord = existing
                    self.observedTime = self.world.now
                }
                if holder != self.identity && !holder.isEmpty && self.world.now < self.observedTime + self.leaseDuration {
                    done(false)
                    return
                }
                if holder != self.identity { self.transitions += 1 }
                let acquireTime = holder == self.identity ? self.fields(of: existing).acquireTime : nil
                let written = self.record(now: now, acquireTime: acquireTime)
                // What this record holds is known without parsing it back when it is read next.
                self.knownRecord = (written, self.identity, acquireTime ?? now.rfc3339)
                lock.metadata.annotations[LeaderElector.annotation] = written
                self.client.update(lock) { result in
                    if case .success(let stored) = result {
                        self.observedRecord = stored.metadata.annotations[LeaderElector.annotation] ?? ""
                        self.observedTime = self.world.now
                    }
                    done((try? result.get()) != nil)
                }
            }
        }
    }

    /// The holder and acquire time of a record, parsed once per distinct record.
    private func fields(of record: String) -> (holder: String, acquireTime: String?) {
        if record != knownRecord.text {
            let parsed = (try? JSONValue.parse(record))?.objectValue
            knownRecord = (record, parsed?["holderIdentity"]?.stringValue ?? "", parsed?["acquireTime"]?.stringValue)
        }
        return (knownRecord.holder, knownRecord.acquireTime)
    }

    static func holder(in record: String) -> String { field("holderIdentity", in: record) ?? "" }

    static func field(_ name: String, in record: String) -> String? {
        guard case .object(let fields)? = try? JSONValue.parse(record) else { return nil }
        return fields[name]?.stringValue
    }
}
