import Simulation

/// `kubectl --help` and `kubectl COMMAND --help` in kubectl 1.6's layout (description, examples,
/// options, usage), trimmed to the commands and flags Firedrill's kubectl runs, and saying so.
enum KubectlHelp {
    static let trimmed = "(Firedrill's kubectl: only the commands and flags listed here; anything else gets kubectl's own error.)"

    static func root(era: KubectlEra) -> String {
        var lines = ["kubectl controls the Kubernetes cluster manager.", "",
                     "Find more information at https://github.com/kubernetes/kubernetes.", "", trimmed]
        let width = KubectlCommandTable.groups.flatMap(\.commands).map(\.count).max()! + 1
        for group in KubectlCommandTable.groups {
            lines += ["", "\(group.title):"]
            for name in group.commands {
                let spec = KubectlCommandTable.specs[name]!
                lines.append("  " + name.padding(toLength: max(width, 15), withPad: " ", startingAt: 0) + spec.summary)
            }
        }
        lines += ["", "Use \"kubectl <command> --help\" for more information about a given command.",
                  "Use \"kubectl options\" for a list of global command-line options (applies to all commands).",
                  "", "This kubectl is \(era.release.gitVersion), the cluster's release."]
        return lines.joined(separator: "\n")
    }

    static func text(for spec: KubectlCommandSpec, era: KubectlEra) -> String {
        var sections = [spec.description]
        if !spec.examples.isEmpty {
            sections.append("Examples:\n" + spec.examples.joined(separator: "\n\n").split(separator: "\n", omittingEmptySubsequences: false)
                .map { $0.isEmpty ? "" : "  \($0)" }.joined(separator: "\n"))
        }
        let subcommands = KubectlCommandTable.subcommands(of: spec.path)
        if !subcommands.isEmpty {
            sections.append("Available Commands:\n" + subcommands.map { sub in
                "  " + String(sub.path.dropFirst(spec.path.count + 1)).padding(toLength: 12, withPad: " ", startingAt: 0) + sub.summary
            }.joined(separator: "\n"))
        }
        let flags = spec.flags.compactMap { KubectlCommandTable.flags[$0] }
        if !flags.isEmpty { sections.append("Options:\n" + flags.map(option).joined(separator: "\n")) }
        sections.append("Usage:\n  \(spec.usage)" + (spec.run == nil ? "" : " [options]"))
        var closing = "Use \"kubectl options\" for a list of global command-line options (applies to all commands)."
        if !subcommands.isEmpty { closing = "Use \"kubectl <command> --help\" for more information about a given command.\n" + closing }
        sections.append(closing + "\n" + trimmed)
        return sections.joined(separator: "\n\n")
    }

    /// `  -o, --output='': Output format...` or `      --show-labels=false: ...`.
    static func option(_ flag: KubectlFlag) -> String {
        let names = flag.shorthand.map { "  -\($0), --\(flag.name)" } ?? "      --\(flag.name)"
        return "\(names)=\(flag.defaultText): \(flag.help)"
    }
}
