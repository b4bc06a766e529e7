import Foundation
import RunbookKit

/// Something that answers GET requests: a `UnixHTTPClient` to `kubectl proxy`. One per thread.
public protocol HTTPGetting: AnyObject {
    func get(_ path: String, accept: String, timeout: Double) throws -> ProxyResponse
    /// Overwrites whatever received bytes the client still holds (after a Secret list).
    func scrub()
}

extension UnixHTTPClient: HTTPGetting {}

/// Collects a cluster into a snapshot archive (docs/SNAPSHOTS.md): every kind of
/// `SnapshotKind.all` as a list and as a server-side Table, `/version`, `/readyz` and
/// `/livez`, then the logs of the pods that are not healthy. `parallel` connections work at
/// once, each on its own thread. A request that fails is recorded and the snapshot goes on:
/// partial beats nothing during an incident.
///
/// Thread contract: `collect()` is called once, from one thread; `progress` is called from
/// the worker threads, one call at a time.
public final class SnapshotCollector: @unchecked Sendable {
    private let options: SnapshotOptions
    private let source: SnapshotSource
    private let outputPath: String
    private let connect: () -> HTTPGetting
    private let progress: (SnapshotProgress) -> Void
    private let cancellation: Cancellation
    private let scanner = CredentialScanner()
    private let kinds: [SnapshotKind]

    private let mutex = Mutex()
    private var failures: [SnapshotFailure] = []
    private var redactions: [Redaction] = []
    private var collected: [String] = []
    private var notServed: [String] = []
    private var credentialValues: [String] = []
    private var logs: [LogPlan.Request] = []
    private var state = SnapshotProgress(kindsDone: 0, kindsTotal: 0, logsDone: 0, logsTotal: 0, bytes: 0, current: nil)
    private var logsCollected = 0
    private var logsSkippedForSize = 0
    private var health: [String: Any] = [:]
    private var kubernetesVersion: String?

    public init(options: SnapshotOptions, source: SnapshotSource, outputPath: String, kinds: [SnapshotKind] = SnapshotKind.all,
                cancellation: Cancellation = .shared, connect: @escaping () -> HTTPGetting,
                progress: @escaping (SnapshotProgress) -> Void = { _ in }) {
        self.options = options
        self.source = source
        self.outputPath = outputPath
        self.kinds = kinds
        self.cancellation = cancellation
        self.connect = connect
        self.progress = progress
    }

    /// Collects and writes the archive. Throws only when the archive cannot be written or the
    /// collection was cancelled (the partial file is then removed); failed requests are in
    /// the summary.
    public func collect() throws -> SnapshotSummary {
        let started = Date()
        let writer = try TarGzWriter(path: outputPath, modificationTime: Int(started.timeIntervalSince1970))
        do {
            let summary = try collect(into: writer, started: started)
            return summary
        } catch {
            unlink(outputPath)
            throw error
        }
    }

    private enum Work {
        case server(String)
        case kind(SnapshotKind)
        case log(LogPlan.Request)
    }

