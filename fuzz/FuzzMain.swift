// libFuzzer target over the lexer, parser and checker (nothing is executed).
//
// Each input is taken as a runbook's text, parsed (`Parser.parse`), loaded and checked
// (`RunbookLibrary().load(.file(…))`), and every diagnostic is rendered the way `runbook check`
// prints it (line table, columns, caret). A crash, a sanitizer report or a hang (libFuzzer's
// -timeout) is a bug. Built by fuzz/build.sh from the RunbookKit sources; run by fuzz/run.sh.

import Foundation

/// Where the fuzzed "file" lives: a directory that does not exist, so a relative
/// `run "x.runbook"` is a quick "no such file" instead of reading whatever is around.
private let fuzzPath = "/nonexistent-runbook-fuzz-dir/input.runbook"

@_cdecl("LLVMFuzzerTestOneInput")
public func runbookFuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    // The CLI refuses NUL bytes and invalid UTF-8 before parsing (RunbookLoader); the parser
    // itself must still cope with anything a String can hold, so decode with repair.
    let text = String(decoding: bytes, as: UTF8.self)
    let file = SourceFile(path: fuzzPath, text: text)

    let (_, parseDiagnostics) = Parser.parse(file)
    var sink = 0
    var diagnostics = parseDiagnostics
    switch RunbookLibrary().load(.file(file)) {
    case .success(let checked):
        sink &+= checked.runbook.steps.count
        diagnostics += checked.warnings
    case .failure(let list):
        diagnostics += list.diagnostics
    }

    let renderer = DiagnosticRenderer(color: false)
    for diagnostic in diagnostics {
        sink &+= renderer.render(diagnostic).utf8.count
        sink &+= diagnostic.description.utf8.count
    }
    // Keep the work observable so the optimiser cannot drop it.
    if sink == Int.min { print(sink) }
    return 0
}
