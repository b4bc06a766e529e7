import Foundation
// The node test bed's API server on 127.0.0.1: what the Kubernetes transport and kubectl use
// of the API (discovery, nodes, pods create/get/list/delete, exec over WebSocket), served
// from `TestBedPods`, with exec'd commands run where the test bed's nodes live.
//
// It reads requests itself rather than through ClusterServer's reader: exec names its command
// as a repeated query parameter (`command=sh&command=-c&command=…`), and needs every value
// in order.
//
// Thread contract: `start` and `stop` from any thread; one thread accepts, each connection
// gets its own thread (an exec session holds its connection until the command ends).

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

public final class TestBedServer: @unchecked Sendable {
    public let pods: TestBedPods
    private let lock = NSLock()
    private var listenFD: Int32 = -1
    private var boundPort = 0
    private var clients: Set<Int32> = []
    private var stopping = false
    private let threads = DispatchGroup()

    public init(nodes: [TestBedNode], policy: TestBedPolicy = TestBedPolicy()) {
        pods = TestBedPods(nodes: nodes, policy: policy)
    }

    public var port: Int { lock.lock(); defer { lock.unlock() }; return boundPort }

    /// Binds 127.0.0.1:`port` (0: any free port) and starts accepting; returns the port.
    @discardableResult
    public func start(port: Int = 0) throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestBedError("cannot create a socket: \(String(cString: strerror(errno)))") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(clamping: port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 128) == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw TestBedError("cannot listen on 127.0.0.1:\(port): \(reason) (choose another --port, or 0 for any free one)")
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        lock.lock()
        listenFD = fd
        boundPort = Int(UInt16(bigEndian: actual.sin_port))
        lock.unlock()
        threads.enter()
        Thread { [self] in acceptLoop(fd); threads.leave() }.start()
        return port == 0 ? self.port : port
    }

    /// Stops accepting, ends every connection (and so every exec'd command) and waits.
    public func stop() {
        lock.lock()
        stopping = true
        let fd = listenFD
        listenFD = -1
        let open = clients
        lock.unlock()
        if fd >= 0 { shutdown(fd, Int32(SHUT_RDWR)); close(fd) }
        for client in open { shutdown(client, Int32(SHUT_RDWR)) }
        threads.wait()
    }

    /// A kubeconfig for this server (no credentials: the test bed trusts 127.0.0.1).
    public func kubeconfig() -> String {
        """
        apiVersion: v1
        kind: Config
        clusters:
        - name: test-bed
          cluster:
            server: http://127.0.0.1:\(port)
        users:
        - name: test-bed
          user: {}
        contexts:
        - name: test-bed
          context:
            cluster: test-bed
            user: test-bed
        current-context: test-bed

        """
    }

    private func acceptLoop(_ fd: Int32) {
        while true {
            let client = accept(fd, nil, nil)
            if client < 0 {
                if errno == EINTR || errno == ECONNABORTED { continue }
                lock.lock(); let done = stopping; lock.unlock()
                if done { return }
                usleep(20_000)
                continue
            }
            lock.lock()
            if stopping { lock.unlock(); close(client); continue }
            clients.insert(client)
            lock.unlock()
            threads.enter()
            let thread = Thread { [self] in
                serve(client)
                lock.lock(); clients.remove(client); lock.unlock()
                close(client)
                threads.leave()
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
    }

    private func serve(_ fd: Int32) {
        var reader = TestBedRequestReader(fd: fd)
        while let request = reader.next() {
            if request.isWebSocketUpgrade, let exec = TestBedRoutes.execTarget(request) {
                TestBedRoutes.exec(request, target: exec, pods: pods, fd: fd, buffered: reader.takeBuffered())
                return
            }
            let answer = TestBedRoutes.answer(request, pods: pods)
            guard TestBedRequestReader.write(fd, answer.bytes) else { return }
        }
    }
}