    private func collect(into writer: TarGzWriter, started: Date) throws -> SnapshotSummary {
        let serverPaths = ["/version", "/readyz?verbose", "/livez?verbose"]
        mutex.withLock { state.kindsTotal = kinds.count }
        // Logs need the pod list, so they are a second round once every kind is in.
        try run(kinds.map { Work.kind($0) } + serverPaths.map { Work.server($0) }, writer: writer)
        if cancellation.isCancelled { throw HTTPClientError.cancelled }
        if let nothing = mutex.withLock({ collected.isEmpty ? failures.first : nil }) {
            throw NothingCollected(first: nothing, count: mutex.withLock { failures.count })
        }
        let logWork = mutex.withLock { () -> [Work] in
            state.logsTotal = logs.count
            return logs.map { Work.log($0) }
        }
        try run(logWork, writer: writer)
        if cancellation.isCancelled { throw HTTPClientError.cancelled }

        let seconds = Date().timeIntervalSince(started)
        let manifest = mutex.withLock { () -> [String: Any] in
            var snapshot: [String: Any] = [
                "toolVersion": RunHeader.toolVersion,
                "context": source.name,
                "options": SnapshotCollector.encode(options),
                "kinds": collected.sorted(),
                "notServed": notServed.sorted(),
                "failures": failures.map { ["path": $0.path, "error": $0.error] },
                "redactions": redactions.map { ["where": $0.location, "pattern": $0.pattern.rawValue] },
                "logs": ["collected": logsCollected, "skippedForSize": logsSkippedForSize],
                "seconds": (seconds * 1000).rounded() / 1000,
            ]
            if logsSkippedForSize > 0 {
                snapshot["logs"] = ["collected": logsCollected, "skippedForSize": logsSkippedForSize,
                                    "note": "--max-size \(options.maxSizeMiB ?? 0) MiB reached: \(logsSkippedForSize) logs left out"]
            }
            var manifest: [String: Any] = [
                "format": ClusterFormat.version,
                "source": "snapshot",
                "name": SnapshotCollector.clusterName(source.name),
                "server": source.server,
                "recordedAt": JournalTime.iso8601(started),
                "shiftTimes": false,
                "snapshot": snapshot,
            ]
            if let kubernetesVersion { manifest["kubernetesVersion"] = kubernetesVersion }
            if !health.isEmpty { manifest["health"] = health }
            return manifest
        }
        let data = try JSONSerialization.data(withJSONObject: manifest, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        try writer.add(ClusterFormat.manifestName, Array(data) + [10])
        try writer.finish()
        return mutex.withLock {
            SnapshotSummary(path: outputPath, kinds: collected.sorted(), notServed: notServed.sorted(), failures: failures,
                            redactions: redactions, logsCollected: logsCollected, logsSkippedForSize: logsSkippedForSize,
                            contentBytes: writer.uncompressedBytes, archiveBytes: writer.compressedBytes, seconds: seconds)
        }
    }

    /// Runs `work` on `options.parallel` threads, each with its own connection, until all is
    /// done or the run is cancelled. An archive write error stops everything.
    private func run(_ work: [Work], writer: TarGzWriter) throws {
        guard !work.isEmpty else { return }
        let next = Counter()
        let writeError = ErrorSlot()
        DispatchQueue.concurrentPerform(iterations: max(1, min(options.parallel, work.count))) { _ in
            let client = connect()
            while !cancellation.isCancelled, writeError.value == nil, let index = next.take(below: work.count) {
                do {
                    switch work[index] {
                    case .server(let path): try server(path, client: client)
                    case .kind(let kind): try collect(kind, client: client, writer: writer)
                    case .log(let request): try collect(request, client: client, writer: writer)
                    }
                } catch {
                    writeError.set(error)
                }
            }
        }
        if let error = writeError.value { throw error }
    }

    // MARK: Requests

    /// The answer's body when the status is 2xx; otherwise the failure is recorded (a 404 on a
    /// list only as "not served") and nil returned.
    private func fetch(_ path: String, accept: String = "application/json", client: HTTPGetting,
                       notFoundIsNotServed: String? = nil) -> [UInt8]? {
        report { $0.current = path }
        do {
            let response = try client.get(path, accept: accept, timeout: options.requestTimeout)
            report { $0.bytes += response.body.count; $0.current = nil }
            if (200 ..< 300).contains(response.status) { return response.body }
            if response.status == 404, let kind = notFoundIsNotServed {
                mutex.withLock { if !notServed.contains(kind) { notServed.append(kind) } }
                return nil
            }
            fail(path, "HTTP \(response.status)" + (SnapshotCollector.statusMessage(response.body).map { ": \($0)" } ?? ""))
        } catch {
            fail(path, "\(error)")
        }
        return nil
    }

    private func server(_ path: String, client: HTTPGetting) throws {
        report { $0.current = path }
        do {
            let response = try client.get(path, accept: "application/json, */*", timeout: options.requestTimeout)
            report { $0.bytes += response.body.count; $0.current = nil }
            let body = String(decoding: response.body, as: UTF8.self)
            if path == "/version" {
                guard response.status == 200,
                      let object = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any],
                      let version = object["gitVersion"] as? String else {
                    fail(path, "HTTP \(response.status): no gitVersion in the answer")
                    return
                }
                mutex.withLock { kubernetesVersion = version }
            } else {
                let key = path.hasPrefix("/readyz") ? "readyz" : "livez"
                mutex.withLock { health[key] = ["status": response.status, "body": body] }
            }
        } catch {
            fail(path, "\(error)")
        }
    }

