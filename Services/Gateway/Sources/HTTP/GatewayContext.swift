import Hummingbird
import NIOCore

/// Each request's context: Hummingbird's, plus the peer's address for per-client rate limits.
struct GatewayContext: RequestContext, RemoteAddressRequestContext {
    var coreContext: CoreRequestContextStorage
    let remoteAddress: SocketAddress?

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
        clientAddress = remoteAddress?.ipAddress ?? "unknown"
    }

    /// The client's IP address, the key of its rate limits: the peer's, or the one a trusted
    /// proxy names (`ClientAddressMiddleware`).
    var clientAddress: String
}
