/// `cluster.json`: what the cluster is and how to serve it (docs/SNAPSHOTS.md).
public struct ClusterManifest: Sendable {
    public enum Source: String, Sendable { case fixture, snapshot }

    /// A recorded health endpoint answer (`/readyz?verbose`).
    public struct Health: Sendable {
        public let status: Int
        public let body: String
    }

    public let name: String
    public let source: Source
    public let description: String
    public let kubernetesVersion: String
    public let recordedAt: Double
    public let shiftTimes: Bool
    public let readyz: Health?
    public let livez: Health?
    public let raw: JSON

    /// Reads the manifest; errors name the field (the caller adds the file).
    public init(json: JSON) throws {
        guard case .object = json else { throw ClusterLoadError.field("", "the manifest must be a JSON object") }
        guard let format = json["format"] else { throw ClusterLoadError.field("format", "missing (expected \(ClusterFormat.version))") }
        guard format.int == ClusterFormat.version else {
            throw ClusterLoadError.field("format", "\(JSONWriter.string(format)) is not a format this runbook reads (expected \(ClusterFormat.version))")
        }
        guard let name = json["name"]?.string, !name.isEmpty else { throw ClusterLoadError.field("name", "missing or not a non-empty string") }
        guard name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." }) else {
            throw ClusterLoadError.field("name", "\"\(name)\" may hold only letters, digits, '-', '_' and '.'")
        }
        let sourceText = json["source"]?.string ?? "fixture"
        guard let source = Source(rawValue: sourceText) else {
            throw ClusterLoadError.field("source", "\"\(sourceText)\" is neither \"fixture\" nor \"snapshot\"")
        }
        guard let recorded = json["recordedAt"]?.string else { throw ClusterLoadError.field("recordedAt", "missing (an RFC 3339 time)") }
        guard let recordedAt = RFC3339.parse(recorded) else {
            throw ClusterLoadError.field("recordedAt", "\"\(recorded)\" is not an RFC 3339 time such as 2026-01-02T03:04:05Z")
        }
        if let shift = json["shiftTimes"], shift.bool == nil { throw ClusterLoadError.field("shiftTimes", "must be true or false") }
        self.name = name
        self.source = source
        self.description = json["description"]?.string ?? ""
        self.kubernetesVersion = json["kubernetesVersion"]?.string ?? "v1.32.0"
        self.recordedAt = recordedAt
        self.shiftTimes = json["shiftTimes"]?.bool ?? false
        self.readyz = try ClusterManifest.health(json, "readyz")
        self.livez = try ClusterManifest.health(json, "livez")
        self.raw = json
    }

    private static func health(_ json: JSON, _ key: String) throws -> Health? {
        guard let entry = json["health"]?[key] else { return nil }
        guard let status = entry["status"]?.int, (100...599).contains(status) else {
            throw ClusterLoadError.field("health.\(key).status", "missing or not an HTTP status code")
        }
        guard let body = entry["body"]?.string else { throw ClusterLoadError.field("health.\(key).body", "missing or not a string") }
        return Health(status: status, body: body)
    }
}

/// Why a cluster directory could not be loaded: always the file, and the field or position.
public enum ClusterLoadError: Error, CustomStringConvertible, Equatable {
    /// A field of a document (the file is added by `inFile`).
    case field(String, String)
    case file(String, String)

    public var description: String {
        switch self {
        case .field(let field, let reason): return field.isEmpty ? reason : "\(field): \(reason)"
        case .file(let path, let reason): return "\(path): \(reason)"
        }
    }

    static func inFile(_ path: String, _ error: Error) -> ClusterLoadError {
        switch error {
        case let e as ClusterLoadError:
            if case .file = e { return e }
            return .file(path, e.description)
        case let e as JSONParseError: return .file("\(path):\(e.line):\(e.column)", e.reason)
        default: return .file(path, "\(error)")
        }
    }
}
