// How the ssh executor calls the system's OpenSSH client.

public struct SSHConfiguration: Sendable {
    /// The ssh client: a path, or a name looked up in PATH.
    public var sshCommand: String
    /// Passed as `ssh -F FILE` (nil: ssh's own defaults, ~/.ssh/config).
    public var configFile: String?
    /// Seconds, passed as `-o ConnectTimeout=N`.
    public var connectTimeout: Int
    /// Where the ControlMaster sockets live. nil: a fresh private directory (mode 0700, made
    /// with mkdtemp) under $XDG_RUNTIME_DIR or /tmp, removed by `closeConnections()`. A given
    /// directory is created 0700 if missing and must be owned by this user and private; runners
    /// given the same directory share connections, and `closeConnections()` ends those to the
    /// hosts this executor used.
    public var controlDirectory: String?
    /// Where a fresh control directory is made when none is configured: the client passes
    /// $XDG_RUNTIME_DIR (nil: /tmp).
    public var runtimeDirectory: String?
    /// `-o ControlPersist=…`: how long an idle shared connection stays open.
    public var controlPersist: String
    /// Each passed as `-o VALUE`, e.g. "Port=2222", "StrictHostKeyChecking=accept-new".
    public var extraOptions: [String]
    /// Also bound the command on the remote side with `timeout` when the host has it (see
    /// `RemoteCommand`). Off: only the local timeout bounds it (the runner then closes ssh's
    /// stdin, and the remote side ends the command on that end-of-file), so a connection that
    /// hangs leaves the remote command running.
    public var remoteTimeout: Bool

    public init(configFile: String? = nil, connectTimeout: Int = 10, controlDirectory: String? = nil,
                controlPersist: String = "60s", extraOptions: [String] = [], remoteTimeout: Bool = true,
                sshCommand: String = "ssh", runtimeDirectory: String? = nil) {
        self.configFile = configFile
        self.runtimeDirectory = runtimeDirectory
        self.connectTimeout = connectTimeout
        self.controlDirectory = controlDirectory
        self.controlPersist = controlPersist
        self.extraOptions = extraOptions
        self.remoteTimeout = remoteTimeout
        self.sshCommand = sshCommand
    }
}
