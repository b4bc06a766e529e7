import XCTest
@testable import ClusterKit

final class ClusterFormatTests: XCTestCase {
    func testTheManifestHasAFixedName() {
        XCTAssertEqual(ClusterFormat.manifestName, "cluster.json")
        XCTAssertEqual(ClusterFormat.version, 1)
    }
}
