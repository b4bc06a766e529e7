// Support for the hardening tests: runs the built binary (.build/debug/runbook, or
// $RUNBOOK_HARDENING_BINARY) as a child process with a deadline and a cap on what it may
// print, and tells a clean diagnostic exit from a crash.

import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// What one run of the binary did.
struct HardeningResult {
    var stdout: Data
    var stderr: Data
    /// The exit status (only meaningful when `signal` is nil).
    var status: Int32
    /// The signal that ended the process: a crash, or the test's kill after the deadline.
    var signal: Int32?
    var timedOut: Bool
    var seconds: Double
    /// Output beyond the cap was read and dropped.
    var stdoutBytes: Int
    var stderrBytes: Int

    var out: String { String(decoding: stdout, as: UTF8.self) }
    var err: String { String(decoding: stderr, as: UTF8.self) }
    var summary: String {
        let how = signal.map { "signal \($0)" } ?? "exit \(status)"
        return "\(how)\(timedOut ? " (killed at the deadline)" : ""), \(String(format: "%.2f", seconds)) s, "
            + "stdout \(stdoutBytes) bytes, stderr \(stderrBytes) bytes; stderr begins:\n"
            + String(err.prefix(1500))
    }
}

/// A running child the test can signal.
final class HardeningProcess {
    let process = Process()
    private let outBuffer: CappedBuffer
    private let errBuffer: CappedBuffer
    private let readers = DispatchGroup()
    private let exited = DispatchSemaphore(value: 0)
    private let started = Date()

    init(_ arguments: [String], directory: String, environment: [String: String]? = nil,
         executable: String? = nil, cap: Int = 8 << 20) throws {
        let binary = executable ?? Hardening.binary
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            // A missing binary fails the test: a suite that skips itself proves nothing.
            XCTFail("the runbook binary is missing at \(binary): run `swift build` (or `make test`) first")
            throw HardeningMissingBinary(path: binary)
        }
        outBuffer = CappedBuffer(cap: cap)
        errBuffer = CappedBuffer(cap: cap)
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.environment = environment ?? Hardening.environment()
        process.standardInput = FileHandle.nullDevice
        let outPipe = Pipe(), errPipe = Pipe()
        process.standardOutput = outPipe
        process.standardError = errPipe
        process.terminationHandler = { [exited] _ in exited.signal() }
        try process.run()
        drain(outPipe, into: outBuffer)
        drain(errPipe, into: errBuffer)
    }

    var pid: pid_t { process.processIdentifier }

    func send(_ signal: Int32) { kill(pid, signal) }

    var stdoutSoFar: String { String(decoding: outBuffer.data, as: UTF8.self) }

    private func drain(_ pipe: Pipe, into buffer: CappedBuffer) {
        readers.enter()
        let fd = pipe.fileHandleForReading.fileDescriptor
        Thread.detachNewThread { [readers] in
            var chunk = [UInt8](repeating: 0, count: 65536)
            while true {
                let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if n > 0 { buffer.append(chunk, count: n); continue }
                if n < 0 && errno == EINTR { continue }
                break
            }
            readers.leave()
        }
    }

    /// Waits for the exit; at the deadline the child is killed (SIGKILL) and `timedOut` set.
    func wait(timeout: Double) -> HardeningResult {
        var timedOut = false
        if exited.wait(timeout: .now() + timeout) == .timedOut {
            timedOut = true
            kill(pid, SIGKILL)
            exited.wait()
        }
        // Leftover grandchildren may hold the pipes open: do not wait for them for long.
        _ = readers.wait(timeout: .now() + 5)
        let signal: Int32? = process.terminationReason == .uncaughtSignal ? process.terminationStatus : nil
        return HardeningResult(stdout: outBuffer.data, stderr: errBuffer.data, status: process.terminationStatus,
                               signal: signal, timedOut: timedOut, seconds: Date().timeIntervalSince(started),
                               stdoutBytes: outBuffer.total, stderrBytes: errBuffer.total)
    }
}

/// Keeps the first `cap` bytes and counts the rest (a runaway child must not exhaust memory).
final class CappedBuffer: @unchecked Sendable {
    private let lock = NSLock()
    private var bytes = Data()
    private var count = 0
    let cap: Int
    init(cap: Int) { self.cap = cap }
    func append(_ chunk: [UInt8], count n: Int) {
        lock.lock()
        defer { lock.unlock() }
        count += n
        let room = cap - bytes.count
        if room > 0 { bytes.append(contentsOf: chunk[0 ..< min(n, room)]) }
    }
    var data: Data { lock.lock(); defer { lock.unlock() }; return bytes }
    var total: Int { lock.lock(); defer { lock.unlock() }; return count }
}

enum Hardening {
    static let repositoryRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0 ..< 3 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// The binary under test: the debug build, unless RUNBOOK_HARDENING_BINARY names another
    /// (e.g. the release build).
    static var binary: String {
        if let path = ProcessInfo.processInfo.environment["RUNBOOK_HARDENING_BINARY"], !path.isEmpty { return path }
        return repositoryRoot + "/.build/debug/runbook"
    }

    static func environment(_ changes: [String: String?] = [:]) -> [String: String] {
        var env = ProcessInfo.processInfo.environment
        for name in ["NO_COLOR", "RUNBOOK_JOURNAL_DIR", "COLUMNS"] { env[name] = nil }
        env["TERM"] = "dumb"
        for (name, value) in changes { env[name] = value }
        return env
    }

