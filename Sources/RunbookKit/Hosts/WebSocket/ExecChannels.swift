import Foundation
// The channel.k8s.io framing over WebSocket: every binary message starts with a channel
// byte. 0 stdin (client to server), 1 stdout, 2 stderr, 3 the error channel (one Status
// object when the command ends), 4 resize; 255 (v5 only) a signal: [255, N] closes channel N,
// which for stdin is its end-of-file.

public enum ExecChannel: UInt8, Sendable {
    case stdin = 0, stdout = 1, stderr = 2, error = 3, resize = 4, close = 255
}

public enum ExecMessage: Equatable, Sendable {
    case data(ExecChannel, [UInt8])
    /// The peer will send no more on this channel (v5).
    case closed(ExecChannel)

    /// Reads one binary message; nil when it names no channel we know.
    public static func decode(_ payload: [UInt8]) -> ExecMessage? {
        guard let first = payload.first, let channel = ExecChannel(rawValue: first) else { return nil }
        if channel == .close {
            guard payload.count >= 2, let closed = ExecChannel(rawValue: payload[1]) else { return nil }
            return .closed(closed)
        }
        return .data(channel, Array(payload.dropFirst()))
    }

    public var encoded: [UInt8] {
        switch self {
        case .data(let channel, let bytes): return [channel.rawValue] + bytes
        case .closed(let channel): return [ExecChannel.close.rawValue, channel.rawValue]
        }
    }

    /// The error channel's last word: Success, or a Failure whose reason is NonZeroExitCode
    /// and whose cause ExitCode carries the code, which kubectl turns into its own exit code.
    public static func status(exitCode: Int32, command: [String]) -> [UInt8] {
        let object: [String: Any]
        if exitCode == 0 {
            object = ["metadata": [String: Any](), "status": "Success"]
        } else {
            object = [
                "metadata": [String: Any](),
                "status": "Failure",
                "message": "command terminated with non-zero exit code: error executing command \(command), exit code \(exitCode)",
                "reason": "NonZeroExitCode",
                "details": ["causes": [["reason": "ExitCode", "message": String(exitCode)]]],
            ]
        }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return Array(data)
    }

}

/// What the error channel's Status says about the command.
public enum ExecStatus: Equatable, Sendable {
    /// The command ran and exited with this code (Success is 0).
    case exited(Int32)
    /// The command did not run, or its end is unknown (container gone, command not found):
    /// the Status's message.
    case failed(String)

    /// Reads the Status object sent on channel 3.
    public static func parse(_ bytes: [UInt8]) -> ExecStatus {
        guard let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else {
            return .failed("unreadable exec status: " + String(decoding: bytes.prefix(200), as: UTF8.self))
        }
        if object["status"] as? String == "Success" { return .exited(0) }
        let message = object["message"] as? String ?? "exec failed"
        if object["reason"] as? String == "NonZeroExitCode",
           let causes = (object["details"] as? [String: Any])?["causes"] as? [[String: Any]],
           let text = causes.first(where: { $0["reason"] as? String == "ExitCode" })?["message"] as? String,
           let code = Int32(text) {
            return .exited(code)
        }
        return .failed(message)
    }
}
