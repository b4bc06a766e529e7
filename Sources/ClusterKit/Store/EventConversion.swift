/// Core v1 Events served as `events.k8s.io/v1` (the two APIs are views of one object).
enum EventConversion {
    static func toEventsV1(_ core: StoredObject, resource: APIResource) -> StoredObject {
        let e = core.json
        var members: [(String, JSON)] = [("kind", .string("Event")), ("apiVersion", .string("events.k8s.io/v1"))]
        func add(_ key: String, _ value: JSON?) { if let value, value != .null { members.append((key, value)) } }
        add("metadata", e["metadata"])
        add("eventTime", e["eventTime"] ?? .null)
        add("series", e["series"])
        add("reportingController", e["reportingComponent"] ?? e.at("source.component"))
        add("reportingInstance", e["reportingInstance"] ?? e.at("source.host"))
        add("action", e["action"])
        add("reason", e["reason"])
        add("regarding", e["involvedObject"])
        add("related", e["related"])
        add("note", e["message"])
        add("type", e["type"])
        add("deprecatedSource", e["source"])
        add("deprecatedFirstTimestamp", e["firstTimestamp"])
        add("deprecatedLastTimestamp", e["lastTimestamp"])
        add("deprecatedCount", e["count"])
        return StoredObject(resource: resource, namespace: core.namespace, name: core.name, uid: core.uid, json: .object(members))
    }
}
