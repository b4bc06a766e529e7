import Foundation

/// The current context of the kubeconfig kubectl would use: its name and its server's URL,
/// read with `kubectl config view --minify` (so KUBECONFIG lists and `--kubeconfig` work as
/// they do for kubectl; certificate data is not printed without --raw).
public enum KubeconfigContext {
    public struct Failure: Error, CustomStringConvertible {
        public let message: String
        public var description: String { message }
    }

    public static func current(kubectl: String = "kubectl", environment: [String: String] = [:]) throws -> SnapshotSource {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [kubectl, "config", "view", "--minify", "-o", "json"]
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw Failure(message: "cannot run \(kubectl): \(error) (is kubectl installed and on PATH?)")
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let errorText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(message: "kubectl config view failed: \(errorText.trimmingCharacters(in: .whitespacesAndNewlines)); is a current context set (kubectl config current-context)?")
        }
        guard let config = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let name = config["current-context"] as? String, !name.isEmpty else {
            throw Failure(message: "the kubeconfig has no current context; choose one with `kubectl config use-context NAME`")
        }
        let clusters = config["clusters"] as? [[String: Any]] ?? []
        let server = (clusters.first?["cluster"] as? [String: Any])?["server"] as? String ?? ""
        return SnapshotSource(name: name, server: server)
    }
}
