// Runbook values reach commands as data (environment variables), never as shell text: hostile
// parameters, answers and captured output must arrive byte for byte and run nothing.

import Foundation
import XCTest

final class EndToEndInjectionTests: XCTestCase {
    private var dir = ""
    private var marker = ""

    override func setUpWithError() throws {
        dir = try E2E.makeDirectory("injection")
        marker = "/tmp/pwned-\(getpid())-\(UUID().uuidString.prefix(8))"
        try E2E.write("""
        runbook "injection through a parameter"
        param v
        param out
        step write "Write the value"
          $ printf '%s' "$v" > "$out"
          print "the value is {v}"
        """, to: "param.runbook", in: dir)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: dir)
        try? FileManager.default.removeItem(atPath: marker)
    }

    private var hostileValues: [String] {
        [
            "$(touch \(marker))",
            "`touch \(marker)`",
            "a; touch \(marker)",
            "a && touch \(marker)",
            "a | touch \(marker)",
            "a || touch \(marker)",
            "a\ntouch \(marker)",
            "'; touch \(marker); '",
            "\"; touch \(marker); \"",
            "\"quoted\"",
            "it's",
            "line one\nline two",
            "*",
            "-rf",
            "--help",
            "{pod}",
            "{v} {out}",
            "$HOME ${PATH} $1 $@ $v",
            "back\\slash \\n",
            "tab\there",
            "ünïcödé ✓",
            " leading and trailing ",
            "=starts-with-equals",
        ]
    }

    func testHostileParametersArriveAsData() throws {
        for (i, value) in hostileValues.enumerated() {
            let out = "\(dir)/out-\(i)"
            let result = try E2E.run(["run", "param.runbook", "--no-journal", "v=\(value)", "out=\(out)"], in: dir, timeout: 30)
            XCTAssertEqual(result.exitCode, 0, "value \(value.debugDescription): \(result.stdout)\n\(result.stderr)")
            XCTAssertEqual(E2E.read(out), value, "the command must receive \(value.debugDescription) unchanged")
            XCTAssertFalse(E2E.exists(marker), "value \(value.debugDescription) ran a command")
            // `{…}` in a value is shown as it is, never interpolated again.
            XCTAssertTrue(result.stdout.contains("the value is \(value.split(separator: "\n").first.map(String.init) ?? "")"),
                          "value \(value.debugDescription): \(result.stdout)")
        }
    }

    func testEmptyValue() throws {
        let out = "\(dir)/empty"
        let result = try E2E.run(["run", "param.runbook", "--no-journal", "v=", "out=\(out)"], in: dir)
        XCTAssertEqual(result.exitCode, 0, result.stderr)
        XCTAssertEqual(E2E.read(out), "")
    }

    func testHostileCapturedOutputArrivesAsData() throws {
        // A command prints something hostile; a later command uses it through the environment.
        try E2E.write("""
        runbook "injection through captured output"
        param out
        param marker
        step produce "A command prints a hostile string"
          evil = $ printf '%s\\n' "\\$(touch $marker)" "\\`touch $marker\\`" "a; touch $marker" "it's \\"x\\" {evil}"
        step use "A later command uses it"
          $ printf '%s' "$evil" > "$out"
          foreach line in evil
            $ printf '%s\\n' "$line" >> "$out.lines"
          print "printed: {evil.lines[0]}"
        """, to: "captured.runbook", in: dir)
        let out = "\(dir)/captured"
        let result = try E2E.run(["run", "captured.runbook", "--no-journal", "out=\(out)", "marker=\(marker)"], in: dir)
        XCTAssertEqual(result.exitCode, 0, result.stdout + result.stderr)
        let expected = "$(touch \(marker))\n`touch \(marker)`\na; touch \(marker)\nit's \"x\" {evil}"
        XCTAssertEqual(E2E.read(out), expected, "a result reaches commands as its stdout without the final newline")
        XCTAssertEqual(E2E.read(out + ".lines"), expected + "\n")
        XCTAssertFalse(E2E.exists(marker), "captured output ran a command")
        XCTAssertTrue(result.stdout.contains("printed: $(touch \(marker))"), result.stdout)
    }

    func testHostileAnswerArrivesAsData() throws {
        try E2E.write("""
        runbook "injection through an answer"
        param out
        step q "Q"
          ask choice "Pick one"
            "$(touch x)": $ printf '%s' "$choice" > "$out"
            safe: print "safe"
        """, to: "answer.runbook", in: dir)
        let out = "\(dir)/answer"
        let result = try E2E.run(["run", "answer.runbook", "--no-journal", "--answer", "choice=$(touch x)", "out=\(out)"], in: dir)
        XCTAssertEqual(result.exitCode, 0, result.stdout + result.stderr)
        XCTAssertEqual(E2E.read(out), "$(touch x)")
        XCTAssertFalse(E2E.exists(dir + "/x"))
    }

    func testCallArgumentsArriveAsData() throws {
        try E2E.write("""
        runbook "caller"
        param v
        param out
        step c "C"
          run "param.runbook" v=v out=out
        """, to: "caller.runbook", in: dir)
        let value = "$(touch \(marker)); `touch \(marker)` {v}"
        let out = "\(dir)/called"
        let result = try E2E.run(["run", "caller.runbook", "--no-journal", "v=\(value)", "out=\(out)"], in: dir)
        XCTAssertEqual(result.exitCode, 0, result.stdout + result.stderr)
        XCTAssertEqual(E2E.read(out), value)
        XCTAssertFalse(E2E.exists(marker))
    }
}
