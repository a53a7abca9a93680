import DequeModule

/// What a leader knows about one follower's log, and how it is sending to it (etcd-io/raft's
/// `Progress`): probing one append at a time until it finds where the logs agree, then
/// streaming appends up to a window, or waiting for a snapshot to land.
struct RaftProgress {
    enum State: String { case probe, replicate, snapshot }

    /// The highest index known to match the leader's log.
    var match: UInt64 = 0
    /// The next index to send.
    var next: UInt64
    var state: State = .probe
    /// In probe state: an append is out and unanswered, so wait for a heartbeat response.
    var probeSent = false
    /// In snapshot state: the snapshot's index, and the leader tick at which it was sent.
    var pendingSnapshotIndex: UInt64 = 0
    var snapshotSentTick: Int = 0
    /// Heard from since the last quorum check.
    var recentActive = false
    /// The leader's tick count when it last sent this follower anything: an idle leader
    /// heartbeats only followers it has been silent toward for a while.
    var lastSentTick = 0
    /// Last index of each append in flight, oldest first.
    private var inflight = Deque<UInt64>()

    init(next: UInt64) { self.next = next }

    /// Taking appends as they come, with room in the window: such a follower needs heartbeats
    /// only to keep its election timer from running out.
    func isStreaming(maximumInflight: Int) -> Bool {
        state == .replicate && inflight.count < maximumInflight
    }

    func isPaused(maximumInflight: Int) -> Bool {
        switch state {
        case .probe: probeSent
        case .replicate: inflight.count >= maximumInflight
        case .snapshot: true
        }
    }

    mutating func becomeProbe() {
        if state == .snapshot {
            next = max(match + 1, pendingSnapshotIndex + 1)
            pendingSnapshotIndex = 0
        } else {
            next = match + 1
        }
        state = .probe
        probeSent = false
        inflight.removeAll()
    }

    mutating func becomeReplicate() {
        state = .replicate
        next = match + 1
        probeSent = false
        inflight.removeAll()
    }

    mutating func becomeSnapshot(index: UInt64, tick: Int) {
        state = .snapshot
        pendingSnapshotIndex = index
        snapshotSentTick = tick
        probeSent = false
        inflight.removeAll()
    }

    /// An append of entries through `lastIndex` went out.
    mutating func sentAppend(lastIndex: UInt64, entryCount: Int) {
        switch state {
        case .replicate:
            if entryCount > 0 {
                next = lastIndex + 1
                inflight.append(lastIndex)
            }
        case .probe:
            probeSent = true
        case .snapshot:
            preconditionFailure("append sent to a follower waiting for a snapshot")
        }
    }

    /// The follower holds everything through `index`. Returns false if that is old news.
    mutating func acknowledge(_ index: UInt64) -> Bool {
        var updated = false
        if match < index {
            match = index
            updated = true
            probeSent = false
        }
        next = max(next, index + 1)
        while let first = inflight.first, first <= index { inflight.removeFirst() }
        return updated
    }

    /// The follower rejected an append at `rejected`; step `next` back. Returns false if the
    /// rejection is stale (an answer to an append we have moved past).
    mutating func stepBack(rejected: UInt64, followerLastIndex: UInt64) -> Bool {
        if state == .replicate {
            guard rejected > match else { return false }
            next = match + 1
            return true
        }
        guard next - 1 == rejected else { return false }
        next = max(min(rejected, followerLastIndex + 1), 1)
        probeSent = false
        return true
    }

    /// A heartbeat answered: a probing leader may try again, and a full window opens by one, in
    /// case acknowledgements were lost.
    mutating func heardFrom(maximumInflight: Int) {
        recentActive = true
        probeSent = false
        if state == .replicate, inflight.count >= maximumInflight { inflight.removeFirst() }
    }
}
