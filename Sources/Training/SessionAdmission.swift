import Scripting
import Simulation

/// Whether a session file may be graded as it stands, and what to say about it: each refusal
/// names the line at fault. `firedrill grade --force` grades a refused session anyway, and its
/// report says FORCED on every line.
struct SessionAdmission {
    private(set) var refusals: [String] = []
    private(set) var warnings: [String] = []

    private init() {}

    /// Checks the file itself and its header against the lab and the grader's options.
    init(reading: SessionReading, lab: Lab, options: GradingOptions) {
        warnings = reading.problems.filter { $0.kind != .inconsistent }.map { "\(reading.path): \($0)" }
        if reading.isCorrupt {
            let damaged = reading.problems.filter { $0.kind != .cutOff && $0.kind != .inconsistent }.map(\.description)
            refusals.append("it has damaged lines (\(damaged.joined(separator: "; "))), so a command may be missing")
        }
        refusals += reading.inconsistencies.map(\.description)
        checkSeal(reading.seal, key: options.key)
        checkFiles(reading.header, lab: lab)
        checkHeader(reading.header, lab: lab, limits: options.limits)
        if reading.header.firedrill != options.firedrillVersion {
            warnings.append("recorded with firedrill \(reading.header.firedrill), graded with \(options.firedrillVersion)")
        }
    }

    /// Commands whose `clock` is not what their `time_us` reads on the lab's calendar.
    static func clocks(of reading: SessionReading, calendar: CalendarTime) -> SessionAdmission {
        var admission = SessionAdmission()
        for (command, line) in zip(reading.commands, reading.commandLines) {
            let clock = calendar.adding(command.timeUs).clock
            if command.clock != clock {
                admission.refusals.append("line \(line): command \(command.number) says it ran at \(command.clock), but its time_us is \(clock)")
            }
        }
        return admission
    }

    private mutating func checkSeal(_ seal: SessionSealCheck, key: SessionKey?) {
        switch seal {
        case .unsealed:
            if let key {
                refusals.append("line 1: it is in format 1, from before sessions were sealed, so it is not signed; this grading requires sessions signed with key \(key.id)")
            } else {
                warnings.append("format 1 session, from before sessions were sealed with a hash chain: an edit to it cannot be detected")
            }
        case .intact(let signer):
            if signer == nil, let key {
                refusals.append("line 1: it is not signed; this grading requires sessions signed with key \(key.id)")
            }
        case .broken(let line, _):
            refusals.append("line \(line) does not follow from the line before it: the hash chain breaks there, so the file was changed after it was recorded")
        case .unverifiable(let signer, let given?):
            refusals.append("line 1: it is signed with key \(signer), not with the key given (\(given))")
        case .unverifiable(let signer, nil):
            refusals.append("line 1: it is signed with key \(signer); grade it with that key (--key-file or \(SessionKey.environmentVariable))")
        }
    }

    private mutating func checkFiles(_ header: SessionHeader, lab: Lab) {
        let changed = lab.fingerprint.changedFiles(comparedWith: LabFingerprint(files: header.labFiles))
        guard !changed.isEmpty else { return }
        let consequence = changed.contains("lab.lua")
            ? "the world it re-executes on is not the one the trainee had"
            : "the world is the same, only the scoring changed"
        refusals.append("it was recorded against other lab files: \(changed.joined(separator: " and ")) in \(lab.directory) changed since (\(consequence))")
    }

    /// The header must say what the lab says: grading uses the lab's scenario, speed and limits,
    /// and a header that disagrees was written by something else, or edited.
    private mutating func checkHeader(_ header: SessionHeader, lab: Lab, limits: LuaLimits) {
        if header.scenario != lab.scenario.name {
            refusals.append("line 1: the header says scenario \(header.scenario), but the lab runs \(lab.scenario.name)")
        }
        if header.speed != lab.timing.speed {
            refusals.append("line 1: the header says speed \(LuaValue.format(number: header.speed)), but the lab's is \(LuaValue.format(number: lab.timing.speed))")
        }
        if header.instructionLimit != limits.instructions || header.memoryLimitBytes != limits.memoryBytes {
            refusals.append("line 1: the header's limits (\(header.instructionLimit) instructions, \(header.memoryLimitBytes >> 20) MiB) are not the lab's (\(limits.instructions), \(limits.memoryBytes >> 20) MiB); every command is graded under the lab's")
        }
    }
}
