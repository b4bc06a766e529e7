/// Kubernetes label selectors, as the API server reads them, so that a runbook asking "which
/// pods does this PodDisruptionBudget, Service or NetworkPolicy cover?" gets the cluster's own
/// answer, `matchExpressions` included (written by hand in a runbook, they were skipped).
extension Builtins {
    static let selectorFunctions: [Builtin] = [
        fn("selects", 2, 2, "selects(selector, labels)",
           "whether a label selector ({matchLabels, matchExpressions}, or a plain map as a Service's) selects an object with these labels") { args in
            .bool(try LabelSelector(args[0]).selects(args[1]))
        },
        // One pass in the runtime: a runbook's own loop over every pod for every Service costs
        // about 9 µs an iteration, minutes for 500 Services over 10,000 pods.
        fn("selected", 2, 3, "selected(objects, selector, namespace)",
           "the objects (maps with metadata.labels, as `-o json` gives them) that the selector selects; with a namespace, only those in it") { args in
            let selector = try LabelSelector(args[1])
            let namespace = args.count > 2 ? args[2].text : nil
            guard case .list(let items) = args[0] else {
                if case .null = args[0] { return .list([]) }
                throw BuiltinError("selected() takes a list of objects, not \(args[0].typeName)")
            }
            return .list(items.filter { item in
                guard let metadata = item.entry("metadata") else { return false }
                if let namespace, metadata.entry("namespace")?.text != namespace { return false }
                return selector.selects(metadata.entry("labels") ?? .null)
            })
        },
    ]
}

/// A selector read from a runbook value.
///
/// - A map with `matchLabels` or `matchExpressions` is a LabelSelector (PodDisruptionBudget,
///   Deployment, NetworkPolicy): every label and every expression must hold; `{}` selects
///   everything.
/// - Any other map is a plain equality selector (a Service's `spec.selector`).
/// - null selects nothing, as a PodDisruptionBudget's null selector does.
struct LabelSelector {
    enum Requirement {
        case equals(String, String)
        case isIn(String, Set<String>)
        case notIn(String, Set<String>)
        case exists(String)
        case doesNotExist(String)
    }

    /// nil: the selector selects nothing.
    let requirements: [Requirement]?

    init(_ value: Value) throws {
        guard let keys = value.mapKeys else {
            if case .null = value { requirements = nil; return }
            throw BuiltinError("a selector is a map (matchLabels/matchExpressions, or label: value), not \(value.typeName)")
        }
        guard keys.contains("matchLabels") || keys.contains("matchExpressions") else {
            requirements = keys.map { .equals($0, value.entry($0)?.text ?? "") }
            return
        }
        var found: [Requirement] = []
        if let labels = value.entry("matchLabels"), let names = labels.mapKeys {
            found += names.map { .equals($0, labels.entry($0)?.text ?? "") }
        }
        if case .list(let expressions)? = value.entry("matchExpressions") {
            found += try expressions.map(LabelSelector.requirement)
        }
        requirements = found
    }

    private static func requirement(_ expression: Value) throws -> Requirement {
        let key = expression.entry("key")?.text ?? ""
        guard !key.isEmpty else { throw BuiltinError("a matchExpressions entry has no key: \(expression.displayText)") }
        var values: Set<String> = []
        if case .list(let items)? = expression.entry("values") { values = Set(items.map(\.text)) }
        switch expression.entry("operator")?.text ?? "" {
        case "In": return .isIn(key, values)
        case "NotIn": return .notIn(key, values)
        case "Exists": return .exists(key)
        case "DoesNotExist": return .doesNotExist(key)
        case let other:
            throw BuiltinError("'\(other)' is not a selector operator (In, NotIn, Exists, DoesNotExist), in \(expression.displayText)")
        }
    }

    func selects(_ labels: Value) -> Bool {
        guard let requirements else { return false }
        func label(_ key: String) -> String? {
            guard let value = labels.entry(key), value != .null else { return nil }
            return value.text
        }
        return requirements.allSatisfy { requirement in
            switch requirement {
            case .equals(let key, let wanted): return label(key) == wanted
            case .isIn(let key, let values): return label(key).map(values.contains) ?? false
            case .notIn(let key, let values): return label(key).map { !values.contains($0) } ?? true
            case .exists(let key): return label(key) != nil
            case .doesNotExist(let key): return label(key) == nil
            }
        }
    }
}
