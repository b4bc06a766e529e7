import Foundation

/// IPv4 networks for the Pod-CIDR overlap checks: "10.244.0.0/16", or a bare address (/32).
struct CIDR: Equatable {
    let network: UInt32
    let prefix: Int

    init?(_ text: String) {
        let parts = text.trimmingCharacters(in: .whitespaces).split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 1 || parts.count == 2 else { return nil }
        let octets = parts[0].split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4 else { return nil }
        var address: UInt32 = 0
        for octet in octets {
            guard let v = UInt32(octet), v <= 255 else { return nil }
            address = address << 8 | v
        }
        var prefix = 32
        if parts.count == 2 {
            guard let p = Int(parts[1]), (0...32).contains(p) else { return nil }
            prefix = p
        }
        self.prefix = prefix
        self.network = address & CIDR.mask(prefix)
    }

    static func mask(_ prefix: Int) -> UInt32 {
        prefix == 0 ? 0 : UInt32.max << UInt32(32 - prefix)
    }

    /// Two networks overlap when the shorter prefix contains the other's network address.
    func overlaps(_ other: CIDR) -> Bool {
        let shorter = min(prefix, other.prefix)
        return network & CIDR.mask(shorter) == other.network & CIDR.mask(shorter)
    }
}

