import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// `switchboard-gateway health`, the container healthcheck: `GET /healthz` on this process's own
/// port, so the image needs no HTTP client of its own.
enum HealthProbe {
    /// 0 when the gateway listening on `host:port` answers `/healthz` with 200 within `seconds`.
    static func check(host: String, port: Int, seconds: Int = 3) -> Int32 {
        // A wildcard listener is reached on loopback.
        let target = ["", "0.0.0.0", "::", "[::]"].contains(host) ? "127.0.0.1" : host
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var found: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(target, String(port), &hints, &found) == 0, let address = found else {
            return fail("cannot resolve \(target)")
        }
        defer { freeaddrinfo(found) }
        let fd = socket(address.pointee.ai_family, address.pointee.ai_socktype, 0)
        guard fd >= 0 else { return fail("socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var limit = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        guard connect(fd, address.pointee.ai_addr, address.pointee.ai_addrlen) == 0 else {
            return fail("connect to \(target):\(port): \(String(cString: strerror(errno)))")
        }
        let request = Array("GET /healthz HTTP/1.1\r\nHost: \(target)\r\nConnection: close\r\n\r\n".utf8)
        guard send(fd, request, request.count, Int32(MSG_NOSIGNAL)) == request.count else {
            return fail("send: \(String(cString: strerror(errno)))")
        }
        // The status line is all that is read: "HTTP/1.1 200 ...".
        var buffer = [UInt8](repeating: 0, count: 64)
        var count = 0
        while count < 12 {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress! + count, $0.count - count, 0) }
            if n <= 0 { break }
            count += n
        }
        let status = String(decoding: buffer[..<count], as: UTF8.self)
        guard status.hasPrefix("HTTP/1.1 200") || status.hasPrefix("HTTP/1.0 200") else {
            return fail("/healthz answered \(status.split(separator: "\r").first.map(String.init) ?? "nothing")")
        }
        return 0
    }

    private static func fail(_ message: String) -> Int32 {
        FileHandle.standardError.write(Data("switchboard-gateway health: \(message)\n".utf8))
        return 1
    }
}
