/// The world's own record of what was done to it and what was looked at, as Kubernetes' audit
/// log records every request: who, which verb, on which object, with what outcome, and the
/// number of the command that caused it. Every Lua module entry point that changes or reads the
/// platform appends here, so a grader judges deeds (a restart in a loop counts like one typed
/// alone) and never the words of a command (a restart printed in a string counts as nothing).
///
/// It is a record of what was asked, not state: it is not part of the digest, and reading it
/// changes nothing. Graders and lab checks read the world without being recorded.
public final class AuditLog {
    /// Who acted: the trainee (their commands and the timers they set), or the lab itself (its
    /// setup and injects).
    public enum Actor: String, Sendable, Equatable {
        case trainee, lab
    }

    /// Who the records appended now belong to, and the command that caused them.
    public struct Attribution: Sendable, Equatable {
        public var actor: Actor
        /// The trainee's command number (1, 2, ...), or nil outside a command.
        public var command: Int?

        public init(actor: Actor, command: Int?) {
            self.actor = actor
            self.command = command
        }
    }

    /// At most this many records of each log are kept; past it, a log counts what it dropped so
    /// that a grader can say its view is incomplete (a loop of a million reads must not exhaust
    /// memory).
    public static let capacity = 100_000

    public var attribution = Attribution(actor: .trainee, command: nil)
    public private(set) var actions: [AuditAction] = []
    public private(set) var reads: [AuditRead] = []
    public private(set) var droppedActions = 0
    public private(set) var droppedReads = 0
    /// Orders actions and reads together: "looked before acting" compares these.
    private var nextSequence = 1

    public init() {}

    /// Runs `body` with records attributed to `attribution`, restoring the previous one after.
    public func attributing<Result>(to attribution: Attribution, _ body: () throws -> Result) rethrows -> Result {
        let saved = self.attribution
        self.attribution = attribution
        defer { self.attribution = saved }
        return try body()
    }

    public func recordAction(at time: SimTime, via: String, verb: String, _ object: AuditObject,
                             outcome: AuditOutcome, apiVerb: String? = nil) {
        guard actions.count < AuditLog.capacity else { droppedActions += 1; return }
        actions.append(AuditAction(sequence: takeSequence(), time: time, actor: attribution.actor, command: attribution.command,
                                   via: via, verb: verb, object: object, outcome: outcome, apiVerb: apiVerb))
    }

    public func recordRead(at time: SimTime, via: String, verb: String, _ object: AuditObject, findings: [String] = []) {
        guard reads.count < AuditLog.capacity else { droppedReads += 1; return }
        reads.append(AuditRead(sequence: takeSequence(), time: time, actor: attribution.actor, command: attribution.command,
                               via: via, verb: verb, object: object, findings: Array(findings.prefix(AuditRead.findingsLimit))))
    }

    private func takeSequence() -> Int {
        defer { nextSequence += 1 }
        return nextSequence
    }
}

/// What an action or read was about, in the words the platform's tools use: a Kubernetes kind
/// as the API names it (`pods`, `services`, `endpoints`, whatever alias was typed), or a thing of
/// the platform (`host`, `zone`, `network`, `etcd-members`, `routes`, `traffic`, ...); its
/// namespace and name where it has them; and the host it is on, where one is known.
public struct AuditObject: Sendable, Equatable {
    public var kind: String
    public var namespace: String
    public var name: String
    public var host: String

    public init(kind: String, namespace: String = "", name: String = "", host: String = "") {
        self.kind = kind
        self.namespace = namespace
        self.name = name
        self.host = host
    }
}

/// How an action ended: done; refused by the platform (bad input, a conflict, etcd saying no);
/// or failed on the way (a timeout, an unreachable server), with the reason either way.
public enum AuditOutcome: Sendable, Equatable {
    case done
    case refused(String)
    case failed(String)

    public var word: String {
        switch self {
        case .done: "done"
        case .refused: "refused"
        case .failed: "failed"
        }
    }

    public var reason: String? {
        switch self {
        case .done: nil
        case .refused(let reason), .failed(let reason): reason
        }
    }
}

/// One deed: `restart host master-1`, `delete services current-account/overdraft-alerts`.
public struct AuditAction: Sendable, Equatable {
    public let sequence: Int
    public let time: SimTime
    public let actor: AuditLog.Actor
    public let command: Int?
    /// The entry point that did it (`kubectl`, `k8s.delete`, `faults.restart`, `mesh.restart`).
    public let via: String
    /// kubectl's verb for Kubernetes writes (`scale`, `delete`, `apply`, `rollback`), the tool's
    /// own for the rest (`restart`, `partition`, `put`, `standin`).
    public let verb: String
    public let object: AuditObject
    public let outcome: AuditOutcome
    /// For Kubernetes writes, the API's verb as an audit event names it (`create`, `update`,
    /// `patch`, `delete`).
    public let apiVerb: String?
}

/// One look: `get endpoints payments/transaction-processor`, `routes node-4`, `get dashboard`.
public struct AuditRead: Sendable, Equatable {
    /// A read keeps at most this many findings.
    public static let findingsLimit = 50

    public let sequence: Int
    public let time: SimTime
    public let actor: AuditLog.Actor
    public let command: Int?
    public let via: String
    public let verb: String
    public let object: AuditObject
    /// What the read showed that matters to someone on call: request classes failing, alerts
    /// firing, addresses where nothing runs, discoveries that failed. Empty when all was well
    /// (or the read shows nothing of the kind).
    public let findings: [String]
}
