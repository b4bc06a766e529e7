/// The server-side Table for a list (or one object): the recorded one from `tables/` when the
/// directory has it and it covers every object, otherwise computed by the printers.
enum TableBuilder {
    static func printer(for resource: APIResource) -> TablePrinter {
        TablePrinters.byResource[resource.qualifiedName] ?? .nameAndAge
    }

    static func table(_ resource: APIResource, objects: [StoredObject], store: ClusterStore, request: TableRequest,
                      now: Double = RFC3339.now()) -> JSON {
        let columns: [JSON]
        var rows: [JSON] = []
        if let recorded = store.recordedTable(resource), let recordedRows = rowsByUID(recorded),
           objects.allSatisfy({ recordedRows[$0.uid] != nil }) {
            columns = recorded["columnDefinitions"]?.array ?? []
            for object in objects {
                let row = recordedRows[object.uid]!
                rows.append(makeRow(cells: row["cells"] ?? .array([]), conditions: row["conditions"]?.array ?? [],
                                    object: object, request: request))
            }
        } else {
            let printer = printer(for: resource)
            columns = printer.columns.map(\.json)
            for object in objects {
                rows.append(makeRow(cells: .array(printer.cells(object.json, now)), conditions: printer.conditions(object.json),
                                    object: object, request: request))
            }
        }
        return .object([
            ("kind", .string("Table")), ("apiVersion", .string("meta.k8s.io/v1")),
            ("metadata", .object([("resourceVersion", .string(store.resourceVersion))])),
            ("columnDefinitions", .array(columns)), ("rows", .array(rows)),
        ])
    }

    private static func rowsByUID(_ table: JSON) -> [String: JSON]? {
        var out: [String: JSON] = [:]
        for row in table["rows"]?.array ?? [] {
            guard let uid = row.at("object.metadata.uid")?.string else { return nil }
            out[uid] = row
        }
        return out
    }

    private static func makeRow(cells: JSON, conditions: [JSON], object: StoredObject, request: TableRequest) -> JSON {
        var members: [(String, JSON)] = [("cells", cells)]
        if !conditions.isEmpty { members.append(("conditions", .array(conditions))) }
        switch request.includeObject {
        case .none: break
        case .object: members.append(("object", object.json))
        case .metadata:
            members.append(("object", .object([("kind", .string("PartialObjectMetadata")), ("apiVersion", .string("meta.k8s.io/v1")),
                                               ("metadata", object.json["metadata"] ?? .object([]))])))
        }
        return .object(members)
    }
}
