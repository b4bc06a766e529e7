import Foundation
import XCTest
import RunbookKit
@testable import ClusterKit

/// A cluster served by the project's own API server on 127.0.0.1, with a kubeconfig and a
/// kubectl cache in a private temporary directory: the real kubectl talks to it and the
/// user's ~/.kube is never touched.
final class ServedForSnapshot {
    let server: ClusterServer
    let store: ClusterStore
    let directory: String

    init(path: String, handlers: [ClusterRequestHandler] = []) throws {
        store = try ClusterSource.open(path: path)
        server = ClusterServer(cluster: store)
        for handler in handlers { server.addHandler(handler) }
        directory = try PrivateDirectory.make(prefix: "served-cluster")
        try server.start()
        try server.writeKubeconfig(to: directory + "/kubeconfig")
    }

    var environment: [String: String] {
        ["KUBECONFIG": directory + "/kubeconfig", "KUBECACHEDIR": directory + "/cache"]
    }

    func stop() {
        server.stop()
        SnapshotArchive.release(store)
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Runs the real kubectl against this cluster.
    func kubectl(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        try SnapshotTestSupport.run(["kubectl"] + arguments, environment: environment)
    }

    /// Takes a snapshot of this cluster the way `runbook snapshot` does: through kubectl proxy.
    func snapshot(to path: String, options: SnapshotOptions = SnapshotOptions()) throws -> SnapshotSummary {
        let proxy = try KubectlProxy(environment: environment)
        defer { proxy.stop() }
        let source = try KubeconfigContext.current(environment: environment)
        return try SnapshotCollector(options: options, source: source, outputPath: path,
                                     connect: { UnixHTTPClient(socketPath: proxy.socketPath) }).collect()
    }
}

/// A test case with a private temporary directory of its own, removed after each test.
class SnapshotTestCase: XCTestCase {
    var directory = ""

    override func setUpWithError() throws {
        directory = try SnapshotTestSupport.temporaryDirectory()
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: directory)
    }
}

enum SnapshotTestSupport {
    static var repositoryRoot: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    }

    static var basicFixture: String { repositoryRoot + "/Tests/fixtures/clusters/basic" }

    static func run(_ arguments: [String], environment: [String: String] = [:],
                    directory: String? = nil) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // Both pipes are drained at once so that neither fills while the other is read.
        nonisolated(unsafe) var errorData = Data()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            errorData = err.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let outputData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: outputData, as: UTF8.self), String(decoding: errorData, as: UTF8.self))
    }

    /// Every age ("5m", "3h12m") replaced by "AGE" and runs of spaces by one, so that a live
    /// and a replayed answer taken seconds apart compare equal (an age of "4m59s" against
    /// "5m" also widens its column); every other character must be the same.
    static func withoutAges(_ text: String) -> String {
        let age = try! NSRegularExpression(pattern: #"(?<![\w.:/-])\d+(?:s|m|h|d|y)(?:\d+(?:s|m|h|d))?(?![\w.:/-])"#)
        let spaces = try! NSRegularExpression(pattern: " {2,}")
        let aged = age.stringByReplacingMatches(in: text, range: NSRange(location: 0, length: (text as NSString).length),
                                                withTemplate: "AGE")
        return spaces.stringByReplacingMatches(in: aged, range: NSRange(location: 0, length: (aged as NSString).length),
                                               withTemplate: " ")
    }

    static func temporaryDirectory() throws -> String {
        try PrivateDirectory.make(prefix: "snapshot-test")
    }

    /// Every file under `directory`, as text, by relative path.
    static func files(under directory: String) -> [String: String] {
        var result: [String: String] = [:]
        let enumerator = FileManager.default.enumerator(atPath: directory)
        while let relative = enumerator?.nextObject() as? String {
            var isDirectory: ObjCBool = false
            let full = directory + "/" + relative
            if FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory), !isDirectory.boolValue {
                result[relative] = (try? String(contentsOfFile: full, encoding: .utf8)) ?? ""
            }
        }
        return result
    }
}
