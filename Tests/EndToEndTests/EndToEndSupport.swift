// Runs the built `runbook` binary as a real child process and collects what it did.

import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

struct E2EBinaryMissing: Error, CustomStringConvertible {
    let path: String
    var description: String {
        "the runbook binary is missing at \(path): build it first (`swift build`, or `make test`, which builds before testing)"
    }
}

/// What one run of the binary did.
struct E2EResult {
    var stdout: String
    var stderr: String
    /// The exit status, or 128+N when a signal N ended it.
    var exitCode: Int32
    /// Set when a signal ended the process (a crash, or the test's own kill after its deadline).
    var signal: Int32?
    var duration: Double
    var timedOut: Bool

    var stdoutLines: [String] { stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) }
}

/// A running child: the test can signal it and then wait.
final class E2EProcess {
    let process: Process
    private let stdoutData = E2ELockedData()
    private let stderrData = E2ELockedData()
    private let readers = DispatchGroup()
    private let finished = DispatchSemaphore(value: 0)
    private let started = Date()

    init(arguments: [String], directory: String, environment: [String: String]?, stdin: FileHandle?,
         stdout: FileHandle? = nil) throws {
        let binary = E2E.binaryPath
        guard FileManager.default.isExecutableFile(atPath: binary) else { throw E2EBinaryMissing(path: binary) }
        process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.environment = environment ?? E2E.environment()
        process.standardInput = stdin ?? FileHandle.nullDevice
        let outPipe = Pipe(), errPipe = Pipe()
        process.standardOutput = stdout ?? outPipe
        process.standardError = errPipe
        process.terminationHandler = { [finished] _ in finished.signal() }
        try process.run()
        if stdout == nil { read(outPipe, into: stdoutData) } else { try? outPipe.fileHandleForReading.close() }
        read(errPipe, into: stderrData)
    }

    private func read(_ pipe: Pipe, into data: E2ELockedData) {
        readers.enter()
        let handle = pipe.fileHandleForReading
        Thread.detachNewThread { [readers] in
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                data.append(chunk)
            }
            readers.leave()
        }
    }

    var pid: pid_t { process.processIdentifier }

    /// The output so far (for waiting until the child has reached some point).
    var stdoutSoFar: String { String(decoding: stdoutData.value, as: UTF8.self) }

    func interrupt() { process.interrupt() }

    /// Waits for the exit; after `timeout` seconds the child is killed and `timedOut` is set.
    func wait(timeout: Double) -> E2EResult {
        var timedOut = false
        if finished.wait(timeout: .now() + timeout) == .timedOut {
            timedOut = true
            kill(pid, SIGKILL)
            finished.wait()
        }
        // Grandchildren may keep the pipes open; do not wait for them forever.
        _ = readers.wait(timeout: .now() + 5)
        let signal: Int32? = process.terminationReason == .uncaughtSignal ? process.terminationStatus : nil
        return E2EResult(
            stdout: String(decoding: stdoutData.value, as: UTF8.self),
            stderr: String(decoding: stderrData.value, as: UTF8.self),
            exitCode: signal.map { 128 + $0 } ?? process.terminationStatus,
            signal: signal,
            duration: Date().timeIntervalSince(started),
            timedOut: timedOut)
    }
}

final class E2ELockedData: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    func append(_ chunk: Data) { lock.lock(); data.append(chunk); lock.unlock() }
    var value: Data { lock.lock(); defer { lock.unlock() }; return data }
}

enum E2E {
    /// The repository root, found from this file's path (Tests/EndToEndTests/…).
    static let repositoryRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    static var binaryPath: String { repositoryRoot + "/.build/debug/runbook" }

    /// The test runner's environment without what would change the binary's output.
    static func environment(_ changes: [String: String?] = [:]) -> [String: String] {
        var env = ProcessInfo.processInfo.environment
        for name in ["NO_COLOR", "RUNBOOK_JOURNAL_DIR", "COLUMNS"] { env[name] = nil }
        env["TERM"] = "dumb"
        for (name, value) in changes { env[name] = value }
        return env
    }

    /// Runs `runbook ARGS…` to the end (killed after `timeout` seconds).
    static func run(_ arguments: [String], in directory: String, environment: [String: String]? = nil,
                    timeout: Double = 60, file: StaticString = #filePath, line: UInt = #line) throws -> E2EResult {
        let running = try E2EProcess(arguments: arguments, directory: directory, environment: environment, stdin: nil)
        let result = running.wait(timeout: timeout)
        XCTAssertFalse(result.timedOut, "runbook \(arguments.joined(separator: " ")) did not finish within \(timeout) s",
                       file: file, line: line)
        return result
    }

    /// Writes a runbook (or any file) into `directory`, making parent directories.
    static func write(_ text: String, to name: String, in directory: String) throws {
        let path = directory + "/" + name
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }

    static func makeDirectory(_ label: String) throws -> String {
        let path = NSTemporaryDirectory() + "runbook-e2e-\(label)-\(getpid())-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return (path as NSString).resolvingSymlinksInPath
    }

    static func read(_ path: String) -> String? {
        (try? Data(contentsOf: URL(fileURLWithPath: path))).map { String(decoding: $0, as: UTF8.self) }
    }

    static func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }

    /// Replaces the timing parts of run output: `12 ms`, `1.2 s`, `2m 5s` → `TIME`.
    static func normalizeTimes(_ text: String) -> String {
        let patterns = [#"\b\d+m \d+s\b"#, #"\b\d+\.\d s\b"#, #"\b\d+ ms\b"#, #"(?<=timed out after )\d+s\b"#]
        var result = text
        for pattern in patterns {
            let regex = try! NSRegularExpression(pattern: pattern)
            result = regex.stringByReplacingMatches(in: result, range: NSRange(result.startIndex..., in: result),
                                                    withTemplate: "TIME")
        }
        return result
    }

    /// Whether a process is gone: kill(pid, 0) fails with ESRCH (a zombie counts as gone: it
    /// can do nothing more, and only its parent can remove it).
    static func processIsGone(_ pid: pid_t) -> Bool {
        if kill(pid, 0) != 0 && errno == ESRCH { return true }
        guard let stat = read("/proc/\(pid)/stat"), let close = stat.lastIndex(of: ")") else { return false }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return fields.first == "Z"
    }

    /// Polls until the process is gone or `seconds` pass.
    static func waitUntilGone(_ pid: pid_t, seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if processIsGone(pid) { return true }
            usleep(20_000)
        }
        return processIsGone(pid)
    }

    /// Polls until a file exists with content.
    static func waitForFile(_ path: String, seconds: Double) -> String? {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let text = read(path), !text.isEmpty, text.hasSuffix("\n") { return text }
            usleep(20_000)
        }
        return nil
    }
}
