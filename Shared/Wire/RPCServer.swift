import Contracts
import Logging
import NIOCore
import NIOExtras
import NIOPosix
import ServiceLifecycle

#if canImport(Glibc)
    import Glibc
#endif

/// One back-service instance's listener at `<runtime>/<service>/<instance>.sock`.
///
/// The socket is bound under a temporary name and renamed into place once it listens, so a
/// visible socket always accepts. `<instance>.lock` is held for the process's life, which is
/// how clients and later instances tell a live socket from one left by a crash.
///
/// On graceful shutdown it removes the socket (clients stop choosing it), waits a moment for
/// them to notice, stops accepting, lets every request in flight finish and closes.
public struct RPCServer: Service {
    public let directory: SocketDirectory
    public let instance: String
    public let router: RPCRouter
    public let logger: Logger
    let group: any EventLoopGroup
    /// How long clients get to notice the socket is gone before connections are closed.
    let discoveryGrace: Duration

    public init(
        directory: SocketDirectory,
        instance: String,
        router: RPCRouter,
        logger: Logger,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        discoveryGrace: Duration = .milliseconds(200)
    ) {
        self.directory = directory
        self.instance = instance
        self.router = router
        self.logger = logger
        self.group = group
        self.discoveryGrace = discoveryGrace
    }

    public func run() async throws {
        let socketPath = directory.socketPath(instance)
        let temporaryPath = "\(directory.path)/.\(instance).\(getpid()).tmp"
        guard temporaryPath.utf8.count <= 107 else { throw SocketError.pathTooLong(temporaryPath) }

        try directory.create()
        let lock = try InstanceLock(path: directory.lockPath(instance))
        // We hold the lock, so a socket of this name is a crashed predecessor's.
        unlink(socketPath)
        unlink(temporaryPath)
        directory.removeStale()

        let tracker = InFlightTracker()
        let quiesce = ServerQuiescingHelper(group: group)
        let router = router
        let logger = logger
        do {
            _ = try await ServerBootstrap(group: group)
                .serverChannelOption(.backlog, value: 256)
                .serverChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(quiesce.makeServerChannelHandler(channel: channel))
                    }
                }
                .childChannelOption(.allowRemoteHalfClosure, value: true)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandlers(
                            ByteToMessageHandler(JSONLineDecoder()),
                            RPCServerHandler(router: router, logger: logger, tracker: tracker)
                        )
                    }
                }
                .bind(unixDomainSocketPath: temporaryPath)
                .get()
            chmod(temporaryPath, 0o660)
            guard rename(temporaryPath, socketPath) == 0 else { throw SocketError.system("rename to \(socketPath)", errno) }
        } catch {
            unlink(temporaryPath)
            lock.release(removingFile: true)
            throw error
        }
        logger.info("listening", metadata: ["socket.path": "\(socketPath)", "rpc.methods": "\(router.methods.count)"])

        // Either a graceful shutdown or a cancellation ends the wait; both drain the same way.
        try? await gracefulShutdown()

        unlink(socketPath)
        logger.info("draining", metadata: ["rpc.in_flight": "\(tracker.count)"])
        try? await Task.sleep(for: discoveryGrace)
        let closed = group.next().makePromise(of: Void.self)
        quiesce.initiateShutdown(promise: closed)
        await tracker.waitForIdle()
        try? await closed.futureResult.get()
        lock.release(removingFile: true)
        logger.info("stopped")
    }
}
