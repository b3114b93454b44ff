import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Loopback sockets for tests that start real servers (mallvip serve, an SMTP sink).
enum TestNet {
    /// A TCP port that was free a moment ago (bound to port 0, then released).
    static func freePort() -> Int? {
        guard let (fd, port) = bound(listen: false) else { return nil }
        close(fd)
        return port
    }

    /// A socket that listens but never accepts: the kernel completes the TCP handshake, then nothing is ever
    /// said. Close the returned descriptor when done.
    static func silentListener() -> (fd: Int32, port: Int)? {
        bound(listen: true)
    }

    /// True when something accepts TCP connections on 127.0.0.1:`port`.
    static func isAccepting(port: Int) -> Bool {
        let fd = tcpSocket()
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var addr = loopback(port: port)
        return withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }

    private static func tcpSocket() -> Int32 {
        #if os(Linux)
        return socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        return socket(AF_INET, SOCK_STREAM, 0)
        #endif
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        return addr
    }

    private static func bound(listen shouldListen: Bool) -> (Int32, Int)? {
        let fd = tcpSocket()
        guard fd >= 0 else { return nil }
        var addr = loopback(port: 0)
        let ok = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        guard ok, withUnsafeMutablePointer(to: &addr, {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }) == 0, !shouldListen || listen(fd, 8) == 0 else {
            close(fd)
            return nil
        }
        return (fd, Int(UInt16(bigEndian: addr.sin_port)))
    }
}
