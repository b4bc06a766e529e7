import Foundation

/// How `runbook snapshot` was asked to collect: recorded in `cluster.json` as given.
public struct SnapshotOptions: Codable, Equatable, Sendable {
    /// Namespaces to list namespaced kinds in; empty: all. Cluster-scoped kinds are always listed.
    public var namespaces: [String]
    /// A label selector for pods (and so their logs).
    public var selector: String?
    /// Lines of each log kept, current and previous.
    public var logTail: Int
    /// MiB of content after which no more logs are added; nil: no limit.
    public var maxSizeMiB: Int?
    /// Seconds each request may take, its whole answer included.
    public var requestTimeout: Double
    /// Requests at once. Not recorded: it changes how fast, never what is collected.
    public var parallel: Int

    public init(namespaces: [String] = [], selector: String? = nil, logTail: Int = 500, maxSizeMiB: Int? = nil,
                requestTimeout: Double = 30, parallel: Int = 4) {
        self.namespaces = namespaces
        self.selector = selector
        self.logTail = logTail
        self.maxSizeMiB = maxSizeMiB
        self.requestTimeout = requestTimeout
        self.parallel = parallel
    }

    enum CodingKeys: String, CodingKey {
        case namespaces, selector, logTail, maxSizeMiB, requestTimeout
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(namespaces: try c.decodeIfPresent([String].self, forKey: .namespaces) ?? [],
                  selector: try c.decodeIfPresent(String.self, forKey: .selector),
                  logTail: try c.decodeIfPresent(Int.self, forKey: .logTail) ?? 500,
                  maxSizeMiB: try c.decodeIfPresent(Int.self, forKey: .maxSizeMiB),
                  requestTimeout: try c.decodeIfPresent(Double.self, forKey: .requestTimeout) ?? 30)
    }
}

/// A request that got no usable answer: the snapshot completes without it and says so.
public struct SnapshotFailure: Codable, Equatable, Sendable {
    public var path: String
    public var error: String

    public init(path: String, error: String) {
        self.path = path
        self.error = error
    }
}

/// Where a snapshot comes from, as the kubeconfig names it.
public struct SnapshotSource: Sendable, Equatable {
    /// The current context's name.
    public var name: String
    /// The API server's URL.
    public var server: String

    public init(name: String, server: String) {
        self.name = name
        self.server = server
    }
}

/// How far a snapshot has come, for a progress line.
public struct SnapshotProgress: Sendable {
    public var kindsDone: Int
    public var kindsTotal: Int
    public var logsDone: Int
    public var logsTotal: Int
    /// Content bytes collected so far (before compression).
    public var bytes: Int
    /// The request that just started, nil between requests.
    public var current: String?
}

/// What a finished snapshot holds, for the summary the command prints.
public struct SnapshotSummary: Sendable {
    public var path: String
    public var kinds: [String]
    public var notServed: [String]
    public var failures: [SnapshotFailure]
    public var redactions: [Redaction]
    public var logsCollected: Int
    /// Logs left out because `--max-size` was reached.
    public var logsSkippedForSize: Int
    public var contentBytes: Int
    public var archiveBytes: Int
    public var seconds: Double
}
