import NIOCore
import Synchronization

/// The HTTP server's accepted connections, so that a drain that runs out of time can close the
/// ones still open: Hummingbird waits for each connection to finish, and one that was accepted
/// but never sent a request (browsers pre-open them) has nothing to finish.
final class OpenConnections: Sendable {
    private let open = Mutex<[ObjectIdentifier: any Channel]>([:])

    /// Starts following `server`'s accepted connections (from `onServerRunning`).
    func follow(_ server: any Channel) async throws {
        try await server.eventLoop.submit {
            try server.pipeline.syncOperations.addHandler(Collector(connections: self), position: .first)
        }.get()
    }

    /// Closes every connection still open; returns how many there were.
    func closeAll() -> Int {
        let all = open.withLock { Array($0.values) }
        for channel in all { channel.close(promise: nil) }
        return all.count
    }

    private final class Collector: ChannelInboundHandler, Sendable {
        typealias InboundIn = any Channel
        let connections: OpenConnections

        init(connections: OpenConnections) { self.connections = connections }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let channel = unwrapInboundIn(data)
            let id = ObjectIdentifier(channel)
            connections.open.withLock { $0[id] = channel }
            channel.closeFuture.whenComplete { [connections] _ in connections.open.withLock { $0[id] = nil } }
            context.fireChannelRead(data)
        }
    }
}
