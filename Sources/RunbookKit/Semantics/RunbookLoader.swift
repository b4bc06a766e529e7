import Foundation

/// Reads runbook files from disk, turning every way a file can be unusable into a clear
/// diagnostic (missing, a directory, unreadable, binary, not UTF-8, too large).
public enum RunbookLoader {
    /// Files larger than this are refused rather than parsed (runbooks are small).
    public static let maxFileSize = 16 << 20

    public static func readSource(path: String) -> Result<SourceFile, Diagnostic> {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            return .failure(Diagnostic(.error, "\(path): no such file", at: nil))
        }
        if isDirectory.boolValue {
            return .failure(Diagnostic(.error, "\(path): is a directory, not a runbook file", at: nil))
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            return .failure(Diagnostic(.error, "\(path): cannot be read (permission denied?)", at: nil))
        }
        defer { try? handle.close() }
        let data: Data
        do {
            data = try handle.read(upToCount: maxFileSize + 1) ?? Data()
        } catch {
            return .failure(Diagnostic(.error, "\(path): cannot be read: \(error.localizedDescription)", at: nil))
        }
        if data.count > maxFileSize {
            return .failure(Diagnostic(.error, "\(path): larger than \(maxFileSize >> 20) MiB; is it really a runbook?", at: nil))
        }
        let bytes = [UInt8](data)
        if let nul = bytes.firstIndex(of: 0) {
            let file = SourceFile(path: path, text: String(decoding: bytes[..<nul], as: UTF8.self))
            return .failure(Diagnostic(.error, "binary file: a NUL byte at byte \(nul); runbooks are UTF-8 text", at: file.location(nul)))
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            let bad = firstInvalidUTF8(bytes)
            let file = SourceFile(path: path, text: String(decoding: bytes[..<bad], as: UTF8.self))
            return .failure(Diagnostic(.error, "invalid UTF-8 at byte \(bad): runbooks are UTF-8 text", at: file.location(bad)))
        }
        return .success(SourceFile(path: path, text: text))
    }

    /// Byte offset of the first byte that is not part of valid UTF-8.
    private static func firstInvalidUTF8(_ bytes: [UInt8]) -> Int {
        var decoder = UTF8()
        var iterator = bytes.makeIterator()
        var offset = 0
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar): offset += UTF8.width(scalar)
            case .emptyInput: return offset
            case .error: return offset
            }
        }
    }
}
