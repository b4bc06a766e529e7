import ArgumentParser
import Foundation
import RunbookKit

/// `runbook list [DIR]`: the runbooks in a directory, one line each.
struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the runbooks in a directory: file, title, parameters, purpose.")

    @Argument(help: "The directory to search (recursively).", completion: .directory)
    var directory: String = "runbooks"

    func run() throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            Output.err("error: \(directory): no such directory\n")
            throw ExitCode(Exit.usage)
        }
        let entries = RunbookListing.entries(in: directory)
        if entries.isEmpty {
            Output.err("no *.runbook files in \(directory)\n")
            return
        }
        Output.out(RunbookListing.table(entries))
    }
}
