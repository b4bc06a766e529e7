// Hostile values through parameters and through captured command output: nothing may run
// that the runbook did not write (no marker file appears), and every value reaches the
// command byte for byte.

import Foundation
import XCTest

final class HardeningInjectionTests: XCTestCase {
    private var directory = ""

    override func setUpWithError() throws {
        directory = try Hardening.makeDirectory("injection")
        // `param` carries the value in; `input` is a file the first command reads back, so the
        // same value also arrives as captured output. Each command writes what it received.
        try Hardening.write(#"""
            runbook "hostile values"
            param value
            param dir
            step direct "A parameter as a command argument"
              $ printf '%s' "$value" > "$dir/param.out"
              $ printf '%s' "$value" | cat > "$dir/piped.out"
              $ eval 'printf "%s" "$value"' > "$dir/eval.out"
            step captured "Captured output reused"
              got = $ cat "$dir/input"
              $ printf '%s' "$got" > "$dir/captured.out"
              copy = got.stdout
              $ printf '%s' "$copy" > "$dir/copy.out"
              listed = [value, got.stdout]
              foreach item in listed
                $ printf '%s|' "$item" >> "$dir/foreach.out"
              print "value: {value}"
              conclude "done with {got.stdout}"

            """#, "hostile.runbook", in: directory)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Values that would run something if pasted into shell text. Each names a marker file
    /// that exists only if it was executed.
    private func hostileValues(_ marker: String) -> [(String, String)] {
        [
            ("command substitution", "$(touch \(marker))"),
            ("backticks", "`touch \(marker)`"),
            ("semicolon", "x; touch \(marker)"),
            ("and-and", "x && touch \(marker)"),
            ("or-or", "false || touch \(marker)"),
            ("pipe", "x | touch \(marker)"),
            ("background", "x & touch \(marker)"),
            ("single quotes", "'; touch \(marker); echo '"),
            ("double quotes", "\"; touch \(marker); echo \""),
            ("newline", "x\ntouch \(marker)\n"),
            ("carriage return", "x\rtouch \(marker)"),
            ("redirection", "> \(marker)"),
            ("glob star", "*"),
            ("glob in dir", "\(directory)/*"),
            ("glob chars", "[a-z]?*{a,b}"),
            ("leading dash", "-n"),
            ("leading dashes", "--help -e -rf /"),
            ("dollar variable", "$HOME ${PATH} $0 $$"),
            ("arithmetic", "$((1+1))"),
            ("process substitution", "<(touch \(marker))"),
            ("backslashes", "a\\b\\\\c\\n\\"),
            ("printf format", "%s %d %n %%"),
            ("interpolation syntax", "{value} {dir} \\{x\\}"),
            ("unicode", "ümlaut — 日本語 🙂 \u{202E}rtl"),
            ("spaces only", "   "),
            ("tab and escape", "a\tb\u{1B}[31mc"),
        ]
    }

    func testHostileValuesRunNothingAndArriveByteExact() throws {
        for (index, (label, make)) in hostileValues("MARKER").enumerated() {
            let marker = directory + "/pwned-\(index)"
            let value = make.replacingOccurrences(of: "MARKER", with: marker)
            for name in ["param.out", "piped.out", "eval.out", "captured.out", "copy.out", "foreach.out"] {
                try? FileManager.default.removeItem(atPath: directory + "/" + name)
            }
            try Hardening.write(value, "input", in: directory)
            let result = try Hardening.run(["run", "hostile.runbook", "value=" + value, "dir=" + directory, "--no-journal"],
                                           in: directory, timeout: 60)
            Hardening.assertClean(result, allowed: [0], "\(label)")
            XCTAssertFalse(Hardening.exists(marker), "\(label): the value was executed: \(value)")
            let expected = Data(value.utf8)
            for name in ["param.out", "piped.out", "eval.out"] {
                XCTAssertEqual(Hardening.read(directory + "/" + name), expected, "\(label): \(name) differs")
            }
            // Captured output is trimmed of trailing newlines, as documented.
            let trimmed = Data(value.replacingOccurrences(of: "[\\r\\n]+$", with: "", options: .regularExpression).utf8)
            for name in ["captured.out", "copy.out"] {
                XCTAssertEqual(Hardening.read(directory + "/" + name), trimmed, "\(label): \(name) differs")
            }
            XCTAssertEqual(Hardening.read(directory + "/foreach.out"),
                           Data((value + "|" + String(decoding: trimmed, as: UTF8.self) + "|").utf8),
                           "\(label): foreach.out differs")
            let leftovers = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [])
                .filter { $0.hasPrefix("pwned") }
            XCTAssertEqual(leftovers, [], "\(label): something was executed")
        }
    }

    /// A hostile value as a parameter *name*-like argument and as an answer must be refused or
    /// kept as data, never executed.
    func testHostileParameterNamesAndAnswers() throws {
        let marker = directory + "/pwned-name"
        let result = try Hardening.run(["run", "hostile.runbook", "$(touch \(marker))=1", "value=x", "dir=" + directory,
                                        "--no-journal"], in: directory)
        Hardening.assertClean(result, allowed: [2], "an unknown parameter with a hostile name")
        XCTAssertFalse(Hardening.exists(marker))

        try Hardening.write("""
            runbook "answers"
            param dir
            step q "Question"
              ask pick "Which one?"
                a: print "picked a"
                b: print "picked b"
              $ printf '%s' "$pick" > "$dir/answer.out"

            """, "answers.runbook", in: directory)
        let answer = try Hardening.run(["run", "answers.runbook", "dir=" + directory, "--answer", "pick=$(touch \(marker))",
                                        "--no-journal"], in: directory)
        XCTAssertNil(answer.signal, answer.summary)
        XCTAssertFalse(answer.timedOut, answer.summary)
        XCTAssertNotEqual(answer.status, 0, "an answer that is not a choice must not be accepted: \(answer.summary)")
        XCTAssertFalse(Hardening.exists(marker))
    }
}
