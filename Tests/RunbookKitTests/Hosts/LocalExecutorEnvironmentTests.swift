// LocalExecutor: runbook values reach commands through the environment, as data.

import XCTest
@testable import RunbookKit

final class LocalExecutorEnvironmentTests: XCTestCase {
    let executor = LocalExecutor(cancellation: Cancellation())

    func testValueReachesTheCommand() {
        let result = executor.run(CommandRequest(script: "printf '%s' \"$POD\"", environment: ["POD": "web-1"]),
                                  onLine: { _, _ in })
        XCTAssertEqual(result.stdout, "web-1")
    }

    func testRunnerEnvironmentIsInheritedAndRequestValuesWin() {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        var result = executor.run(CommandRequest(script: "printf '%s' \"$PATH\""), onLine: { _, _ in })
        XCTAssertEqual(result.stdout, path)
        result = executor.run(CommandRequest(script: "printf '%s' \"$HOME\"", environment: ["HOME": "/elsewhere"]),
                              onLine: { _, _ in })
        XCTAssertEqual(result.stdout, "/elsewhere")
    }

    func testHostileValuesArriveAsData() {
        let directory = HostTest.makeTemporaryDirectory()
        defer { HostTest.removeDirectory(directory) }
        let marker = directory + "/pwned"
        for value in HostTest.hostileValues(marker: marker) {
            let result = executor.run(CommandRequest(script: "printf '%s' \"$V\"", environment: ["V": value]),
                                      onLine: { _, _ in })
            XCTAssertEqual(result.stdout, value)
            XCTAssertEqual(result.exitCode, 0)
            XCTAssertFalse(FileManager.default.fileExists(atPath: marker), "value ran a command: \(value)")
        }
    }
}
