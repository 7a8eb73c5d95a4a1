import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A plain blocking Unix-socket connection, for tests that must control the bytes exactly.
public final class RawSocket {
    public let fd: Int32
    private var pending = [UInt8]()

    public init(path: String) throws {
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in path.utf8.enumerated() { raw[index] = byte }
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard result == 0 else {
            close(fd)
            throw HarnessError("connect \(path): errno \(errno)")
        }
    }

    deinit { close(fd) }

    public func send(_ text: String) { send(Array(text.utf8)) }

    public func send(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            // MSG_NOSIGNAL: a peer that closed on us is an error to see, not a SIGPIPE that kills the tests.
            let written = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if written <= 0 { return }
            offset += written
        }
    }

    /// Half-closes: we send nothing more, but still read.
    public func finishWriting() { shutdown(fd, Int32(SHUT_WR)) }

    /// The next line, or `nil` at end of stream. Throws after `timeout` with nothing.
    /// Polls without blocking, so it never holds one of the few cooperative threads.
    public func readLine(timeout: Duration = .seconds(10)) async throws -> String? {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let newline = pending.firstIndex(of: 0x0A) {
                let line = String(decoding: pending[..<newline], as: UTF8.self)
                pending.removeFirst(newline + 1)
                return line
            }
            let remaining = deadline - .now
            guard remaining > .zero else { throw HarnessError("no line within \(timeout)") }
            var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&descriptor, 1, 0) > 0 else {
                try await Task.sleep(for: .milliseconds(2))
                continue
            }
            var buffer = [UInt8](repeating: 0, count: 65536)
            let count = read(fd, &buffer, buffer.count)
            if count == 0 {
                return pending.isEmpty
                    ? nil
                    : {
                        defer { pending = [] }; return String(decoding: pending, as: UTF8.self)
                    }()
            }
            if count > 0 { pending += buffer[..<count] }
            if count < 0, errno != EAGAIN, errno != EINTR { return nil }
        }
    }

    public func readJSON(timeout: Duration = .seconds(10)) async throws -> [String: Any]? {
        guard let line = try await readLine(timeout: timeout) else { return nil }
        return try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
    }
}
