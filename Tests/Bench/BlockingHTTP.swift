import Foundation
import Harness

#if canImport(Glibc)
    import Glibc
#endif

/// A keep-alive HTTP/1.1 connection with blocking I/O, one per benchmark thread: the time
/// measured is the server's, not a poll interval's.
final class BlockingHTTP {
    private let fd: Int32
    private var pending: [UInt8] = []

    init(port: Int) throws {
        fd = try Loopback.connect(port: port, nonBlocking: false)
    }

    deinit { close(fd) }

    /// Sends one request and reads its whole reply.
    func send(
        _ method: String, _ path: String, token: String? = nil, json: String? = nil, forwardedFor: String? = nil
    ) throws -> (status: Int, body: [UInt8]) {
        let body = Array((json ?? "").utf8)
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: \(body.count)\r\n"
        if json != nil { head += "Content-Type: application/json\r\n" }
        if let token { head += "Authorization: Bearer \(token)\r\n" }
        if let forwardedFor { head += "X-Forwarded-For: \(forwardedFor)\r\n" }
        let outgoing = Array((head + "\r\n").utf8) + body
        var offset = 0
        while offset < outgoing.count {
            let written = outgoing[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard written > 0 else { throw BenchError("send: errno \(errno)") }
            offset += written
        }
        let separator: [UInt8] = [13, 10, 13, 10]
        var headEnd = pending.firstRange(of: separator)
        while headEnd == nil {
            try fill()
            headEnd = pending.firstRange(of: separator)
        }
        let replyHead = String(decoding: pending[..<headEnd!.lowerBound], as: UTF8.self)
        pending.removeFirst(headEnd!.upperBound)
        let lines = replyHead.split(separator: "\r\n")
        let status = Int(lines.first?.split(separator: " ").dropFirst().first ?? "") ?? 0
        let length =
            lines.dropFirst().first { $0.lowercased().hasPrefix("content-length:") }
            .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
        while pending.count < length { try fill() }
        let reply = Array(pending[..<length])
        pending.removeFirst(length)
        return (status, reply)
    }

    /// Sends a request whose reply is JSON and returns it parsed; throws for any status but `expect`.
    func json(_ method: String, _ path: String, token: String? = nil, body: String? = nil, expect: Int = 200) throws -> Any {
        let reply = try send(method, path, token: token, json: body)
        guard reply.status == expect else {
            throw BenchError("\(method) \(path): \(reply.status) \(String(decoding: reply.body, as: UTF8.self))")
        }
        return reply.body.isEmpty ? [:] : try JSONSerialization.jsonObject(with: Data(reply.body))
    }

    private func fill() throws {
        var buffer = [UInt8](repeating: 0, count: 65536)
        let count = read(fd, &buffer, buffer.count)
        guard count > 0 else { throw BenchError("the gateway closed the connection") }
        pending += buffer[..<count]
    }
}
