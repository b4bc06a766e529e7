import CEditLine
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The interactive editor on libedit: emacs key bindings, a history of `historySize` lines kept
/// in `historyFile` (loaded at start, saved after every added line), Tab completion through
/// `completer`, and Ctrl-C that abandons the line instead of ending the program.
///
/// Use it from one thread. The prompt must be plain text (escape sequences would throw off
/// libedit's idea of the cursor column).
public final class EditLineReader: LineReader {
    public static let historySize: Int32 = 1000

    private let editLine: OpaquePointer
    private let history: OpaquePointer
    /// What EL_CLIENTDATA points at: the prompt and an unretained pointer back to `self`.
    private let clientData: UnsafeMutablePointer<rb_client_data>
    private let historyFile: String?
    private let completer: LineCompleter?

    /// Returns nil when libedit cannot set up the terminal; fall back to `PlainLineReader`.
    /// - Parameter historyFile: the history's file, or nil/"" to keep it in memory only.
    public init?(historyFile: String?, completer: LineCompleter? = nil, program: String = "runbook") {
        rb_setlocale_ctype()   // before el_init, or non-ASCII input is mangled
        guard let editLine = rb_el_init(program) else { return nil }
        guard let history = history_init() else {
            el_end(editLine)
            return nil
        }
        self.editLine = editLine
        self.history = history
        self.historyFile = (historyFile?.isEmpty ?? true) ? nil : historyFile
        self.completer = completer
        clientData = UnsafeMutablePointer<rb_client_data>.allocate(capacity: 1)
        clientData.initialize(to: rb_client_data(prompt: strdup(""), owner: nil))
        clientData.pointee.owner = Unmanaged.passUnretained(self).toOpaque()

        rb_history_setsize(history, Self.historySize)
        rb_history_setunique(history, 1)
        if let file = self.historyFile {
            HistoryFile.prepareDirectory(for: file)
            _ = rb_history_load(history, file)   // a missing file just means no history yet
        }

        rb_el_set_clientdata(editLine, clientData)
        rb_el_set_prompt_from_clientdata(editLine)
        rb_el_set_editor(editLine, "emacs")
        rb_el_set_hist(editLine, history)
        rb_el_set_signal(editLine, 1)
        rb_el_addfn(editLine, "rb-complete", "Complete the word before the cursor", EditLineReader.completeCallback)
        rb_el_bind(editLine, "^I", "rb-complete")
    }

    deinit {
        el_end(editLine)
        history_end(history)
        free(clientData.pointee.prompt)
        clientData.deinitialize(count: 1)
        clientData.deallocate()
    }

    public func readLine(prompt: String) -> String? {
        setPrompt(prompt)
        while true {
            switch EditLineReadAttempt.perform(editLine) {
            case .line(let line):
                return line
            case .interrupted:
                // Ctrl-C: abandon the line and start over on a fresh prompt line.
                rb_stdout_write("\n")
            case .endOfInput:
                // libedit echoed "^D" without a newline; end the line for whatever comes next.
                rb_stdout_write("\n")
                return nil
            }
        }
    }

    public func addHistory(_ line: String) {
        guard !line.allSatisfy({ $0 == " " || $0 == "\t" }) else { return }
        rb_history_enter(history, line)
        if let file = historyFile {
            if rb_history_save(history, file) >= 0 {
                chmod(file, 0o600)
            }
        }
    }

    private func setPrompt(_ prompt: String) {
        free(clientData.pointee.prompt)
        clientData.pointee.prompt = strdup(prompt)
    }

    // MARK: Tab completion

    /// The EL_ADDFN function bound to Tab. A C function pointer cannot capture, so it finds
    /// its reader through the client data.
    private static let completeCallback: rb_editor_fn = { editLine, _ in
        guard let editLine,
              let raw = rb_el_get_clientdata(editLine),
              let owner = raw.assumingMemoryBound(to: rb_client_data.self).pointee.owner
        else { return UInt8(CC_ERROR) }
        let reader = Unmanaged<EditLineReader>.fromOpaque(owner).takeUnretainedValue()
        return reader.complete(editLine)
    }

    private func complete(_ editLine: OpaquePointer) -> UInt8 {
        guard let completer, let info = el_line(editLine) else { return UInt8(CC_ERROR) }
        let start = UnsafeRawPointer(info.pointee.buffer!)
        let length = UnsafeRawPointer(info.pointee.cursor!) - start
        let before = String(decoding: UnsafeRawBufferPointer(start: start, count: length), as: UTF8.self)

        let plan = TabCompletion.plan(lineBeforeCursor: before, candidates: completer(before))
        if plan == .none {
            return UInt8(CC_REFRESH_BEEP)
        }
        if plan.deleteCount > 0 {
            el_deletestr(editLine, Int32(plan.deleteCount))
        }
        if !plan.insert.isEmpty, el_insertstr(editLine, plan.insert) != 0 {
            return UInt8(CC_REFRESH_BEEP)
        }
        if plan.listing.isEmpty {
            return UInt8(CC_REFRESH)
        }
        // List below the line being edited, then let libedit draw prompt and line again.
        rb_stdout_write("\n" + TabCompletion.columns(plan.listing, width: Int(rb_terminal_columns())))
        return UInt8(CC_REDISPLAY)
    }
}

/// One call of el_gets, classified. The only user of the shim's rb_sigint_* functions: their
/// flag is a `static` C variable, so every caller must be compiled into the same object file.
enum EditLineReadAttempt {
    case line(String)
    case interrupted
    case endOfInput

    static func perform(_ editLine: OpaquePointer) -> EditLineReadAttempt {
        // Our own SIGINT handler (no SA_RESTART) for the duration of the read: libedit's signal
        // handling restores the terminal, then passes the signal on to it, and read() fails with
        // EINTR. Whatever handler the caller had (e.g. one that cancels commands) comes back after.
        var previous = sigaction()
        rb_sigint_catch(&previous)
        var count: Int32 = 0
        let text = el_gets(editLine, &count)
        let error = rb_errno()
        let interrupted = rb_sigint_take() != 0
        rb_sigint_restore(&previous)

        if interrupted || (text == nil && count < 0 && error == EINTR) {
            return .interrupted
        }
        guard let text, count > 0 else {
            return .endOfInput   // count 0: Ctrl-D on an empty line or end of input
        }
        var line = String(cString: text)
        // Scalars, not Characters: "\r\n" is a single Character.
        while let last = line.unicodeScalars.last, last == "\n" || last == "\r" {
            line.unicodeScalars.removeLast()
        }
        return .line(line)
    }
}