    /// Runs `runbook ARGS…` to the end, killed after `timeout` seconds.
    static func run(_ arguments: [String], in directory: String, environment: [String: String]? = nil,
                    timeout: Double = 60, cap: Int = 8 << 20) throws -> HardeningResult {
        try HardeningProcess(arguments, directory: directory, environment: environment, cap: cap).wait(timeout: timeout)
    }

    static func makeDirectory(_ label: String) throws -> String {
        let path = NSTemporaryDirectory() + "runbook-hardening-\(label)-\(getpid())-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return (path as NSString).resolvingSymlinksInPath
    }

    @discardableResult
    static func write(_ text: String, _ name: String, in directory: String) throws -> String {
        try write(Data(text.utf8), name, in: directory)
    }

    @discardableResult
    static func write(_ data: Data, _ name: String, in directory: String) throws -> String {
        let path = directory + "/" + name
        try data.write(to: URL(fileURLWithPath: path))
        return path
    }

    static func read(_ path: String) -> Data? { FileManager.default.contents(atPath: path) }

    static func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }

    /// Text that only a crash prints: Swift runtime traps, the backtracer, sanitizers.
    static let crashMarkers = ["Fatal error", "Stack dump", "Segmentation fault", "Illegal instruction",
                               "Current stack trace", "💣 Program crashed", "Crash at", "Backtrace",
                               "AddressSanitizer", "stack overflow", "SIGSEGV", "SIGILL", "SIGBUS"]

    /// Asserts a clean, diagnostic exit: no signal, no deadline, an allowed status, no crash text.
    static func assertClean(_ result: HardeningResult, allowed: Set<Int32>, _ what: String,
                            file: StaticString = #filePath, line: UInt = #line) {
        if result.timedOut {
            return XCTFail("\(what): did not finish in time (a hang): \(result.summary)", file: file, line: line)
        }
        if let signal = result.signal {
            return XCTFail("\(what): ended by signal \(signal) (a crash): \(result.summary)", file: file, line: line)
        }
        XCTAssertTrue(allowed.contains(result.status),
                      "\(what): exit status \(result.status), expected one of \(allowed.sorted()): \(result.summary)",
                      file: file, line: line)
        let text = result.err + result.out
        for marker in crashMarkers where text.contains(marker) {
            XCTFail("\(what): the output holds '\(marker)' (a trap or stack trace): \(result.summary)", file: file, line: line)
        }
    }

    /// Asserts that stderr names a position `NAME:LINE:COL` in the file.
    static func assertPosition(_ result: HardeningResult, in name: String, line expectedLine: Int? = nil,
                               file: StaticString = #filePath, line: UInt = #line) {
        let escaped = NSRegularExpression.escapedPattern(for: name)
        let pattern = expectedLine.map { "\(escaped):\($0):[0-9]+" } ?? "\(escaped):[0-9]+:[0-9]+"
        XCTAssertNotNil(result.err.range(of: pattern, options: .regularExpression),
                        "stderr should name a position \(name):LINE:COL: \(result.summary)", file: file, line: line)
    }

    /// Whether a process is gone (a zombie counts as gone).
    // Process polling is shared with the other end-to-end tests (EndToEndSupport.swift).
    static func isGone(_ pid: pid_t) -> Bool { E2E.processIsGone(pid) }

    static func waitUntilGone(_ pid: pid_t, seconds: Double) -> Bool { E2E.waitUntilGone(pid, seconds: seconds) }

    /// Waits until `path` holds a whole line; returns its trimmed text.
    static func waitForLine(_ path: String, seconds: Double) -> String? {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let data = read(path), let text = String(data: data, encoding: .utf8), text.hasSuffix("\n") {
                return text.trimmingCharacters(in: .whitespacesAndNewlines)
            }
            usleep(20_000)
        }
        return nil
    }

    /// Lines of a JSON Lines file, each parsed; a line that does not parse is reported.
    static func journalObjects(_ path: String, file: StaticString = #filePath, line: UInt = #line) -> [[String: Any]] {
        guard let data = read(path) else {
            XCTFail("no journal at \(path)", file: file, line: line)
            return []
        }
        var objects: [[String: Any]] = []
        let lines = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        for (index, raw) in lines.enumerated() {
            if raw.isEmpty && index == lines.count - 1 { break }   // the final newline
            guard let object = try? JSONSerialization.jsonObject(with: Data(raw)) as? [String: Any] else {
                XCTFail("journal line \(index + 1) is not a JSON object: \(String(decoding: raw.prefix(300), as: UTF8.self))",
                        file: file, line: line)
                continue
            }
            objects.append(JournalRecordView.flatten(object))
        }
        if let last = data.last, last != UInt8(ascii: "\n") {
            XCTFail("the journal does not end with a whole line", file: file, line: line)
        }
        return objects
    }

    /// The journal files written into `directory`.
    static func journals(in directory: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [])
            .filter { $0.hasSuffix(".jsonl") }.sorted().map { directory + "/" + $0 }
    }

    /// Runs a helper tool (mount, umount, …) and returns its exit status.
    @discardableResult
    static func tool(_ path: String, _ arguments: [String]) -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
            process.waitUntilExit()
            return process.terminationStatus
        } catch {
            return -1
        }
    }
}

/// The binary under test is not there (the test has already failed).
struct HardeningMissingBinary: Error {
    let path: String
}
