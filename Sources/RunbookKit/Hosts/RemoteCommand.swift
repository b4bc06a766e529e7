// The command line an ssh executor sends to a remote host.
//
// ssh joins its command arguments with spaces and the remote user's login shell parses the
// result, so values cannot be passed as separate arguments: the executor builds one string
// in which every value is single-quoted, and the login shell turns it back into exactly the
// original words. The login shell must be POSIX-like (sh, bash, dash, zsh, ksh; not csh or fish).
//
// Values: runbook values are not put on the command line, where `ps` on either machine would
// show them (secrets included). They travel on ssh's stdin as `NAME='value'` lines and a last
// `#END` comment line, which the remote shell reads with `head -c LENGTH` (stdin stays open,
// so reading to end-of-file would wait for the end of the command) and evaluates with
// `set -a; eval …; set +a` (assignments of quoted words only: nothing in a value is ever run),
// so the command line carries only the script and the length. The values are evaluated only
// if they arrived whole, which the `#END` line tells: END is a word that occurs nowhere in the
// values. (Cut short, the last line could be the first letters of a name, which `eval` would
// run as a command.)
//
// Ending: without a terminal (ssh -T), sshd does not signal a command whose client went
// away; it only closes the command's pipes, so a quiet command would run on until its own
// end. The runner therefore keeps ssh's stdin open, without end-of-file, for as long as the
// command runs, and closes it when it cancels the command, times out, or dies (the kernel
// closes it then). ssh forwards that end-of-file to the remote session, also through a shared
// connection, and a watcher the remote shell started before the command reads it and ends
// the command's process group: SIGTERM, then SIGKILL after the grace period. The group is
// the login shell's, which sshd made a session leader; the command replaces the login shell
// (`exec`), so the whole command, its children and the watcher share it. When the command ends
// by itself, sshd first reaps the login shell and then closes its stdin: the watcher finds
// the shell gone and exits without signalling anything.
//
// This was chosen over the alternative, a `kill` sent over the shared connection to a pid the
// remote shell reports, because end-of-file also arrives when the runner is killed with
// SIGKILL (nothing could send a `kill` then) and needs no second ssh client on every Ctrl-C.
// Measured locally with dash and bash as the login shell (200 runs each): the watcher costs a
// subshell fork, about 0.4 to 0.7 ms of remote CPU per command, against the roughly 10 ms of a
// command over a shared connection. (A loop of `read`, a byte per system call and the value
// string copied once per line, saves `head`'s fork and exec for small values, but took 41 s
// with dash for 1 MB of values, the most a run passes, where `head -c` took 18 ms.)
//
// Timeouts: the command is also wrapped in `timeout -k GRACE SECONDS` when the host has a
// `timeout` program, so that it is bounded on the remote side even if the connection itself
// hangs and no end-of-file ever arrives; its deadline starts slightly later there than here,
// so the local timeout still decides the result. Hosts without `timeout` run the command
// unwrapped. coreutils' `timeout` cannot make a group of its own when it replaced the session
// leader (setpgid fails there), so the command stays in the login shell's group either way.

enum RemoteCommand {
    /// `[read the values;] exec 3<&0; (watcher) <&3 &; [if command -v timeout …; then] exec [timeout -k G T] 'SHELL' -c 'SCRIPT' </dev/null 3<&- …`
    static func build(script: String, shell: String, environment: [String: String],
                      timeout: Double?, killGrace: Double) -> String {
        let values = assignments(environment)
        let readValues = values.isEmpty ? "" : readingValues(length: input(environment).utf8.count,
                                                             endMark: endMark(for: values))
        let invocation = ShellQuote.singleQuoted(shell.cutAtNUL) + " -c " + ShellQuote.singleQuoted(script.cutAtNUL)
            + " </dev/null 3<&-"
        let prefix = readValues + watcher(grace: killGrace)
        guard let timeout, timeout > 0, timeout.isFinite else {
            return prefix + "exec " + invocation
        }
        let limit = "timeout -k \(duration(max(killGrace, 1))) \(duration(timeout)) "
        return prefix + "if command -v timeout >/dev/null 2>&1; then exec \(limit)\(invocation); "
            + "else exec \(invocation); fi"
    }

    /// What ssh sends on stdin: one `NAME='value'` assignment per line (names that are not
    /// valid environment names are left out), then the end mark; nothing without values.
    static func input(_ environment: [String: String]) -> String {
        let values = assignments(environment)
        return values.isEmpty ? "" : values + endMark(for: values) + "\n"
    }

    static func assignments(_ environment: [String: String]) -> String {
        environment
            .filter { ShellQuote.isValidEnvironmentName($0.key) }
            .sorted { $0.key < $1.key }
            .map { $0.key + "=" + ShellQuote.singleQuoted($0.value.cutAtNUL) + "\n" }
            .joined()
    }

    /// `#rb-end`, or `#rb-end-N` when the values contain that text: a comment line whose text
    /// occurs nowhere in `values`, so that values that end with it arrived whole.
    static func endMark(for values: String) -> String {
        var candidate = "#rb-end"
        var number = 0
        while values.contains(candidate) {
            number += 1
            candidate = "#rb-end-\(number)"
        }
        return candidate
    }

    /// Reads exactly `length` bytes (`head -c` reads no further, so the rest of stdin, its
    /// end-of-file, is the watcher's), and evaluates them if they end with the end mark.
    /// Otherwise (the runner went away while sending) nothing runs.
    private static func readingValues(length: Int, endMark: String) -> String {
        "rb_v=$(head -c \(length)); case $rb_v in *'\(endMark)') ;; *) exit 130 ;; esac; "
            + "set -a; eval \"$rb_v\"; set +a; "
    }

    /// The watcher: a subshell that waits for end-of-file on stdin (kept as descriptor 3:
    /// a background job's stdin is /dev/null otherwise) and then, if the login shell ($$, now
    /// the command) still runs, ends the group it shares with the command. It ignores SIGTERM,
    /// so that its own signal (and `timeout`'s, which signals the group) leaves it standing.
    private static func watcher(grace: Double) -> String {
        let seconds = Int(min(86_400, max(1, grace.rounded(.up))))
        return "exec 3<&0; (trap '' TERM; while read -r rb_l; do :; done; if kill -0 $$ 2>/dev/null; then "
            + "kill -TERM 0; sleep \(seconds); kill -KILL 0; fi) <&3 >/dev/null 2>&1 & "
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
