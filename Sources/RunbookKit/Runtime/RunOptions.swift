/// How to run a runbook: values given on the command line and the safety switches.
public struct RunOptions: Sendable {
    /// Parameter values as given (`name=value`); converted to numbers/booleans only by use.
    public var parameters: [String: String] = [:]
    /// Pre-given answers to `ask` questions, by question id.
    public var answers: [String: String] = [:]
    /// Start at this step instead of the first.
    public var fromStep: String?
    /// Treat every `confirm` as accepted.
    public var assumeYes = false
    /// The host commands run on when neither the step nor the command names one.
    public var defaultHost: String?
    /// A step may run at most this many times in one run (stops endless goto loops).
    public var maxStepVisits = 1000
    /// Bytes of each output stream kept per command.
    public var captureLimit = 1 << 20
    /// Bytes of each output stream kept for a command whose result the runbook captures
    /// (`x = $ …`): the whole output, up to this hard limit, so that `table()`, `json()` and
    /// `lines()` see every row. A capture that hits the limit is marked cut, and reading it
    /// as data is an error, never a partial answer.
    public var capturedOutputLimit = 256 << 20
    /// Bytes of a captured output held in memory; past this the output goes on in a nameless
    /// temporary file under TMPDIR (see `SpillFile`), so memory stays near this bound however
    /// much up to `capturedOutputLimit` the command prints.
    public var captureMemoryLimit = 16 << 20
    /// Command timeout when neither the command nor the runbook sets one.
    public var defaultTimeout: Double = 60
    /// `--timeout` as the operator gave it (nil: the built-in default), for the run's record.
    public var defaultTimeoutGiven: Double?
    /// Extra ssh `-o` options from the command line.
    public var sshOptions: [String] = []
    /// The target and chain of calls this runbook runs in: every event's step path starts
    /// with it.
    public var scope = StepScope()
    /// Skip the waits between `retry` attempts (scenarios: canned output needs no waiting).
    public var skipRetryWaits = false
    /// Nesting depth of `run` calls (a guard against runaway recursion at run time).
    public var callDepth = 0

    /// The runner's environment, for `env(name)`: the client passes what it read.
    public var processEnvironment: [String: String] = [:]
    /// `--snapshot`: recorded in the run's plan (the client serves the snapshot itself).
    public var snapshot: SnapshotReference?

    /// Where spilled output goes (the client passes the runner's TMPDIR, or /var/tmp).
    public var spillDirectory = "/tmp"

    public init() {}
}
