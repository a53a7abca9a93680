import KubeAPI
import Simulation

/// A message for the trainee between commands: a step done, a page, a problem with the lab.
public struct LabNotice: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// Progress: a step completed, the next step's briefing.
        case step
        /// Something happened in the world the trainee should know (an inject's notice).
        case page
        /// A timer, inject or check failed, or the session could not be saved.
        case problem
        /// What Lua code printed outside a command (a `sim.at` callback, the lab's setup).
        case output
    }

    public let kind: Kind
    public let text: String

    public init(_ kind: Kind, _ text: String) {
        self.kind = kind
        self.text = text
    }

    public var description: String { text }
}

/// A command as it ran in this session (live or re-executed): what graders see as
/// `session.commands`.
public struct ExecutedCommand: Sendable, Equatable {
    public let number: Int
    /// Simulated time it started at.
    public let time: SimTime
    public let input: String
    public let output: String
    public let failed: Bool
    /// For a request of the real kubectl through `--api`: the request; nil for a REPL command.
    public var api: KubeAPIRequest? = nil
    /// The HTTP status the API answered with (requests only).
    public var status: Int? = nil
}

/// A hint released by `hint()`.
public struct HintUse: Sendable, Equatable {
    /// Step index from 0, and hint number from 1 within the step.
    public let step: Int
    public let number: Int
    public let time: SimTime
    public let text: String
}

/// An update posted with `status_page("...")`.
public struct StatusPost: Sendable, Equatable {
    public let time: SimTime
    public let text: String
}
