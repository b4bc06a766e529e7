import Foundation

/// Core Events as `kubectl get events` shows them (printEvent, wide cell order).
enum EventPrinter {
    static let printer = TablePrinter(
        columns: [
            TableColumn("Last Seen", "The time at which the most recent occurrence of this event was recorded."),
            TableColumn("Type", "Type of this event (Normal, Warning), new types could be added in the future."),
            TableColumn("Reason", "This should be a short, machine understandable string that gives the reason for the transition into the object's current status."),
            TableColumn("Object", "The object that this event is about."),
            TableColumn("Subobject", priority: 1, "The subobject that this event is about."),
            TableColumn("Source", priority: 1, "The component reporting this event. Should be a short machine understandable string."),
            TableColumn("Message", "A human-readable description of the status of this operation."),
            TableColumn("First Seen", priority: 1, "The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)"),
            TableColumn("Count", priority: 1, "The number of times this event has occurred."),
            TableColumn("Name", priority: 1, "Name must be unique within a namespace."),
        ],
        cells: { e, now in
            var first = ShortDuration.since(e.at("firstTimestamp"), now: now)
            if RFC3339.parse(e.text("firstTimestamp")) == nil { first = ShortDuration.since(e.at("eventTime"), now: now) }
            var last = RFC3339.parse(e.text("lastTimestamp")) == nil ? first : ShortDuration.since(e.at("lastTimestamp"), now: now)
            var count = e.at("count")?.int ?? 0
            if let series = e.at("series"), series != .null {
                last = ShortDuration.since(series["lastObservedTime"], now: now)
                count = series["count"]?.int ?? 0
            } else if count == 0 {
                count = 1
            }
            let kind = e.text("involvedObject.kind").lowercased()
            let name = e.text("involvedObject.name")
            let target = name.isEmpty ? kind : "\(kind)/\(name)"
            let component = e.text("source.component").isEmpty ? e.text("reportingComponent") : e.text("source.component")
            let instance = e.text("source.host").isEmpty ? e.text("reportingInstance") : e.text("source.host")
            let source = instance.isEmpty ? component : "\(component), \(instance)"
            return [.string(last), .string(e.text("type")), .string(e.text("reason")), .string(target),
                    .string(e.text("involvedObject.fieldPath")), .string(source),
                    .string(e.text("message").trimmingCharacters(in: .whitespacesAndNewlines)),
                    .string(first), .int(count), .string(e.text("metadata.name"))]
        })
}
