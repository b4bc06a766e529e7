import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import RunbookKit

/// The `runbook` command and its subcommands.
public struct RunbookMain: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "runbook",
        abstract: "Executable, versioned troubleshooting runbooks.",
        discussion: """
            Exit codes: 0 concluded or completed with no findings; 1 a finding or a failure; \
            2 a usage or runbook error; 3 aborted by the operator.
            """,
        version: RunHeader.toolVersion,
        subcommands: RunbookMain.subcommands)

    public init() {}

    /// Parses the arguments and runs; usage errors exit with 2, as the README documents.
    public static func main(_ arguments: [String]? = nil) {
        // `runbook run … | head` must not kill the runner mid-run (commands left running, the
        // journal without its end): a closed stdout becomes a write error that is ignored.
        // Commands still get the default SIGPIPE (the executor resets signals in the child).
        signal(SIGPIPE, SIG_IGN)
        // Likewise a file size limit (`ulimit -f`): a write past it becomes an error (EFBIG)
        // that the journal and the spill of large output handle, not the end of the runner.
        signal(SIGXFSZ, SIG_IGN)
        // `--version` answers before the argument parser is even set up: scripts and
        // monitoring call it often, and it should cost no more than starting a shell.
        if (arguments ?? Array(CommandLine.arguments.dropFirst())) == ["--version"] {
            Output.out(RunHeader.toolVersion + "\n")
            Foundation.exit(0)
        }
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
        } catch let exit as ExitCode {
            Foundation.exit(exit.rawValue)
        } catch {
            let code = exitCode(for: error)
            let message = fullMessage(for: error)
            if code == .success {
                Output.out(message + "\n")
                Foundation.exit(0)
            }
            if !message.isEmpty { Output.err(message + "\n") }
            Foundation.exit(code == .validationFailure || code.rawValue == 64 ? 2 : code.rawValue)
        }
    }
}

/// Exit codes shared by every subcommand.
enum Exit {
    static let ok: Int32 = 0
    static let findings: Int32 = 1
    static let usage: Int32 = 2
    static let aborted: Int32 = 3
}
