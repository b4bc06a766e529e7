// Helpers for the REPL and journal end-to-end tests: the built binary as a child process
// (stdin from a pipe the test writes to as it goes), a tmux pseudo-terminal for the real
// line editor, and JSON Lines journals read back line by line.
//
// Everything waits by polling with a generous deadline, never by a fixed sleep, so the tests
// stay deterministic on a loaded machine.

import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

enum ReplE2E {
    /// The repository root, found from this file's path (Tests/EndToEndTests/…).
    static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    static var binaryPath: String { root + "/.build/debug/runbook" }

    /// The built binary, or a clear failure when it is not there.
    static func binary(file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let path = binaryPath
        guard FileManager.default.isExecutableFile(atPath: path) else {
            XCTFail("the runbook binary is missing at \(path): build it first (`swift build --build-tests -j 2`)",
                    file: file, line: line)
            throw ReplE2EError("missing binary \(path)")
        }
        return path
    }

    /// A runbook under Tests/fixtures/repl.
    static func fixture(_ name: String) -> String { root + "/Tests/fixtures/repl/" + name }

    /// The test runner's environment without what would change the binary's behaviour.
    static func environment(_ changes: [String: String] = [:]) -> [String: String] {
        var env = ProcessInfo.processInfo.environment
        for name in ["NO_COLOR", "RUNBOOK_JOURNAL_DIR", "COLUMNS", "TMUX", "TMUX_PANE"] { env[name] = nil }
        env["TERM"] = "dumb"
        for (name, value) in changes { env[name] = value }
        return env
    }

    /// A fresh directory under the temporary directory, symlinks resolved.
    static func makeDirectory(_ label: String) throws -> String {
        let path = NSTemporaryDirectory() + "runbook-repl-\(label)-\(getpid())-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return (path as NSString).resolvingSymlinksInPath
    }

    static func read(_ path: String) -> String? {
        (try? Data(contentsOf: URL(fileURLWithPath: path))).map { String(decoding: $0, as: UTF8.self) }
    }

    static func write(_ text: String, to path: String) throws {
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }

    /// A number no other test run uses, to find this test's processes with `pgrep -f`.
    static func uniqueDigits() -> String {
        "\(getpid())\(UInt32.random(in: 100_000...999_999))"
    }

    /// Polls `condition` every 50 ms until it holds or `seconds` pass.
    @discardableResult
    static func eventually(_ seconds: Double = 10, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            usleep(50_000)
        }
        return condition()
    }

    /// Single-quotes a word for /bin/sh.
    static func shellQuote(_ word: String) -> String {
        "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// Process ids whose command line matches `pattern` (pgrep -f), this test process excluded.
    static func pids(matching pattern: String) -> [pid_t] {
        let result = try? runTool(["pgrep", "-f", pattern])
        return (result?.stdout ?? "").split(separator: "\n").compactMap { pid_t($0) }.filter { $0 != getpid() }
    }

    /// Kills, by id, the processes a test left behind (found by its unique marker).
    static func killLeftovers(matching pattern: String) {
        for pid in pids(matching: pattern) { kill(pid, SIGKILL) }
    }

    /// Runs a helper tool (tmux, pgrep, sh) found on PATH and returns its exit status and stdout.
    ///
    /// posix_spawn and waitpid, not Foundation's Process: Process learns of the exit through a
    /// descriptor the child inherits, so a tool that leaves a daemon behind (`tmux
    /// new-session` starts the tmux server) would keep `waitUntilExit` waiting for the daemon.
    /// Output goes to a file for the same reason (the daemon may keep a pipe open).
    @discardableResult
    static func runTool(_ arguments: [String], environment: [String: String]? = nil,
                        timeout: Double = 30) throws -> (status: Int32, stdout: String) {
        let outputPath = NSTemporaryDirectory() + "runbook-repl-tool-\(getpid())-\(UUID().uuidString.prefix(8))"
        defer { unlink(outputPath) }
        let output = open(outputPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        let null = open("/dev/null", O_RDWR | O_CLOEXEC)
        guard output >= 0, null >= 0 else { throw ReplE2EError("cannot open \(outputPath) or /dev/null") }
        defer { close(output); close(null) }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, null, 0)
        posix_spawn_file_actions_adddup2(&actions, output, 1)
        posix_spawn_file_actions_adddup2(&actions, null, 2)

        let argv = arguments.map { strdup($0) } + [nil]
        let envp = (environment ?? ReplE2E.environment()).map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawnp(&pid, arguments[0], &actions, nil, argv, envp)
        guard spawned == 0 else { throw ReplE2EError("cannot run \(arguments[0]): error \(spawned)") }

        var status: Int32 = 0
        let deadline = Date().addingTimeInterval(timeout)
        while waitpid(pid, &status, WNOHANG) == 0 {
            if Date() > deadline {
                kill(pid, SIGKILL)
                waitpid(pid, &status, 0)
                throw ReplE2EError("\(arguments.joined(separator: " ")) did not finish within \(timeout) s")
            }
            usleep(10_000)
        }
        let exitStatus = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return (exitStatus, read(outputPath) ?? "")
    }

    static func toolExists(_ name: String) -> Bool {
        (try? runTool(["sh", "-c", "command -v \(name)"]))?.status == 0
    }
}

