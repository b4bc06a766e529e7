import Foundation

/// Reads a cluster directory into a `ClusterStore`: the manifest, every object file, the
/// recorded tables. Every error names the file and the field (or line:column).
struct ClusterDirectoryLoader {
    let directory: String

    func load() throws -> ClusterStore {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDir), isDir.boolValue else {
            throw ClusterLoadError.file(directory, "not a cluster directory (no such directory)")
        }
        let manifestPath = "\(directory)/\(ClusterFormat.manifestName)"
        guard FileManager.default.fileExists(atPath: manifestPath) else {
            throw ClusterLoadError.file(directory, "not a cluster directory (no \(ClusterFormat.manifestName); docs/SNAPSHOTS.md describes the layout)")
        }
        let manifest: ClusterManifest
        do { manifest = try ClusterManifest(json: try readJSON(manifestPath)) } catch {
            throw ClusterLoadError.inFile(manifestPath, error)
        }
        // Whole seconds: most API times have second precision and a few (a Lease's renewTime,
        // an event's eventTime) microseconds; a fractional shift would move the two kinds
        // apart by up to a second, which a check that compares them (clock skew) would read.
        let shift = manifest.shiftTimes ? (RFC3339.now() - manifest.recordedAt).rounded(.down) : 0
        let store = ClusterStore(directory: directory, manifest: manifest, timeShift: shift)
        var seen: [String: String] = [:]
        var loaded: [StoredObject] = []
        var version = 1000
        for file in try jsonFiles(under: ClusterFormat.objectsDirectory) {
            let path = "\(directory)/\(file)"
            do {
                for object in try objects(in: try readJSON(path), shift: shift, version: &version) {
                    let key = "\(object.resource.qualifiedName) \(object.namespace)/\(object.name)"
                    if let first = seen[key] {
                        throw ClusterLoadError.field("", "\(object.resource.qualifiedName) \"\(object.name)\"\(object.namespace.isEmpty ? "" : " in namespace \(object.namespace)") is also in \(first)")
                    }
                    seen[key] = file
                    loaded.append(object)
                }
            } catch { throw ClusterLoadError.inFile(path, error) }
        }
        store.setLoaded(loaded, lastResourceVersion: version)
        for file in try jsonFiles(under: ClusterFormat.tablesDirectory) {
            let path = "\(directory)/\(file)"
            let base = (file as NSString).lastPathComponent
            guard let resource = ResourceCatalog.all.first(where: { $0.tableFileName == base }) else {
                throw ClusterLoadError.file(path, "names no known resource (expected RESOURCE.GROUP.json, e.g. pods.core.json)")
            }
            do {
                let table = try readJSON(path)
                guard table["kind"]?.string == "Table", table["columnDefinitions"]?.array != nil, table["rows"]?.array != nil else {
                    throw ClusterLoadError.field("kind", "not a Table (expected kind Table with columnDefinitions and rows)")
                }
                store.setTable(shift == 0 ? table : table.mapStrings { RFC3339.shifted($0, by: shift) ?? $0 }, for: resource)
            } catch { throw ClusterLoadError.inFile(path, error) }
        }
        return store
    }

    private func readJSON(_ path: String) throws -> JSON {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ClusterLoadError.file(path, "cannot be read")
        }
        return try JSONParser.parse([UInt8](data))
    }

    /// Relative paths of the `.json` files under `sub`, sorted (so loading is repeatable).
    private func jsonFiles(under sub: String) throws -> [String] {
        let root = "\(directory)/\(sub)"
        guard FileManager.default.fileExists(atPath: root) else { return [] }
        guard let walker = FileManager.default.enumerator(atPath: root) else { return [] }
        var out: [String] = []
        while let next = walker.nextObject() as? String {
            if next.hasSuffix(".json") { out.append("\(sub)/\(next)") }
        }
        return out.sorted()
    }

    /// The objects of one document: one object, or a list's items.
    /// `version`: the last resourceVersion given to an object that had none.
    private func objects(in doc: JSON, shift: Double, version: inout Int) throws -> [StoredObject] {
        guard case .object = doc else { throw ClusterLoadError.field("", "expected a JSON object (one API object or a List)") }
        guard let kind = doc["kind"]?.string else { throw ClusterLoadError.field("kind", "missing") }
        if kind == "List" || (kind.hasSuffix("List") && doc["items"] != nil) {
            guard let items = doc["items"]?.array else { throw ClusterLoadError.field("items", "missing or not an array") }
            let itemKind = kind == "List" ? nil : String(kind.dropLast(4))
            return try items.enumerated().map { i, item in
                do {
                    return try object(item, defaultAPIVersion: doc["apiVersion"]?.string, defaultKind: itemKind, shift: shift,
                                      version: &version)
                } catch {
                    if case .field(let f, let reason) = error as? ClusterLoadError {
                        throw ClusterLoadError.field("items[\(i)]" + (f.isEmpty ? "" : ".\(f)"), reason)
                    }
                    throw error
                }
            }
        }
        return [try object(doc, defaultAPIVersion: nil, defaultKind: nil, shift: shift, version: &version)]
    }

    private func object(_ raw: JSON, defaultAPIVersion: String?, defaultKind: String?, shift: Double,
                        version: inout Int) throws -> StoredObject {
        guard case .object = raw else { throw ClusterLoadError.field("", "not a JSON object") }
        guard let apiVersion = raw["apiVersion"]?.string ?? defaultAPIVersion else { throw ClusterLoadError.field("apiVersion", "missing") }
        guard let kind = raw["kind"]?.string ?? defaultKind else { throw ClusterLoadError.field("kind", "missing") }
        if apiVersion == "events.k8s.io/v1" && kind == "Event" {
            throw ClusterLoadError.field("apiVersion", "events are stored as core v1 Events (apiVersion v1); the server also serves them as events.k8s.io/v1")
        }
        guard let resource = ResourceCatalog.forObject(apiVersion: apiVersion, kind: kind) else {
            throw ClusterLoadError.field("kind", "\(kind) (\(apiVersion)) is not a kind this server serves")
        }
        guard let name = raw.at("metadata.name")?.string, !name.isEmpty else {
            throw ClusterLoadError.field("metadata.name", "missing or empty")
        }
        guard !name.contains("/"), name != ".", name != ".." else { throw ClusterLoadError.field("metadata.name", "\"\(name)\" is not a valid name") }
        var namespace = raw.at("metadata.namespace")?.string ?? ""
        if resource.namespaced {
            if namespace.isEmpty { namespace = "default" }
            guard !namespace.contains("/"), !namespace.hasPrefix(".") else {
                throw ClusterLoadError.field("metadata.namespace", "\"\(namespace)\" is not a valid namespace")
            }
        } else if !namespace.isEmpty {
            throw ClusterLoadError.field("metadata.namespace", "\(kind) is cluster-scoped and has no namespace")
        }
        var json = raw.setting("apiVersion", .string(resource.groupVersion)).setting("kind", .string(kind))
        // apiVersion and kind first, as the API server writes them.
        if case .object(let members) = json {
            let head = members.filter { $0.0 == "kind" || $0.0 == "apiVersion" }.sorted { $0.0 == "kind" && $1.0 != "kind" }
            json = .object(head + members.filter { $0.0 != "kind" && $0.0 != "apiVersion" })
        }
        if resource.namespaced { json = json.setting(path: ["metadata", "namespace"], .string(namespace)) }
        let uid = raw.at("metadata.uid")?.string ?? StableUID.make("\(resource.qualifiedName)/\(namespace)/\(name)")
        json = json.setting(path: ["metadata", "uid"], .string(uid))
        if raw.at("metadata.resourceVersion")?.string == nil {
            version += 1
            json = json.setting(path: ["metadata", "resourceVersion"], .string(String(version)))
        }
        if shift != 0 { json = json.mapStrings { RFC3339.shifted($0, by: shift) ?? $0 } }
        return StoredObject(resource: resource, namespace: namespace, name: name, uid: uid, json: json)
    }
}

/// A UID that is the same for the same object on every load (FNV-1a, printed as a UUID).
enum StableUID {
    static func make(_ key: String) -> String {
        var h1: UInt64 = 0xcbf29ce484222325, h2: UInt64 = 0x84222325cbf29ce4
        for b in key.utf8 {
            h1 = (h1 ^ UInt64(b)) &* 0x100000001b3
            h2 = (h2 ^ UInt64(b)) &* 0x100000001b3 &+ 7
        }
        let hex = String(format: "%016llx%016llx", h1, h2)
        let c = Array(hex)
        return "\(String(c[0..<8]))-\(String(c[8..<12]))-\(String(c[12..<16]))-\(String(c[16..<20]))-\(String(c[20..<32]))"
    }
}
