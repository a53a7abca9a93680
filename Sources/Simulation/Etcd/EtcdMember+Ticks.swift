/// A member's Raft ticks, run only when one has work. Ticks fall every `tickInterval` from a
/// phase the member draws when it starts, as before; but where a tick would only count (a
/// follower that heard from its leader a moment ago, a leader with nobody due a heartbeat),
/// nothing is scheduled for it. The member sleeps until the first tick with work, and catches
/// the node's clocks up (`RaftNode.skipTicks`) whenever anything else wakes it first: a message,
/// a client's request, a disk sync. A follower of a quiet leader so keeps only "ticks since I
/// heard from the leader" and one wake-up at its election deadline, instead of ten ticks a second.
struct TickClock {
    /// The time of the next tick neither run nor skipped.
    var nextTick: SimTime = 0
    /// The tick the alarm is set for (`SimTime.max`: none).
    var alarm: SimTime = .max
}

/// What wakes a member for a tick: one object per incarnation, scheduled again for every
/// wake-up, so that a tick costs no allocation. A wake-up that was brought forward leaves the
/// later one in the queue; it finds the alarm moved and does nothing.
final class TickAlarm: EventTarget {
    /// Unchecked: the world keeps every member process for as long as its queue exists.
    unowned(unsafe) let member: EtcdMember
    let incarnation: Int

    init(member: EtcdMember, incarnation: Int) {
        self.member = member
        self.incarnation = incarnation
    }

    func fire() {
        guard member.isCurrent(incarnation) else { return }
        member.alarmRang()
    }
}

extension Network {
    /// No partition, clog or loss anywhere: a Raft leader may let idle followers go a few ticks
    /// without a heartbeat. (Crashed hosts do not count: nothing reaches them either way.)
    var isCalm: Bool { partitions.isEmpty && clogs.isEmpty && dropProbability == 0 }
}

extension EtcdMember {
    /// Sets the first tick at a phase of the member's own: members do not tick in step.
    func startTicking() {
        tickAlarm = TickAlarm(member: self, incarnation: incarnation)
        ticks = TickClock()
        ticks.nextTick = world.now + world.random("etcd/\(memberName)/tick").span(1, configuration.tickInterval)
        setAlarm(for: ticks.nextTick)
    }

    func alarmRang() {
        guard world.now == ticks.alarm else { return }
        ticks.alarm = .max
        catchUpTicks()
        precondition(ticks.nextTick == world.now, "member \(memberName) woke off its tick")
        ticks.nextTick += configuration.tickInterval
        tick()
    }

    /// Passes, without running them, the ticks that fell before now: the alarm was set for the
    /// first with work, so they had none. Called before anything touches the node.
    func catchUpTicks() {
        let now = world.now
        guard ticks.nextTick < now else { return }
        let interval = configuration.tickInterval
        let count = (now - ticks.nextTick + interval - 1) / interval
        node.skipTicks(Int(count))
        ticks.nextTick += count * interval
    }

    /// Sets the alarm for the first tick with work, if that is sooner than it is set for. Called
    /// after anything that may have changed what is due.
    func setAlarmForNextDueTick() {
        // Nothing is due sooner than the next tick: an alarm set for it stands, which spares the
        // work below on every message to a busy or ticking member.
        guard isRunning, node != nil, ticks.alarm > ticks.nextTick else { return }
        setAlarm(for: nextDueTick)
    }

    private func setAlarm(for time: SimTime) {
        guard time < ticks.alarm else { return }
        ticks.alarm = time
        world.schedule(after: time - world.now, tickAlarm)
    }

    /// The first tick at which the node or the member has something to do.
    private var nextDueTick: SimTime {
        if !configuration.quietWhenIdle || needsEveryTick { return ticks.nextTick }
        let interval = configuration.tickInterval
        var due = SimTime.max
        let nodeTicks = node.ticksUntilDue
        if nodeTicks != Int.max { due = ticks.nextTick + SimTime(nodeTicks - 1) * interval }
        if let deadline = firstProposalDeadline {
            let late = max(0, deadline - ticks.nextTick)
            due = min(due, ticks.nextTick + (late + interval - 1) / interval * interval)
        }
        return due
    }

    /// Reads, transfers and the start-up announcement are checked on every tick.
    private var needsEveryTick: Bool {
        !reads.waiting.isEmpty || !reads.inFlight.isEmpty || !reads.granted.isEmpty || !pendingTransfers.isEmpty
            || needsToPublishAttributes
    }

    /// The deadline of the oldest proposal still waiting (answered ones are dropped from the
    /// front of the queue here, as `expireProposals` would).
    private var firstProposalDeadline: SimTime? {
        while let first = proposalDeadlines.first, pendingCalls[first.identifier] == nil { proposalDeadlines.removeFirst() }
        return proposalDeadlines.first?.deadline
    }
}
