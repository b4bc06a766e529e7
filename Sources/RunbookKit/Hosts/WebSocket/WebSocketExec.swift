// One command through the pods/exec WebSocket, as `kubectl exec -i` would run it, but without
// starting kubectl: the runner connects to the run's `kubectl proxy` socket, upgrades, sends
// the command's stdin on channel 0 (the values and their end mark, see `RemoteCommand`) and
// keeps stdin open while the command runs; channels 1 and 2 are its output, channel 3 the
// Status that carries its exit code. Timeout and cancellation close the socket: the API
// server then closes the command's stdin, and the remote watcher ends its process group,
// exactly as when a `kubectl exec` client is killed.

import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How one exec stream ended.
enum WebSocketExecOutcome {
    /// The command ran (or timed out, or was cancelled, or its stream broke): its result.
    /// An API server's refusal (a Status: Forbidden, NotFound) is a result too, with
    /// kubectl's wording on stderr ("Error from server (Forbidden): …").
    case result(CommandResult)
    /// No WebSocket here (the proxy is gone, or answered without upgrading and without a
    /// Kubernetes Status): the caller runs the command with `kubectl exec` instead.
    case refused(String)
}

/// Runs on the calling thread; one instance per command.
struct WebSocketExec {
    let socketPath: String
    /// The exec path with its query (`/api/v1/namespaces/NS/pods/POD/exec?…`).
    let path: String
    let input: [UInt8]
    let timeout: Double
    let captureLimit: Int
    var spill: SpillPolicy? = nil
    let cancellation: Cancellation

    /// `/api/v1/namespaces/NS/pods/POD/exec?container=C&command=…&stdin=true&stdout=true&stderr=true`.
    static func path(namespace: String, pod: String, container: String, command: [String]) -> String {
        let words = command.map { "command=" + percentEncoded($0) }.joined(separator: "&")
        return "/api/v1/namespaces/\(percentEncoded(namespace))/pods/\(percentEncoded(pod))/exec?container="
            + percentEncoded(container) + "&" + words + "&stdin=true&stdout=true&stderr=true"
    }

    /// Every byte but the unreserved ones (RFC 3986) escaped: a command word is data in the URL.
    static func percentEncoded(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                out += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return out
    }

