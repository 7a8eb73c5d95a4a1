import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Runtime
import ServiceLifecycle
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// An IPv4 or IPv6 address as its bytes (IPv4-mapped IPv6 addresses count as IPv4).
struct IPAddress: Hashable, Sendable, CustomStringConvertible {
    let bytes: [UInt8]

    // The addresses are plain byte arrays for inet_pton/inet_ntop: the C structs' initializers
    // belong to whichever module first included their header, which differs from build to build.
    init?(_ text: some StringProtocol) {
        let text = String(text)
        var v4 = [UInt8](repeating: 0, count: 4)
        var v6 = [UInt8](repeating: 0, count: 16)
        if inet_pton(AF_INET, text, &v4) == 1 {
            bytes = v4
        } else if inet_pton(AF_INET6, text, &v6) == 1 {
            bytes = v6[0..<12] == [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff] ? Array(v6[12...]) : v6
        } else {
            return nil
        }
    }

    var description: String {
        if bytes.count == 4 { return bytes.map(String.init).joined(separator: ".") }
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        inet_ntop(AF_INET6, bytes, &text, socklen_t(text.count))
        return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// A network in CIDR notation (`198.51.100.0/24`, `2001:db8::/32`; a bare address is one host).
struct IPNetwork: Hashable, Sendable {
    let address: IPAddress
    let prefix: Int

    init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = IPAddress(parts[0]) else { return nil }
        let width = address.bytes.count * 8
        // A mapped IPv6 prefix (::ffff:0:0/96 and longer) is the IPv4 prefix it covers.
        let mapped = parts[0].contains(":") && width == 32
        guard let prefix = parts.count == 2 ? Int(parts[1]) : (mapped ? 128 : width) else { return nil }
        let ipv4Prefix = mapped ? prefix - 96 : prefix
        guard (0...width).contains(ipv4Prefix) else { return nil }
        self.address = address
        self.prefix = ipv4Prefix
    }

    init(host: IPAddress) {
        address = host
        prefix = host.bytes.count * 8
    }

    func contains(_ other: IPAddress) -> Bool {
        guard other.bytes.count == address.bytes.count else { return false }
        var remaining = prefix
        for (mine, theirs) in zip(address.bytes, other.bytes) where remaining > 0 {
            let mask: UInt8 = remaining >= 8 ? 0xff : ~(0xff >> UInt8(remaining))
            if mine & mask != theirs & mask { return false }
            remaining -= 8
        }
        return true
    }
}

/// `SWITCHBOARD_TRUSTED_PROXIES`: the peers allowed to name the client with `X-Forwarded-For`.
/// Entries are networks (CIDR) or host names (a compose service such as `proxy`), the names
/// looked up again every few seconds since a container's address changes when it is recreated.
struct TrustedProxies: Sendable {
    let networks: [IPNetwork]
    let names: [String]

    /// At most this many `X-Forwarded-For` hops are read, from the right.
    static let maximumHops = 16

    init(_ entries: [String]) throws {
        var networks: [IPNetwork] = []
        var names: [String] = []
        for entry in entries {
            if let network = IPNetwork(entry) {
                networks.append(network)
            } else if entry.first?.isNumber == false, Self.isHostName(entry) {
                names.append(entry.lowercased())
            } else {
                throw Configuration.Invalid(
                    variable: "SWITCHBOARD_TRUSTED_PROXIES",
                    reason: "expected CIDRs (203.0.113.0/24, 2001:db8::/32) or host names, got \(entry)")
            }
        }
        self.networks = networks
        self.names = names
    }

    static func isHostName(_ text: String) -> Bool {
        (1...253).contains(text.utf8.count)
            && text.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
                (1...63).contains(label.utf8.count) && label.first != "-" && label.last != "-"
                    && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
            }
    }

    /// The client behind `peer`: the right-most `X-Forwarded-For` address that is not a trusted
    /// proxy, read only when the peer itself is one; `trusted` says which addresses are proxies.
    static func client(peer: String, forwardedFor headers: [String], trusted: (IPAddress) -> Bool) -> String {
        guard let peerAddress = IPAddress(peer), trusted(peerAddress) else { return peer }
        let hops = headers.flatMap { $0.split(separator: ",") }.suffix(maximumHops)
        var client = peerAddress
        for hop in hops.reversed() {
            // Garbage where an address belongs: the last trusted hop is all we know.
            guard let address = IPAddress(hop.trimmingCharacters(in: .whitespaces)) else { break }
            client = address
            if !trusted(address) { break }
        }
        return client.description
    }

    func trusts(_ address: IPAddress, resolved: Set<IPAddress>) -> Bool {
        resolved.contains(address) || networks.contains { $0.contains(address) }
    }
}

/// The client's address, from `X-Forwarded-For` when a trusted proxy sent the request.
struct ClientAddressMiddleware: RouterMiddleware {
    typealias Context = GatewayContext
    static let forwardedFor = HTTPField.Name("X-Forwarded-For")!

    let proxies: TrustedProxies
    let names: ProxyNames

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let peer = context.remoteAddress?.ipAddress, !proxies.networks.isEmpty || !proxies.names.isEmpty else {
            return try await next(request, context)
        }
        let resolved = names.current
        var context = context
        context.clientAddress = TrustedProxies.client(peer: peer, forwardedFor: request.headers[values: Self.forwardedFor]) {
            proxies.trusts($0, resolved: resolved)
        }
        return try await next(request, context)
    }
}

/// The current addresses of the trusted proxies named by host name, looked up every 5 s, every
/// second while none resolves (off the event loops: the look-up blocks). A name that does not
/// resolve (the proxy profile is off) trusts nothing.
final class ProxyNames: Service, Sendable {
    let names: [String]
    let logger: Logger
    private let addresses = Mutex<Set<IPAddress>>([])

    init(_ names: [String], logger: Logger) {
        self.names = names
        self.logger = logger
    }

    var current: Set<IPAddress> { addresses.withLock { $0 } }

    func run() async throws {
        guard !names.isEmpty else {
            // A service that returns early ends the process: wait for the shutdown instead.
            try? await gracefulShutdown()
            return
        }
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            var found: Set<IPAddress> = []
            for name in names { found.formUnion(await Self.lookUp(name)) }
            let changed = addresses.withLock { known in
                defer { known = found }
                return known != found
            }
            if changed {
                logger.info(
                    "trusted proxies resolved",
                    metadata: ["proxy.names": "\(names.joined(separator: ","))", "proxy.addresses": "\(found.map(\.description).sorted())"])
            }
            // A name that found nothing is usually a proxy still starting: look again sooner.
            let pause: Duration = found.isEmpty ? .seconds(1) : .seconds(5)
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: pause) }
        }
    }

    static func lookUp(_ name: String) async -> Set<IPAddress> {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                var hints = addrinfo()
                hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
                var list: UnsafeMutablePointer<addrinfo>?
                guard getaddrinfo(name, nil, &hints, &list) == 0 else { return continuation.resume(returning: []) }
                defer { freeaddrinfo(list) }
                var found: Set<IPAddress> = []
                var entry = list
                while let info = entry?.pointee {
                    var text = [CChar](repeating: 0, count: Int(NI_MAXHOST))
                    if getnameinfo(info.ai_addr, info.ai_addrlen, &text, socklen_t(text.count), nil, 0, NI_NUMERICHOST) == 0,
                        let address = IPAddress(String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
                    {
                        found.insert(address)
                    }
                    entry = info.ai_next
                }
                continuation.resume(returning: found)
            }
        }
    }
}
