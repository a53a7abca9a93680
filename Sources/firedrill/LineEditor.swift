import CLineEdit
import CLua
import Foundation
import Scripting

/// Reads the REPL's input one line at a time with libedit: editing keys, history (Up, Ctrl-R),
/// and Tab completion from the `Completer`. Only for a terminal; piped input is read plainly.
final class LineEditor {
    enum Input: Equatable {
        case line(String)
        /// Ctrl-C while typing: the line is dropped.
        case interrupted
        /// Ctrl-D on an empty line, or the terminal went away.
        case endOfInput
    }

    /// Completes the text before the cursor.
    typealias Completion = (_ head: String) -> CompletionResult?
    /// Lays out candidates for a terminal this many columns wide.
    typealias Listing = (_ candidates: [CompletionCandidate], _ columns: Int) -> String

    private var editor: UnsafeMutablePointer<fd_line_editor>!
    private let completion: Completion
    private let listing: Listing

    /// Nil when libedit cannot start on this terminal; the REPL then reads plainly.
    init?(historySize: Int, completion: @escaping Completion, listing: @escaping Listing) {
        self.completion = completion
        self.listing = listing
        // libedit decodes multibyte input by the C locale's character type; without this, UTF-8
        // typed at the prompt would be dropped as invalid bytes.
        setlocale(LC_CTYPE, "")
        let handler: fd_completion_handler = { owner, editor in
            guard let owner, let editor else { return UInt8(CC_ERROR) }
            return Unmanaged<LineEditor>.fromOpaque(owner).takeUnretainedValue().completeAtCursor(editor)
        }
        let owner = Unmanaged.passUnretained(self).toOpaque()
        guard let opened = fd_line_editor_open("firedrill", Int32(historySize), owner, handler) else { return nil }
        editor = opened
        fd_line_editor_hold_terminal(editor, 1)
    }

    deinit { fd_line_editor_close(editor) }

    /// Shows `prompt` and reads one line (without its newline). A recalled multi-line chunk comes
    /// back whole, newlines inside.
    func read(prompt: String) -> Input {
        fd_line_editor_set_prompt(editor, prompt)
        // A Ctrl-C that stopped the previous command must not also cancel this line.
        _ = fd_take_interrupt()
        var count: Int32 = 0
        let text = el_gets(editor.pointee.editor, &count)
        // el_gets gives the terminal back cooked; take it again before the command runs.
        fd_line_editor_hold_terminal(editor, 1)
        guard let text else { return fd_take_interrupt() != 0 ? .interrupted : .endOfInput }
        _ = fd_take_interrupt()
        var line = String(cString: text)
        if line.hasSuffix("\n") { line.removeLast() }
        return .line(line)
    }

    /// Adds an entry to what Up and Ctrl-R recall in this session.
    func remember(_ entry: String) { fd_line_editor_remember(editor, entry) }

    /// Tab: replace the partial name with its completion, or list the candidates below the line.
    private func completeAtCursor(_ editLine: OpaquePointer) -> UInt8 {
        guard let info = el_line(editLine)?.pointee, let buffer = info.buffer, let cursor = info.cursor else {
            return UInt8(CC_ERROR)
        }
        let head = String(decoding: UnsafeRawBufferPointer(start: buffer, count: cursor - buffer), as: UTF8.self)
        guard let result = completion(head), !result.candidates.isEmpty else { return UInt8(CC_REFRESH_BEEP) }
        if result.extendsInput {
            // libedit counts characters (wide characters), not bytes.
            el_deletestr(editLine, Int32(result.partial.unicodeScalars.count))
            guard el_insertstr(editLine, result.replacement) == 0 else { return UInt8(CC_REFRESH_BEEP) }
            return UInt8(CC_REFRESH)
        }
        let columns = Int(fd_terminal_columns(STDOUT_FILENO))
        print("\n" + listing(result.candidates, columns))
        fflush(nil)
        // Redraw the prompt and the line below the list, as libedit's own completion does.
        return UInt8(CC_REDISPLAY)
    }
}

extension LineEditor {
    /// Runs `handler` whenever `descriptor` turns readable while the editor waits for a key (the
    /// real kubectl's requests, `--api`); -1 and nil stop it. Set from this file because the
    /// shim's state is `static` in its header: each Swift file that calls into it has its own copy,
    /// and the editor reads this file's.
    static func serveWhileWaiting(_ descriptor: Int32, _ handler: (@convention(c) () -> Void)?) {
        fd_set_idle_source(descriptor, handler)
    }
}

/// Ctrl-C for the interactive REPL.
enum InterruptHandling {
    /// Routes SIGINT to the Lua state's interrupt flag (which stops a running chunk or
    /// `sim.advance` between events) and to the line editor (which drops the line being typed).
    static func install(for lua: LuaState) {
        fd_install_interrupt_handler(lua.interruptFlagAddress)
    }

    /// True if Ctrl-C arrived since the last look; clears it.
    static func takeInterrupt() -> Bool { fd_take_interrupt() != 0 }
}
