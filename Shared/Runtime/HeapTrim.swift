import CLinux
import Logging
import ServiceLifecycle

/// Gives memory the process freed back to the system.
///
/// glibc keeps freed heap for the process's next allocations, in an arena per thread that
/// allocated, and returns little of it on its own: a gateway whose 10,000 WebSockets closed would
/// go on holding their half a gigabyte. Every `interval` this looks at how much the heap holds
/// free and, past `threshold`, trims it (`malloc_trim`, which releases the free pages of every
/// arena). A process that keeps what it uses pays one look every `interval`.
public struct HeapTrim: Service {
    let interval: Duration
    let threshold: Int
    let logger: Logger

    public init(interval: Duration = .seconds(10), threshold: Int = 32 << 20, logger: Logger) {
        self.interval = interval
        self.threshold = threshold
        self.logger = logger
    }

    public func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try await Task.sleep(for: interval)
                let free = switchboard_heap_free_bytes()
                guard free > threshold else { continue }
                malloc_trim(0)
                logger.debug(
                    "heap trimmed",
                    metadata: ["heap.free_before_bytes": "\(free)", "heap.free_after_bytes": "\(switchboard_heap_free_bytes())"])
            }
        }
    }
}