struct ReplE2EError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

// MARK: - The binary as a child process

/// `runbook ARGS…` running with stdout and stderr going to files and stdin a pipe the test
/// writes to (or nothing).
final class ReplChild {
    let process = Process()
    let stdoutPath: String
    let stderrPath: String
    private let input: Pipe?
    private let arguments: [String]

    /// - Parameter interactiveInput: give the child a stdin pipe to write to with `send`.
    /// - Parameter launcher: a program that starts the binary (`prlimit --fsize=N`), or none.
    init(_ arguments: [String], directory: String, environment: [String: String] = ReplE2E.environment(),
         interactiveInput: Bool = false, launcher: [String] = [],
         file: StaticString = #filePath, line: UInt = #line) throws {
        signal(SIGPIPE, SIG_IGN)   // a child that exits early must not kill the test runner
        self.arguments = arguments
        stdoutPath = directory + "/stdout-\(UUID().uuidString.prefix(6)).txt"
        stderrPath = directory + "/stderr-\(UUID().uuidString.prefix(6)).txt"
        FileManager.default.createFile(atPath: stdoutPath, contents: nil)
        FileManager.default.createFile(atPath: stderrPath, contents: nil)
        let binary = try ReplE2E.binary(file: file, line: line)
        process.executableURL = URL(fileURLWithPath: launcher.first ?? binary)
        process.arguments = launcher.isEmpty ? arguments : Array(launcher.dropFirst()) + [binary] + arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.environment = environment
        input = interactiveInput ? Pipe() : nil
        process.standardInput = input ?? FileHandle.nullDevice
        process.standardOutput = FileHandle(forWritingAtPath: stdoutPath)
        process.standardError = FileHandle(forWritingAtPath: stderrPath)
        try process.run()
    }

    var pid: pid_t { process.processIdentifier }
    var stdout: String { ReplE2E.read(stdoutPath) ?? "" }
    var stderr: String { ReplE2E.read(stderrPath) ?? "" }

    /// Writes lines to the child's stdin.
    func send(_ text: String) {
        input?.fileHandleForWriting.write(Data(text.utf8))
    }

    /// Ends the child's stdin (the REPL reads end of input, like Ctrl-D).
    func closeInput() {
        try? input?.fileHandleForWriting.close()
    }

    /// Waits for the exit; after `timeout` seconds the child is killed and the test fails.
    @discardableResult
    func wait(timeout: Double = 60, file: StaticString = #filePath, line: UInt = #line) -> Int32 {
        if !ReplE2E.eventually(timeout, { !process.isRunning }) {
            XCTFail("runbook \(arguments.joined(separator: " ")) did not finish within \(timeout) s; stdout so far:\n\(stdout)",
                    file: file, line: line)
            kill(pid, SIGKILL)
        }
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// Runs `runbook ARGS…` to the end with `stdin` as its whole input.
    static func run(_ arguments: [String], directory: String, stdin: String? = nil,
                    environment: [String: String] = ReplE2E.environment(), timeout: Double = 60,
                    launcher: [String] = [],
                    file: StaticString = #filePath, line: UInt = #line) throws -> (status: Int32, stdout: String, stderr: String) {
        let child = try ReplChild(arguments, directory: directory, environment: environment,
                                  interactiveInput: stdin != nil, launcher: launcher, file: file, line: line)
        if let stdin {
            child.send(stdin)
            child.closeInput()
        }
        let status = child.wait(timeout: timeout, file: file, line: line)
        return (status, child.stdout, child.stderr)
    }
}

// MARK: - Journals

/// A journal file read back line by line, as JSON objects, without the project's reader (so
/// the tests check the format on disk, not the reader's tolerance).
struct ReplJournalFile {
    let path: String
    /// Every complete line decoded; a line that is not a JSON object is in `badLines`.
    var objects: [[String: Any]] = []
    /// 1-based numbers of complete lines that are not JSON objects.
    var badLines: [Int] = []
    /// The file does not end with a newline: its last line was cut (that line is not in `objects`).
    var cutLastLine = false

    init(_ path: String) {
        self.path = path
        let data = (try? Data(contentsOf: URL(fileURLWithPath: path))) ?? Data()
        let endsWithNewline = data.last == UInt8(ascii: "\n")
        var lines = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        if lines.last?.isEmpty == true { lines.removeLast() }
        for (index, line) in lines.enumerated() {
            let isCut = index == lines.count - 1 && !endsWithNewline
            if let object = (try? JSONSerialization.jsonObject(with: Data(line))) as? [String: Any], !isCut {
                objects.append(JournalRecordView.flatten(object))
            } else if isCut {
                cutLastLine = true
            } else {
                badLines.append(index + 1)
            }
        }
    }

    var types: [String] { objects.map { $0["type"] as? String ?? "?" } }

    /// The records a resume appended: those after the last `resumed` record.
    var resumedPart: ReplJournalFile {
        var part = self
        if let start = objects.lastIndex(where: { $0["type"] as? String == "resumed" }) {
            part.objects = Array(objects[start...])
        } else {
            part.objects = []
        }
        return part
    }

