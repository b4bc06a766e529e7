/// One kind of object the server serves: where it lives in the API and how discovery names it.
public struct APIResource: Sendable, Hashable {
    /// "" for the core group.
    public let group: String
    public let version: String
    public let plural: String
    public let singular: String
    public let kind: String
    public let namespaced: Bool
    public let shortNames: [String]
    /// "all" for the kinds `kubectl get all` lists.
    public let categories: [String]

    public var groupVersion: String { group.isEmpty ? version : "\(group)/\(version)" }
    /// `pods`, `deployments.apps`: how the API server names the resource in messages.
    public var qualifiedName: String { group.isEmpty ? plural : "\(plural).\(group)" }
    /// The `tables/` file name: `pods.core.json`, `deployments.apps.json`.
    public var tableFileName: String { "\(plural).\(group.isEmpty ? "core" : group).json" }
}
