// The command line an ssh executor sends to a remote host.
//
// ssh joins its command arguments with spaces and the remote user's login shell parses the
// result, so values cannot be passed as separate arguments: the executor builds one string
// in which every value is single-quoted, and the login shell turns it back into exactly the
// original words. The login shell must be POSIX-like (sh, bash, dash, zsh, ksh; not csh or fish).
//
// Timeouts: on timeout or cancellation the runner ends its local ssh client. Without a
// terminal (ssh -T) the remote sshd does not send SIGHUP to the command; it only closes the
// command's pipes, so a quiet remote command would keep running. The command is therefore
// also wrapped in `timeout -k GRACE SECONDS` when the host has a `timeout` program (coreutils
// and busybox both do): it puts the command in its own process group and ends that whole
// group remotely at the same deadline, which starts slightly later there than here, so the
// local timeout still decides the result. Hosts without `timeout` run the command unwrapped.

//
// Values: runbook values are not put on the command line, where `ps` on either machine would
// show them (secrets included). They travel on ssh's stdin as `NAME='value'` lines, which the
// remote shell reads with `set -a; eval "$(cat)"; set +a` (assignments of quoted words only:
// nothing in a value is ever run), so the command line carries only the script.

enum RemoteCommand {
    /// `[set -a; eval "$(cat)"; set +a;] [if command -v timeout …; then] exec [timeout -k G T] 'SHELL' -c 'SCRIPT' </dev/null …`
    static func build(script: String, shell: String, environment: [String: String],
                      timeout: Double?, killGrace: Double) -> String {
        let readValues = input(environment).isEmpty ? "" : "set -a; eval \"$(cat)\"; set +a; "
        let invocation = ShellQuote.singleQuoted(shell.cutAtNUL) + " -c " + ShellQuote.singleQuoted(script.cutAtNUL)
            + " </dev/null"
        guard let timeout, timeout > 0, timeout.isFinite else {
            return readValues + "exec " + invocation
        }
        let limit = "timeout -k \(duration(max(killGrace, 1))) \(duration(timeout)) "
        return readValues + "if command -v timeout >/dev/null 2>&1; then exec \(limit)\(invocation); "
            + "else exec \(invocation); fi"
    }

    /// What ssh sends on stdin: one `NAME='value'` assignment per line (names that are not
    /// valid environment names are left out).
    static func input(_ environment: [String: String]) -> String {
        environment
            .filter { ShellQuote.isValidEnvironmentName($0.key) }
            .sorted { $0.key < $1.key }
            .map { $0.key + "=" + ShellQuote.singleQuoted($0.value.cutAtNUL) + "\n" }
            .joined()
    }

    /// Seconds as `timeout` accepts them: "60", "0.5" (millisecond precision, at least 1 ms).
    static func duration(_ seconds: Double) -> String {
        // Clamped before the conversion: Int(x) traps on NaN and beyond ±9.2e18.
        let clamped = seconds.isNaN ? 1e9 : max(0, min(seconds, 1e9))
        let milliseconds = max(1, Int(clamped * 1000 + 0.5))
        let whole = milliseconds / 1000, fraction = milliseconds % 1000
        guard fraction != 0 else { return String(whole) }
        var digits = String(fraction)
        digits = String(repeating: "0", count: 3 - digits.count) + digits
        while digits.hasSuffix("0") { digits.removeLast() }
        return "\(whole).\(digits)"
    }
}
