import ArgumentParser
import Foundation
import RunbookKit
#if canImport(Glibc)
import Glibc
#endif

/// Where the values of `secret` parameters come from, in order: the command line (works,
/// with a warning: every local user can read a process's arguments with `ps` while it
/// runs, so the value is overwritten in the process's argument area as soon as the runbook
/// says it is secret — a short window, not none), `RUNBOOK_SECRET_<NAME>`, `--secret-file
/// NAME=PATH`, and last a prompt without echo on the terminal.
enum SecretInputs {
    /// The environment variable that can carry a secret parameter: `RUNBOOK_SECRET_` and the
    /// name in capitals ("api-token" → RUNBOOK_SECRET_API_TOKEN).
    static func variableName(_ parameter: String) -> String {
        "RUNBOOK_SECRET_" + parameter.uppercased().map { $0.isLetter || $0.isNumber ? String($0) : "_" }.joined()
    }

    /// Fills `options.parameters` for the runbook's secret parameters from the safer
    /// sources, warns about (and scrubs) those given on the command line.
    static func resolve(_ checked: CheckedRunbook, files: [String], into options: inout RunOptions,
                        prompt: Bool = isatty(0) == 1) throws {
        let secrets = checked.runbook.params.filter(\.secret)
        var fromFiles: [String: String] = [:]
        for spec in files {
            guard let eq = spec.firstIndex(of: "="), eq != spec.startIndex else {
                throw ValidationError("--secret-file takes NAME=PATH, got '\(spec)'")
            }
            let name = String(spec[..<eq]), path = String(spec[spec.index(after: eq)...])
            guard secrets.contains(where: { $0.name == name }) else {
                throw ValidationError("--secret-file \(name)=…: '\(name)' is not a secret parameter of this runbook")
            }
            guard var text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw ValidationError("--secret-file \(name)=\(path): cannot read the file")
            }
            while text.hasSuffix("\n") || text.hasSuffix("\r") { text.removeLast() }
            fromFiles[name] = text
        }
        for param in secrets {
            if options.parameters[param.name] != nil {
                warnAndScrub(param.name)
            } else if let value = SessionFactory.variable(variableName(param.name)) {
                options.parameters[param.name] = value
            } else if let value = fromFiles[param.name] {
                options.parameters[param.name] = value
            } else if param.defaultValue == nil, prompt, let value = readHidden("\(param.name) (secret, not shown): ") {
                options.parameters[param.name] = value
            }
        }
    }

    /// A secret on the command line: say why that is unsafe, and overwrite it in the process's
    /// arguments.
    static func warnAndScrub(_ name: String) {
        Output.err("warning: the secret parameter '\(name)' was given on the command line, where other local users can read it with ps; use \(variableName(name)), --secret-file \(name)=PATH or the prompt\n")
        scrubArgument(prefix: name + "=")
    }

    /// Overwrites the value of `prefix…` arguments in the process's own argument area (what
    /// /proc/PID/cmdline and so ps show) with '*'.
    static func scrubArgument(prefix: String) {
        let argv = CommandLine.unsafeArgv
        for i in 1 ..< Int(CommandLine.argc) {
            guard let argument = argv[i], strncmp(argument, prefix, prefix.utf8.count) == 0 else { continue }
            let length = strlen(argument)
            var j = prefix.utf8.count
            while j < length {
                argument[j] = CChar(UInt8(ascii: "*"))
                j += 1
            }
        }
    }

    /// Reads a line from the terminal with echo off; nil without a terminal.
    static func readHidden(_ prompt: String) -> String? {
        let fd = open("/dev/tty", O_RDWR | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var saved = termios()
        guard tcgetattr(fd, &saved) == 0 else { return nil }
        var quiet = saved
        quiet.c_lflag &= ~tcflag_t(ECHO)
        _ = prompt.withCString { write(fd, $0, strlen($0)) }
        tcsetattr(fd, TCSAFLUSH, &quiet)
        defer {
            tcsetattr(fd, TCSAFLUSH, &saved)
            _ = write(fd, "\n", 1)
        }
        var bytes: [UInt8] = []
        var byte: UInt8 = 0
        while read(fd, &byte, 1) == 1, byte != UInt8(ascii: "\n") { bytes.append(byte) }
        return String(decoding: bytes, as: UTF8.self)
    }
}
