import ArgumentParser
import Foundation
import RunbookKit

/// `runbook run FILE [name=value …]`: run a runbook against live hosts.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a runbook.",
        discussion: """
            Parameters are given as name=value after the file.

            Exit codes: 0 healthy (`conclude ok`, or the runbook ended with no failing finding); \
            1 a problem (`diagnose`, or a failing `expect`); 2 usage or runbook error; 3 aborted; \
            4 could not tell (`conclude unknown`, or the run failed before it could tell: `fail`, \
            `require`, a command error, an unreachable host).

            --format json prints one JSON object on stdout at the end (status, severity, \
            exit_code, conclusion, findings, targets); everything else goes to stderr.
            """)

    @Argument(help: "The runbook file.", completion: .file(extensions: ["runbook"]))
    var file: String

    @Argument(help: "Parameters as name=value.")
    var parameters: [String] = []

    @OptionGroup var session: SessionOptions

    @Option(name: .long, help: "Start at this step instead of the first.")
    var from: String?

    @Flag(name: .long, help: "Print the plan and the commands; execute nothing.")
    var dryRun = false

    @Option(name: .long, help: "text (default), or json: one result object on stdout at the end, the rest on stderr.")
    var format: RunFormat = .text

    @Option(name: .long, help: "Canned command output from a scenario file: nothing real runs.",
            completion: .file(extensions: ["scenario"]))
    var scenario: String?

    @OptionGroup var snapshotOption: SnapshotOption

    func run() throws {
        if format == .json { Output.humanOnStderr = true }
        let terminal = Terminal(noColor: session.noColor)
        guard let checked = DiagnosticPrinter.load(file, color: terminal.color && isatty(2) == 1) else {
            throw ExitCode(Exit.usage)
        }
        if dryRun {
            Output.out(PlanPrinter.plan(checked.runbook, from: from))
            return
        }
        var options = try session.runOptions(parameters: parameters)
        if let problem = RunCommand.answerProblem(options.answers, questions: checked.questions(includingCallees: true)) {
            Output.err("error: \(problem)\n")
            throw ExitCode(Exit.usage)
        }
        try SecretInputs.resolve(checked, files: session.secretFile, into: &options)
        options.processEnvironment = SessionFactory.environment(for: checked)
        if let scenario { options = try Executors.scenarioOptions(options, scenarioPath: scenario) }
        if scenario != nil && snapshotOption.snapshot != nil { throw ValidationError("--scenario and --snapshot cannot be used together") }
        let replay = try snapshotOption.start()
        defer { replay?.stop() }
        replay?.apply(to: &options)
        options.fromStep = from
        if let from, checked.runbook.step(from) == nil {
            Output.err("error: no step '\(from)' in \(file) (steps: \(checked.runbook.steps.map(\.id).joined(separator: ", ")))\n")
            throw ExitCode(Exit.usage)
        }
        let targets = try session.runTargets()
        let executor = try Executors.make(session: session, scenarioPath: scenario)
        defer { executor.shutdown() }
        let display = RunDriver.Display(terminal: terminal, fanOut: targets.isFanOut, simulated: executor.simulated,
                                        level: session.outputLevel)
        let journal = try SessionFactory.journal(session: session, runbookPath: checked.path)
        let run = try SessionFactory.session(.init(
            checked: checked, options: options, targets: targets, mode: executor.simulated ? .scenario : .run,
            identity: SessionFactory.identity, executor: replay?.wrap(executor.executor) ?? executor.executor, operatorIO: TerminalOperator(),
            cancellation: Cancellation.shared, journal: journal, observers: display.observers,
            targetObservers: display.targetObservers))
        Cancellation.installSignalHandlers()
        throw ExitCode(RunDriver(terminal: terminal, json: format == .json).run(run, display: display))
    }
}

extension RunCommand {
    /// Why the `--answer` options cannot be used with these questions, or nil: each must name
    /// a question (by its id, or with `_` for `-`) and one of its choices (in any case).
    static func answerProblem(_ answers: [String: String], questions: [Question]) -> String? {
        for (id, answer) in answers.sorted(by: { $0.key < $1.key }) {
            guard let question = questions.first(where: { $0.id == id || $0.id.replacingOccurrences(of: "-", with: "_") == id }) else {
                let list = questions.map { "\($0.id) (\($0.choices.joined(separator: "|")))" }.joined(separator: ", ")
                return "--answer \(id)=\(answer): the runbook asks no question '\(id)'"
                    + (questions.isEmpty ? "; it asks no questions" : "; its questions: \(list)")
            }
            guard question.choices.contains(where: { $0.lowercased() == answer.lowercased() }) else {
                return "--answer \(id)=\(answer): '\(answer)' is not a choice of '\(question.id)'; choose one of \(question.choices.joined(separator: ", "))"
            }
        }
        return nil
    }
}

/// Options every command that runs runbooks shares.
struct SessionOptions: ParsableArguments {
    @Flag(name: [.customShort("y"), .long], help: "Answer yes to every confirmation.")
    var yes = false

    @Option(name: .long, parsing: .singleValue, help: "Answer a question in advance: ID=CHOICE (repeatable).")
    var answer: [String] = []

    @Flag(name: .long, help: "Never colour the output (NO_COLOR is honoured too).")
    var noColor = false

    @Option(name: .long, help: "Write the journal to this file (default: .runbook/journal/ or $RUNBOOK_JOURNAL_DIR).")
    var journal: String?

