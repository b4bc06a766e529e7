/// One API object as the store holds it: its resource, identity and full JSON.
public struct StoredObject: Sendable {
    public let resource: APIResource
    /// "" for cluster-scoped objects.
    public let namespace: String
    public let name: String
    public let uid: String
    public let json: JSON

    public var labels: [String: String] {
        var out: [String: String] = [:]
        for (k, v) in json.at("metadata.labels")?.members ?? [] { out[k] = v.string ?? "" }
        return out
    }
}
