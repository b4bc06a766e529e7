/// One API object as the store holds it: its resource, identity and full JSON.
public struct StoredObject: Sendable {
    public let resource: APIResource
    /// "" for cluster-scoped objects.
    public let namespace: String
    public let name: String
    public let uid: String
    public let json: JSON
    /// `json` as JSON text, written once: lists are answered by joining these (writing the
    /// objects anew on every request was most of a list's cost).
    public let encoded: [UInt8]

    public init(resource: APIResource, namespace: String, name: String, uid: String, json: JSON) {
        self.resource = resource
        self.namespace = namespace
        self.name = name
        self.uid = uid
        self.json = json
        self.encoded = JSONWriter.bytes(json)
    }

    public var labels: [String: String] {
        var out: [String: String] = [:]
        for (k, v) in json.at("metadata.labels")?.members ?? [] { out[k] = v.string ?? "" }
        return out
    }
}
