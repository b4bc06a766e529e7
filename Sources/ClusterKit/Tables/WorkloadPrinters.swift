/// Deployments, ReplicaSets, DaemonSets, StatefulSets, Jobs and CronJobs (printers.go).
enum WorkloadPrinters {
    typealias F = PrinterFormats

    static let deployment = TablePrinter(
        columns: [.name, TableColumn("Ready"), TableColumn("Up-to-date"), TableColumn("Available"), .age, .containers, .images, .selector]
    ) { o, now in
        let template = o.at("spec.template.spec")
        return [F.name(o), .string("\(o.at("status.readyReplicas")?.int ?? 0)/\(o.at("spec.replicas")?.int ?? 0)"),
                F.int(o, "status.updatedReplicas"), F.int(o, "status.availableReplicas"), F.age(o, now),
                .string(F.containerNames(template)), .string(F.images(template)), .string(F.selector(o.at("spec.selector")))]
    }

    static let replicaSet = TablePrinter(
        columns: [.name, .integer("Desired"), .integer("Current"), .integer("Ready"), .age, .containers, .images, .selector]
    ) { o, now in
        let template = o.at("spec.template.spec")
        return [F.name(o), F.int(o, "spec.replicas"), F.int(o, "status.replicas"), F.int(o, "status.readyReplicas"), F.age(o, now),
                .string(F.containerNames(template)), .string(F.images(template)), .string(F.selector(o.at("spec.selector")))]
    }

    static let daemonSet = TablePrinter(
        columns: [.name, .integer("Desired"), .integer("Current"), .integer("Ready"), .integer("Up-to-date"), .integer("Available"),
                  TableColumn("Node Selector"), .age, .containers, .images, .selector]
    ) { o, now in
        let template = o.at("spec.template.spec")
        return [F.name(o), F.int(o, "status.desiredNumberScheduled"), F.int(o, "status.currentNumberScheduled"),
                F.int(o, "status.numberReady"), F.int(o, "status.updatedNumberScheduled"), F.int(o, "status.numberAvailable"),
                .string(F.labels(template?["nodeSelector"])), F.age(o, now),
                .string(F.containerNames(template)), .string(F.images(template)), .string(F.selector(o.at("spec.selector")))]
    }

    static let statefulSet = TablePrinter(columns: [.name, TableColumn("Ready"), .age, .containers, .images]) { o, now in
        let template = o.at("spec.template.spec")
        return [F.name(o), .string("\(o.at("status.readyReplicas")?.int ?? 0)/\(o.at("spec.replicas")?.int ?? 0)"), F.age(o, now),
                .string(F.containerNames(template)), .string(F.images(template))]
    }

    static let job = TablePrinter(
        columns: [.name, TableColumn("Status"), TableColumn("Completions"), TableColumn("Duration"), .age, .containers, .images, .selector]
    ) { o, now in
        let succeeded = o.at("status.succeeded")?.int ?? 0
        let completions: String
        if let wanted = o.at("spec.completions")?.int {
            completions = "\(succeeded)/\(wanted)"
        } else if let parallelism = o.at("spec.parallelism")?.int, parallelism > 1 {
            completions = "\(succeeded)/1 of \(parallelism)"
        } else {
            completions = "\(succeeded)/1"
        }
        var duration = ""
        if let start = RFC3339.parse(o.text("status.startTime")) {
            duration = ShortDuration.format(seconds: (RFC3339.parse(o.text("status.completionTime")) ?? now) - start)
        }
        func has(_ type: String) -> Bool { o.list("status.conditions").contains { $0.text("type") == type && $0.text("status") == "True" } }
        let status: String
        if has("Complete") { status = "Complete" }
        else if has("Failed") { status = "Failed" }
        else if o.at("metadata.deletionTimestamp").map({ $0 != .null }) ?? false { status = "Terminating" }
        else if has("Suspended") { status = "Suspended" }
        else if has("FailureTarget") { status = "FailureTarget" }
        else if has("SuccessCriteriaMet") { status = "SuccessCriteriaMet" }
        else { status = "Running" }
        let template = o.at("spec.template.spec")
        return [F.name(o), .string(status), .string(completions), .string(duration), F.age(o, now),
                .string(F.containerNames(template)), .string(F.images(template)), .string(F.selector(o.at("spec.selector")))]
    }

    static let cronJob = TablePrinter(
        columns: [.name, TableColumn("Schedule"), TableColumn("Timezone"), TableColumn("Suspend", type: "boolean"), .integer("Active"),
                  TableColumn("Last Schedule"), .age, .containers, .images, .selector]
    ) { o, now in
        let template = o.at("spec.jobTemplate.spec.template.spec")
        let suspend = o.at("spec.suspend")?.bool.map { $0 ? "True" : "False" } ?? "<unset>"
        let last = o.at("status.lastScheduleTime").map { ShortDuration.since($0, now: now) } ?? "<none>"
        return [F.name(o), .string(o.text("spec.schedule")), .string(o.text("spec.timeZone").orNone), .string(suspend),
                .int(o.list("status.active").count), .string(last), F.age(o, now),
                .string(F.containerNames(template)), .string(F.images(template)),
                .string(F.selector(o.at("spec.jobTemplate.spec.selector")))]
    }
}
