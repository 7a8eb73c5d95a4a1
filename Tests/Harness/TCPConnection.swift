import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// One raw TCP connection to a gateway, for tests of what the server does with slow, idle or
/// too many clients: bytes in exactly as written, whatever comes back, and whether it closed.
public final class TCPConnection: @unchecked Sendable {
    private let fd: Int32
    private var received: [UInt8] = []
    public private(set) var isClosedByPeer = false

    private var isOpen = true

    public init(port: Int) throws { fd = try Loopback.connect(port: port, nonBlocking: true) }

    deinit { close() }

    /// Closes our end (once: a descriptor closed twice may by then be another test's socket).
    public func close() {
        guard isOpen else { return }
        isOpen = false
        Glibc.close(fd)
    }

    /// Sends what the socket takes now (a test's few bytes always fit).
    public func send(_ text: String) {
        _ = Array(text.utf8).withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    /// Reads what has arrived, without waiting; notes an end of stream or a reset.
    public func poll() {
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while !isClosedByPeer {
            let count = recv(fd, &buffer, buffer.count, 0)
            if count > 0 {
                received += buffer[..<count]
            } else if count == 0 || (errno != EAGAIN && errno != EWOULDBLOCK) {
                isClosedByPeer = true
            } else {
                return
            }
        }
    }

    /// Everything received so far, as text.
    public var text: String {
        poll()
        return String(decoding: received, as: UTF8.self)
    }

    /// The status of the first response, once its status line arrived.
    public var status: Int? {
        let text = self.text
        guard text.hasPrefix("HTTP/1.1 "), text.count >= 12 else { return nil }
        return Int(text.dropFirst(9).prefix(3))
    }

    /// Forgets what was received (before the next request on a kept-alive connection).
    public func clear() { received.removeAll() }
}
