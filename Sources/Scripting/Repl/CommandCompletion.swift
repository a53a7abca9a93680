/// What a command's completion is asked: the command and the words typed so far inside its string.
public struct CommandCompletionRequest: Equatable, Sendable {
    /// The global the string is passed to, as typed: `kubectl`, `etcdctl`, `faults.crash`.
    public let command: String
    /// The complete words before the cursor: for `kubectl "get pods -n pay`, `["get", "pods", "-n"]`.
    public let words: [String]
    /// The word under the cursor, possibly empty: `"pay"` above.
    public let partial: String
    /// The string arguments before this one: for `node.sh("node-7", "jour`, `["node-7"]`.
    public let arguments: [String]

    public init(command: String, words: [String], partial: String, arguments: [String] = []) {
        self.command = command
        self.words = words
        self.partial = partial
        self.arguments = arguments
    }

    /// The word just before the one being typed, if any: `-n` above, where a flag asks for a value.
    public var previousWord: String? { words.last }
}

/// Completes the words inside a command string, such as `kubectl "get po<Tab>`. A module that
/// defines a command registers one, and Tab in the REPL then knows its verbs, kinds and objects:
///
/// ```swift
/// struct KubectlCompletion: CommandCompletion {
///     let cluster: Cluster
///     func candidates(for request: CommandCompletionRequest) -> [String] {
///         if request.previousWord == "-n" { return cluster.namespaceNames }
///         switch request.words.count {
///         case 0: return ["get", "describe", "logs", "scale", "rollout", "delete", "apply"]
///         case 1: return ["pods", "deployments", "nodes", "endpoints", "events"]
///         default: return cluster.objectNames(kind: request.words[1]) + ["-n", "-o", "--all-namespaces"]
///         }
///     }
/// }
/// runtime.registerCompletion(for: "kubectl", KubectlCompletion(cluster: cluster))
/// ```
///
/// The completion engine does the parsing: it finds the string the cursor is in and the command
/// it is passed to (`kubectl "…"`, `kubectl("…")`, `faults.partition{"…"}`), and splits what is
/// typed into complete `words` and the `partial` word under the cursor. A provider only says which
/// words may stand at that position, reading the world as it is now; the engine keeps those that
/// start with `partial`, sorts them, and inserts what they have in common. Providers run on the
/// world's thread between commands: they must be quick, must not change the world and must not
/// call Lua.
public protocol CommandCompletion {
    /// Every word that may stand where the cursor is, given the words before it. Returning more
    /// than matches is fine: the engine filters by `request.partial`.
    func candidates(for request: CommandCompletionRequest) -> [String]

    /// True for a command whose string is one word (a host name, a help topic): completing that
    /// word then closes the string. Otherwise a completed word is followed by a space, ready for
    /// the next, unless it ends in `/` or `=` (`deployment/`, `--output=`). Default false.
    var takesOneWord: Bool { get }

    /// Whether this string takes one word, for a command whose arguments differ (the host and
    /// then the command of `node.sh`). Default: `takesOneWord`.
    func takesOneWord(for request: CommandCompletionRequest) -> Bool
}

extension CommandCompletion {
    public var takesOneWord: Bool { false }
    public func takesOneWord(for request: CommandCompletionRequest) -> Bool { takesOneWord }
}

/// A provider made from a closure, for commands whose words fit in a few lines.
public struct CommandCompletionFunction: CommandCompletion {
    public let takesOneWord: Bool
    private let body: (CommandCompletionRequest) -> [String]

    public init(takesOneWord: Bool = false, _ body: @escaping (CommandCompletionRequest) -> [String]) {
        self.takesOneWord = takesOneWord
        self.body = body
    }

    public func candidates(for request: CommandCompletionRequest) -> [String] { body(request) }
}

extension ScriptRuntime {
    /// Makes Tab complete inside strings passed to `command` (a global or dotted name, as typed).
    /// Registering again replaces the provider.
    public func registerCompletion(for command: String, _ provider: any CommandCompletion) {
        commandCompletions[command] = provider
    }

    /// Convenience: a provider from a closure.
    public func registerCompletion(for command: String, takesOneWord: Bool = false,
                                   _ body: @escaping (CommandCompletionRequest) -> [String]) {
        registerCompletion(for: command, CommandCompletionFunction(takesOneWord: takesOneWord, body))
    }
}

/// Completion for the command strings of the modules every runtime has: help topics, and the
/// hosts and zones that `faults` takes.
enum BuiltinCompletions {
    static func install(into runtime: ScriptRuntime) {
        runtime.registerCompletion(for: "help", takesOneWord: true) { [unowned runtime] _ in
            runtime.documentation.topics.map(\.name)
        }
        let world = runtime.world
        for command in ["faults.crash", "faults.restart"] {
            runtime.registerCompletion(for: command, takesOneWord: true) { _ in Array(world.hosts.keys) }
        }
        runtime.registerCompletion(for: "faults.partition", takesOneWord: true) { _ in
            world.zones + Array(world.hosts.keys)
        }
    }
}
