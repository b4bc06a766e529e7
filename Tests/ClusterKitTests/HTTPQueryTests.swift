import XCTest
@testable import ClusterKit

/// Query strings keep every item in order: `kubectl exec` repeats `command` once per word.
final class HTTPQueryTests: XCTestCase {
    func testRepeatedAndPercentEncodedItemsKeepTheirOrder() {
        let items = URLDecoding.query("command=chroot&command=%2Fhost&command=sh&command=-c&command=echo+a%26b%3Dc%20%C3%BC&stdin=true&tty&container=")
        let request = HTTPRequest(method: "POST", path: "/api/v1/namespaces/default/pods/p/exec", queryItems: items,
                                  headers: [:], body: [])
        XCTAssertEqual(request.values("command"), ["chroot", "/host", "sh", "-c", "echo a&b=c ü"])
        XCTAssertEqual(request.value("stdin"), "true")
        XCTAssertEqual(request.value("tty"), "", "a name without '=' has the empty value")
        XCTAssertEqual(request.value("container"), "")
        XCTAssertNil(request.value("stdout"))
        XCTAssertEqual(request.values("stdout"), [])
        XCTAssertEqual(items.map(\.name), ["command", "command", "command", "command", "command", "stdin", "tty", "container"])
    }

    func testAParameterGivenTwiceIsReadAsItsFirstValue() {
        let request = HTTPRequest(method: "GET", path: "/api/v1/pods", queryItems: URLDecoding.query("limit=5&limit=7&%zz=%4"),
                                  headers: [:], body: [])
        XCTAssertEqual(request.value("limit"), "5")
        XCTAssertEqual(request.values("limit"), ["5", "7"])
        XCTAssertEqual(request.value("%zz"), "%4", "a broken escape is kept as sent")
    }
}
