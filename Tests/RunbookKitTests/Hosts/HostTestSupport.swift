// Helpers shared by the Hosts tests: collecting delivered lines, checking processes, temp files.

import XCTest
#if canImport(Glibc)
import Glibc
#endif
@testable import RunbookKit

/// Collects what `onLine` delivers (it may be called from another thread).
final class LineCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var collected: [(RunbookKit.OutputStream, String)] = []

    var callback: @Sendable (RunbookKit.OutputStream, String) -> Void {
        { [self] stream, line in lock.lock(); collected.append((stream, line)); lock.unlock() }
    }

    func lines(_ stream: RunbookKit.OutputStream) -> [String] {
        lock.lock(); defer { lock.unlock() }
        return collected.filter { $0.0 == stream }.map { $0.1 }
    }
}

enum HostTest {
    /// Whether a process with this pid exists (kill(pid, 0) does not fail with ESRCH).
    static func processExists(_ pid: pid_t) -> Bool {
        kill(pid, 0) == 0 || errno != ESRCH
    }

    /// Whether the process exists and is not a zombie waiting to be reaped by someone else.
    static func processIsRunning(_ pid: pid_t) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return false }
        return !stat[close...].hasPrefix(") Z")
    }

    /// Polls until the process is no longer running (gone, or a zombie) or `seconds` pass.
    static func waitUntilNotRunning(_ pid: pid_t, seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while processIsRunning(pid) && Date() < deadline { usleep(20_000) }
        return !processIsRunning(pid)
    }

    /// Kills the process group of `pid` if that process still runs: cleanup right after an
    /// assertion that it should be gone failed (later, the pid could be another's).
    static func killGroupIfRunning(_ pid: pid_t) {
        guard processIsRunning(pid) else { return }
        let group = getpgid(pid)
        if group > 1 { kill(-group, SIGKILL) }
    }

    /// Running processes whose command line mentions `text`.
    static func processes(mentioning text: String) -> [pid_t] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { pid_t($0) }.filter { pid in
            guard processIsRunning(pid),
                  let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
            return String(decoding: data, as: UTF8.self).contains(text)
        }
    }

    /// Whether any process of the group exists.
    static func groupExists(_ pgid: pid_t) -> Bool {
        kill(-pgid, 0) == 0 || errno != ESRCH
    }

    /// A fresh directory for one test, removed by the caller.
    static func makeTemporaryDirectory() -> String {
        var template = Array("/tmp/runbook-hosts-test-XXXXXX".utf8CString)
        precondition(mkdtemp(&template) != nil)
        return String(cString: template)
    }

    static func removeDirectory(_ path: String) {
        try? FileManager.default.removeItem(atPath: path)
    }

    static func readPID(_ path: String, file: StaticString = #filePath, line: UInt = #line) -> pid_t? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8),
              let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            XCTFail("no pid in \(path)", file: file, line: line)
            return nil
        }
        return pid
    }

    /// Values that would run commands or change meaning if pasted into shell text. `MARKER`
    /// is replaced by a path that must never be created.
    static func hostileValues(marker: String) -> [String] {
        [
            "$(touch \(marker))",
            "`touch \(marker)`",
            "`id`",
            "$(id)",
            "a; touch \(marker)",
            "a && touch \(marker)",
            "| touch \(marker)",
            "a\ntouch \(marker)",
            "\"quoted\"",
            "it's",
            "'; touch \(marker); '",
            "'\\''",
            "\\",
            "line one\nline two",
            "*",
            "-rf",
            "--help",
            "$HOME ${PATH} $1 $@",
            "tab\there",
            "ünïcödé ✓",
            "",
            " leading and trailing ",
            "!event",
            "~",
            "#comment",
            "a=b",
            "e\u{301}'\u{301}",  // a quote followed by a combining mark
        ]
    }
}