    private func collect(_ kind: SnapshotKind, client: HTTPGetting, writer: TarGzWriter) throws {
        defer { report { $0.kindsDone += 1 } }
        var seen = Set<String>()
        let unique = options.namespaces.filter { seen.insert($0).inserted }
        let namespaces: [String?] = kind.namespaced && !unique.isEmpty ? unique : [nil]
        var query = ""
        if kind.isPods, let selector = options.selector {
            query = "labelSelector=" + SnapshotCollector.percentEncoded(selector)
        }
        var lists: [[UInt8]] = []
        var tables: [[UInt8]] = []
        for namespace in namespaces {
            let path = kind.listPath(namespace: namespace)
            if kind.storesObjects {
                guard let list = fetch(path + (query.isEmpty ? "" : "?" + query), client: client,
                                       notFoundIsNotServed: kind.fileStem) else { continue }
                lists.append(list)
            }
            let tablePath = path + "?" + (query.isEmpty ? "" : query + "&") + "includeObject=Metadata"
            if let table = fetch(tablePath, accept: SnapshotKind.tableAccept, client: client,
                                 notFoundIsNotServed: kind.fileStem) {
                tables.append(table)
            }
        }
        defer {
            // A Secret list's received bytes are wiped as soon as the stripped copy is written.
            if kind.isSecrets {
                for i in lists.indices { lists[i].withUnsafeMutableBufferPointer { $0.update(repeating: 0) } }
                for i in tables.indices { tables[i].withUnsafeMutableBufferPointer { $0.update(repeating: 0) } }
                client.scrub()
            }
        }
        if !lists.isEmpty {
            let file = "\(ClusterFormat.objectsDirectory)/\(kind.fileStem).json"
            if let bytes = try sanitized(lists, file: file, kind: kind, rowsKey: "items") {
                try writer.add(file, bytes)
            }
        }
        if !tables.isEmpty {
            let file = "\(ClusterFormat.tablesDirectory)/\(kind.fileStem).json"
            if let bytes = try sanitized(tables, file: file, kind: kind, rowsKey: "rows") {
                try writer.add(file, bytes)
            }
        }
        if !lists.isEmpty || !tables.isEmpty { mutex.withLock { collected.append(kind.fileStem) } }
    }

