import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Wakes a reader whenever a folder may have changed: inotify where the folder exists, plus a
/// periodic tick, so a missed event (or a folder created later) is still noticed.
enum DirectoryWatcher {
    /// A stream of "look again" ticks for `path`. Ends when the consuming task is cancelled.
    static func changes(of path: String, rescanEvery interval: Duration = .seconds(1)) -> AsyncStream<Void> {
        let (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        let box = StopFlag()
        continuation.onTermination = { _ in box.stop() }
        let thread = Thread {
            watch(path: path, interval: interval, stop: box, continuation: continuation)
        }
        thread.name = "watch \(path)"
        thread.start()
        return stream
    }

    final class StopFlag: Sendable {
        private let flag = Atomic<Bool>(false)
        func stop() { flag.store(true, ordering: .relaxed) }
        var isStopped: Bool { flag.load(ordering: .relaxed) }
    }

    private static func watch(path: String, interval: Duration, stop: StopFlag, continuation: AsyncStream<Void>.Continuation) {
        #if canImport(Glibc)
            let fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
            defer { if fd >= 0 { close(fd) } }
            var watch: Int32 = -1
            let mask = UInt32(IN_CREATE | IN_DELETE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE_SELF | IN_ATTRIB)
            let tickMS = Int32(interval.components.seconds * 1000 + interval.components.attoseconds / 1_000_000_000_000_000)
            var buffer = [UInt8](repeating: 0, count: 4096)
            var lastTick = ContinuousClock.now
            continuation.yield()
            while !stop.isStopped {
                if watch < 0, fd >= 0 {
                    watch = inotify_add_watch(fd, path, mask)
                    if watch >= 0 { continuation.yield() }
                }
                var pollFD = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                // Until the folder exists, look often; afterwards inotify does the work and the tick is a backstop.
                let ready = poll(&pollFD, 1, watch < 0 ? min(100, tickMS) : min(250, tickMS))
                if ready > 0 {
                    let count = read(fd, &buffer, buffer.count)
                    if count > 0, sawSelfGone(buffer, count) { watch = -1 }
                    continuation.yield()
                } else if watch < 0 || shouldTick(&lastTick, every: interval) {
                    continuation.yield()
                }
            }
            continuation.finish()
        #endif
    }

    private static func shouldTick(_ last: inout ContinuousClock.Instant, every interval: Duration) -> Bool {
        let now = ContinuousClock.now
        guard now - last >= interval else { return false }
        last = now
        return true
    }

    #if canImport(Glibc)
        /// True when the events include the folder itself going away (its watch is then dropped).
        private static func sawSelfGone(_ buffer: [UInt8], _ count: Int) -> Bool {
            var offset = 0
            var gone = false
            buffer.withUnsafeBytes { raw in
                while offset + MemoryLayout<inotify_event>.size <= count {
                    let event = raw.loadUnaligned(fromByteOffset: offset, as: inotify_event.self)
                    if event.mask & UInt32(IN_DELETE_SELF | IN_IGNORED) != 0 { gone = true }
                    offset += MemoryLayout<inotify_event>.size + Int(event.len)
                }
            }
            return gone
        }
    #endif
}
