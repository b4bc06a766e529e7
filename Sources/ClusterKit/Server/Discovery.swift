/// The discovery documents kubectl reads to map `po` to pods and so on. Plain JSON
/// (APIVersions, APIGroupList, APIResourceList): kubectl falls back to them from aggregated
/// discovery when the answer's Content-Type is plain application/json.
enum Discovery {
    static let verbs: JSON = .array([.string("get"), .string("list")])

    static func version(_ gitVersion: String) -> JSON {
        let numbers = gitVersion.dropFirst(gitVersion.hasPrefix("v") ? 1 : 0).split(separator: ".")
        let major = numbers.first.map(String.init) ?? "1"
        let minor = numbers.count > 1 ? String(numbers[1].prefix(while: { $0.isNumber })) : "0"
        return .object([
            ("major", .string(major)), ("minor", .string(minor)), ("gitVersion", .string(gitVersion)),
            ("gitCommit", .string("0000000000000000000000000000000000000000")), ("gitTreeState", .string("clean")),
            ("buildDate", .string("1970-01-01T00:00:00Z")), ("goVersion", .string("go1.23")),
            ("compiler", .string("gc")), ("platform", .string("linux/amd64")),
        ])
    }

    static func coreVersions(port: Int) -> JSON {
        .object([
            ("kind", .string("APIVersions")), ("versions", .array([.string("v1")])),
            ("serverAddressByClientCIDRs", .array([.object([("clientCIDR", .string("0.0.0.0/0")),
                                                           ("serverAddress", .string("127.0.0.1:\(port)"))])])),
        ])
    }

    static func group(_ name: String, _ version: String) -> JSON {
        let gv: JSON = .object([("groupVersion", .string("\(name)/\(version)")), ("version", .string(version))])
        return .object([("name", .string(name)), ("versions", .array([gv])), ("preferredVersion", gv)])
    }

    static func groupList() -> JSON {
        .object([
            ("kind", .string("APIGroupList")), ("apiVersion", .string("v1")),
            ("groups", .array(ResourceCatalog.groups.map { group($0.name, $0.version) })),
        ])
    }

    static func groupDocument(_ name: String) -> JSON? {
        guard let g = ResourceCatalog.groups.first(where: { $0.name == name }) else { return nil }
        return group(g.name, g.version).setting("kind", .string("APIGroup")).setting("apiVersion", .string("v1"))
    }

    static func resourceList(groupVersion: String) -> JSON? {
        let resources = ResourceCatalog.resources(groupVersion: groupVersion)
        guard !resources.isEmpty else { return nil }
        var entries: [JSON] = []
        for r in resources {
            var members: [(String, JSON)] = [
                ("name", .string(r.plural)), ("singularName", .string(r.singular)), ("namespaced", .bool(r.namespaced)),
                ("kind", .string(r.kind)), ("verbs", verbs),
            ]
            if !r.shortNames.isEmpty { members.append(("shortNames", .array(r.shortNames.map(JSON.string)))) }
            if !r.categories.isEmpty { members.append(("categories", .array(r.categories.map(JSON.string)))) }
            entries.append(.object(members))
            if r == ResourceCatalog.pods {
                entries.append(.object([("name", .string("pods/log")), ("singularName", .string("")),
                                        ("namespaced", .bool(true)), ("kind", .string("Pod")),
                                        ("verbs", .array([.string("get")]))]))
            }
        }
        return .object([
            ("kind", .string("APIResourceList")), ("apiVersion", .string("v1")),
            ("groupVersion", .string(groupVersion)), ("resources", .array(entries)),
        ])
    }
}
