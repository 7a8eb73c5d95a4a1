import Blocking
import CLibPQ
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// LISTEN on a dedicated connection and its own thread, delivering notifications to any number
/// of subscribers. After the connection is lost and made again, subscribers get `.reconnected`:
/// notifications may have been missed, so they should look again.
public final class Listener: Service, Sendable {
    public enum Event: Sendable, Equatable {
        case notification(channel: String, payload: String)
        case reconnected
    }

    public let url: String
    public let channels: [String]
    let logger: Logger
    private let subscribers = Mutex<[UInt64: AsyncStream<Event>.Continuation]>([:])
    private let nextSubscriber = Atomic<UInt64>(0)
    private let wake: (read: Int32, write: Int32)
    private let stopped = Atomic<Bool>(false)
    private let thread: BlockingExecutor<Void>

    /// A listener on `channels`; it connects, on a thread of its own, once `run()` starts.
    public init(url: String, channels: [String], logger: Logger) {
        self.url = url
        self.channels = channels
        self.logger = logger
        var fds: [Int32] = [0, 0]
        pipe(&fds)
        wake = (fds[0], fds[1])
        // One thread that never takes a second job: the executor gives it the lifecycle every
        // blocking thread of ours has (started in `run()`, ended before `run()` returns).
        thread = BlockingExecutor(label: "postgres-listen", threads: 1, queueLimit: 1, makeState: {})
    }

    deinit {
        close(wake.read)
        close(wake.write)
    }

    /// A stream of events from now on; ends when the listener stops or the consumer is cancelled.
    public func subscribe() -> AsyncStream<Event> {
        let (stream, continuation) = AsyncStream.makeStream(of: Event.self, bufferingPolicy: .bufferingNewest(64))
        let id = nextSubscriber.add(1, ordering: .relaxed).newValue
        subscribers.withLock { $0[id] = continuation }
        continuation.onTermination = { [weak self] _ in
            _ = self?.subscribers.withLock { $0.removeValue(forKey: id) }
        }
        if stopped.load(ordering: .relaxed) { continuation.finish() }
        return stream
    }

    /// Listens until graceful shutdown, cancellation or `stop()`; returns once the connection
    /// is closed and every subscriber's stream has ended.
    public func run() async throws {
        if !stopped.load(ordering: .relaxed) { _ = try? thread.submit { [self] _ in loop() } }
        thread.close()
        try await withTaskCancellationOrGracefulShutdownHandler {
            try await thread.run()
        } onCancelOrGracefulShutdown: { [self] in
            stop()
        }
        finishSubscribers()
    }

    /// Stops listening: the thread leaves its wait at once, and every subscriber's stream ends.
    public func stop() {
        guard !stopped.exchange(true, ordering: .relaxed) else { return }
        var byte: UInt8 = 1
        _ = write(wake.write, &byte, 1)
        finishSubscribers()
    }

    private func finishSubscribers() {
        for continuation in subscribers.withLock({ Array($0.values) }) {
            continuation.finish()
        }
    }

    private func broadcast(_ event: Event) {
        for continuation in subscribers.withLock({ Array($0.values) }) {
            continuation.yield(event)
        }
    }

    private func loop() {
        var connection: PGConnection?
        var backoffMS: Int32 = 50
        var everConnected = false
        while !stopped.load(ordering: .relaxed) {
            if connection == nil {
                do {
                    let fresh = try PGConnection(conninfo: url)
                    for channel in channels {
                        try fresh.execute("LISTEN \"\(channel.replacingOccurrences(of: "\"", with: "\"\""))\"")
                    }
                    connection = fresh
                    backoffMS = 50
                    if everConnected {
                        logger.info("listener reconnected")
                        broadcast(.reconnected)
                    }
                    everConnected = true
                } catch {
                    logger.debug("listener cannot connect", metadata: ["error": "\(error)"])
                    waitForWake(timeoutMS: backoffMS, socket: -1)
                    backoffMS = min(backoffMS * 2, 2000)
                    continue
                }
            }
            guard let current = connection else { continue }
            waitForWake(timeoutMS: 1000, socket: current.socket)
            guard PQconsumeInput(current.handle) == 1, PQstatus(current.handle) == CONNECTION_OK else {
                logger.warning("listener connection lost")
                connection = nil
                continue
            }
            while let notice = PQnotifies(current.handle) {
                let channel = String(cString: notice.pointee.relname)
                let payload = String(cString: notice.pointee.extra)
                PQfreemem(notice)
                broadcast(.notification(channel: channel, payload: payload))
            }
        }
    }

    /// Sleeps until the socket has data, `stop()` is called, or the timeout passes.
    private func waitForWake(timeoutMS: Int32, socket: Int32) {
        var fds = [pollfd(fd: wake.read, events: Int16(POLLIN), revents: 0)]
        if socket >= 0 { fds.append(pollfd(fd: socket, events: Int16(POLLIN), revents: 0)) }
        _ = poll(&fds, nfds_t(fds.count), timeoutMS)
    }
}
