import Foundation

/// Identifies a run for its journal and report, and holds everything `resume` needs to
/// continue it the way it was started: the targets and how to reach them, the answers given
/// in advance, `--yes`, the timeout.
public struct RunHeader: Sendable, Codable, Equatable {
    /// The journal format this version writes and reads.
    public static let currentFormat = 2

    public var format: Int
    public var runbookPath: String
    public var runbookTitle: String
    public var contentHash: String
    public var gitCommit: String?
    /// Parameter values as given or defaulted, secrets replaced by "********".
    public var parameters: [String: String]
    /// Secret parameters given on the command line: journals never hold their values, so a
    /// resume asks for them again.
    public var secretParameters: [String]
    public var user: String
    public var host: String
    public var pid: Int
    public var startTime: Date
    public var toolVersion: String
    public var mode: RunMode
    public var plan: RunPlan
    /// The shell text of the preludes (`prelude`, in the runbook or a library it uses) put in
    /// front of every command, once here: commands are recorded as written. nil: none.
    public var preludes: [String]?

    public init(runbookPath: String, runbookTitle: String, contentHash: String, gitCommit: String?,
                parameters: [String: String], secretParameters: [String] = [], user: String, host: String,
                pid: Int = 0, startTime: Date, toolVersion: String, mode: RunMode, plan: RunPlan = RunPlan(),
                preludes: [String]? = nil) {
        self.format = RunHeader.currentFormat
        self.runbookPath = runbookPath
        self.runbookTitle = runbookTitle
        self.contentHash = contentHash
        self.gitCommit = gitCommit
        self.parameters = parameters
        self.secretParameters = secretParameters
        self.user = user
        self.host = host
        self.pid = pid
        self.startTime = startTime
        self.toolVersion = toolVersion
        self.mode = mode
        self.plan = plan
        self.preludes = preludes
    }
}

/// What kind of session wrote a journal.
public enum RunMode: String, Sendable, Codable, Equatable {
    /// `runbook run`, on one target or fanned out over hosts.
    case run
    /// `runbook repl`: the operator steps through by hand.
    case repl
    /// Canned command output (`run --scenario`, `runbook test`): nothing real ran.
    case scenario
}

/// How a run was asked for, beyond its parameters: recorded so that a resume continues on the
/// same targets with the same switches, never silently somewhere else.
public struct RunPlan: Sendable, Codable, Equatable {
    public var targets: RunTargets
    /// `--answer ID=CHOICE`, by question id.
    public var answers: [String: String]
    /// `--yes`: every confirmation is accepted (each one is still journaled).
    public var assumeYes: Bool
    /// `--timeout`, when given.
    public var defaultTimeout: Double?
    /// `--from STEP`, when given.
    public var fromStep: String?
    /// `--capture-limit`, in bytes, when not the default.
    public var capturedOutputLimit: Int?
    /// `--snapshot FILE`: the run's commands saw this recorded cluster, not a live one. nil
    /// (and absent from older journals): a live run.
    public var snapshot: SnapshotReference?

    public init(targets: RunTargets = RunTargets(), answers: [String: String] = [:], assumeYes: Bool = false,
                defaultTimeout: Double? = nil, fromStep: String? = nil, capturedOutputLimit: Int? = nil,
                snapshot: SnapshotReference? = nil) {
        self.capturedOutputLimit = capturedOutputLimit
        self.snapshot = snapshot
        self.targets = targets
        self.answers = answers
        self.assumeYes = assumeYes
        self.defaultTimeout = defaultTimeout
        self.fromStep = fromStep
    }
}

/// The snapshot a run was replayed against: enough to name it in the report and to refuse a
/// resume against a different file under the same name.
public struct SnapshotReference: Sendable, Codable, Equatable {
    /// The archive's path, absolute.
    public var path: String
    /// "sha256:…" of the archive's bytes.
    public var sha256: String
    /// When the snapshot was taken (its `recordedAt`), RFC 3339.
    public var takenAt: String
    /// The recorded cluster's name.
    public var cluster: String

    public init(path: String, sha256: String, takenAt: String, cluster: String) {
        self.path = path
        self.sha256 = sha256
        self.takenAt = takenAt
        self.cluster = cluster
    }
}

/// Where the commands of a run go and how they get there.
public struct RunTargets: Sendable, Codable, Equatable {
    /// The hosts, after `--hosts` and the inventory were read; empty for this machine. With
    /// one host the run has one target; with several, each is a target of its own (fan-out).
    public var hosts: [String]
    /// `--inventory FILE` and `--group NAME`, as given.
    public var inventory: String?
    public var group: String?
    /// `--ssh-config FILE` and `--ssh-option VALUE…`.
    public var sshConfig: String?
    public var sshOptions: [String]
    /// `--parallel N`: hosts run at once.
    public var parallel: Int
    /// How `node/NAME` targets were reached; nil: the defaults (or a journal from before).
    public var nodes: NodeReach? = nil

    public init(hosts: [String] = [], inventory: String? = nil, group: String? = nil, sshConfig: String? = nil,
                sshOptions: [String] = [], parallel: Int = 16) {
        self.hosts = hosts
        self.inventory = inventory
        self.group = group
        self.sshConfig = sshConfig
        self.sshOptions = sshOptions
        self.parallel = parallel
    }

    /// Several hosts: each runs the whole runbook as a target of its own.
    public var isFanOut: Bool { hosts.count > 1 }

    /// The fan-out targets, or the one target (nil: this machine or the single host).
    public var laneTargets: [String?] { isFanOut ? hosts.map { Optional($0) } : [nil] }

    /// The host commands go to when a runbook names none, for a single-target run.
    public var singleHost: String? { isFanOut ? nil : hosts.first }
}

/// Who runs, where and as what: facts about the process that a client gathers (the library
/// reads no environment variables).
public struct RunIdentity: Sendable, Equatable {
    public var user: String
    public var host: String
    public var pid: Int
    public var toolVersion: String
    /// For root under sudo: the invoking user's id, whose git repositories count as ours.
    public var sudoUID: UInt32?

    public init(user: String, host: String, pid: Int, toolVersion: String, sudoUID: UInt32? = nil) {
        self.user = user
        self.host = host
        self.pid = pid
        self.toolVersion = toolVersion
        self.sudoUID = sudoUID
    }
}
