import ArgumentParser
import RunbookKit

/// `runbook report JOURNAL`: the incident timeline for a postmortem or a ticket.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Turn a journal into an incident report (Markdown or JSON).")

    enum Format: String, ExpressibleByArgument, CaseIterable { case markdown, json }

    @Argument(help: "The journal (.jsonl).", completion: .file(extensions: ["jsonl"]))
    var journalPath: String

    @Option(name: .long, help: "markdown (default) or json.")
    var format: Format = .markdown

    func run() throws {
        do {
            let journal = try JournalReader.read(path: journalPath)
            Output.out(format == .markdown ? JournalReport.markdown(journal) : JournalReport.json(journal) + "\n")
        } catch {
            Output.err("error: \(error)\n")
            throw ExitCode(Exit.usage)
        }
    }
}
