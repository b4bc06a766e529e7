/// One column of a server-side Table.
public struct TableColumn: Sendable {
    public let name: String
    public let type: String
    public let format: String
    public let priority: Int
    public let description: String

    public init(_ name: String, type: String = "string", format: String = "", priority: Int = 0, _ description: String = "") {
        self.name = name
        self.type = type
        self.format = format
        self.priority = priority
        self.description = description
    }

    var json: JSON {
        .object([("name", .string(name)), ("type", .string(type)), ("format", .string(format)),
                 ("description", .string(description)), ("priority", .int(priority))])
    }

    static let name = TableColumn("Name", format: "name", "Name must be unique within a namespace.")
    static let age = TableColumn("Age", "CreationTimestamp is a timestamp representing the server time when this object was created.")
}

/// How the API server prints one resource as Table rows (always with the wide columns;
/// kubectl hides priority-1 columns unless `-o wide`).
public struct TablePrinter: Sendable {
    public let columns: [TableColumn]
    /// Cells for one object at time `now`, in column order.
    public let cells: @Sendable (JSON, Double) -> [JSON]
    /// Row conditions (pods: Completed for terminal phases).
    public let conditions: @Sendable (JSON) -> [JSON]

    public init(columns: [TableColumn], conditions: @escaping @Sendable (JSON) -> [JSON] = { _ in [] },
                cells: @escaping @Sendable (JSON, Double) -> [JSON]) {
        self.columns = columns
        self.cells = cells
        self.conditions = conditions
    }

    /// NAME and AGE: for resources without a printer of their own.
    static let nameAndAge = TablePrinter(columns: [.name, .age]) { o, now in
        [.string(o.at("metadata.name")?.string ?? ""), .string(ShortDuration.since(o.at("metadata.creationTimestamp"), now: now))]
    }
}

/// Helpers the printers share.
extension JSON {
    /// The string at `path`, or "" when missing.
    func text(_ path: String) -> String { at(path)?.scalarText ?? "" }
    func list(_ path: String) -> [JSON] { at(path)?.array ?? [] }
}

extension String {
    /// `<none>` for an empty cell, as the printers write it.
    var orNone: String { isEmpty ? "<none>" : self }
}
