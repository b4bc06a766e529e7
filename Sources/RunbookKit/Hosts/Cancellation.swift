// Cancelling running commands (Ctrl-C, or the runner being told to stop).
//
// The state lives in a self-pipe: cancel() writes a byte and the byte stays in the pipe until
// reset(). The read end sits in every running command's poll() set, so all of them wake at
// once, and "is cancelled" is simply "the pipe is readable". Writing a byte is
// async-signal-safe, so a signal handler can cancel too.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public final class Cancellation: @unchecked Sendable {
    /// The instance the signal handlers cancel and the executors watch by default.
    public static let shared = Cancellation()

    /// Poll this descriptor for readability to wake when cancelled. Never read from it.
    public let wakeDescriptor: Int32
    private let writeDescriptor: Int32
    /// Written by the signal handler, so it is plain memory outside Swift's exclusivity checks.
    private let signalSlot: UnsafeMutablePointer<Int32>
    /// Set by `cancel()` before it writes the pipe (a signal sets `signalSlot` first): while
    /// both are 0 nothing was written since the last reset, and `isCancelled` needs no
    /// system call. The interpreter asks before every statement: a loop over ten thousand
    /// table rows asked the kernel twenty thousand times.
    private let cancelSlot: UnsafeMutablePointer<Int32>

    public init() {
        guard let pipe = SystemCalls.makePipe() else {
            fatalError("runbook: cannot create the cancellation pipe: \(SystemCalls.errorDescription(errno))")
        }
        SystemCalls.setNonBlocking(pipe.read)
        SystemCalls.setNonBlocking(pipe.write)  // a full pipe is already "cancelled"
        wakeDescriptor = pipe.read
        writeDescriptor = pipe.write
        signalSlot = UnsafeMutablePointer<Int32>.allocate(capacity: 1)
        signalSlot.initialize(to: 0)
        cancelSlot = UnsafeMutablePointer<Int32>.allocate(capacity: 1)
        cancelSlot.initialize(to: 0)
    }

    deinit {
        close(wakeDescriptor)
        close(writeDescriptor)
        signalSlot.deallocate()
        cancelSlot.deallocate()
    }

    /// Asks every running and future command to stop, until `reset()`.
    public func cancel() {
        cancelSlot.pointee = 1
        var byte: UInt8 = 1
        _ = write(writeDescriptor, &byte, 1)
    }

    public var isCancelled: Bool {
        if cancelSlot.pointee == 0 && signalSlot.pointee == 0 { return false }
        var entry = pollfd(fd: wakeDescriptor, events: Int16(POLLIN), revents: 0)
        return poll(&entry, 1, 0) > 0 && entry.revents & Int16(POLLIN) != 0
    }

    /// Clears the cancellation (and `lastSignal`) so that commands run again.
    public func reset() {
        cancelSlot.pointee = 0
        var buffer = [UInt8](repeating: 0, count: 256)
        while read(wakeDescriptor, &buffer, buffer.count) > 0 {}
        signalSlot.pointee = 0
    }

    /// The signal (SIGINT, SIGTERM, SIGHUP, …) that cancelled, or nil when none did since the
    /// last reset.
    public var lastSignal: Int32? {
        let value = signalSlot.pointee
        return value == 0 ? nil : value
    }

    /// The signals that cancel once `installSignalHandlers()` ran: every signal whose default
    /// action would end the runner at once and that something sends to ask a process to stop.
    /// Left alone: SIGKILL and SIGSTOP (cannot be caught); SIGQUIT (Ctrl-\ is the operator's
    /// way out of a runner that no longer responds, and a backtrace or core dump is what one
    /// wants then: the Swift runtime treats it as a crash and prints where every thread was;
    /// the watchdog ends the commands once the runner is gone); SIGSEGV, SIGBUS, SIGILL, SIGFPE,
    /// SIGTRAP, SIGABRT, SIGSYS (crashes, which the Swift runtime reports); SIGPROF (profilers
    /// install their own handler). SIGPIPE is ignored by the runner itself.
    public static let cancellingSignals: [Int32] = {
        var signals = [SIGHUP,     // the terminal, ssh session or tmux pane went away
                       SIGINT,     // Ctrl-C
                       SIGTERM,    // kill, systemd, a container stopping
                       SIGUSR1, SIGUSR2,
                       SIGALRM, SIGVTALRM,
                       SIGXCPU]    // the CPU-time soft limit: SIGKILL follows at the hard limit
        #if os(Linux)
        signals.append(SIGPWR)     // init on a power failure
        #endif
        return signals
    }()

    /// Installs handlers that cancel `Cancellation.shared` for `cancellingSignals`. Commands
    /// run in their own process groups, so a terminal's Ctrl-C (or its hangup) reaches only the
    /// runner, which then ends the running commands' groups itself, records the signal in
    /// `lastSignal` and closes the run as aborted. Without a handler, SIGHUP (a dropped ssh
    /// session to a bastion, a closed tmux) or a stray `kill -USR1` would end the runner on
    /// the spot: its commands would keep running and the journal would get no end.
    /// A signal that was ignored when the runner started stays ignored, as shells and most
    /// programs do: `nohup runbook run …` must survive the hangup it asked to survive, and a
    /// background job of a script (where the shell ignores SIGINT) keeps ignoring Ctrl-C.
    /// Safe to call more than once.
    public static func installSignalHandlers() {
        // Touch every global the handler reads now, so that the handler never runs a lazy
        // initializer (which is not async-signal-safe).
        signalTarget = (shared.writeDescriptor, shared.signalSlot)
        for signal in cancellingSignals where !isIgnored(signal) {
            var action = sigaction()
            #if os(Linux)
            action.__sigaction_handler = .init(sa_handler: cancellationSignalHandler)
            #else
            action.__sigaction_u = .init(__sa_handler: cancellationSignalHandler)
            #endif
            sigemptyset(&action.sa_mask)
            action.sa_flags = Int32(SA_RESTART)
            sigaction(signal, &action, nil)
        }
    }

    /// "SIGHUP" for SIGHUP (the signals that cancel, and SIGQUIT, SIGKILL), "signal N"
    /// otherwise: for messages and the journal.
    public static func name(ofSignal signal: Int32) -> String {
        var names: [Int32: String] = [SIGHUP: "SIGHUP", SIGINT: "SIGINT", SIGQUIT: "SIGQUIT", SIGKILL: "SIGKILL",
                                      SIGTERM: "SIGTERM", SIGUSR1: "SIGUSR1", SIGUSR2: "SIGUSR2", SIGALRM: "SIGALRM",
                                      SIGVTALRM: "SIGVTALRM", SIGXCPU: "SIGXCPU"]
        #if os(Linux)
        names[SIGPWR] = "SIGPWR"
        #endif
        return names[signal] ?? "signal \(signal)"
    }

    private static func isIgnored(_ signal: Int32) -> Bool {
        var current = sigaction()
        guard sigaction(signal, nil, &current) == 0 else { return false }
        #if os(Linux)
        let handler = current.__sigaction_handler.sa_handler
        #else
        let handler = current.__sigaction_u.__sa_handler
        #endif
        return unsafeBitCast(handler, to: Int.self) == unsafeBitCast(SIG_IGN, to: Int.self)
    }

    /// Called from the signal handler: only async-signal-safe work.
    fileprivate static func recordSignal(_ signal: Int32, writeDescriptor: Int32, slot: UnsafeMutablePointer<Int32>) {
        slot.pointee = signal
        var byte = UInt8(truncatingIfNeeded: signal)
        _ = write(writeDescriptor, &byte, 1)
    }
}

/// Set once before the handlers are installed; read by the handler.
private var signalTarget: (descriptor: Int32, slot: UnsafeMutablePointer<Int32>)?

private func cancellationSignalHandler(_ signal: Int32) {
    let savedErrno = errno
    if let target = signalTarget {
        Cancellation.recordSignal(signal, writeDescriptor: target.descriptor, slot: target.slot)
    }
    errno = savedErrno
}
