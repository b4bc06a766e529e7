// `runbook run` on a real terminal (a tmux pane): Ctrl-C at an `ask` or `confirm` prompt
// stops the run at once, without waiting for Enter.

import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

final class RunAskInterruptTests: XCTestCase {
    private var directory = ""
    private var terminal: TmuxTerminal?

    override func setUpWithError() throws {
        _ = try ReplE2E.binary()
        directory = try ReplE2E.makeDirectory("ask")
        terminal = try TmuxTerminal(directory: directory)
        try ReplE2E.write("""
        runbook "ask"
        step decide "Decide"
          ask restart "Restart the service?"
            yes: print "restarting"
            no: print "leaving it"
          confirm "Really?"
          print "after the question"
        """, to: directory + "/ask.runbook")
    }

    override func tearDown() {
        terminal?.shutdown()
        terminal = nil
        try? FileManager.default.removeItem(atPath: directory)
    }

    private func start(_ t: TmuxTerminal) throws {
        let q = ReplE2E.shellQuote
        try t.start("main", command: "cd \(q(directory)) && \(q(ReplE2E.binaryPath)) run ask.runbook --no-journal")
    }

    /// Runs ask.runbook, answers the first question with `answer` if given, presses Ctrl-C
    /// at `prompt`, and returns the screen once the run has ended by itself (no Enter).
    private func screenAfterCtrlC(at prompt: String, answering answer: String? = nil) throws -> String? {
        let t = try XCTUnwrap(terminal)
        try start(t)
        guard t.waitFor("main", "? Restart the service? [yes/no]", timeout: 30) else { return nil }
        if let answer {
            t.type("main", answer)
            t.press("main", "Enter")
        }
        guard t.waitFor("main", prompt) else { return nil }
        t.press("main", "C-c")
        guard t.waitFor("main", "EXITED=", timeout: 10) else { return nil }
        return t.screen("main")
    }

    func testCtrlCAtAnAskPromptStopsTheRunAtOnce() throws {
        guard let screen = try screenAfterCtrlC(at: "? Restart the service? [yes/no]") else { return }
        XCTAssertTrue(screen.contains("EXITED=3"), "an interrupted run exits with 3:\n\(screen)")
        XCTAssertFalse(screen.contains("after the question"), screen)
    }

    func testCtrlCAtAConfirmPromptStopsTheRunAtOnce() throws {
        guard let screen = try screenAfterCtrlC(at: "Really? [y/N]", answering: "no") else { return }
        XCTAssertTrue(screen.contains("leaving it"), screen)
        XCTAssertTrue(screen.contains("EXITED=3"), "an interrupted run exits with 3:\n\(screen)")
        XCTAssertFalse(screen.contains("after the question"), screen)
    }

    func testAnAnswerTypedAtThePromptStillWorks() throws {
        let t = try XCTUnwrap(terminal)
        try start(t)
        guard t.waitFor("main", "? Restart the service? [yes/no]", timeout: 30) else { return }
        t.type("main", "y")
        t.press("main", "Enter")
        guard t.waitFor("main", "Really? [y/N]") else { return }
        t.type("main", "yes")
        t.press("main", "Enter")
        guard t.waitFor("main", "EXITED=", timeout: 30) else { return }
        let screen = t.screen("main")
        XCTAssertTrue(screen.contains("restarting") && screen.contains("after the question"), screen)
        XCTAssertTrue(screen.contains("EXITED=0"), screen)
    }
}
