// WebSocket frames (RFC 6455 section 5): the codec under `kubectl exec`'s v5.channel.k8s.io
// streams. A server (the test bed) reads masked frames and writes unmasked ones; a client (the
// Kubernetes transport) masks what it writes.

public struct WebSocketFrame: Equatable, Sendable {
    public enum Opcode: UInt8, Sendable {
        case continuation = 0, text = 1, binary = 2, close = 8, ping = 9, pong = 10
        var isControl: Bool { rawValue >= 8 }
    }

    public var fin: Bool
    public var opcode: Opcode
    public var payload: [UInt8]

    public init(fin: Bool = true, opcode: Opcode, payload: [UInt8]) {
        self.fin = fin
        self.opcode = opcode
        self.payload = payload
    }

    /// The frame on the wire; with `mask` (a client's frame), its payload masked with those 4 bytes.
    public func encoded(mask: [UInt8]? = nil) -> [UInt8] {
        var out: [UInt8] = [(fin ? 0x80 : 0) | opcode.rawValue]
        let maskBit: UInt8 = mask == nil ? 0 : 0x80
        let n = payload.count
        if n < 126 {
            out.append(maskBit | UInt8(n))
        } else if n <= 0xFFFF {
            out += [maskBit | 126, UInt8(n >> 8), UInt8(n & 0xFF)]
        } else {
            out.append(maskBit | 127)
            for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: UInt64(n) >> UInt64(shift))) }
        }
        guard let mask, mask.count == 4 else { return out + payload }
        out += mask
        out += payload.enumerated().map { $0.element ^ mask[$0.offset & 3] }
        return out
    }
}

/// Why a peer's bytes are not a WebSocket stream we accept; the server closes with `closeCode`.
public enum WebSocketProtocolError: Error, Equatable {
    case unmaskedClientFrame
    case reservedBits
    case unknownOpcode(UInt8)
    case fragmentedControl
    case controlTooLong
    case tooLarge(Int)
    case unexpectedContinuation
    case interleavedMessage

    /// 1002 protocol error, 1009 message too big.
    public var closeCode: UInt16 {
        if case .tooLarge = self { return 1009 }
        return 1002
    }
}

/// Turns a byte stream into frames, and frames into messages (fragments joined; control
/// frames handed out between the fragments of a message, as they may arrive).
public struct WebSocketDecoder {
    /// Whether frames must be masked (a server reading a client).
    public let requireMask: Bool
    /// The largest message accepted, in bytes.
    public let maxMessage: Int

    private var buffer: [UInt8] = []
    private var start = 0
    private var partial: (opcode: WebSocketFrame.Opcode, payload: [UInt8])?

    public init(requireMask: Bool = true, maxMessage: Int = 16 << 20) {
        self.requireMask = requireMask
        self.maxMessage = maxMessage
    }

    public mutating func append(_ bytes: [UInt8]) {
        if start > 0 && start == buffer.count { buffer.removeAll(keepingCapacity: true); start = 0 }
        buffer += bytes
    }

    /// The next whole message (a control frame, or a data message with its fragments
    /// joined, as one FIN frame), nil when more bytes are needed.
    public mutating func nextMessage() throws -> WebSocketFrame? {
        while let frame = try nextFrame() {
            if frame.opcode.isControl { return frame }
            if frame.opcode == .continuation {
                guard var message = partial else { throw WebSocketProtocolError.unexpectedContinuation }
                message.payload += frame.payload
                guard message.payload.count <= maxMessage else { throw WebSocketProtocolError.tooLarge(message.payload.count) }
                if frame.fin {
                    partial = nil
                    return WebSocketFrame(opcode: message.opcode, payload: message.payload)
                }
                partial = message
                continue
            }
            guard partial == nil else { throw WebSocketProtocolError.interleavedMessage }
            if frame.fin { return frame }
            partial = (frame.opcode, frame.payload)
        }
        return nil
    }

    /// The next frame as it is on the wire (unmasked), nil when more bytes are needed.
    public mutating func nextFrame() throws -> WebSocketFrame? {
        let available = buffer.count - start
        guard available >= 2 else { return nil }
        let b0 = buffer[start], b1 = buffer[start + 1]
        guard b0 & 0x70 == 0 else { throw WebSocketProtocolError.reservedBits }
        guard let opcode = WebSocketFrame.Opcode(rawValue: b0 & 0x0F) else {
            throw WebSocketProtocolError.unknownOpcode(b0 & 0x0F)
        }
        let fin = b0 & 0x80 != 0
        let masked = b1 & 0x80 != 0
        if requireMask && !masked { throw WebSocketProtocolError.unmaskedClientFrame }
        if opcode.isControl && !fin { throw WebSocketProtocolError.fragmentedControl }
        var length = Int(b1 & 0x7F)
        var offset = 2
        if length == 126 {
            guard available >= 4 else { return nil }
            length = Int(buffer[start + 2]) << 8 | Int(buffer[start + 3])
            offset = 4
        } else if length == 127 {
            guard available >= 10 else { return nil }
            var value: UInt64 = 0
            for i in 2..<10 { value = value << 8 | UInt64(buffer[start + i]) }
            guard value <= UInt64(maxMessage) else { throw WebSocketProtocolError.tooLarge(Int(clamping: value)) }
            length = Int(value)
            offset = 10
        }
        if opcode.isControl && length > 125 { throw WebSocketProtocolError.controlTooLong }
        guard length <= maxMessage else { throw WebSocketProtocolError.tooLarge(length) }
        let maskLength = masked ? 4 : 0
        guard available >= offset + maskLength + length else { return nil }
        let maskStart = start + offset
        let payloadStart = maskStart + maskLength
        var payload = Array(buffer[payloadStart..<(payloadStart + length)])
        if masked {
            for i in 0..<payload.count { payload[i] ^= buffer[maskStart + (i & 3)] }
        }
        start = payloadStart + length
        return WebSocketFrame(fin: fin, opcode: opcode, payload: payload)
    }
}
