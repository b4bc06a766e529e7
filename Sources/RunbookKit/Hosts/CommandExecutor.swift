// The interface between the interpreter and the world it runs commands in.
// Implementations: LocalExecutor (child processes), SSHExecutor (OpenSSH client),
// ScenarioExecutor (canned answers for `runbook test`).

/// One command to run: shell text plus the runbook values it may read from its environment.
public struct CommandRequest: Sendable {
    /// The shell text exactly as written in the runbook. Never contains runbook values.
    public var script: String
    /// The shell that runs `script` with `-c`.
    public var shell: String
    /// Runbook values, handed to the command as environment variables (added to the runner's
    /// own environment for local commands; quoted into an `env` wrapper for remote ones).
    public var environment: [String: String]
    /// nil or "localhost" runs on this machine; anything else is an ssh destination.
    public var host: String?
    /// Seconds before the whole process group is ended (TERM, then KILL after `killGrace`).
    public var timeout: Double
    public var killGrace: Double
    /// How many bytes of each stream are kept in the result; the rest is counted, not kept.
    public var captureLimit: Int
    /// When kept output moves from memory to a temporary file (nil: it stays in memory).
    public var spill: SpillPolicy?
    /// Extra `-o` options for ssh.
    public var sshOptions: [String]

    public init(script: String, shell: String = "/bin/sh", environment: [String: String] = [:],
                host: String? = nil, timeout: Double = 60, killGrace: Double = 2,
                captureLimit: Int = 1 << 20, spill: SpillPolicy? = nil, sshOptions: [String] = []) {
        self.script = script
        self.shell = shell
        self.environment = environment
        self.host = host
        self.timeout = timeout
        self.killGrace = killGrace
        self.captureLimit = captureLimit
        self.spill = spill
        self.sshOptions = sshOptions
    }

    public var isLocal: Bool { host == nil || host == "localhost" || host == "local" || host == "" }
}

/// What a command did.
public struct CommandResult: Sendable, Equatable {
    /// The kept output: whole up to the capture limit, in memory or in a temporary file.
    public var stdoutText: CapturedText
    public var stderrText: CapturedText
    /// The kept stdout as one string (a copy, when it was spilled to a file: what reads output
    /// as data uses `stdoutText.withBytes` instead).
    public var stdout: String {
        get { stdoutText.string }
        set { stdoutText = CapturedText(newValue) }
    }
    public var stderr: String {
        get { stderrText.string }
        set { stderrText = CapturedText(newValue) }
    }
    /// The exit status; 128+N when ended by signal N; 124 on timeout; 255 when ssh failed.
    public var exitCode: Int32
    public var timedOut: Bool
    /// Ended because the operator cancelled it (Ctrl-C) or the runner was told to stop.
    public var cancelled: Bool
    /// The host could not be reached (ssh's own failure, not the remote command's).
    public var unreachable: Bool
    /// Seconds from start to exit.
    public var duration: Double
    /// Bytes produced on each stream, including those beyond the capture limit.
    public var stdoutBytes: Int
    public var stderrBytes: Int
    /// Why output past the memory bound stayed in memory (the temporary file could not be
    /// created or written); nil when it did not need to or could.
    public var spillFailure: String?

    public init(stdout: String = "", stderr: String = "", exitCode: Int32 = 0, timedOut: Bool = false,
                cancelled: Bool = false, unreachable: Bool = false, duration: Double = 0,
                stdoutBytes: Int? = nil, stderrBytes: Int? = nil) {
        self.init(stdoutText: CapturedText(stdout), stderrText: CapturedText(stderr), exitCode: exitCode,
                  timedOut: timedOut, cancelled: cancelled, unreachable: unreachable, duration: duration,
                  stdoutBytes: stdoutBytes, stderrBytes: stderrBytes)
    }

    public init(stdoutText: CapturedText, stderrText: CapturedText, exitCode: Int32 = 0, timedOut: Bool = false,
                cancelled: Bool = false, unreachable: Bool = false, duration: Double = 0,
                stdoutBytes: Int? = nil, stderrBytes: Int? = nil, spillFailure: String? = nil) {
        self.stdoutText = stdoutText
        self.stderrText = stderrText
        self.exitCode = exitCode
        self.timedOut = timedOut
        self.cancelled = cancelled
        self.unreachable = unreachable
        self.duration = duration
        self.stdoutBytes = stdoutBytes ?? stdoutText.byteCount
        self.stderrBytes = stderrBytes ?? stderrText.byteCount
        self.spillFailure = spillFailure
    }

    public var stdoutTruncated: Bool { stdoutBytes > stdoutText.byteCount }
    public var stderrTruncated: Bool { stderrBytes > stderrText.byteCount }
}

public enum OutputStream: String, Sendable { case stdout, stderr }

/// Runs commands. Implementations must be safe to call from several threads at once
/// (a `foreach … parallel N` runs iterations on separate threads).
public protocol CommandExecutor: AnyObject, Sendable {
    /// Runs the command to completion (or timeout / cancellation). `onLine` receives each
    /// complete output line (without its newline) as it arrives; a final partial line is
    /// delivered at exit. `onLine` may be called from another thread than the caller's, but
    /// never concurrently for one command.
    func run(_ request: CommandRequest, onLine: @escaping @Sendable (OutputStream, String) -> Void) -> CommandResult
}
