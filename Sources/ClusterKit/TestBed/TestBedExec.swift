import Foundation
import RunbookKit
// One `kubectl exec` session of the test bed, after the WebSocket handshake: the command's
// stdin, stdout and stderr on channels 0, 1 and 2, its exit status on channel 3, on one
// thread that polls the socket and the command's pipes.
//
// When the client goes away (the socket ends or says close) the command's stdin is closed
// first (a command sent by the Kubernetes transport ends its own process group on that
// end-of-file, see RemoteCommand), then the process group the test bed started is ended:
// SIGTERM, then SIGKILL after `grace`.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public struct TestBedExecSession {
    public let socket: Int32
    public let command: [String]
    public let wantsStdin: Bool
    public var grace: Double = 2

    /// Stdin's end-of-file arrives as a close signal in v5; in v4 stdin ends with the stream.
    public init(socket: Int32, command: [String], wantsStdin: Bool) {
        self.socket = socket
        self.command = command
        self.wantsStdin = wantsStdin
    }

    /// Runs `arguments` (the command as the node runs it) until it ends or the client goes
    /// away. `buffered`: bytes the HTTP reader had already taken from the socket.
    public func run(arguments: [String], buffered: [UInt8]) {
        var process: TestBedProcess
        switch TestBedProcess.start(arguments) {
        case .failure(let failure):
            send(.binary, ExecMessage.data(.stderr, Array("\(failure.message)\n".utf8)).encoded)
            send(.binary, ExecMessage.data(.error, ExecMessage.status(exitCode: 127, command: command)).encoded)
            send(.close, [0x03, 0xE8])
            return
        case .success(let started): process = started
        }
        var decoder = WebSocketDecoder()
        decoder.append(buffered)
        var pending: [UInt8] = []
        var stdinEnded = !wantsStdin
        var exitCode: Int32?
        var drainUntil: Date?
        var clientGone = false
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 65536, alignment: 16)
        defer { buffer.deallocate() }

        func closeStdin() { if process.stdin >= 0 { close(process.stdin); process.stdin = -1 } }

        loop: while true {
            // Messages already decoded (also those that came with the handshake).
            do {
                while let message = try decoder.nextMessage() {
                    switch message.opcode {
                    case .binary:
                        switch ExecMessage.decode(message.payload) {
                        case .data(.stdin, let bytes)?: if !stdinEnded { pending += bytes }
                        case .closed(.stdin)?: stdinEnded = true
                        default: break
                        }
                    case .ping: send(.pong, message.payload)
                    case .close: clientGone = true; send(.close, Array(message.payload.prefix(2))); break loop
                    default: break
                    }
                }
            } catch let error as WebSocketProtocolError {
                send(.close, [UInt8(error.closeCode >> 8), UInt8(error.closeCode & 0xFF)])
                clientGone = true
                break loop
            } catch { clientGone = true; break loop }
            if pending.isEmpty && stdinEnded { closeStdin() }

            if exitCode == nil, let code = process.poll() {
                exitCode = code
                drainUntil = Date().addingTimeInterval(0.1)
            }
            if exitCode != nil && ((process.stdout < 0 && process.stderr < 0) || Date() >= drainUntil!) { break }

            var entries = [pollfd(fd: socket, events: Int16(POLLIN), revents: 0)]
            if process.stdout >= 0 { entries.append(pollfd(fd: process.stdout, events: Int16(POLLIN), revents: 0)) }
            if process.stderr >= 0 { entries.append(pollfd(fd: process.stderr, events: Int16(POLLIN), revents: 0)) }
            if process.stdin >= 0 && !pending.isEmpty { entries.append(pollfd(fd: process.stdin, events: Int16(POLLOUT), revents: 0)) }
            _ = Glibc.poll(&entries, nfds_t(entries.count), exitCode == nil ? 20 : 10)
            for entry in entries where entry.revents != 0 {
                if entry.fd == socket {
                    let n = read(socket, buffer.baseAddress, buffer.count)
                    if n <= 0 && !(n < 0 && (errno == EINTR || errno == EAGAIN)) { clientGone = true; break loop }
                    if n > 0 { decoder.append(Array(UnsafeRawBufferPointer(start: buffer.baseAddress, count: n))) }
                } else if entry.fd == process.stdout || entry.fd == process.stderr {
                    let isOut = entry.fd == process.stdout
                    let n = read(entry.fd, buffer.baseAddress, buffer.count)
                    if n > 0 {
                        let bytes = Array(UnsafeRawBufferPointer(start: buffer.baseAddress, count: n))
                        if !send(.binary, ExecMessage.data(isOut ? .stdout : .stderr, bytes).encoded) { clientGone = true; break loop }
                    } else if n == 0 || (errno != EINTR && errno != EAGAIN) {
                        close(entry.fd)
                        if isOut { process.stdout = -1 } else { process.stderr = -1 }
                    }
                } else if entry.fd == process.stdin {
                    let n = pending.withUnsafeBytes { write(process.stdin, $0.baseAddress, $0.count) }
                    if n > 0 { pending.removeFirst(n) } else if n < 0 && errno != EAGAIN { pending = []; closeStdin() }
                }
            }
        }
        closeStdin()
        if clientGone {
            // Give the command a moment to end itself on stdin's end-of-file, then end its group.
            process.endGroup(grace: grace)
        } else {
            send(.binary, ExecMessage.data(.error, ExecMessage.status(exitCode: exitCode ?? 255, command: command)).encoded)
            send(.close, [0x03, 0xE8])
            if exitCode != 0 { _ = process.poll() }
        }
        if process.stdout >= 0 { close(process.stdout) }
        if process.stderr >= 0 { close(process.stderr) }
        if exitCode == nil { _ = process.poll() }
    }

    /// Writes one unmasked frame, waiting for room; false when the client is gone.
    @discardableResult
    func send(_ opcode: WebSocketFrame.Opcode, _ payload: [UInt8]) -> Bool {
        let bytes = WebSocketFrame(opcode: opcode, payload: payload).encoded()
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { all in
                Glibc.send(socket, all.baseAddress! + offset, all.count - offset, Int32(MSG_NOSIGNAL))
            }
            if n > 0 { offset += n; continue }
            if n < 0 && (errno == EAGAIN || errno == EINTR) {
                var entry = pollfd(fd: socket, events: Int16(POLLOUT), revents: 0)
                if Glibc.poll(&entry, 1, 5000) <= 0 { return false }
                continue
            }
            return false
        }
        return true
    }
}
