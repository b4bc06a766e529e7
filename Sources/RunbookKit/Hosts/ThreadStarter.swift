// Starting threads so that a failure is seen. Foundation's Thread.start() gives no error:
// when the kernel refuses a thread (the process limit, `ulimit -u`, or no memory for the
// stack) the thread silently never runs, and whoever waits for it waits for ever.
// pthread_create says so in its result.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a thread could not be started.
public struct ThreadStartError: Error, CustomStringConvertible, Sendable {
    public let code: Int32

    public init(code: Int32) { self.code = code }

    public var description: String {
        let hint = code == EAGAIN || code == ENOMEM
            ? ": the process or memory limit is reached (see `ulimit -u` and `ulimit -v`); run fewer at once"
            : ""
        return "cannot start a thread (\(SystemCalls.errorDescription(code)))\(hint)"
    }
}

/// A started, joinable thread.
public struct StartedThread: Sendable {
    /// Waits until the thread has finished; call exactly once.
    public let join: @Sendable () -> Void

    public init(join: @escaping @Sendable () -> Void) { self.join = join }
}

/// Starts a thread running a body with a given stack size. Injectable, so that tests can
/// make starting fail.
public struct ThreadStarter: Sendable {
    public let start: @Sendable (_ stackSize: Int, _ body: @escaping () -> Void) -> Result<StartedThread, ThreadStartError>

    public init(start: @escaping @Sendable (_ stackSize: Int, _ body: @escaping () -> Void) -> Result<StartedThread, ThreadStartError>) {
        self.start = start
    }

    /// pthread_create, with its result checked.
    public static let system = ThreadStarter { stackSize, body in
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        // Whole 64 KiB units, and at least 64 KiB: some systems refuse other sizes.
        let unit = 64 << 10
        _ = pthread_attr_setstacksize(&attributes, max(unit, (stackSize + unit - 1) / unit * unit))
        let context = Unmanaged.passRetained(ThreadBody(body)).toOpaque()
        #if os(Linux)
        var thread = pthread_t()
        let result = pthread_create(&thread, &attributes, { context in
            Unmanaged<ThreadBody>.fromOpaque(context!).takeRetainedValue().run()
            return nil
        }, context)
        guard result == 0 else {
            Unmanaged<ThreadBody>.fromOpaque(context).release()
            return .failure(ThreadStartError(code: result))
        }
        let handle = thread
        #else
        var thread: pthread_t?
        let result = pthread_create(&thread, &attributes, { context in
            Unmanaged<ThreadBody>.fromOpaque(context).takeRetainedValue().run()
            return nil
        }, context)
        guard result == 0, let handle = thread else {
            Unmanaged<ThreadBody>.fromOpaque(context).release()
            return .failure(ThreadStartError(code: result))
        }
        #endif
        return .success(StartedThread { _ = pthread_join(handle, nil) })
    }
}

/// The body, kept alive for the thread (its only way in is one raw pointer).
private final class ThreadBody {
    let run: () -> Void
    init(_ run: @escaping () -> Void) { self.run = run }
}
