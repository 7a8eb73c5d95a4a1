import Contracts
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `$SWITCHBOARD_RUNTIME_DIR/<service>/`: where each live instance of a service has
/// `<instance>.sock` (it accepts) and `<instance>.lock` (flocked while the process lives).
public struct SocketDirectory: Sendable {
    public let path: String

    public init(runtimeDirectory: String, service: ServiceName) {
        self.path = runtimeDirectory + "/" + service.rawValue
    }

    public init(path: String) {
        self.path = path
    }

    public func socketPath(_ instance: String) -> String { "\(path)/\(instance).sock" }
    public func lockPath(_ instance: String) -> String { "\(path)/\(instance).lock" }

    /// Creates the folder (and its parents) with mode 0770: the suite's user and group only.
    public func create() throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        chmod(path, 0o770)
    }

    /// Instances whose socket is there and whose lock is held: the ones worth connecting to.
    public func liveInstances() -> [String] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: path) else { return [] }
        return names.filter { $0.hasSuffix(".sock") && !$0.hasPrefix(".") }
            .map { String($0.dropLast(5)) }
            .filter { isLive($0) }
            .sorted()
    }

    /// True while some process holds `<instance>.lock`. A crashed process's lock is free.
    public func isLive(_ instance: String) -> Bool {
        let fd = open(lockPath(instance), O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        if flock(fd, LOCK_SH | LOCK_NB) == 0 {
            flock(fd, LOCK_UN)
            return false
        }
        return errno == EWOULDBLOCK
    }

    /// Removes sockets left by crashed instances (lock free or missing). A live one is never touched.
    public func removeStale() {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: path) else { return }
        for name in names where name.hasSuffix(".sock") && !name.hasPrefix(".") {
            let instance = String(name.dropLast(5))
            guard let lock = try? InstanceLock(path: lockPath(instance)) else { continue }
            unlink(socketPath(instance))
            lock.release(removingFile: true)
        }
    }
}

/// An exclusive `flock` on `<instance>.lock`, held for the life of the process.
public final class InstanceLock: Sendable {
    public let path: String
    private let fd: Int32

    /// Fails with `alreadyHeld` when a live process holds it.
    public init(path: String) throws {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o660)
        guard fd >= 0 else { throw SocketError.system("open \(path)", errno) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let code = errno
            close(fd)
            throw code == EWOULDBLOCK ? SocketError.alreadyHeld(path) : SocketError.system("flock \(path)", code)
        }
        self.path = path
        self.fd = fd
    }

    /// Lets go of the lock; removing the file first so no one sees a free lock beside a live socket.
    public func release(removingFile: Bool) {
        if removingFile { unlink(path) }
        close(fd)
    }
}

/// Why a socket could not be set up.
public enum SocketError: Error, CustomStringConvertible {
    case alreadyHeld(String)
    case pathTooLong(String)
    case system(String, Int32)

    public var description: String {
        switch self {
        case .alreadyHeld(let path): "another live process holds \(path): choose another SWITCHBOARD_INSTANCE"
        case .pathTooLong(let path): "socket path longer than 107 bytes: \(path); use a shorter SWITCHBOARD_RUNTIME_DIR"
        case .system(let what, let code): "\(what): \(String(cString: strerror(code)))"
        }
    }
}