    @Flag(name: .long, help: "Do not write a journal.")
    var noJournal = false

    @Option(name: .long, help: "Default command timeout in seconds (a runbook's own setting wins).")
    var timeout: Double?

    @Option(name: .long, help: "MiB of a captured command's output kept whole (default 256); more is cut, and reading a cut capture as data stops the run.")
    var captureLimit: Int?

    @Option(name: .long, help: "MiB of a captured output held in memory (default 16); past it the output goes on in a nameless temporary file under TMPDIR (else /var/tmp), mode 0600, gone when the run ends.")
    var captureMemory: Int?

    @Option(name: .long, help: "Run on these hosts over ssh, comma-separated.")
    var hosts: String?

    @Option(name: .long, help: "A file of hosts, one per line ('#' comments; '[group]' headers).",
            completion: .file())
    var inventory: String?

    @Option(name: .long, help: "Restrict --inventory to one [group].")
    var group: String?

    @OptionGroup var nodeOptions: NodeOptions

    @Option(name: .long, help: "How many hosts to run on at once.")
    var parallel: Int = 16

    @Option(name: .long, parsing: .singleValue, help: "An ssh option (-o VALUE) for every connection (repeatable).")
    var sshOption: [String] = []

    @Option(name: .long, help: "An ssh configuration file (ssh -F).", completion: .file())
    var sshConfig: String?

    @Option(name: .long, parsing: .singleValue,
            help: "Read a secret parameter from a file: NAME=PATH (repeatable). RUNBOOK_SECRET_NAME works too.")
    var secretFile: [String] = []

    @Flag(name: .long, help: "Show every output line and every branch taken.")
    var verbose = false

    @Flag(name: .long, help: "Show only findings, conclusions, failures and the summary.")
    var quiet = false

    func validate() throws {
        if verbose && quiet { throw ValidationError("--verbose and --quiet cannot be used together") }
    }

    /// How much the terminal shows: long outputs folded and loops summed up unless
    /// `--verbose`; only what the run found with `--quiet`.
    var outputLevel: OutputLevel { verbose ? .verbose : quiet ? .quiet : .normal }

    func runOptions(parameters: [String]) throws -> RunOptions {
        var options = RunOptions()
        options.parameters = try SessionOptions.parameterValues(parameters)
        for a in answer {
            guard let eq = a.firstIndex(of: "="), eq != a.startIndex else {
                throw ValidationError("--answer takes QUESTION-ID=CHOICE, got '\(a)'")
            }
            options.answers[String(a[..<eq])] = String(a[a.index(after: eq)...])
        }
        options.assumeYes = yes
        if let timeout {
            guard timeout > 0 else { throw ValidationError("--timeout must be more than 0 seconds") }
            options.defaultTimeout = timeout
            options.defaultTimeoutGiven = timeout
        }
        if let captureLimit {
            guard captureLimit >= 1 && captureLimit <= 16_384 else {
                throw ValidationError("--capture-limit is in MiB, from 1 to 16384")
            }
            options.capturedOutputLimit = captureLimit << 20
        }
        if let captureMemory {
            guard captureMemory >= 1 && captureMemory <= 16_384 else {
                throw ValidationError("--capture-memory is in MiB, from 1 to 16384")
            }
            options.captureMemoryLimit = captureMemory << 20
        }
        // TMPDIR when set; else /var/tmp, which is on disk where /tmp may be a tmpfs (whose
        // pages are memory the kernel cannot drop without swap, so a spill there saves nothing).
        if let tmp = ProcessInfo.processInfo.environment["TMPDIR"], !tmp.isEmpty {
            options.spillDirectory = tmp
        } else if access("/var/tmp", W_OK) == 0 {
            options.spillDirectory = "/var/tmp"
        }
        options.sshOptions = sshOption
        return options
    }

    /// `name=value` arguments as a dictionary.
    static func parameterValues(_ arguments: [String]) throws -> [String: String] {
        var values: [String: String] = [:]
        for p in arguments {
            guard let eq = p.firstIndex(of: "="), eq != p.startIndex else {
                throw ValidationError("parameters are name=value, got '\(p)'")
            }
            values[String(p[..<eq])] = String(p[p.index(after: eq)...])
        }
        return values
    }

    /// The targets and how to reach them, as the run's record keeps them.
    func runTargets() throws -> RunTargets {
        var targets = RunTargets(hosts: try targetHosts(), inventory: inventory, group: group, sshConfig: sshConfig,
                                 sshOptions: sshOption, parallel: parallel)
        // Kept when it matters: node targets, or node options other than the defaults (a
        // step's own `on node/NAME` goes the run's way too).
        let reach = nodeOptions.reach
        if !reach.isDefault || targets.hosts.contains(where: { $0.hasPrefix(NodeDestination.prefix) }) { targets.nodes = reach }
        return targets
    }

    func targetHosts() throws -> [String] {
        var result: [String] = []
        if let hosts {
            result += hosts.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        if let inventory {
            result += try Inventory.load(path: inventory, group: group)
        } else if group != nil {
            throw ValidationError("--group needs --inventory")
        }
        result += try nodeOptions.targets()
        for host in result where host.hasPrefix("-") {
            throw ValidationError("'\(host)' is not a host name")
        }
        guard parallel >= 1 else { throw ValidationError("--parallel must be at least 1") }
        var seen = Set<String>()
        return result.filter { seen.insert($0).inserted }
    }
}

enum RunFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}
