import Foundation
import XCTest
@testable import RunbookKit

/// Libraries (`library "…"`, `use`), `env NAME = EXPR` and `prelude |`: parsing, checking,
/// formatting, and what a command gets when it runs.
final class LanguageLibraryTests: XCTestCase {
    private var directory = ""

    override func setUpWithError() throws {
        directory = try Lang.scratchDirectory("libraries")
        try FileManager.default.createDirectory(atPath: directory + "/lib", withIntermediateDirectories: true)
        try write("lib/kube.runbook", """
        library "Kubernetes helpers"
        param namespace = "default" "the namespace"
        param kube_context = "" "the context"
        env KUBE_NAMESPACE = namespace
        prelude |
          kube() { echo "kube ${kube_context:+--context $kube_context }$*"; }
        """)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: directory)
    }

    private func write(_ name: String, _ text: String) throws {
        try text.write(toFile: directory + "/" + name, atomically: true, encoding: .utf8)
    }

    private func errors(_ text: String) -> [String] { Lang.errors(text, path: directory + "/main.runbook") }

    // MARK: Parsing

    func testALibraryParsesWithItsParamsEnvAndPrelude() throws {
        let runbook = try XCTUnwrap(Lang.parsed("""
        library "L"
        use "other.runbook"
        param a = 1
        env A_VALUE = "a={a}"
        prelude |
          f() {
            echo "$@"
          }
        """))
        XCTAssertTrue(runbook.isLibrary)
        XCTAssertEqual(runbook.uses.map(\.path), ["other.runbook"])
        XCTAssertEqual(runbook.environment.map(\.name), ["A_VALUE"])
        XCTAssertEqual(runbook.preludes.map(\.script), ["f() {\n  echo \"$@\"\n}"])
        XCTAssertTrue(runbook.steps.isEmpty)
    }

    func testALibraryWithStepsIsAnError() {
        XCTAssertEqual(Lang.errors("library \"L\"\nstep a \"A\"\n  print \"x\"\n").first,
                       "2:1: a library has no steps: it holds param, env, prelude and use lines for runbooks that use it")
    }

    func testALibraryLeavesShellTimeoutAndSSHOptionsToTheRunbook() {
        XCTAssertEqual(Lang.errors("library \"L\"\ntimeout 5s\n"),
                       ["2:1: a library cannot set timeout: it belongs to the runbook that uses the library"])
    }

    func testPreludeNeedsABlock() {
        XCTAssertEqual(Lang.errors("runbook \"R\"\nprelude\nstep a \"A\"\n  print \"x\"\n").first,
                       "2:8: expected '|' after 'prelude', then the shell text indented on the following lines")
    }

    // MARK: Checking

    func testUseMergesTheLibrarysParameters() throws {
        let (checked, diagnostics) = Lang.check("""
        runbook "R"
        use "lib/kube.runbook"
        param namespace = "default" "the pod's namespace"
        step a "A"
          $ kube get pods -n "$namespace"
        """, path: directory + "/main.runbook")
        XCTAssertEqual(diagnostics.filter { $0.severity == .error }.map(\.description), [])
        let runbook = try XCTUnwrap(checked)
        XCTAssertEqual(runbook.runbook.params.map(\.name), ["namespace", "kube_context"])
        XCTAssertEqual(runbook.runbook.params[0].help, "the pod's namespace", "the runbook's own declaration is kept")
        XCTAssertEqual(runbook.environment.map(\.name), ["KUBE_NAMESPACE"])
        XCTAssertEqual(runbook.preludes.count, 1)
    }

    func testAnUnknownLibraryNamesThePathTried() {
        XCTAssertEqual(errors("runbook \"R\"\nuse \"lib/nope.runbook\"\nstep a \"A\"\n  print \"x\"\n"),
                       ["2:5: cannot use 'lib/nope.runbook': \(directory)/lib/nope.runbook: no such file"])
    }

    func testUsingARunbookThatIsNotALibraryIsAnError() throws {
        try write("plain.runbook", "runbook \"P\"\nstep a \"A\"\n  print \"x\"\n")
        XCTAssertEqual(errors("runbook \"R\"\nuse \"plain.runbook\"\nstep a \"A\"\n  print \"x\"\n"),
                       ["2:5: 'plain.runbook' is a runbook, not a library: a library starts with library \"…\" and has no steps"])
    }

    func testACycleOfUsesIsAnError() throws {
        try write("lib/a.runbook", "library \"A\"\nuse \"b.runbook\"\n")
        try write("lib/b.runbook", "library \"B\"\nuse \"a.runbook\"\n")
        XCTAssertEqual(errors("runbook \"R\"\nuse \"lib/a.runbook\"\nstep a \"A\"\n  print \"x\"\n"),
                       ["2:5: use cycle: a.runbook → b.runbook → a.runbook"])
    }

    func testALibraryWithErrorsIsAnErrorAtTheUse() throws {
        try write("lib/bad.runbook", "library \"Bad\"\nenv X = nowhere\n")
        XCTAssertEqual(errors("runbook \"R\"\nuse \"lib/bad.runbook\"\nstep a \"A\"\n  print \"x\"\n"),
                       ["2:5: 'lib/bad.runbook' has errors (run 'runbook check \(directory)/lib/bad.runbook')"])
    }

    func testAParameterDeclaredTwiceWithAnotherDefaultIsAnError() {
        XCTAssertEqual(errors("runbook \"R\"\nuse \"lib/kube.runbook\"\nparam namespace = \"prod\"\nstep a \"A\"\n  print \"x\"\n"),
                       ["2:5: parameter 'namespace' is declared here and in 'lib/kube.runbook' differently (default or secret): declare it once"])
    }

    func testEnvNamesMustBeParameters() {
        XCTAssertEqual(errors("runbook \"R\"\nparam p = 1\nenv X = q\nstep a \"A\"\n  print \"x\"\n"),
                       ["3:9: undefined name 'q', did you mean 'p'?"])
        XCTAssertEqual(errors("runbook \"R\"\nenv X = r\nstep a \"A\"\n  r = $ true\n"),
                       ["2:9: 'r' is not a parameter: env X is worked out before any step runs, from parameters only"])
        XCTAssertEqual(errors("runbook \"R\"\nenv PATH = \"/x\"\nstep a \"A\"\n  print \"x\"\n"),
                       ["2:5: env cannot set PATH: commands need the runner's own"])
    }

    func testCallingALibraryIsAnError() {
        XCTAssertEqual(errors("runbook \"R\"\nstep a \"A\"\n  run \"lib/kube.runbook\"\n"),
                       ["3:7: 'lib/kube.runbook' is a library: it has no steps to run; write use \"lib/kube.runbook\" after the title"])
    }

    // MARK: Formatting

    func testFormattingKeepsUseEnvAndPrelude() throws {
        let text = """
        runbook "R"
        use "lib/kube.runbook"
        param p = 1
        env P_TEXT = "p={p}"

        prelude |
          f() {
            echo "$@"
          }

        step a "A"
          $ f "$P_TEXT"

        """
        XCTAssertEqual(try RunbookFormatter.format(Lang.file(text)), text)
        let library = "library \"L\"\nparam a = 1\nenv A = a\nprelude |\n  g() { :; }\n"
        XCTAssertEqual(try RunbookFormatter.format(Lang.file(library)), library)
        let messy = "runbook \"R\"\nprelude |\n      f() { :; }\nenv  X =   \"x\"\nuse \"lib/kube.runbook\"\nstep a \"A\"\n  $ f\n"
        XCTAssertEqual(try RunbookFormatter.format(Lang.file(messy)),
                       "runbook \"R\"\nuse \"lib/kube.runbook\"\nenv X = \"x\"\nprelude |\n  f() { :; }\n\nstep a \"A\"\n  $ f\n")
    }

    // MARK: Running

    /// Runs `text` (checked from the scratch directory) with a real /bin/sh.
    private func runLocally(_ text: String, parameters: [String: String] = [:],
                            journal: JournalWriter? = nil) throws -> (RunOutcome, LangObserver) {
        let (checked, diagnostics) = Lang.check(text, path: directory + "/main.runbook")
        let runbook = try XCTUnwrap(checked, "\(diagnostics.map(\.description))")
        var options = RunOptions()
        options.parameters = parameters
        let observer = LangObserver()
        let session = try RunSession(.init(
            checked: runbook, options: options, mode: .run,
            identity: RunIdentity(user: "test", host: "test", pid: 0, toolVersion: "test"),
            executor: LocalExecutor(), operatorIO: LangOperator(), cancellation: Cancellation(),
            journal: journal, observers: [observer]))
        session.start()
        let outcome = session.runAll().targets[0].outcome
        session.finish()
        return (outcome, observer)
    }

    private let usesKube = """
    runbook "R"
    use "lib/kube.runbook"
    env GREETING = "hello {namespace}"
    step a "A"
      r = $ kube get pods
      e = $ printf '%s/%s' "$GREETING" "$KUBE_NAMESPACE"
      export said = r.stdout
      export env = e.stdout
    """

    func testCommandsGetTheEnvValuesAndThePreludesFunction() throws {
        let (outcome, observer) = try runLocally(usesKube, parameters: ["namespace": "shop", "kube_context": "prod"])
        XCTAssertEqual(outcome.status, .completed)
        let ended = observer.events.compactMap { event -> CommandEnd? in
            if case .commandEnded(let end) = event { return end } else { return nil }
        }
        XCTAssertEqual(ended.map(\.result.stdout), ["kube --context prod get pods\n", "hello shop/shop"])
        XCTAssertEqual(ended.map(\.script), ["kube get pods", "printf '%s/%s' \"$GREETING\" \"$KUBE_NAMESPACE\""],
                       "events show the command as written, without the prelude")
    }

    func testTheJournalKeepsTheCommandAsWrittenAndThePreludesOnce() throws {
        let path = directory + "/run.jsonl"
        let writer = try JournalWriter(path: path)
        _ = try runLocally(usesKube, journal: writer)
        let journal = try JournalReader.read(path: path)
        let scripts = journal.entries.compactMap { entry -> String? in
            if case .commandStarted(let start) = entry.event { return start.script } else { return nil }
        }
        XCTAssertEqual(scripts, ["kube get pods", "printf '%s/%s' \"$GREETING\" \"$KUBE_NAMESPACE\""])
        XCTAssertEqual(journal.header.preludes, ["kube() { echo \"kube ${kube_context:+--context $kube_context }$*\"; }"])
    }

    func testTheExecutorGetsThePreludeInFrontOfTheScript() throws {
        let run = try LangRun.run("""
        runbook "R"
        prelude |
          f() { echo f; }
        step a "A"
          $ f
        """)
        XCTAssertEqual(run.executor.scripts, ["f() { echo f; }\nf"])
    }

    func testScenarioAnswersMatchTheCommandAsWritten() throws {
        var answer = CommandAnswer(pattern: .exact("kube get pods"), offset: 0)
        answer.stdout = "pod-1\n"
        let executor = ScenarioExecutor(answers: [answer])
        let result = executor.run(CommandRequest(script: "kube get pods"), prelude: "kube() { kubectl \"$@\"; }\n") { _, _ in }
        XCTAssertEqual(result.stdout, "pod-1\n")
    }
}
