/// Namespaces, ConfigMaps, Secrets, Leases, HorizontalPodAutoscalers and
/// PodDisruptionBudgets (printers.go).
enum ClusterPrinters {
    typealias F = PrinterFormats

    static let namespace = TablePrinter(columns: [.name, TableColumn("Status"), .age]) { o, now in
        [F.name(o), .string(o.text("status.phase")), F.age(o, now)]
    }

    static let configMap = TablePrinter(columns: [.name, TableColumn("Data"), .age]) { o, now in
        [F.name(o), .int((o["data"]?.members?.count ?? 0) + (o["binaryData"]?.members?.count ?? 0)), F.age(o, now)]
    }

    static let secret = TablePrinter(columns: [.name, TableColumn("Type"), TableColumn("Data"), .age]) { o, now in
        [F.name(o), .string(o.text("type")), .int(o["data"]?.members?.count ?? 0), F.age(o, now)]
    }

    static let serviceAccount = TablePrinter(columns: [.name, TableColumn("Secrets"), .age]) { o, now in
        [F.name(o), .int(o.list("secrets").count), F.age(o, now)]
    }

    static let priorityClass = TablePrinter(
        columns: [.name, .integer("Value"), TableColumn("Global-Default", type: "boolean"), .age, TableColumn("PreemptionPolicy")]
    ) { o, now in
        [F.name(o), F.int(o, "value"), .bool(o.at("globalDefault")?.bool ?? false), F.age(o, now), .string(o.text("preemptionPolicy"))]
    }

    static let runtimeClass = TablePrinter(columns: [.name, TableColumn("Handler"), .age]) { o, now in
        [F.name(o), .string(o.text("handler")), F.age(o, now)]
    }

    /// Mutating and validating webhook configurations.
    static let webhooks = TablePrinter(columns: [.name, .integer("Webhooks"), .age]) { o, now in
        [F.name(o), .int(o.list("webhooks").count), F.age(o, now)]
    }

    static let lease = TablePrinter(columns: [.name, TableColumn("Holder"), .age]) { o, now in
        [F.name(o), .string(o.text("spec.holderIdentity")), F.age(o, now)]
    }

    static let podDisruptionBudget = TablePrinter(
        columns: [.name, TableColumn("Min Available"), TableColumn("Max Unavailable"), .integer("Allowed Disruptions"), .age]
    ) { o, now in
        [F.name(o), .string(o.at("spec.minAvailable")?.scalarText ?? "N/A"), .string(o.at("spec.maxUnavailable")?.scalarText ?? "N/A"),
         F.int(o, "status.disruptionsAllowed"), F.age(o, now)]
    }

    static let horizontalPodAutoscaler = TablePrinter(
        columns: [.name, TableColumn("Reference"), TableColumn("Targets"), TableColumn("MinPods"), TableColumn("MaxPods"),
                  TableColumn("Replicas"), .age]
    ) { o, now in
        let reference = "\(o.text("spec.scaleTargetRef.kind"))/\(o.text("spec.scaleTargetRef.name"))"
        let minPods: JSON = o.at("spec.minReplicas")?.int.map { .int($0) } ?? .string("<unset>")
        return [F.name(o), .string(reference), .string(targets(o)), minPods, F.int(o, "spec.maxReplicas"),
                F.int(o, "status.currentReplicas"), F.age(o, now)]
    }

    /// `cpu: 40%/80%` for resource metrics (formatHPAMetrics, resource and pods metrics only).
    static func targets(_ o: JSON) -> String {
        let specs = o.list("spec.metrics")
        guard !specs.isEmpty else { return "<none>" }
        let current = o.list("status.currentMetrics")
        var list: [String] = []
        for (i, spec) in specs.enumerated() {
            let cur = i < current.count ? current[i] : nil
            switch spec.text("type") {
            case "Resource":
                let name = spec.text("resource.name")
                if let util = spec.at("resource.target.averageUtilization")?.int {
                    let now = cur?.at("resource.current.averageUtilization")?.int.map { "\($0)%" } ?? "<unknown>"
                    list.append("\(name): \(now)/\(util)%")
                } else {
                    let now = cur?.at("resource.current.averageValue")?.scalarText ?? "<unknown>"
                    list.append("\(name): \(now)/\(spec.text("resource.target.averageValue"))")
                }
            case "Pods":
                let now = cur?.at("pods.current.averageValue")?.scalarText ?? "<unknown>"
                list.append("\(now)/\(spec.text("pods.target.averageValue"))")
            default:
                list.append("<unknown>/<unknown>")
            }
        }
        if list.count > 2 { return list.prefix(2).joined(separator: ", ") + " + \(list.count - 2) more..." }
        return list.joined(separator: ", ")
    }
}