    func run(onLine: (OutputStream, String) -> Void) -> WebSocketExecOutcome {
        let start = SystemCalls.now()
        let deadline = timeout > 0 && timeout.isFinite ? start + timeout : .infinity
        guard let fd = UnixSocket.connect(socketPath) else { return .refused("cannot connect to kubectl proxy's socket") }
        var connection = Connection(fd: fd, deadline: deadline, cancellation: cancellation)
        defer { close(fd) }

        let key = WebSocketHandshake.newKey()
        var ended = connection.send(WebSocketHandshake.request(path: path, key: key))
        var head: HTTPResponseHead?
        var rest: [UInt8] = []
        if ended == nil {
            switch connection.readHead() {
            case .success(let got): (head, rest) = got
            case .failure(let why): ended = why
            }
        }
        if let ended { return .result(Self.ended(ended, output: nil, start: start)) }
        guard let head else { return .refused("no answer") }
        guard head.acceptedProtocol(key: key) != nil else {
            let body = connection.readBody(head: head, already: rest)
            if let refusal = Self.apiRefusal(status: head.status, body: body) {
                onLine(.stderr, refusal)
                return .result(CommandResult(stderr: refusal + "\n", exitCode: 1, unreachable: true,
                                             duration: SystemCalls.now() - start))
            }
            let text = String(decoding: body.prefix(200), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            return .refused("HTTP \(head.status)" + (text.isEmpty ? "" : ": " + text))
        }

        var output = ExecOutput(captureLimit: captureLimit, spill: spill)
        var decoder = WebSocketDecoder(requireMask: false)
        decoder.append(rest)
        if !input.isEmpty {
            ended = connection.send(Self.clientFrame(.binary, ExecMessage.data(.stdin, input).encoded))
        }
        var status: ExecStatus?
        var drainUntil = Double.infinity
        loop: while ended == nil {
            do {
                while let message = try decoder.nextMessage() {
                    switch message.opcode {
                    case .binary:
                        switch ExecMessage.decode(message.payload) {
                        case .data(.stdout, let bytes)?: output.append(.stdout, bytes, onLine: onLine)
                        case .data(.stderr, let bytes)?: output.append(.stderr, bytes, onLine: onLine)
                        case .data(.error, let bytes)?:
                            status = ExecStatus.parse(bytes)
                            drainUntil = SystemCalls.now() + 1
                        default: break
                        }
                    case .ping: _ = connection.send(Self.clientFrame(.pong, message.payload))
                    case .close:
                        _ = connection.send(Self.clientFrame(.close, Array(message.payload.prefix(2))))
                        break loop
                    default: break
                    }
                }
            } catch {
                break loop
            }
            if SystemCalls.now() >= drainUntil { break }
            switch connection.receive(until: min(deadline, drainUntil)) {
            case .bytes(let bytes): decoder.append(bytes)
            case .endOfStream: break loop
            case .ended(let why):
                if status != nil && why == .timedOut && SystemCalls.now() >= drainUntil { break loop }
                ended = why
            }
        }
        output.finish(onLine: onLine)
        if let ended, status == nil { return .result(Self.ended(ended, output: output, start: start)) }
        var result = output.result(exitCode: 0, duration: SystemCalls.now() - start)
        switch status {
        case .exited(let code)?:
            result.exitCode = code
        case .failed(let message)?:
            let line = "error: " + message
            onLine(.stderr, line)
            result.stderr += line + "\n"
            result.stderrBytes += line.utf8.count + 1
            result.exitCode = 1
        case nil:
            let line = "runbook: the exec stream closed before the command ended (the pod, the API server or kubectl proxy went away)"
            onLine(.stderr, line)
            result.stderr += line + "\n"
            result.stderrBytes += line.utf8.count + 1
            result.exitCode = ExitCodes.sshFailed
            result.unreachable = true
        }
        return .result(result)
    }

    /// A masked frame, as a client must send.
    static func clientFrame(_ opcode: WebSocketFrame.Opcode, _ payload: [UInt8]) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        let mask = (0..<4).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return WebSocketFrame(opcode: opcode, payload: payload).encoded(mask: mask)
    }

    /// kubectl's wording for a Status the API server refused the exec with; nil when `body`
    /// is not a Kubernetes Status (then it is not the API server's answer).
    static func apiRefusal(status: Int, body: [UInt8]) -> String? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
              object["kind"] as? String == "Status", let message = object["message"] as? String else { return nil }
        let reason = object["reason"] as? String ?? "HTTP \(status)"
        return "Error from server (\(reason)): \(message)"
    }

    private static func ended(_ why: Connection.Ending, output: ExecOutput?, start: Double) -> CommandResult {
        var output = output
        var result = output?.result(exitCode: 0, duration: SystemCalls.now() - start)
            ?? CommandResult(duration: SystemCalls.now() - start)
        switch why {
        case .timedOut: result.exitCode = ExitCodes.timedOut; result.timedOut = true
        case .cancelled: result.exitCode = ExitCodes.cancelled; result.cancelled = true
        case .broken:
            let line = "runbook: the exec stream broke (kubectl proxy went away)"
            result.stderr += line + "\n"
            result.stderrBytes += line.utf8.count + 1
            result.exitCode = ExitCodes.sshFailed
            result.unreachable = true
        }
        return result
    }
}

/// The socket with the command's deadline and the run's cancellation.
private struct Connection {
    enum Ending: Error { case timedOut, cancelled, broken }
    enum Received { case bytes([UInt8]), endOfStream, ended(Ending) }

    let fd: Int32
    let deadline: Double
    let cancellation: Cancellation

