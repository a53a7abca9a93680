import Foundation
import Scripting
import Training

/// What the interactive REPL drives: a plain world, or a lab whose session is paced by the wall
/// clock and recorded. The terminal side (editing, history, colour, Ctrl-C) is the same for both.
protocol ReplDriver: AnyObject {
    /// The core the prompt, completion and interrupts are read from.
    var core: ReplCore { get }
    func step(_ line: String) -> ReplCore.Step
    /// What to show before the next prompt.
    func noticesBetweenCommands() -> [Notice]
    func cancelPending()
    /// True once the session asked to end by itself (`lab.finish()`).
    var isFinishRequested: Bool { get }
    /// The session ends (Ctrl-D, `exit`, `lab.finish()`); returns the last words to show.
    func leave(reason: String) -> [Notice]
    /// Lets the world catch up with the wall clock before a command runs, so that what happened
    /// meanwhile (a page, a deploy) is shown before the command's output, not after it.
    func catchUp()
}

extension ReplDriver {
    func catchUp() {}
}

/// A REPL on a world of its own, as `firedrill repl` opens.
final class WorldReplDriver: ReplDriver {
    let core: ReplCore

    init(core: ReplCore) { self.core = core }

    func step(_ line: String) -> ReplCore.Step { core.step(line) }
    func noticesBetweenCommands() -> [Notice] { core.noticesBetweenCommands() }
    func cancelPending() { core.cancelPending() }
    var isFinishRequested: Bool { false }
    func leave(reason: String) -> [Notice] { [] }
}

/// A lab at the keyboard: lines go through `LiveLab`, which paces and records them.
final class LabReplDriver: ReplDriver {
    let live: LiveLab

    init(live: LiveLab) { self.live = live }

    var core: ReplCore { live.session.replCore }
    func step(_ line: String) -> ReplCore.Step { live.step(line) }
    func catchUp() { live.catchUp() }
    func cancelPending() { live.cancelPending() }
    var isFinishRequested: Bool { live.isFinishRequested }

    /// The lab's own announcements first (steps, injects), then the world's (pages, failures).
    func noticesBetweenCommands() -> [Notice] {
        live.takeNotices().map(LabReplDriver.notice) + core.noticesBetweenCommands()
    }

    func leave(reason: String) -> [Notice] {
        live.finish(reason: reason)
        return noticesBetweenCommands()
    }

    static func notice(_ notice: LabNotice) -> Notice {
        switch notice.kind {
        case .step, .output: Notice(notice.text, kind: .info)
        case .page: Notice(notice.text, kind: .alert)
        case .problem: Notice("lab: " + notice.text, kind: .warning)
        }
    }
}
