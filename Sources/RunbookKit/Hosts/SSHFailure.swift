// Telling ssh's own failures (the host could not be reached or refused us) from the remote
// command's. ssh exits 255 on its own errors; a remote command can exit 255 too, so the
// exit code is not enough: ssh's error lines are recognised as well.

public enum SSHFailure {
    /// ssh's phrasing of "could not connect / could not log in / connection lost".
    static let markers = [
        "ssh: ",                             // ssh: connect to host …, ssh: Could not resolve hostname …
        "Permission denied (",               // user@host: Permission denied (publickey).
        "Host key verification failed",
        "Connection closed by ",
        "Connection reset by ",
        "closed by remote host",
        "kex_exchange_identification",
        "banner exchange",
        "Connection timed out",
        "Connection refused",
        "No route to host",
        "Network is unreachable",
        "Could not resolve hostname",
        "Too many authentication failures",
        "Unable to negotiate with",
        "Bad owner or permissions on",
        "ProxyCommand",
        "stdio forwarding failed",
    ]

    /// The first line of `stderr` that is ssh reporting it could not reach or log in to the
    /// host, without its line ending; nil when there is none.
    public static func reason(inStderr stderr: String) -> String? {
        for line in stderr.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            let text = line.hasSuffix("\r") ? String(line.dropLast()) : String(line)
            if markers.contains(where: { text.contains($0) }) { return text }
        }
        return nil
    }

    /// ssh failed itself: it exited 255 and said why.
    public static func isUnreachable(exitCode: Int32, stderr: String) -> Bool {
        exitCode == 255 && reason(inStderr: stderr) != nil
    }
}