    func events(_ type: String) -> [[String: Any]] { objects.filter { $0["type"] as? String == type } }

    func events(_ type: String, step: String) -> [[String: Any]] {
        events(type).filter { $0["step"] as? String == step }
    }

    /// The raw text of the file (for checks that a value appears nowhere in it).
    var text: String { ReplE2E.read(path) ?? "" }
}

// MARK: - A pseudo-terminal with tmux

/// A private tmux server (its own socket, in the test's directory, so nothing is left behind
/// in tmux's shared socket directory) whose windows run the REPL on a real terminal.
final class TmuxTerminal {
    let socket: String
    private let environment: [String: String]

    /// Throws XCTSkip when tmux is not installed.
    init(directory: String) throws {
        guard ReplE2E.toolExists("tmux") else { throw XCTSkip("tmux is not installed: the terminal tests need it") }
        socket = directory + "/tmux.sock"
        environment = ReplE2E.environment(["TERM": "xterm-256color"])
        _ = try? tmux(["kill-server"])
    }

    deinit { shutdown() }

    @discardableResult
    private func tmux(_ arguments: [String]) throws -> (status: Int32, stdout: String) {
        try ReplE2E.runTool(["tmux", "-S", socket] + arguments, environment: environment)
    }

    /// Opens a detached session `name`, 120×40, running `command` with `sh -c`. After the
    /// command, the window prints `EXITED=<status>` and stays open so its output can be read.
    func start(_ name: String, command: String) throws {
        let wrapped = command + "; echo EXITED=$?; sleep 600"
        let result = try tmux(["new-session", "-d", "-s", name, "-x", "120", "-y", "40", wrapped])
        guard result.status == 0 else { throw ReplE2EError("tmux new-session failed (\(result.status))") }
    }

    /// Types text literally (no key names).
    func type(_ session: String, _ text: String) {
        _ = try? tmux(["send-keys", "-t", session, "-l", "--", text])
    }

    /// Presses keys by tmux name: Enter, Up, Down, Tab, C-c, C-d, C-u.
    func press(_ session: String, _ keys: String...) {
        _ = try? tmux(["send-keys", "-t", session] + keys)
    }

    /// The visible screen, trailing blank lines removed.
    func screen(_ session: String) -> String {
        let text = (try? tmux(["capture-pane", "-p", "-t", session]))?.stdout ?? ""
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        while let last = lines.last, last.trimmingCharacters(in: .whitespaces).isEmpty { lines.removeLast() }
        return lines.joined(separator: "\n")
    }

    /// The screen's last non-blank line (where the prompt and the line being edited are).
    func lastLine(_ session: String) -> String {
        screen(session).split(separator: "\n", omittingEmptySubsequences: false).last.map(String.init) ?? ""
    }

    /// Waits until `condition` holds for the screen; on timeout fails with the screen shown.
    @discardableResult
    func waitForScreen(_ session: String, _ what: String, timeout: Double = 15,
                       file: StaticString = #filePath, line: UInt = #line,
                       _ condition: (String) -> Bool) -> Bool {
        if ReplE2E.eventually(timeout, { condition(screen(session)) }) { return true }
        XCTFail("waited \(timeout) s for \(what); the screen shows:\n\(screen(session))", file: file, line: line)
        return false
    }

    /// Waits until the screen contains `text`.
    @discardableResult
    func waitFor(_ session: String, _ text: String, timeout: Double = 15,
                 file: StaticString = #filePath, line: UInt = #line) -> Bool {
        waitForScreen(session, "“\(text)”", timeout: timeout, file: file, line: line) { $0.contains(text) }
    }

    /// Waits until the last line is exactly `text` (a prompt, with what is typed after it;
    /// capture-pane drops trailing spaces).
    @discardableResult
    func waitForLastLine(_ session: String, _ text: String, timeout: Double = 15,
                         file: StaticString = #filePath, line: UInt = #line) -> Bool {
        waitForScreen(session, "the last line to be “\(text)”", timeout: timeout, file: file, line: line) { screen in
            (screen.split(separator: "\n", omittingEmptySubsequences: false).last.map(String.init) ?? "") == text
        }
    }

    /// Waits until `text` is on screen with the prompt after it, and the prompt is the last
    /// line: the command that printed `text` has finished and the REPL waits for the next one.
    @discardableResult
    func waitForPrompt(_ session: String, _ prompt: String, after text: String, timeout: Double = 15,
                       file: StaticString = #filePath, line: UInt = #line) -> Bool {
        waitForScreen(session, "“\(text)” and then the prompt “\(prompt)”", timeout: timeout, file: file, line: line) { screen in
            guard let range = screen.range(of: text, options: .backwards) else { return false }
            let after = screen[range.upperBound...]
            let last = screen.split(separator: "\n", omittingEmptySubsequences: false).last.map(String.init) ?? ""
            return last == prompt && after.contains(prompt)
        }
    }

    /// Stops the server and everything running in it.
    func shutdown() {
        _ = try? tmux(["kill-server"])
        unlink(socket)
    }
}
