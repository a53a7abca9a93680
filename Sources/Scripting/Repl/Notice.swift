/// A message for the trainee that arrives while the world runs (an alert paging, a lab step
/// done) and is shown between commands, never in the middle of what they are typing.
public struct Notice: Equatable, Sendable {
    /// How loudly the REPL shows it.
    public enum Kind: Sendable, Equatable {
        /// Guidance and progress: a lab step, a hint.
        case info
        /// Something worth a look: a slow dependency, a degraded check.
        case warning
        /// A page: an alert that fired, something a person must act on.
        case alert
        /// A failure of the trainee's own code, such as a `sim.every` callback that raised.
        case error
    }

    public let kind: Kind
    public let text: String

    public init(_ text: String, kind: Kind = .info) {
        self.kind = kind
        self.text = text
    }
}

extension ScriptRuntime {
    /// Queues a notice for the REPL to show before its next prompt. Alerts and labs call this from
    /// inside simulated time; nothing is printed until the running command returns.
    public func postNotice(_ text: String, kind: Notice.Kind = .info) {
        // A runaway `sim.every` could post forever; past the bound the oldest notices go, since the
        // newest say most about the world as it is now.
        if notices.count >= ScriptRuntime.maximumQueuedNotices { notices.removeFirst() }
        notices.append(Notice(text, kind: kind))
    }

    /// Takes the notices queued so far, oldest first.
    public func drainNotices() -> [Notice] {
        defer { notices.removeAll() }
        return notices
    }

    /// How many notices wait at most between two commands.
    static let maximumQueuedNotices = 1_000
}
