import Foundation

/// Appends every run event to a JSON Lines journal: a header line, then one object per event.
///
/// Crash safety: each event is one write(2) of one whole line on an O_APPEND descriptor, with
/// no buffering in the process, so a `kill -9` leaves a valid journal up to the last event (a
/// kill in the middle of writing one very long line can cut that line; the reader tolerates
/// it). With the default `.checkpoints` durability the file is fsync'ed at the points a
/// postmortem needs (step ends, conclusions, failures, notes, outcomes, the end of the run)
/// and on close.
///
/// Write errors are not ignored: the first one is kept in `writeError`, later events are
/// dropped (the journal would have a hole), and `checkHealthy()` throws so the runner can stop.
public final class JournalWriter: RunObserver {
    /// Bytes of each command's stdout and stderr kept in the journal.
    public static let defaultOutputLimit = 16 * 1024

    /// When the journal is forced to disk with fsync(2). Either way every event is written
    /// immediately, so a killed runner loses nothing; fsync guards against a machine crash.
    public enum Durability: Sendable {
        /// At step ends, conclusions, failures, notes, outcomes, the end of the run and close.
        /// Costs one fsync per step (about 0.15–0.3 ms on this machine's ext4 disk).
        case checkpoints
        /// Only on close (scratch runs, benchmarks).
        case closeOnly
    }

    public let path: String
    private let redactor: SecretRedactor
    private let outputLimit: Int
    private let clock: () -> Date
    private let durability: Durability
    private let lock = NSLock()
    private var fd: Int32
    private var firstError: String?

