import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A small RFC 6455 client for tests: the handshake, masked text frames out, text and close
/// frames in, pings answered. Non-blocking and polled, like `HTTPClient`, so a test sees the
/// server's bytes exactly and never holds a cooperative thread.
public final class WebSocketClient: @unchecked Sendable {
    /// The server answered the upgrade with something other than 101.
    public struct Refused: Error, CustomStringConvertible {
        public var status: Int
        public var reply: String
        public var description: String { "upgrade refused: \(reply)" }
    }

    /// What came in.
    public enum Frame: Equatable, Sendable {
        case text(String)
        case close(code: Int)
    }

    private let fd: Int32
    private var pending: [UInt8] = []
    private var fragments: [UInt8] = []
    /// Frames `answerPings` read before anyone asked for them.
    private var queued: [Frame] = []
    public private(set) var isClosed = false

    private init(fd: Int32) { self.fd = fd }

    deinit { Glibc.close(fd) }

    /// Opens `path` on 127.0.0.1:`port` and upgrades; throws `Refused` for any other answer.
    public static func connect(port: Int, path: String, headers: [String: String] = [:]) async throws -> WebSocketClient {
        let fd = try Loopback.connect(port: port, nonBlocking: true)
        let client = WebSocketClient(fd: fd)
        let key = Data((0..<16).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
        var head =
            "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: \(key)\r\nSec-WebSocket-Version: 13\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        client.write(Array((head + "\r\n").utf8))

        let deadline = ContinuousClock.now + .seconds(10)
        let separator: [UInt8] = [13, 10, 13, 10]
        while true {
            if let end = client.pending.firstRange(of: separator) {
                let reply = String(decoding: client.pending[..<end.lowerBound], as: UTF8.self)
                let status = Int(reply.split(separator: " ").dropFirst().first ?? "") ?? 0
                client.pending.removeFirst(end.upperBound)
                guard status == 101 else { throw Refused(status: status, reply: reply) }
                return client
            }
            guard ContinuousClock.now < deadline else { throw HarnessError("no upgrade reply from \(path)") }
            // A server may answer and close at once: look at what came before giving up.
            if !client.fill(), client.pending.firstRange(of: separator) == nil {
                throw HarnessError("connection closed during the upgrade of \(path): \(String(decoding: client.pending, as: UTF8.self))")
            }
            try await Task.sleep(for: .milliseconds(1))
        }
    }

    /// Sends one text frame.
    public func send(_ text: String) { sendFrame(opcode: 0x1, payload: Array(text.utf8)) }

    /// Sends one text frame of any bytes (not UTF-8, say), masked or, breaking RFC 6455, not.
    public func sendText(bytes payload: [UInt8], masked: Bool = true) { sendFrame(opcode: 0x1, payload: payload, masked: masked) }

    /// Sends a close frame and closes the connection.
    public func close(code: UInt16 = 1000) {
        guard !isClosed else { return }
        sendFrame(opcode: 0x8, payload: [UInt8(code >> 8), UInt8(code & 0xFF)])
        cut()
    }

    /// Drops the connection with no close frame, as a network failure would.
    public func cut() {
        guard !isClosed else { return }
        isClosed = true
        shutdown(fd, Int32(SHUT_RDWR))
    }

    /// The next text or close frame; `nil` when the connection ended without one. Throws after `timeout`.
    public func next(timeout: Duration = .seconds(10)) async throws -> Frame? {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let frame = parse() { return frame }
            if isClosed { return nil }
            guard ContinuousClock.now < deadline else { throw HarnessError("no frame within \(timeout)") }
            if !fill() {
                isClosed = true
                return parse()
            }
            try await Task.sleep(for: .milliseconds(1))
        }
    }

    /// The next text or close frame, blocking the calling thread up to `milliseconds` while none
    /// has come: for a reader on a thread of its own, which must see a frame the moment it lands
    /// (a benchmark). `nil` when nothing came in time or the connection ended.
    public func nextBlocking(milliseconds: Int32) -> Frame? {
        if let frame = parse() { return frame }
        guard !isClosed else { return nil }
        var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&descriptor, 1, milliseconds) > 0 else { return nil }
        if !fill() { isClosed = true }
        return parse()
    }

    /// The next text frame as a JSON object; `nil` once the server closed.
    public func nextJSON(timeout: Duration = .seconds(10)) async throws -> [String: Any]? {
        while let frame = try await next(timeout: timeout) {
            switch frame {
            case .text(let text):
                return try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
            case .close:
                return nil
            }
        }
        return nil
    }

    /// Reads whatever is available; `false` at end of stream.
    private func fill() -> Bool {
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = read(fd, &buffer, buffer.count)
            if count > 0 {
                pending += buffer[..<count]
                continue
            }
            if count == 0 { return false }
            return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR
        }
    }

    /// Reads what has come and answers its pings now, keeping its frames for `next`: for a test
    /// busy elsewhere while the server waits for pongs (a browser answers at once, whatever its
    /// page is doing).
    public func answerPings() {
        guard !isClosed else { return }
        if !fill() { isClosed = true }
        while let frame = parseOne() { queued.append(frame) }
    }

    /// The next frame kept by `answerPings`, or else one whole frame from `pending`.
    private func parse() -> Frame? {
        queued.isEmpty ? parseOne() : queued.removeFirst()
    }

    /// One whole frame from `pending`, answering pings on the way.
    private func parseOne() -> Frame? {
        while pending.count >= 2 {
            let fin = pending[0] & 0x80 != 0
            let opcode = pending[0] & 0x0F
            var length = Int(pending[1] & 0x7F)
            var offset = 2
            if length == 126 {
                guard pending.count >= 4 else { return nil }
                length = Int(pending[2]) << 8 | Int(pending[3])
                offset = 4
            } else if length == 127 {
                guard pending.count >= 10 else { return nil }
                length = (2..<10).reduce(0) { $0 << 8 | Int(pending[$1]) }
                offset = 10
            }
            guard pending.count >= offset + length else { return nil }
            let payload = Array(pending[offset..<offset + length])
            pending.removeFirst(offset + length)
            switch opcode {
            case 0x9:
                sendFrame(opcode: 0xA, payload: payload)
            case 0x8:
                let code = payload.count >= 2 ? Int(payload[0]) << 8 | Int(payload[1]) : 1005
                return .close(code: code)
            case 0x1, 0x0:
                fragments += payload
                if fin {
                    defer { fragments = [] }
                    return .text(String(decoding: fragments, as: UTF8.self))
                }
            default:
                break
            }
        }
        return nil
    }

    private func sendFrame(opcode: UInt8, payload: [UInt8], masked: Bool = true) {
        guard !isClosed else { return }
        var frame: [UInt8] = [0x80 | opcode]
        let bit: UInt8 = masked ? 0x80 : 0
        if payload.count < 126 {
            frame.append(bit | UInt8(payload.count))
        } else if payload.count < 65536 {
            frame += [bit | 126, UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
        } else {
            frame.append(bit | 127)
            frame += (0..<8).reversed().map { UInt8((payload.count >> ($0 * 8)) & 0xFF) }
        }
        guard masked else {
            write(frame + payload)
            return
        }
        let mask = (0..<4).map { _ in UInt8.random(in: 0...255) }
        frame += mask
        frame += payload.enumerated().map { $0.element ^ mask[$0.offset % 4] }
        write(frame)
    }

    private func write(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if written > 0 {
                offset += written
            } else if errno == EAGAIN || errno == EWOULDBLOCK {
                usleep(100)
            } else {
                return
            }
        }
    }
}
