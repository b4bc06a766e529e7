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
/// holds). Works on JSONSerialization's values as Swift dictionaries and arrays, rebuilding
/// only what changed. Not thread-safe: one per list.
final class ObjectSanitizer {
    private let scanner: CredentialScanner
    private let file: String
    private let content: Content
    private var secrets: Bool { content == .secretData }
    private(set) var redactions: [Redaction] = []
    /// Values of credential-named environment variables: masked in logs too.
    private(set) var credentialValues: [String] = []
    private(set) var changed = false
    private var path: [String] = []
    private var object = ""

    /// What the `data` of the list's objects is.
    enum Content {
        /// A Secret's: no value is kept.
        case secretData
        /// A ConfigMap's: configuration runbooks read, kept with credentials in it masked.
        case configurationData
        /// Any other kind's: not looked at as data.
        case other
    }

    init(scanner: CredentialScanner, file: String, content: Content) {
        self.scanner = scanner
        self.file = file
        self.content = content
    }

    /// Sanitizes a List or a Table: each item (or row object) on its own, so each redaction
    /// names its object.
    func sanitize(list: inout [String: Any]) {
        if var items = list["items"] as? [Any] {
            var any = false
            for index in items.indices {
                guard var item = items[index] as? [String: Any] else { continue }
                if sanitize(item: &item) { items[index] = item; any = true }
            }
            if any { list["items"] = items }
        }
        if var rows = list["rows"] as? [Any] {
            var any = false
            for index in rows.indices {
                guard var row = rows[index] as? [String: Any], var item = row["object"] as? [String: Any] else { continue }
                if sanitize(item: &item) { row["object"] = item; rows[index] = row; any = true }
            }
            if any { list["rows"] = rows }
        }
    }

    /// Whether the item changed.
    private func sanitize(item: inout [String: Any]) -> Bool {
        let metadata = item["metadata"] as? [String: Any]
        let name = metadata?["name"] as? String ?? "?"
        object = (metadata?["namespace"] as? String).map { "\($0)/\(name)" } ?? name
        path = []
        var itemChanged = false
        switch content {
        case .secretData:
            for key in ["data", "stringData"] {
                guard let data = item[key] as? [String: Any], !data.isEmpty else { continue }
                item[key] = data.mapValues { _ in "" }
                itemChanged = true
                note("." + key, .secretValue)
            }
        case .configurationData:
            guard var data = item["data"] as? [String: Any] else { break }
            path = ["data"]
            for key in Array(data.keys) {
                guard let text = data[key] as? String, let masked = scan(text, at: "[\(key)]") else { continue }
                data[key] = masked
                itemChanged = true
            }
            if itemChanged { item["data"] = data }
            path = []
        case .other:
            break
        }
        var value: Any = item
        if walk(&value) { itemChanged = true }
        if itemChanged, let walked = value as? [String: Any] { item = walked }
        if itemChanged { changed = true }
        return itemChanged
    }

    /// Masks what `value` holds; true when it changed.
    private func walk(_ value: inout Any) -> Bool {
        if var dictionary = value as? [String: Any] {
            var any = false
            for key in Array(dictionary.keys) {
                path.append(key)
                defer { path.removeLast() }
                switch key {
                case "env":
                    if var list = dictionary[key] as? [Any], environment(&list) { dictionary[key] = list; any = true }
                case "annotations":
                    if var annotations = dictionary[key] as? [String: Any], self.annotations(&annotations) {
                        dictionary[key] = annotations
                        any = true
                    }
                case "args", "command":
                    if var list = dictionary[key] as? [Any] {
                        var listChanged = false
                        for index in list.indices {
                            if let text = list[index] as? String, let masked = scan(text, at: "[\(index)]") {
                                list[index] = masked
                                listChanged = true
                            }
                        }
                        if listChanged { dictionary[key] = list; any = true }
                    }
                default:
                    guard var child = dictionary[key], child is [String: Any] || child is [Any] else { continue }
                    if walk(&child) { dictionary[key] = child; any = true }
                }
            }
            if any { value = dictionary }
            return any
        }
        if var array = value as? [Any] {
            var any = false
            for index in array.indices {
                var child = array[index]
                guard child is [String: Any] || child is [Any] else { continue }
                if walk(&child) { array[index] = child; any = true }
            }
            if any { value = array }
            return any
        }
        return false
    }

    private func environment(_ list: inout [Any]) -> Bool {
        var any = false
        for index in list.indices {
            guard var variable = list[index] as? [String: Any], let name = variable["name"] as? String,
                  let value = variable["value"] as? String, !value.isEmpty else { continue }
            if CredentialScanner.isCredentialName(name) {
                guard value != SecretRedactor.mask else { continue }
                variable["value"] = SecretRedactor.mask
                credentialValues.append(value)
                note("[\(name)]", .credentialEnvironmentName)
            } else if let masked = scan(value, at: "[\(name)]") {
                variable["value"] = masked
            } else {
                continue
            }
            list[index] = variable
            any = true
        }
        return any
    }

    private static let lastApplied = "kubectl.kubernetes.io/last-applied-configuration"

    private func annotations(_ annotations: inout [String: Any]) -> Bool {
        var any = false
        for key in Array(annotations.keys) {
            guard let value = annotations[key] as? String else { continue }
            if key == ObjectSanitizer.lastApplied {
                // A Secret's applied configuration holds its data: never kept.
                if secrets {
                    annotations.removeValue(forKey: key)
                    note("[\(key)]", .secretValue)
                    any = true
                    continue
                }
                if let decoded = try? JSONSerialization.jsonObject(with: Data(value.utf8)), decoded is [String: Any] {
                    var walked: Any = decoded
                    path.append("[\(key)]")
                    let walkedChanged = walk(&walked)
                    path.removeLast()
                    if walkedChanged,
                       let encoded = try? JSONSerialization.data(withJSONObject: walked, options: [.sortedKeys, .withoutEscapingSlashes]) {
                        annotations[key] = String(decoding: encoded, as: UTF8.self) + "\n"
                        any = true
                    }
                    continue
                }
            }
            if let masked = scan(value, at: "[\(key)]") {
                annotations[key] = masked
                any = true
            }
        }
        return any
    }

    /// The text masked, or nil when it holds no credential.
    private func scan(_ text: String, at last: String) -> String? {
        let (masked, matches) = scanner.redact(text)
        guard !matches.isEmpty else { return nil }
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
