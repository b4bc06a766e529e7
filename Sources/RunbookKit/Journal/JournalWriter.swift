import Foundation

/// Appends every run event to a JSON Lines journal: a header line, then one object per event.
///
/// Crash safety: each event is one write(2) of one whole line on an O_APPEND descriptor, with
/// no buffering in the process, so a `kill -9` leaves a valid journal up to the last event (a
/// kill in the middle of writing one very long line can cut that line; the reader tolerates
/// it). With the default `.checkpoints` durability the file is fsync'ed at the points a
/// postmortem needs (step ends, conclusions, failures, notes, outcomes, the end of the run)
/// by a background thread that coalesces the requests, so the run does not wait for the
/// disk; close() waits for a last fsync. See `Durability` for the trade-off.
///
/// Write errors are not ignored: the first one is kept in `writeError`, later events are
/// dropped (the journal would have a hole), and `checkHealthy()` throws so the runner can stop.
public final class JournalWriter: RunObserver {
    /// Bytes of each command's stdout and stderr kept in the journal.
    public static let defaultOutputLimit = 16 * 1024

    /// When the journal is forced to disk with fsync(2). Whatever the choice, every event is
    /// written immediately with one write(2), so a killed runner (kill -9, a crash of the
    /// runner itself) loses nothing: the kernel has the data. fsync only guards against the
    /// machine itself going down (power loss, kernel panic) before the kernel wrote it out.
    public enum Durability: Sendable {
        /// At step ends, conclusions, failures, notes, outcomes and the end of the run, by a
        /// background thread: the runner asks and goes on, and requests that arrive while an
        /// fsync is running are covered by the next one. A machine crash can lose the events
        /// of the last few milliseconds (the fsync in flight); close() waits for a final
        /// fsync. An fsync error is reported like a write error (`writeError`), a moment later.
        case checkpoints
        /// The same points, but `handle` returns only after the fsync (about 0.1–0.3 ms per
        /// step on this machine's ext4 disk, more when the disk is busy).
        case synchronousCheckpoints
        /// Only on close (scratch runs, benchmarks).
        case closeOnly
    }

    public let path: String
    /// Replaced when a secret becomes known during the run (the REPL's `set` on a secret).
    private var redactor: SecretRedactor
    private var secrets: [String]
    private let syncInterval: Double
    private let outputLimit: Int
    private let clock: () -> Date
    private let durability: Durability
    private let lock = Mutex()
    private var fd: Int32
    private var firstError: String?
    /// The background fsync thread of `.checkpoints`, started at the first request.
    private var syncer: JournalSyncer?
    /// Something was written that no fsync (done or requested) covers yet.
    private var unsynced = false

