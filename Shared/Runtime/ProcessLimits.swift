import CLinux
import Foundation
import Logging

#if canImport(Glibc)
    import Glibc
#endif

/// What a process sets up about itself before it serves: as many file descriptors as the system
/// lets it have, and (when its starter asks) no life after its parent.
public enum ProcessLimits {
    /// Raises the soft limit on open files to the hard one and returns the limit now in force.
    /// (Shells often start at 1,024: about a thousand streams.)
    @discardableResult
    public static func raiseFileLimit() -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 1024 }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { limit = raised }
        }
        return Int(clamping: limit.rlim_cur)
    }

    /// With `SWITCHBOARD_EXIT_WITH_PARENT=1` (set by `make run`), the kernel sends this process
    /// SIGTERM when its parent dies, so a killed `make run` leaves no service behind. (Off by
    /// default: a supervisor's thread that started the process may end before the process should.)
    public static func followParent(environment: [String: String] = ProcessInfo.processInfo.environment, logger: Logger) {
        guard environment["SWITCHBOARD_EXIT_WITH_PARENT"] == "1" else { return }
        let parent = getppid()
        _ = switchboard_exit_with_parent(SIGTERM)
        // The parent may have died before the call: then nobody would send the signal.
        if getppid() != parent {
            logger.notice("the parent process is gone; stopping")
            kill(getpid(), SIGTERM)
        }
    }

    /// Connections a server may hold with `limit` descriptors: a fifth (and at least 64) is kept
    /// for the database, the internal sockets and files.
    public static func connectionBudget(fileLimit limit: Int) -> Int {
        max(16, limit - max(64, limit / 5))
    }
}
