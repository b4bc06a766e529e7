import XCTest
@testable import ClusterKit

final class StoreSelectorTests: XCTestCase {
    let labels = ["app": "web", "tier": "front", "env": "prod"]

    func testEqualityOperators() throws {
        XCTAssertTrue(try LabelSelector(parsing: "app=web").matches(labels))
        XCTAssertTrue(try LabelSelector(parsing: "app==web,tier=front").matches(labels))
        XCTAssertFalse(try LabelSelector(parsing: "app=web,tier=back").matches(labels))
        XCTAssertTrue(try LabelSelector(parsing: "app!=api").matches(labels))
        XCTAssertTrue(try LabelSelector(parsing: "missing!=x").matches(labels))
    }

    func testSetOperators() throws {
        XCTAssertTrue(try LabelSelector(parsing: "env in (prod, staging)").matches(labels))
        XCTAssertFalse(try LabelSelector(parsing: "env notin (prod,staging)").matches(labels))
        XCTAssertTrue(try LabelSelector(parsing: "missing notin (a)").matches(labels))
        XCTAssertFalse(try LabelSelector(parsing: "missing in (a)").matches(labels))
        XCTAssertEqual(try LabelSelector(parsing: "env in (a,b),app").requirements,
                       [.isIn("env", ["a", "b"]), .exists("app")])
    }

    func testExistence() throws {
        XCTAssertTrue(try LabelSelector(parsing: "app").matches(labels))
        XCTAssertFalse(try LabelSelector(parsing: "!app").matches(labels))
        XCTAssertTrue(try LabelSelector(parsing: "!legacy").matches(labels))
        XCTAssertTrue(try LabelSelector(parsing: "").matches(labels))
    }

    func testBadLabelSelectorsAreErrors() {
        XCTAssertThrowsError(try LabelSelector(parsing: "env in (a"))
        XCTAssertThrowsError(try LabelSelector(parsing: "env between (a)"))
        XCTAssertThrowsError(try LabelSelector(parsing: "a=$(rm -rf /)"))
    }

    func testFieldSelectors() throws {
        let pod = try JSONParser.parse(#"{"metadata":{"name":"p","namespace":"ns"},"spec":{"nodeName":"n1"},"status":{"phase":"Running"}}"#)
        XCTAssertTrue(try FieldSelector(parsing: "status.phase=Running").matches(pod))
        XCTAssertTrue(try FieldSelector(parsing: "status.phase==Running,metadata.name=p").matches(pod))
        XCTAssertFalse(try FieldSelector(parsing: "status.phase!=Running").matches(pod))
        XCTAssertTrue(try FieldSelector(parsing: "spec.nodeName=n1,status.phase!=Failed,status.phase!=Succeeded").matches(pod))
        XCTAssertTrue(try FieldSelector(parsing: "involvedObject.uid=").matches(pod), "a missing field compares as empty")
        XCTAssertThrowsError(try FieldSelector(parsing: "status.phase"))
    }

    func testEscapedCommaInAFieldValue() throws {
        let e = try JSONParser.parse(#"{"reason":"a,b"}"#)
        XCTAssertTrue(try FieldSelector(parsing: #"reason=a\,b"#).matches(e))
    }
}