    /// Opens (creating it and its parent directories if needed) the journal at `path`. An
    /// existing file is appended to (that is how `resume` keeps one incident in one file), but
    /// only a regular file of this user, never through a symbolic link, and never while
    /// another runner holds it: two runs in one record would mix their diagnoses.
    /// - Parameters:
    ///   - secrets: values replaced by "********" in everything written.
    ///   - syncInterval: seconds between two background fsyncs (`.checkpoints`).
    ///   - clock: the time stamped on each event (tests pass a fixed one).
    public init(path: String, secrets: [String] = [], outputLimit: Int = JournalWriter.defaultOutputLimit,
                durability: Durability = .checkpoints, syncInterval: Double = 0.005,
                clock: @escaping () -> Date = Date.init) throws {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            } catch {
                throw JournalError.cannotOpen(path: path, reason: "cannot create \(directory): \(error.localizedDescription)")
            }
        }
        self.fd = try JournalFile.openForAppend(path)
        self.path = path
        self.secrets = secrets
        self.redactor = SecretRedactor(secrets: secrets)
        self.outputLimit = outputLimit
        self.clock = clock
        self.durability = durability
        self.syncInterval = syncInterval
    }

    /// Opens a new journal in `directory` (default: `.runbook/journal`), named
    /// `YYYYMMDD-HHMMSS-<runbook>-<pid>.jsonl` after the run's start time (UTC), with a
    /// "-2", "-3", … suffix if that file already exists.
    public convenience init(directory: String? = nil, runbookPath: String, startTime: Date = Date(),
                            secrets: [String] = [], outputLimit: Int = JournalWriter.defaultOutputLimit,
                            durability: Durability = .checkpoints, syncInterval: Double = 0.005,
                            clock: @escaping () -> Date = Date.init) throws {
        let directory = directory ?? JournalWriter.defaultDirectory(environment: [:], currentDirectory: nil)
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
        try self.init(path: path, secrets: secrets, outputLimit: outputLimit, durability: durability,
                      syncInterval: syncInterval, clock: clock)
    }

    deinit {
        close()
    }

    /// `RUNBOOK_JOURNAL_DIR` from `environment` (the client passes the variables it read),
    /// or `.runbook/journal` under the current directory.
    public static func defaultDirectory(environment: [String: String],
                                        currentDirectory: String? = nil) -> String {
        if let configured = environment["RUNBOOK_JOURNAL_DIR"], !configured.isEmpty {
            return configured
        }
        let directory = currentDirectory ?? FileManager.default.currentDirectoryPath
        return (directory as NSString).appendingPathComponent(".runbook/journal")
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
        return firstError ?? syncer?.error
    }

    /// Throws `JournalError.writeFailed` once a write has failed. The runner calls this after
    /// each step and stops the run safely rather than go on without a record.
    public func checkHealthy() throws {
        if let message = writeError {
            throw JournalError.writeFailed(path: path, reason: message)
        }
    }

    /// Masks `more` from now on as well (a secret value set during the run).
    public func addSecrets(_ more: [String]) {
        lock.lock()
        defer { lock.unlock() }
        let fresh = more.filter { !$0.isEmpty && !secrets.contains($0) }
        guard !fresh.isEmpty else { return }
        secrets += fresh
        redactor = SecretRedactor(secrets: secrets)
    }

    public func handle(_ event: RunEvent) {
        let now: Date
        switch event {
        case .commandOutput: return   // not journaled; command_end carries the output
        case .runStarted(let header): now = header.startTime
        default: now = clock()
        }
        lock.lock()
        let kept = event.forJournal(redactor: redactor, outputLimit: outputLimit)
        lock.unlock()
        let line: [UInt8]
        do {
            line = try JournalHotPath.line(for: kept, at: now) ?? JournalLineEncoder.line(JournalEntry(time: now, event: kept))
        } catch {
            lock.lock()
            recordError("cannot encode a journal record: \(error)")
            lock.unlock()
            return
        }
        lock.lock()
        defer { lock.unlock() }
        guard fd >= 0, firstError == nil else { return }
        if let problem = syncer?.error {
            // An fsync failed in the background: stop here, as after a failed write.
            firstError = problem
            return
        }
        guard writeAll(line) else { return }
        unsynced = true
        guard JournalWriter.needsSync(event) else { return }
        switch durability {
        case .checkpoints:
            if syncer == nil { syncer = JournalSyncer(fd: fd, path: path, interval: syncInterval) }
            syncer!.request()
            unsynced = false
        case .synchronousCheckpoints:
            sync()
            unsynced = false
        case .closeOnly:
            break
        }
    }

    /// Flushes and closes the journal (after the background fsync thread has stopped, so the
    /// descriptor is never closed under it). Further events are ignored.
    public func close() {
        lock.lock()
        defer { lock.unlock() }
        guard fd >= 0 else { return }
        if let syncer {
            // Waits for the requests made so far (the run's end is one) to be synced.
            syncer.stop()
            if firstError == nil, let problem = syncer.error { firstError = problem }
            self.syncer = nil
        }
        if firstError == nil && unsynced { sync() }
        _ = Foundation.close(fd)
        fd = -1
    }

    /// Whether the journal is flushed to disk after this event: the points a postmortem or a
    /// resume depends on.
    static func needsSync(_ event: RunEvent) -> Bool {
        switch event {
        case .stepEnded, .concluded, .failed, .note, .mark, .decision, .cursor, .targetEnded, .runEnded, .resumed:
            return true
        default:
            return false
        }
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

/// The background fsync of `.checkpoints`: `request()` records that the journal has new
/// checkpoint data and returns at once; the thread runs fsync(2) until it has covered every
/// request made before its last fsync started. Many requests during one fsync (or within
/// `interval` of the previous one) cost one more fsync, not many. It never touches the writer's lock, so the writer can stop it while
/// holding that lock.
private final class JournalSyncer: @unchecked Sendable {
    /// Seconds between the starts of two fsyncs. Each fsync stalls the runner's next writes
    /// to the file for a moment (the file system is busy committing them), so a step that
    /// takes a millisecond must not cost one fsync each; a machine crash loses at most the
    /// events of this interval plus one fsync.
    private let interval: Double
    private let fd: Int32
    private let path: String
    private let condition = NSCondition()
    /// Requests made / covered by a finished fsync (counters, so a request during an fsync
    /// is not mistaken for covered).
    private var requested: UInt64 = 0
    private var covered: UInt64 = 0
    private var stopping = false
    private var threadRunning = false
    private var firstError: String?

    init(fd: Int32, path: String, interval: Double) {
        self.fd = fd
        self.path = path
        self.interval = interval
    }

    var error: String? {
        condition.lock()
        defer { condition.unlock() }
        return firstError
    }

    func request() {
        condition.lock()
        defer { condition.unlock() }
        guard !stopping else { return }
        requested &+= 1
        if !threadRunning {
            threadRunning = true
            let thread = Thread { [self] in self.loop() }
            thread.name = "journal-fsync"
            thread.start()
        } else {
            condition.signal()
        }
    }

    /// Syncs what is still requested, then stops the thread; returns when it has.
    func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        while threadRunning { condition.wait() }
        condition.unlock()
    }

    private func loop() {
        condition.lock()
        var lastStart = -Double.infinity
        while true {
            while !stopping && covered == requested { condition.wait() }
            if covered == requested { break }   // stopping, and nothing left to sync
            // At most one fsync per `interval`: requests made meanwhile share the next one
            // (a stop does not wait for the interval).
            let due = lastStart + interval
            if !stopping && SystemCalls.now() < due {
                _ = condition.wait(until: Date(timeIntervalSinceNow: due - SystemCalls.now()))
                continue
            }
            let target = requested
            lastStart = SystemCalls.now()
            condition.unlock()
            let problem = JournalSyncer.fsyncRetrying(fd, path: path)
            condition.lock()
            covered = target
            if let problem, firstError == nil { firstError = problem }
            if firstError != nil { break }   // a failed fsync is final: nothing more to sync
        }
        threadRunning = false
        condition.broadcast()
        condition.unlock()
    }

    static func fsyncRetrying(_ fd: Int32, path: String) -> String? {
        while fsync(fd) != 0 {
            if errno == EINTR { continue }
            return "cannot sync journal \(path): \(String(cString: strerror(errno)))"
        }
        return nil
    }
}

public enum JournalError: Error, CustomStringConvertible, Equatable {
    case cannotOpen(path: String, reason: String)
    case writeFailed(path: String, reason: String)
    /// Another runner holds the journal (two runs must not share one incident record).
    case inUse(path: String)

    public var description: String {
        switch self {
        case .cannotOpen(let path, let reason): return "cannot open journal \(path): \(reason)"
        case .writeFailed(_, let reason): return reason
        case .inUse(let path): return "\(path) is being written by another runbook process: give this run its own journal (--journal PATH), or wait for that run to end"
        }
    }
}