    /// The answers merged into one (several namespaces) and with credentials masked; the
    /// answer's own bytes when nothing had to change. nil (and a failure) for an answer that
    /// is not JSON.
    private func sanitized(_ answers: [[UInt8]], file: String, kind: SnapshotKind, rowsKey: String) throws -> [UInt8]? {
        var merged: [String: Any]?
        for answer in answers {
            var data = Data(answer)
            // The copy JSONSerialization reads of a Secret list is wiped once decoded.
            defer { if kind.isSecrets { data.resetBytes(in: 0 ..< data.count) } }
            guard let decoded = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                fail(file, "the API server's answer is not a JSON object")
                return nil
            }
            if var first = merged {
                first[rowsKey] = ((first[rowsKey] as? [Any]) ?? []) + ((decoded[rowsKey] as? [Any]) ?? [])
                merged = first
            } else {
                merged = decoded
            }
        }
        guard var merged else { return nil }
        let content: ObjectSanitizer.Content = kind.isSecrets ? .secretData : kind.isConfigMaps ? .configurationData : .other
        let sanitizer = ObjectSanitizer(scanner: scanner, file: file, content: content)
        sanitizer.sanitize(list: &merged)
        if kind.isPods && rowsKey == "items" { planLogs(merged) }
        mutex.withLock {
            redactions += sanitizer.redactions
            credentialValues += sanitizer.credentialValues
        }
        if answers.count == 1 && !sanitizer.changed { return answers[0] }
        return Array(try JSONSerialization.data(withJSONObject: merged, options: [.sortedKeys, .withoutEscapingSlashes])) + [10]
    }

    // MARK: Logs

    /// Queues the logs `LogPlan` picks from the pod list, each file once.
    private func planLogs(_ list: [String: Any]) {
        let planned = LogPlan.requests(for: list)
        mutex.withLock {
            // One file per log, whatever the list held twice.
            var files = Set(logs.map(\.file))
            logs += planned.filter { files.insert($0.file).inserted }
        }
    }

    private func collect(_ request: LogPlan.Request, client: HTTPGetting, writer: TarGzWriter) throws {
        defer { report { $0.logsDone += 1 } }
        if let limit = options.maxSizeMiB, writer.uncompressedBytes >= limit << 20 {
            mutex.withLock { logsSkippedForSize += 1 }
            return
        }
        var path = "/api/v1/namespaces/\(request.namespace)/pods/\(request.pod)/log?container=\(request.container)"
        path += "&tailLines=\(options.logTail)" + (request.previous ? "&previous=true" : "")
        guard let body = fetch(path, accept: "text/plain, */*", client: client) else { return }
        let redactor = mutex.withLock { SecretRedactor(secrets: credentialValues) }
        let text = String(decoding: body, as: UTF8.self)
        let known = redactor.redact(text)
        let (masked, matches) = scanner.redact(known)
        var found = matches.map { Redaction(location: "\(request.file) line \($0.line)", pattern: $0.pattern) }
        if known != text { found.append(Redaction(location: request.file, pattern: .credentialEnvironmentName)) }
        let bytes = Array(masked.utf8)
        if let limit = options.maxSizeMiB, writer.uncompressedBytes + bytes.count > limit << 20 {
            mutex.withLock { logsSkippedForSize += 1 }
            return
        }
        try writer.add(request.file, bytes)
        mutex.withLock {
            redactions += found
            logsCollected += 1
        }
    }

    // MARK: Bookkeeping

    private func fail(_ path: String, _ error: String) {
        mutex.withLock { failures.append(SnapshotFailure(path: path, error: error)) }
    }

    private func report(_ change: (inout SnapshotProgress) -> Void) {
        mutex.lock()
        change(&state)
        let copy = state
        mutex.unlock()
        progress(copy)
    }

    /// The context's name as a cluster name (letters, digits, '-', '_', '.'): the replay
    /// names its kubeconfig context after it. `arn:aws:eks:…:cluster/prod` and
    /// `admin@kind` keep their shape with '-' for what is not allowed.
    static func clusterName(_ context: String) -> String {
        let mapped = String(context.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." ? $0 : "-" })
        return mapped.isEmpty ? "snapshot" : mapped
    }

    static func percentEncoded(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    /// The `message` of a Status answer.
    static func statusMessage(_ body: [UInt8]) -> String? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else {
            let text = String(decoding: body.prefix(200), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            return text.isEmpty ? nil : text
        }
        return object["message"] as? String
    }

    static func encode(_ options: SnapshotOptions) -> Any {
        guard let data = try? JSONEncoder().encode(options),
              let object = try? JSONSerialization.jsonObject(with: data) else { return [:] as [String: Any] }
        return object
    }
}

/// Not one kind could be listed: no archive is written (an empty one would only mislead).
public struct NothingCollected: Error, CustomStringConvertible {
    public let first: SnapshotFailure
    public let count: Int

    public var description: String {
        "nothing could be collected (\(count) requests failed; the first: \(first.path): \(first.error)); check that `kubectl get --raw /version` works with this kubeconfig"
    }
}

/// Hands out the indices 0, 1, 2 … once each, to any thread.
private final class Counter: @unchecked Sendable {
    private let mutex = Mutex()
    private var next = 0

    func take(below limit: Int) -> Int? {
        mutex.withLock {
            guard next < limit else { return nil }
            defer { next += 1 }
            return next
        }
    }
}

/// The first error any worker hit.
private final class ErrorSlot: @unchecked Sendable {
    private let mutex = Mutex()
    private var error: Error?

    var value: Error? { mutex.withLock { error } }
    func set(_ error: Error) { mutex.withLock { if self.error == nil { self.error = error } } }
}
