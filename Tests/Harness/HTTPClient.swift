import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A plain HTTP/1.1 client for tests: one request per connection (`Connection: close`), the
/// whole reply read to the end. No client library between the test and the bytes, so a refusal
/// like 413 is seen exactly as the server sent it.
enum HTTPClient {
    /// `chunked`: the body goes in chunks of 64 KiB without a `Content-Length`, so the server
    /// learns its size only by reading it.
    static func send(
        method: String, host: String = "127.0.0.1", port: Int, path: String, headers: [String: String], body: Data?, chunked: Bool = false
    ) async throws -> HTTPReply {
        let fd = try Loopback.connect(port: port, nonBlocking: true)
        defer { close(fd) }

        var head = "\(method) \(path) HTTP/1.1\r\nHost: \(host):\(port)\r\nConnection: close\r\n"
        head += chunked ? "Transfer-Encoding: chunked\r\n" : "Content-Length: \(body?.count ?? 0)\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        head += "\r\n"
        var payload = Array(body ?? Data())
        if chunked {
            var framed: [UInt8] = []
            var start = 0
            while start < payload.count {
                let end = min(start + 65_536, payload.count)
                framed += Array("\(String(end - start, radix: 16))\r\n".utf8) + payload[start..<end] + [13, 10]
                start = end
            }
            payload = framed + Array("0\r\n\r\n".utf8)
        }
        let outgoing = Array(head.utf8) + payload
        var sent = 0
        var received = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 65536)
        // Generous: a debug build serving a 2 MiB mail at the start of the full suite, with
        // dozens of processes starting on two cores, was seen to need more than 60 s. No test
        // measures time with it.
        let deadline = ContinuousClock.now + .seconds(180)
        // Send and read at once: a server may answer (413) before it has read everything.
        while true {
            guard ContinuousClock.now < deadline else { throw HarnessError("no complete reply from \(method) \(path)") }
            var progressed = false
            if sent < outgoing.count {
                let written = outgoing[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                if written > 0 {
                    sent += written
                    progressed = true
                } else if written < 0, errno != EAGAIN, errno != EWOULDBLOCK {
                    sent = outgoing.count  // the server stopped reading; its reply is what matters
                }
            }
            let count = read(fd, &buffer, buffer.count)
            if count > 0 {
                received += buffer[..<count]
                progressed = true
            } else if count == 0 {
                break
            } else if errno != EAGAIN, errno != EWOULDBLOCK {
                if received.isEmpty { throw HarnessError("\(method) \(path): connection failed, errno \(errno)") }
                break
            }
            if !progressed { try await Task.sleep(for: .milliseconds(1)) }
        }
        return try parse(received)
    }

    static func parse(_ bytes: [UInt8]) throws -> HTTPReply {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard let end = (0..<max(0, bytes.count - 3)).first(where: { Array(bytes[$0..<$0 + 4]) == separator }) else {
            throw HarnessError("no HTTP header in the reply")
        }
        let lines = String(decoding: bytes[..<end], as: UTF8.self).components(separatedBy: "\r\n")
        let statusParts = lines[0].split(separator: " ")
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else { throw HarnessError("bad status line \(lines[0])") }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        var body = Array(bytes[(end + 4)...])
        if headers["transfer-encoding"]?.lowercased() == "chunked" { body = dechunk(body) }
        return HTTPReply(status: status, body: Data(body), headers: headers)
    }

    static func dechunk(_ bytes: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        var index = 0
        while index < bytes.count {
            guard let lineEnd = (index..<bytes.count - 1).first(where: { bytes[$0] == 13 && bytes[$0 + 1] == 10 }) else { break }
            let sizeText = String(decoding: bytes[index..<lineEnd], as: UTF8.self).split(separator: ";").first ?? ""
            guard let size = Int(sizeText, radix: 16), size > 0 else { break }
            let start = lineEnd + 2
            output += bytes[start..<min(start + size, bytes.count)]
            index = start + size + 2
        }
        return output
    }
}
