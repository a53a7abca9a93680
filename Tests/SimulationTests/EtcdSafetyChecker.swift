@testable import Simulation

/// Watches a cluster as it runs and records every breach of Raft's safety properties (Raft
/// paper, figure 3): election safety, leader completeness and state machine safety as they
/// happen, and log matching when asked.
final class EtcdSafetyChecker: EtcdClusterObserver {
    private(set) var violations: [String] = []
    private var leaderOfTerm: [UInt64: MemberID] = [:]
    /// The first entry any member applied at each index: every other member must apply the same.
    private var appliedEntries: [UInt64: LogEntry] = [:]
    private(set) var electionCount = 0

    private func record(_ problem: String, _ member: EtcdMember) {
        if violations.count < 20 { violations.append("t=\(Span.describe(member.world.now)) \(member.memberName): \(problem)") }
    }

    func member(_ member: EtcdMember, becameLeaderIn term: UInt64) {
        electionCount += 1
        if let other = leaderOfTerm[term], other != member.memberID {
            record("election safety: a second leader in term \(term) (the first was \(String(other, radix: 16)))", member)
        }
        leaderOfTerm[term] = member.memberID
        checkCompleteness(of: member, term: term)
    }

    /// Every entry applied anywhere so far was committed, so a new leader's log must hold it.
    private func checkCompleteness(of leader: EtcdMember, term: UInt64) {
        let log = leader.node.log
        for (index, entry) in appliedEntries where index > log.compactedIndex {
            guard let held = log.term(at: index) else {
                record("leader completeness: the leader of term \(term) lacks committed entry \(index)", leader)
                return
            }
            if held != entry.term {
                record("leader completeness: the leader of term \(term) holds term \(held) at committed index \(index), not \(entry.term)", leader)
                return
            }
        }
    }

    func member(_ member: EtcdMember, applied entry: LogEntry) {
        if let first = appliedEntries[entry.index] {
            if first != entry {
                record("state machine safety: applied \(describe(entry)) at \(entry.index) where another member applied \(describe(first))", member)
            }
        } else {
            appliedEntries[entry.index] = entry
        }
    }

    func member(_ member: EtcdMember, loadedSnapshotAt index: UInt64, term: UInt64) {
        if let first = appliedEntries[index], first.term != term {
            record("state machine safety: loaded a snapshot at \(index) of term \(term), where term \(first.term) was applied", member)
        }
    }

    /// Log matching: if two logs hold an entry with the same index and term, they are identical
    /// up to it.
    func checkLogMatching(_ members: [EtcdMember]) {
        let running = members.filter(\.isRunning)
        for (position, first) in running.enumerated() {
            for second in running[(position + 1)...] {
                checkLogMatching(first, second)
            }
        }
    }

    private func checkLogMatching(_ first: EtcdMember, _ second: EtcdMember) {
        let a = first.node.log, b = second.node.log
        let low = max(a.firstIndex, b.firstIndex)
        let high = min(a.lastIndex, b.lastIndex)
        guard low <= high else { return }
        var lastAgreement: UInt64 = 0
        for index in low...high where a.term(at: index) == b.term(at: index) { lastAgreement = index }
        guard lastAgreement >= low else { return }
        for index in low...lastAgreement where a.entry(at: index) != b.entry(at: index) {
            record("log matching: \(second.memberName) agrees at \(lastAgreement) but differs at \(index)", first)
            return
        }
    }

    private func describe(_ entry: LogEntry) -> String {
        switch entry.payload {
        case .empty: "empty entry of term \(entry.term)"
        case .request(let request): "request \(String(request.identifier, radix: 16)) of term \(entry.term)"
        case .configurationChange(let change): "\(change.kind.rawValue) \(String(change.memberID, radix: 16)) of term \(entry.term)"
        }
    }
}
