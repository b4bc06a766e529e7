import Foundation
import RunbookKit

/// `--hosts a,b,c`: the whole runbook once per host, several hosts at once. Each host's
/// output is kept together and printed when that host finishes; a table ends the run.
struct FanOutRun {
    let checked: CheckedRunbook
    let options: RunOptions
    let session: SessionOptions
    let terminal: Terminal
    let hosts: [String]

    func run() throws -> Int32 {
        throw ExitCodeError.notYet
    }
}

enum ExitCodeError: Error { case notYet }
