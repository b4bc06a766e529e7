import ArgumentParser
import Foundation
import RunbookKit

/// `runbook list [DIR]`: the runbooks in a directory, one line each.
struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the runbooks in a directory: file, title, parameters, purpose.")

    @Argument(help: "The directory to search (recursively), or a .runbook file.", completion: .directory)
    var directory: String = "runbooks"

    func run() throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) else {
            Output.err(ListCommand.missing(directory, isDefault: directory == "runbooks", looksFor: "*.runbook files",
                                           command: "runbook list", example: "runbook list path/to/runbooks"))
            throw ExitCode(Exit.usage)
        }
        let entries = isDirectory.boolValue ? RunbookListing.entries(in: directory) : [RunbookListing.entry(path: directory)]
        if entries.isEmpty {
            Output.err("no *.runbook files in \(directory)\n")
            return
        }
        // Cells are cut to fit a terminal; piped into a file or another program they stay whole.
        Output.out(RunbookListing.table(entries, maxWidth: isatty(STDOUT_FILENO) == 1 ? 48 : nil))
    }

    /// What a command says when the path it was given (or its default) does not exist.
    static func missing(_ path: String, isDefault: Bool, looksFor: String, command: String, example: String) -> String {
        if isDefault {
            return "error: no '\(path)' directory here (\(FileManager.default.currentDirectoryPath)): \(command) looks for "
                + "\(looksFor) under ./\(path) by default.\nName a directory or a file instead: \(example)\n"
        }
        return "error: \(path): no such file or directory (\(command) looks for \(looksFor) in the directories "
            + "and files it is given, e.g. \(example))\n"
    }
}
