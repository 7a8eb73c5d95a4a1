import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The baseline for one RPC hop: a plain blocking Unix-socket line echo, one thread per
/// connection, no framing library, no JSON. What the wire would cost if it did nothing.
final class EchoServer: @unchecked Sendable {
    let path: String
    private let listener: Int32

    init(path: String) throws {
        self.path = path
        unlink(path)
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        listener = fd
        var address = sockaddr_un.make(path)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0, listen(fd, 64) == 0 else { throw BenchError("echo bind \(path): \(errno)") }
        Thread {
            while true {
                let connection = accept(fd, nil, nil)
                if connection < 0 { return }
                Thread { EchoServer.serve(connection) }.start()
            }
        }.start()
    }

    private static func serve(_ fd: Int32) {
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = read(fd, &buffer, buffer.count)
            if count <= 0 { break }
            var offset = 0
            while offset < count {
                let written = buffer[offset..<count].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
                if written <= 0 { break }
                offset += written
            }
        }
        close(fd)
    }
}

/// A blocking client connection that sends lines and reads lines back.
final class LineClient {
    let fd: Int32
    private var buffer = [UInt8](repeating: 0, count: 1 << 16)
    private var pending: [UInt8] = []

    init(path: String) throws {
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un.make(path)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else { throw BenchError("connect \(path): \(errno)") }
    }

    deinit { close(fd) }

    func send(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if written <= 0 { return }
            offset += written
        }
    }

    /// Reads until `lines` newlines have arrived.
    func receive(lines: Int) {
        var seen = 0
        while seen < lines {
            let count = read(fd, &buffer, buffer.count)
            if count <= 0 { return }
            for index in 0..<count where buffer[index] == 0x0A { seen += 1 }
        }
    }
}

extension sockaddr_un {
    static func make(_ path: String) -> sockaddr_un {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in path.utf8.enumerated() { raw[index] = byte }
        }
        return address
    }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