    /// Writes all of `bytes`; nil when written.
    mutating func send(_ bytes: [UInt8]) -> Ending? {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes { all in
                SystemCalls.sendWithoutSignal(fd, UnsafeRawBufferPointer(rebasing: all[offset...]))
            }
            if sent > 0 { offset += sent; continue }
            if sent < 0 && (errno == EAGAIN || errno == EINTR) {
                if let why = wait(POLLOUT, until: deadline) { return why }
                continue
            }
            return .broken
        }
        return nil
    }

    /// Waits for `events` on the socket; nil when ready.
    func wait(_ events: Int32, until limit: Double) -> Ending? {
        while true {
            if cancellation.isCancelled { return .cancelled }
            let now = SystemCalls.now()
            if now >= limit { return .timedOut }
            let milliseconds = limit.isFinite ? Int32(min(60_000, max(1, ((limit - now) * 1000).rounded(.up)))) : 60_000
            var entries = [pollfd(fd: fd, events: Int16(events), revents: 0),
                           pollfd(fd: cancellation.wakeDescriptor, events: Int16(POLLIN), revents: 0)]
            let ready = poll(&entries, 2, milliseconds)
            if ready < 0 && errno != EINTR { return .broken }
            if entries[1].revents != 0 { return .cancelled }
            if entries[0].revents != 0 { return nil }
        }
    }

    mutating func receive(until limit: Double) -> Received {
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n > 0 { return .bytes(Array(buffer[0..<n])) }
            if n == 0 { return .endOfStream }
            if errno != EAGAIN && errno != EINTR { return .endOfStream }
            if let why = wait(POLLIN, until: limit) { return .ended(why) }
        }
    }

    /// The answer's head (up to the blank line) and the bytes read past it.
    mutating func readHead() -> Result<(HTTPResponseHead?, [UInt8]), Ending> {
        var bytes: [UInt8] = []
        let end: [UInt8] = [13, 10, 13, 10]
        while bytes.count < 64 * 1024 {
            if let range = bytes.firstRange(of: end) {
                return .success((HTTPResponseHead.parse(Array(bytes[..<range.lowerBound])), Array(bytes[range.upperBound...])))
            }
            switch receive(until: deadline) {
            case .bytes(let more): bytes += more
            case .endOfStream: return .success((nil, []))
            case .ended(let why): return .failure(why)
            }
        }
        return .success((nil, []))
    }

    /// The body of a refusal (a few KiB at most are read, for a few seconds at most).
    mutating func readBody(head: HTTPResponseHead, already: [UInt8]) -> [UInt8] {
        var body = already
        let length = head.headers["content-length"].flatMap { Int($0) } ?? 64 * 1024
        let limit = min(deadline, SystemCalls.now() + 5)
        while body.count < min(length, 64 * 1024) {
            guard case .bytes(let more) = receive(until: limit) else { break }
            body += more
        }
        return body
    }
}

/// The command's two output streams: lines for the live view, a bounded copy for the result.
private struct ExecOutput {
    var stdoutLines = LineSplitter()
    var stderrLines = LineSplitter()
    var stdout: BoundedCapture
    var stderr: BoundedCapture

    init(captureLimit: Int, spill: SpillPolicy?) {
        stdout = BoundedCapture(limit: captureLimit, spill: spill)
        stderr = BoundedCapture(limit: captureLimit, spill: spill)
    }

    mutating func append(_ stream: OutputStream, _ bytes: [UInt8], onLine: (OutputStream, String) -> Void) {
        bytes.withUnsafeBytes { raw in
            if stream == .stdout {
                stdout.append(raw)
                stdoutLines.append(raw) { onLine(.stdout, $0) }
            } else {
                stderr.append(raw)
                stderrLines.append(raw) { onLine(.stderr, $0) }
            }
        }
    }

    mutating func finish(onLine: (OutputStream, String) -> Void) {
        stdoutLines.finish { onLine(.stdout, $0) }
        stderrLines.finish { onLine(.stderr, $0) }
    }

    mutating func result(exitCode: Int32, duration: Double) -> CommandResult {
        let stdoutText = stdout.finish(), stderrText = stderr.finish()
        return CommandResult(stdoutText: stdoutText, stderrText: stderrText, exitCode: exitCode, duration: duration,
                             stdoutBytes: stdout.totalBytes, stderrBytes: stderr.totalBytes,
                             spillFailure: BoundedCapture.failure(stdout, stderr))
    }
}
