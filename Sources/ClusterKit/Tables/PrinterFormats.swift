/// Formats the printers share: label maps, label selectors, containers and images.
enum PrinterFormats {
    /// `a=1,b=2` sorted by key (labels.FormatLabels); `<none>` when empty.
    static func labels(_ map: JSON?) -> String {
        let pairs = (map?.members ?? []).map { ($0.0, $0.1.string ?? "") }.sorted { $0.0 < $1.0 }
        return pairs.map { "\($0.0)=\($0.1)" }.joined(separator: ",").orNone
    }

    /// A LabelSelector object as text (metav1.FormatLabelSelector), sorted by key.
    static func selector(_ selector: JSON?) -> String {
        guard let selector, selector != .null else { return "<none>" }
        var parts: [(String, String)] = (selector["matchLabels"]?.members ?? []).map { ($0.0, "\($0.0)=\($0.1.string ?? "")") }
        for e in selector["matchExpressions"]?.array ?? [] {
            let key = e.text("key")
            let values = e.list("values").compactMap(\.string).sorted().joined(separator: ",")
            switch e.text("operator") {
            case "In": parts.append((key, "\(key) in (\(values))"))
            case "NotIn": parts.append((key, "\(key) notin (\(values))"))
            case "Exists": parts.append((key, key))
            case "DoesNotExist": parts.append((key, "!\(key)"))
            default: parts.append((key, key))
            }
        }
        return parts.sorted { $0.0 < $1.0 }.map(\.1).joined(separator: ",").orNone
    }

    static func containerNames(_ podSpec: JSON?) -> String {
        (podSpec?["containers"]?.array ?? []).map { $0.text("name") }.joined(separator: ",")
    }

    static func images(_ podSpec: JSON?) -> String {
        (podSpec?["containers"]?.array ?? []).map { $0.text("image") }.joined(separator: ",")
    }

    static func int(_ o: JSON, _ path: String) -> JSON { .int(o.at(path)?.int ?? 0) }

    static func age(_ o: JSON, _ now: Double) -> JSON {
        .string(ShortDuration.since(o.at("metadata.creationTimestamp"), now: now))
    }

    static func name(_ o: JSON) -> JSON { .string(o.text("metadata.name")) }

    /// Load balancer ingress IPs and hostnames, comma-joined.
    static func loadBalancer(_ status: JSON?) -> [String] {
        (status?["ingress"]?.array ?? []).compactMap { ing in
            let ip = ing.text("ip")
            return ip.isEmpty ? (ing.text("hostname").isEmpty ? nil : ing.text("hostname")) : ip
        }
    }

    /// `RWO,ROX` from access modes.
    static func accessModes(_ modes: JSON?) -> String {
        let short = ["ReadWriteOnce": "RWO", "ReadOnlyMany": "ROX", "ReadWriteMany": "RWX", "ReadWriteOncePod": "RWOP"]
        var out: [String] = []
        for m in ["ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod"]
        where (modes?.array ?? []).contains(.string(m)) { out.append(short[m]!) }
        return out.joined(separator: ",")
    }
}

extension TableColumn {
    static func integer(_ name: String, priority: Int = 0, _ description: String = "") -> TableColumn {
        TableColumn(name, type: "integer", priority: priority, description)
    }
    static let containers = TableColumn("Containers", priority: 1, "Names of each container in the template.")
    static let images = TableColumn("Images", priority: 1, "Images referenced by each container in the template.")
    static let selector = TableColumn("Selector", priority: 1, "Label selector for pods.")
}
