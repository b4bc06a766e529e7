/// Services, Endpoints and Ingresses (printers.go).
enum NetworkPrinters {
    typealias F = PrinterFormats

    static let service = TablePrinter(
        columns: [.name, TableColumn("Type"), TableColumn("Cluster-IP"), TableColumn("External-IP"), TableColumn("Port(s)"), .age,
                  .selector]
    ) { o, now in
        let type = o.text("spec.type").isEmpty ? "ClusterIP" : o.text("spec.type")
        let externalIPs = o.list("spec.externalIPs").compactMap(\.string)
        let external: String
        switch type {
        case "ClusterIP", "NodePort": external = externalIPs.isEmpty ? "<none>" : externalIPs.joined(separator: ",")
        case "LoadBalancer":
            let all = F.loadBalancer(o.at("status.loadBalancer")) + externalIPs
            external = all.isEmpty ? "<pending>" : all.joined(separator: ",")
        case "ExternalName": external = o.text("spec.externalName")
        default: external = "<unknown>"
        }
        let ports = o.list("spec.ports").map { p -> String in
            let proto = p.text("protocol").isEmpty ? "TCP" : p.text("protocol")
            let nodePort = p["nodePort"]?.int ?? 0
            return nodePort != 0 ? "\(p.text("port")):\(nodePort)/\(proto)" : "\(p.text("port"))/\(proto)"
        }.joined(separator: ",")
        let clusterIP = o.list("spec.clusterIPs").first?.string ?? o.text("spec.clusterIP")
        return [F.name(o), .string(type), .string(clusterIP.orNone), .string(external), .string(ports.orNone),
                F.age(o, now), .string(F.labels(o.at("spec.selector")))]
    }

    static let endpoints = TablePrinter(columns: [.name, TableColumn("Endpoints"), .age]) { o, now in
        [F.name(o), .string(format(o)), F.age(o, now)]
    }

    /// Up to three `ip:port` pairs, then `+ N more...` (formatEndpoints).
    static func format(_ o: JSON) -> String {
        let subsets = o.list("subsets")
        guard !subsets.isEmpty else { return "<none>" }
        var list: [String] = []
        var count = 0
        var more = false
        for ss in subsets {
            let addresses = ss.list("addresses")
            let ports = ss.list("ports")
            if ports.isEmpty {
                count += addresses.count
                for a in addresses { if list.count == 3 { more = true; break }; list.append(a.text("ip")) }
                continue
            }
            for p in ports {
                count += addresses.count
                for a in addresses {
                    if list.count == 3 { more = true; break }
                    let ip = a.text("ip")
                    list.append(ip.contains(":") ? "[\(ip)]:\(p.text("port"))" : "\(ip):\(p.text("port"))")
                }
            }
        }
        let text = list.joined(separator: ",")
        return more ? "\(text) + \(count - 3) more..." : text
    }

    static let ingressClass = TablePrinter(columns: [.name, TableColumn("Controller"), TableColumn("Parameters"), .age]) { o, now in
        var parameters = "<none>"
        if let p = o.at("spec.parameters"), p != .null {
            parameters = p.text("kind") + (p["apiGroup"]?.string.map { ".\($0)" } ?? "") + "/" + p.text("name")
        }
        return [F.name(o), .string(o.text("spec.controller")), .string(parameters), F.age(o, now)]
    }

    static let networkPolicy = TablePrinter(columns: [.name, TableColumn("Pod-Selector"), .age]) { o, now in
        [F.name(o), .string(F.selector(o.at("spec.podSelector"))), F.age(o, now)]
    }

    static let endpointSlice = TablePrinter(
        columns: [.name, TableColumn("AddressType"), TableColumn("Ports"), TableColumn("Endpoints"), .age]
    ) { o, now in
        let ports = o.list("ports").map { p in p["port"]?.scalarText ?? p["name"]?.string ?? "*" }
        let addresses = o.list("endpoints").flatMap { $0.list("addresses").compactMap(\.string) }
        return [F.name(o), .string(o.text("addressType")), .string(firstThree(ports)), .string(firstThree(addresses)), F.age(o, now)]
    }

    /// listWithMoreString: three items, then `+ N more...`; `<unset>` for none.
    static func firstThree(_ items: [String]) -> String {
        guard !items.isEmpty else { return "<unset>" }
        let text = items.prefix(3).joined(separator: ",")
        return items.count > 3 ? "\(text) + \(items.count - 3) more..." : text
    }

    static let ingress = TablePrinter(
        columns: [.name, TableColumn("Class"), TableColumn("Hosts"), TableColumn("Address"), TableColumn("Ports"), .age]
    ) { o, now in
        // formatHosts: the first three rules' hosts, then how many rules are left.
        let rules = o.list("spec.rules")
        let hosts = rules.prefix(3).map { $0.text("host") }.filter { !$0.isEmpty }
        var hostText = hosts.isEmpty ? "*" : hosts.joined(separator: ",")
        if rules.count > 3 && !hosts.isEmpty { hostText += " + \(rules.count - 3) more..." }
        let ports = o.list("spec.tls").isEmpty ? "80" : "80, 443"
        return [F.name(o), .string(o.text("spec.ingressClassName").orNone), .string(hostText),
                .string(F.loadBalancer(o.at("status.loadBalancer")).joined(separator: ",")), .string(ports), F.age(o, now)]
    }
}
