/// The printers by resource (`pods`, `deployments.apps`).
enum TablePrinters {
    static let byResource: [String: TablePrinter] = [
        "pods": PodPrinter.printer,
        "nodes": NodePrinter.printer,
        "events": EventPrinter.printer,
    ]
}