    /// Opens (creating it and its parent directories if needed) the journal at `path`. An
    /// existing file is appended to.
    /// - Parameters:
    ///   - secrets: values replaced by "********" in everything written.
    ///   - clock: the time stamped on each event (tests pass a fixed one).
    public init(path: String, secrets: [String] = [], outputLimit: Int = JournalWriter.defaultOutputLimit,
                durability: Durability = .checkpoints, clock: @escaping () -> Date = Date.init) throws {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            } catch {
                throw JournalError.cannotOpen(path: path, reason: "cannot create \(directory): \(error.localizedDescription)")
            }
        }
        // 0600: outputs can reveal more than the secrets we know to redact.
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        if fd < 0 {
            throw JournalError.cannotOpen(path: path, reason: String(cString: strerror(errno)))
        }
        self.fd = fd
        self.path = path
        self.redactor = SecretRedactor(secrets: secrets)
        self.outputLimit = outputLimit
        self.clock = clock
        self.durability = durability
    }

    /// Opens a new journal in `directory` (default: `defaultDirectory()`), named
    /// `YYYYMMDD-HHMMSS-<runbook>-<pid>.jsonl` after the run's start time (UTC), with a
    /// "-2", "-3", … suffix if that file already exists.
    public convenience init(directory: String? = nil, runbookPath: String, startTime: Date = Date(),
                            secrets: [String] = [], outputLimit: Int = JournalWriter.defaultOutputLimit,
                            durability: Durability = .checkpoints, clock: @escaping () -> Date = Date.init) throws {
        let directory = directory ?? JournalWriter.defaultDirectory()
        let name = JournalWriter.fileName(runbookPath: runbookPath, startTime: startTime, pid: getpid())
        var path = (directory as NSString).appendingPathComponent(name)
        // Two runs of one runbook in the same second from one process (the REPL can do that)
        // must not share a file: add "-2", "-3", … before the extension.
        var attempt = 1
        while FileManager.default.fileExists(atPath: path) {
            attempt += 1
            path = (directory as NSString).appendingPathComponent(
                String(name.dropLast(".jsonl".count)) + "-\(attempt).jsonl")
        }
        try self.init(path: path, secrets: secrets, outputLimit: outputLimit, durability: durability, clock: clock)
    }

    deinit {
        close()
    }

    /// `$RUNBOOK_JOURNAL_DIR`, or `.runbook/journal` under the current directory.
    public static func defaultDirectory(environment: [String: String] = ProcessInfo.processInfo.environment,
                                        currentDirectory: String = FileManager.default.currentDirectoryPath) -> String {
        if let configured = environment["RUNBOOK_JOURNAL_DIR"], !configured.isEmpty {
            return configured
        }
        return (currentDirectory as NSString).appendingPathComponent(".runbook/journal")
    }

    /// `YYYYMMDD-HHMMSS-<runbook basename without .runbook>-<pid>.jsonl`; characters other than
    /// letters, digits, '.', '_' and '-' in the name become '_'.
    public static func fileName(runbookPath: String, startTime: Date, pid: Int32) -> String {
        var base = (runbookPath as NSString).lastPathComponent
        if base.hasSuffix(".runbook") { base.removeLast(".runbook".count) }
        let safe = String(base.unicodeScalars.map { scalar -> Character in
            let v = scalar.value
            let plain = (v >= 0x30 && v <= 0x39) || (v >= 0x41 && v <= 0x5A) || (v >= 0x61 && v <= 0x7A)
                || scalar == "." || scalar == "_" || scalar == "-"
            return plain ? Character(scalar) : "_"
        })
        let name = safe.isEmpty || safe == "." || safe == ".." ? "run" : safe
        return "\(JournalTime.fileStamp(startTime))-\(name)-\(pid).jsonl"
    }

    /// The first write error, if any ("cannot write journal …: No space left on device").
    public var writeError: String? {
        lock.lock()
        defer { lock.unlock() }
        return firstError
    }

    /// Throws `JournalError.writeFailed` once a write has failed. The runner calls this after
    /// each step and stops the run safely rather than go on without a record.
    public func checkHealthy() throws {
        if let message = writeError {
            throw JournalError.writeFailed(path: path, reason: message)
        }
    }

    public func handle(_ event: RunEvent) {
        let now: Date
        switch event {
        case .commandOutput: return   // not journaled; command_end carries the output
        case .runStarted(let header): now = header.startTime
        default: now = clock()
        }
        guard let line = JournalRecord.line(for: event, at: now, redactor: redactor,
                                            outputLimit: outputLimit) else { return }
        lock.lock()
        defer { lock.unlock() }
        guard fd >= 0, firstError == nil else { return }
        if writeAll(line), durability == .checkpoints, JournalRecord.needsSync(event) {
            sync()
        }
    }

    /// Flushes and closes the journal. Further events are ignored.
    public func close() {
        lock.lock()
        defer { lock.unlock() }
        guard fd >= 0 else { return }
        if firstError == nil { sync() }
        _ = Foundation.close(fd)
        fd = -1
    }

    // MARK: Writing (called with the lock held)

    /// One write(2) for the whole line; the loop only continues a short write (which a
    /// regular file produces only when the disk fills up) or a write interrupted by a signal.
    private func writeAll(_ line: [UInt8]) -> Bool {
        line.withUnsafeBytes { buffer -> Bool in
            var offset = 0
            while offset < buffer.count {
                let written = write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    recordError("cannot write journal \(path): \(String(cString: strerror(errno)))")
                    return false
                }
                offset += written
            }
            return true
        }
    }

    private func sync() {
        while fsync(fd) != 0 {
            if errno == EINTR { continue }
            recordError("cannot sync journal \(path): \(String(cString: strerror(errno)))")
            return
        }
    }

    private func recordError(_ message: String) {
        if firstError == nil { firstError = message }
    }
}

public enum JournalError: Error, CustomStringConvertible, Equatable {
    case cannotOpen(path: String, reason: String)
    case writeFailed(path: String, reason: String)

    public var description: String {
        switch self {
        case .cannotOpen(let path, let reason): return "cannot open journal \(path): \(reason)"
        case .writeFailed(_, let reason): return reason
        }
    }
}
