/// Why an archive could not be written or read. Every case names the archive (or the entry)
/// and says what is wrong with it, so a message needs no context to be acted on.
public enum ArchiveError: Error, CustomStringConvertible, Equatable, Sendable {
    case cannotOpen(path: String, reason: String)
    case cannotWrite(path: String, reason: String)
    case notGzip(path: String)
    case corrupt(path: String, reason: String)
    case tooLarge(path: String, limit: Int)
    case unsafeEntry(path: String, entry: String, reason: String)

    public var description: String {
        switch self {
        case .cannotOpen(let path, let reason): return "\(path): cannot open: \(reason)"
        case .cannotWrite(let path, let reason): return "\(path): cannot write: \(reason)"
        case .notGzip(let path): return "\(path): not a gzip file (a snapshot is a .tar.gz written by `runbook snapshot`)"
        case .corrupt(let path, let reason): return "\(path): damaged archive: \(reason)"
        case .tooLarge(let path, let limit):
            return "\(path): unpacks to more than \(limit >> 20) MiB; refused (is it a snapshot?)"
        case .unsafeEntry(let path, let entry, let reason):
            return "\(path): refused entry '\(entry)': \(reason); a snapshot holds only plain files under relative paths"
        }
    }
}
