/// Kubernetes' short human duration (`duration.HumanDuration`): 45s, 5m30s, 3h2m, 12d, 2y3d.
public enum ShortDuration {
    public static func format(seconds d: Double) -> String {
        let seconds = Int(d.rounded(.towardZero))
        if seconds < -1 { return "<invalid>" }
        if seconds < 0 { return "0s" }
        if seconds < 120 { return "\(seconds)s" }
        let minutes = seconds / 60
        if minutes < 10 {
            let s = seconds % 60
            return s == 0 ? "\(minutes)m" : "\(minutes)m\(s)s"
        }
        if minutes < 180 { return "\(minutes)m" }
        let hours = seconds / 3600
        if hours < 8 {
            let m = minutes % 60
            return m == 0 ? "\(hours)h" : "\(hours)h\(m)m"
        }
        if hours < 48 { return "\(hours)h" }
        if hours < 24 * 8 {
            let h = hours % 24
            return h == 0 ? "\(hours / 24)d" : "\(hours / 24)d\(h)h"
        }
        if hours < 24 * 365 * 2 { return "\(hours / 24)d" }
        if hours < 24 * 365 * 8 {
            let dy = (hours / 24) % 365
            return dy == 0 ? "\(hours / 24 / 365)y" : "\(hours / 24 / 365)y\(dy)d"
        }
        return "\(hours / 24 / 365)y"
    }

    /// The age of an RFC 3339 time at `now`; `<unknown>` for a missing or unreadable one
    /// (the printers' translateTimestampSince).
    public static func since(_ timestamp: JSON?, now: Double) -> String {
        guard let text = timestamp?.string, let t = RFC3339.parse(text) else { return "<unknown>" }
        return format(seconds: now - t)
    }
}
