import Hummingbird
import NIOCore

/// Each request's context: Hummingbird's, plus the peer's address for per-client rate limits.
struct GatewayContext: RequestContext, RemoteAddressRequestContext {
    var coreContext: CoreRequestContextStorage
    let remoteAddress: SocketAddress?

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }

    /// The client's IP address, the key of its rate limits.
    var clientAddress: String { remoteAddress?.ipAddress ?? "unknown" }
}
