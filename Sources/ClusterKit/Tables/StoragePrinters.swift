/// PersistentVolumeClaims, PersistentVolumes and StorageClasses (printers.go).
enum StoragePrinters {
    typealias F = PrinterFormats

    static let claim = TablePrinter(
        columns: [.name, TableColumn("Status"), TableColumn("Volume"), TableColumn("Capacity"), TableColumn("Access Modes"),
                  TableColumn("StorageClass"), TableColumn("VolumeAttributesClass"), .age, TableColumn("VolumeMode", priority: 1)]
    ) { o, now in
        var phase = o.text("status.phase")
        if o.at("metadata.deletionTimestamp").map({ $0 != .null }) ?? false { phase = "Terminating" }
        let bound = !o.text("spec.volumeName").isEmpty
        let storageClass = o.at("spec.storageClassName")?.string
            ?? o.at("metadata.annotations")?["volume.beta.kubernetes.io/storage-class"]?.string ?? ""
        return [F.name(o), .string(phase), .string(o.text("spec.volumeName")),
                .string(bound ? o.text("status.capacity.storage") : ""),
                .string(bound ? F.accessModes(o.at("status.accessModes")) : ""),
                .string(storageClass), .string(o.text("spec.volumeAttributesClassName").isEmpty ? "<unset>" : o.text("spec.volumeAttributesClassName")),
                F.age(o, now), .string(o.text("spec.volumeMode").isEmpty ? "<unset>" : o.text("spec.volumeMode"))]
    }

    static let volume = TablePrinter(
        columns: [.name, TableColumn("Capacity"), TableColumn("Access Modes"), TableColumn("Reclaim Policy"), TableColumn("Status"),
                  TableColumn("Claim"), TableColumn("StorageClass"), TableColumn("VolumeAttributesClass"), TableColumn("Reason"), .age,
                  TableColumn("VolumeMode", priority: 1)]
    ) { o, now in
        var claim = ""
        if let ref = o.at("spec.claimRef"), ref != .null { claim = "\(ref.text("namespace"))/\(ref.text("name"))" }
        var phase = o.text("status.phase")
        if o.at("metadata.deletionTimestamp").map({ $0 != .null }) ?? false { phase = "Terminating" }
        return [F.name(o), .string(o.text("spec.capacity.storage")), .string(F.accessModes(o.at("spec.accessModes"))),
                .string(o.text("spec.persistentVolumeReclaimPolicy")), .string(phase), .string(claim),
                .string(o.text("spec.storageClassName")),
                .string(o.text("spec.volumeAttributesClassName").isEmpty ? "<unset>" : o.text("spec.volumeAttributesClassName")),
                .string(o.text("status.reason")), F.age(o, now),
                .string(o.text("spec.volumeMode").isEmpty ? "<unset>" : o.text("spec.volumeMode"))]
    }

    static let volumeAttachment = TablePrinter(
        columns: [.name, TableColumn("Attacher", format: "name"), TableColumn("PV"), TableColumn("Node"),
                  TableColumn("Attached", type: "boolean"), .age]
    ) { o, now in
        [F.name(o), .string(o.text("spec.attacher")), .string(o.text("spec.source.persistentVolumeName")),
         .string(o.text("spec.nodeName")), .bool(o.at("status.attached")?.bool ?? false), F.age(o, now)]
    }

    static let csiNode = TablePrinter(columns: [.name, .integer("Drivers"), .age]) { o, now in
        [F.name(o), .int(o.list("spec.drivers").count), F.age(o, now)]
    }

    static let storageClass = TablePrinter(
        columns: [.name, TableColumn("Provisioner"), TableColumn("ReclaimPolicy"), TableColumn("VolumeBindingMode"),
                  TableColumn("AllowVolumeExpansion"), .age]
    ) { o, now in
        let annotations = o.at("metadata.annotations")
        let isDefault = annotations?["storageclass.kubernetes.io/is-default-class"]?.string == "true"
            || annotations?["storageclass.beta.kubernetes.io/is-default-class"]?.string == "true"
        let name = o.text("metadata.name") + (isDefault ? " (default)" : "")
        return [.string(name), .string(o.text("provisioner")),
                .string(o.text("reclaimPolicy").isEmpty ? "Delete" : o.text("reclaimPolicy")),
                .string(o.text("volumeBindingMode").isEmpty ? "Immediate" : o.text("volumeBindingMode")),
                .bool(o.at("allowVolumeExpansion")?.bool ?? false), F.age(o, now)]
    }
}
