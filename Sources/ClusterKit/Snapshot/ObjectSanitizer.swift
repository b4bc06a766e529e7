import Foundation
import RunbookKit

/// One masked credential: where it was and which pattern found it. Never the value.
public struct Redaction: Codable, Equatable, Sendable {
    public var location: String
    public var pattern: CredentialPattern

    public init(location: String, pattern: CredentialPattern) {
        self.location = location
        self.pattern = pattern
    }

    enum CodingKeys: String, CodingKey {
        case location = "where"
        case pattern
    }
}

/// Masks credentials in a decoded API list (or Table) before it is written: container
/// environment values (all of a credential-named variable's value), `args`, `command`,
/// annotations (a `last-applied-configuration` is decoded and walked like an object), and
/// for Secrets every value of `data` and `stringData` (the keys stay: they tell what a Secret
/// holds). Works on JSONSerialization's Foundation values. Not thread-safe: one per list.
final class ObjectSanitizer {
    private let scanner: CredentialScanner
    private let file: String
    private let secrets: Bool
    private(set) var redactions: [Redaction] = []
    /// Values of credential-named environment variables: masked in logs too.
    private(set) var credentialValues: [String] = []
    private(set) var changed = false
    private var path: [String] = []
    private var object = ""

    init(scanner: CredentialScanner, file: String, secrets: Bool) {
        self.scanner = scanner
        self.file = file
        self.secrets = secrets
    }

    /// Sanitizes a List or a Table in place: each item (or row object) on its own, so each
    /// redaction names its object.
    func sanitize(list: NSMutableDictionary) {
        if let items = list["items"] as? NSMutableArray {
            for case let item as NSMutableDictionary in items { sanitize(item: item) }
        }
        if let rows = list["rows"] as? NSMutableArray {
            for case let row as NSMutableDictionary in rows {
                if let item = row["object"] as? NSMutableDictionary { sanitize(item: item) }
            }
        }
    }

    private func sanitize(item: NSMutableDictionary) {
        let metadata = item["metadata"] as? NSDictionary
        let name = metadata?["name"] as? String ?? "?"
        object = (metadata?["namespace"] as? String).map { "\($0)/\(name)" } ?? name
        if secrets {
            for key in ["data", "stringData"] {
                guard let data = item[key] as? NSMutableDictionary, data.count > 0 else { continue }
                for case let field as String in data.allKeys { data[field] = "" }
                changed = true
                note("." + key, .secretValue)
            }
        }
        path = []
        walk(item)
    }

    private func walk(_ value: Any) {
        if let dictionary = value as? NSMutableDictionary {
            for case let key as String in dictionary.allKeys {
                path.append(key)
                defer { path.removeLast() }
                switch key {
                case "env":
                    if let list = dictionary[key] as? NSMutableArray { environment(list) }
                case "annotations":
                    if let annotations = dictionary[key] as? NSMutableDictionary { self.annotations(annotations) }
                case "args", "command":
                    if let list = dictionary[key] as? NSMutableArray {
                        for index in 0 ..< list.count {
                            if let text = list[index] as? String, let masked = scan(text, at: "[\(index)]") { list[index] = masked }
                        }
                    }
                default:
                    if let child = dictionary[key], child is NSMutableDictionary || child is NSMutableArray { walk(child) }
                }
            }
        } else if let array = value as? NSMutableArray {
            for child in array where child is NSMutableDictionary || child is NSMutableArray { walk(child) }
        }
    }

    private func environment(_ list: NSMutableArray) {
        for case let variable as NSMutableDictionary in list {
            guard let name = variable["name"] as? String, let value = variable["value"] as? String, !value.isEmpty else { continue }
            if CredentialScanner.isCredentialName(name) {
                if value != SecretRedactor.mask {
                    variable["value"] = SecretRedactor.mask
                    credentialValues.append(value)
                    changed = true
                    note("[\(name)]", .credentialEnvironmentName)
                }
            } else if let masked = scan(value, at: "[\(name)]") {
                variable["value"] = masked
            }
        }
    }

    private static let lastApplied = "kubectl.kubernetes.io/last-applied-configuration"

    private func annotations(_ annotations: NSMutableDictionary) {
        for case let key as String in annotations.allKeys {
            guard let value = annotations[key] as? String else { continue }
            if key == ObjectSanitizer.lastApplied {
                // A Secret's applied configuration holds its data: never kept.
                if secrets {
                    annotations.removeObject(forKey: key)
                    changed = true
                    note("[\(key)]", .secretValue)
                    continue
                }
                if let data = value.data(using: .utf8),
                   let decoded = try? JSONSerialization.jsonObject(with: data, options: [.mutableContainers]) as? NSMutableDictionary {
                    let before = (redactions.count, changed)
                    changed = false
                    path.append("[\(key)]")
                    walk(decoded)
                    path.removeLast()
                    if changed, let encoded = try? JSONSerialization.data(withJSONObject: decoded, options: [.sortedKeys]) {
                        annotations[key] = String(decoding: encoded, as: UTF8.self) + "\n"
                    }
                    changed = changed || before.1
                    continue
                }
            }
            if let masked = scan(value, at: "[\(key)]") { annotations[key] = masked }
        }
    }

    /// The text masked, or nil when it holds no credential.
    private func scan(_ text: String, at last: String) -> String? {
        let (masked, matches) = scanner.redact(text)
        guard !matches.isEmpty else { return nil }
        changed = true
        path.append(last)
        for match in matches { note("", match.pattern) }
        path.removeLast()
        return masked
    }

    private func note(_ suffix: String, _ pattern: CredentialPattern) {
        let field = path.map { $0.hasPrefix("[") ? $0 : "." + $0 }.joined() + suffix
        redactions.append(Redaction(location: "\(file) \(object) \(field)", pattern: pattern))
    }
}
