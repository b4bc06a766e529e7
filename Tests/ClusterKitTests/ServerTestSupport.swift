import Foundation
import XCTest
@testable import ClusterKit

/// A served fixture cluster and the real kubectl pointed at it (a kubeconfig and a cache
/// in a temporary directory, so the user's ~/.kube is never read or written).
final class ServedCluster {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("fixtures/clusters").path

    let server: ClusterServer
    let directory: String

    convenience init(_ name: String = "basic") throws {
        try self.init(directory: "\(ServedCluster.fixtures)/\(name)")
    }

    init(directory clusterDirectory: String) throws {
        let store = try ClusterStore.load(directory: clusterDirectory)
        let name = store.manifest.name
        server = ClusterServer(cluster: store)
        try server.start()
        directory = NSTemporaryDirectory() + "served-\(name)-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try server.writeKubeconfig(to: "\(directory)/kubeconfig")
    }

    deinit {
        server.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    struct Result {
        let stdout: String
        let stderr: String
        let status: Int32
    }

    /// Runs `kubectl ARGS` against the server and waits for it.
    func kubectl(_ args: String...) throws -> Result { try run(args) }

    /// kubectl's stdout, failing the test when it exits non-zero.
    func output(_ args: String..., file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let r = try run(args)
        XCTAssertEqual(r.status, 0, "kubectl \(args.joined(separator: " ")) failed: \(r.stderr)", file: file, line: line)
        return r.stdout
    }

    func run(_ args: [String]) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["kubectl"] + args
        var env = ProcessInfo.processInfo.environment
        env["KUBECONFIG"] = "\(directory)/kubeconfig"
        env["KUBECACHEDIR"] = "\(directory)/cache"
        env["HOME"] = directory
        // describe prints times in the local zone; the tests compare them as +0000.
        env["TZ"] = "UTC"
        process.environment = env
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Both pipes are drained before waiting: a full pipe would block kubectl.
        let group = DispatchGroup()
        nonisolated(unsafe) var errData = Data()
        group.enter()
        DispatchQueue.global().async { errData = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return Result(stdout: String(decoding: outData, as: UTF8.self), stderr: String(decoding: errData, as: UTF8.self),
                      status: process.terminationStatus)
    }
}
