// Regression inputs from fuzzing (Tests/fuzz-corpus/): every input that once crashed or hung
// the lexer, parser or checker is checked with the real binary. `runbook check` must end
// with a diagnostic exit (0 or 2) — no signal, no trap, no stack trace, no hang.

import Foundation
import XCTest

final class HardeningFuzzCorpusTests: XCTestCase {
    private var corpus: String { Hardening.repositoryRoot + "/Tests/fuzz-corpus" }

    func testEveryFuzzCorpusInputChecksCleanly() throws {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: corpus)) ?? [])
            .filter { !$0.hasPrefix(".") && $0 != "README.md" }.sorted()
        guard !names.isEmpty else { throw XCTSkip("no inputs in \(corpus)") }
        for name in names {
            let result = try Hardening.run(["check", corpus + "/" + name], in: corpus, timeout: 60)
            Hardening.assertClean(result, allowed: [0, 2], "fuzz input \(name)")
            if result.status == 2 && result.signal == nil && !result.timedOut {
                XCTAssertTrue(result.err.contains(name), "fuzz input \(name): the error should name the file: \(result.summary)")
            }
            // A diagnostic report is a few lines per problem, not a copy of the input per byte.
            let inputSize = (try? FileManager.default.attributesOfItem(atPath: corpus + "/" + name)[.size] as? Int) ?? 0
            XCTAssertLessThan(result.stderrBytes, max(1 << 20, 20 * inputSize),
                              "fuzz input \(name): the error report is out of proportion: \(result.summary)")
        }
    }
}
