import Foundation
import RunbookKit
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The local read-only Kubernetes API server: serves a `ClusterStore` to kubectl over plain
/// HTTP on 127.0.0.1.
///
/// Thread contract: `start`, `stop`, `addHandler` and `writeKubeconfig` may be called from any
/// thread. One thread accepts; each connection gets its own thread (kubectl opens a handful),
/// up to `Options.maxConnections`, beyond which new connections are closed at once.
public final class ClusterServer: @unchecked Sendable {
    public struct Options: Sendable {
        /// 0: any free port.
        public var port: Int = 0
        public var limits = HTTPConnection.Limits()
        public var maxConnections = 128
        public init(port: Int = 0) { self.port = port }
    }

    public let cluster: ClusterStore
    public let options: Options
    private let api: KubernetesAPI
    private let lock = Mutex()
    private var handlers: [ClusterRequestHandler] = []
    private var listenFD: Int32 = -1
    private var boundPort = 0
    private var stopping = false
    private var connections: [Int: HTTPConnection] = [:]
    private var nextConnectionID = 0
    private let threads = DispatchGroup()

    public init(cluster: ClusterStore, options: ClusterServer.Options = .init()) {
        self.cluster = cluster
        self.options = options
        self.api = KubernetesAPI(store: cluster)
    }

    public var port: Int { lock.withLock { boundPort } }

    /// Adds a handler asked before the API routes, in the order added.
    public func addHandler(_ handler: ClusterRequestHandler) { lock.withLock { handlers.append(handler) } }

    public struct StartError: Error, CustomStringConvertible {
        public let description: String
    }

    /// Binds 127.0.0.1 and starts accepting; returns the bound port.
    @discardableResult
    public func start() throws -> Int {
        guard lock.withLock({ listenFD < 0 }) else { throw StartError(description: "the server is already started") }
        guard (0...65535).contains(options.port) else {
            throw StartError(description: "port \(options.port) is not a TCP port (0-65535; 0 picks a free one)")
        }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw StartError(description: "cannot create a socket: \(String(cString: strerror(errno)))") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(options.port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 64) == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw StartError(description: "cannot listen on 127.0.0.1:\(options.port): \(reason)" + (options.port != 0 ? " (choose another --port, or 0 for any free one)" : ""))
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        let port = Int(UInt16(bigEndian: actual.sin_port))
        lock.withLock { listenFD = fd; boundPort = port; stopping = false }
        threads.enter()
        let thread = Thread { [self] in
            acceptLoop(fd)
            close(fd)
            threads.leave()
        }
        thread.name = "cluster-server-accept"
        thread.start()
        return port
    }

    /// Closes the listener and every connection, and waits for their threads to end.
    /// Not from a handler: it would wait for its own thread.
    public func stop() {
        // Connections are shut down under the lock that their threads also take to close
        // them, so a descriptor is never shut down after it was closed (and perhaps reused).
        let fd: Int32 = lock.withLock {
            stopping = true
            for c in connections.values { c.shutdown() }
            defer { listenFD = -1 }
            return listenFD
        }
        // Shut down only: the accept thread wakes and closes the listener itself, so it
        // never calls accept on a descriptor that was closed (and perhaps reused).
        if fd >= 0 {
            #if canImport(Glibc)
            _ = Glibc.shutdown(fd, Int32(SHUT_RDWR))
            #else
            _ = Darwin.shutdown(fd, SHUT_RDWR)
            #endif
        }
        threads.wait()
    }

    private var isStopping: Bool { lock.withLock { stopping } }

    private func acceptLoop(_ fd: Int32) {
        while !isStopping {
            let client = accept(fd, nil, nil)
            if client < 0 {
                if errno == EINTR || errno == ECONNABORTED { continue }
                if isStopping { return }
                if errno == EMFILE || errno == ENFILE { usleep(50_000); continue }
                return
            }
            let connection = HTTPConnection(fd: client)
            let id: Int? = lock.withLock {
                guard !stopping, connections.count < options.maxConnections else { return nil }
                nextConnectionID += 1
                connections[nextConnectionID] = connection
                return nextConnectionID
            }
            guard let id else {
                connection.send(APIStatus.failure(code: 503, reason: "ServiceUnavailable",
                                                  message: "too many connections (\(options.maxConnections)); try again").serialized(keepAlive: false))
                close(client)
                continue
            }
            threads.enter()
            let thread = Thread { [self] in
                serve(connection)
                lock.withLock {
                    _ = connections.removeValue(forKey: id)
                    close(client)
                }
                threads.leave()
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
    }

    private func serve(_ connection: HTTPConnection) {
        while !isStopping {
            let request: HTTPRequest
            do {
                request = try connection.readRequest(limits: options.limits, stopping: { isStopping })
            } catch HTTPConnection.ReadError.tooLarge(let status) {
                connection.send(APIStatus.failure(code: status, reason: "RequestEntityTooLarge",
                                                  message: "the request is larger than this server accepts").serialized(keepAlive: false))
                return
            } catch HTTPConnection.ReadError.malformed(let why) {
                connection.send(APIStatus.failure(code: 400, reason: "BadRequest", message: "malformed request: \(why)").serialized(keepAlive: false))
                return
            } catch HTTPConnection.ReadError.timeout {
                connection.send(APIStatus.failure(code: 408, reason: "Timeout", message: "the request did not arrive in time").serialized(keepAlive: false))
                return
            } catch {
                return
            }
            let extra = lock.withLock { handlers }
            var result: HandlerResult? = nil
            for handler in extra {
                if let r = handler.handle(request, connection: connection) { result = r; break }
            }
            switch result ?? .response(api.respond(to: request)) {
            case .upgraded: return
            case .response(var response):
                if request.method == "HEAD" { response = response.headOnly }
                let keepAlive = (request.header("connection") ?? "").lowercased() != "close"
                guard connection.send(response.serialized(keepAlive: keepAlive)), keepAlive else { return }
            }
        }
    }

    /// A kubeconfig whose cluster, user and context are all named after the cluster.
    public func writeKubeconfig(to path: String) throws {
        let name = cluster.manifest.name
        let text = """
        apiVersion: v1
        kind: Config
        clusters:
        - name: \(name)
          cluster:
            server: http://127.0.0.1:\(port)
        users:
        - name: \(name)
          user: {}
        contexts:
        - name: \(name)
          context:
            cluster: \(name)
            user: \(name)
        current-context: \(name)
        preferences: {}

        """
        do { try text.write(toFile: path, atomically: true, encoding: .utf8) } catch {
            throw StartError(description: "cannot write the kubeconfig \(path): \(error.localizedDescription)")
        }
    }
}
