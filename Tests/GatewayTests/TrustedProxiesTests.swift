import Runtime
import Testing

@testable import GatewayService

@Suite("Trusted proxies and X-Forwarded-For")
struct TrustedProxiesTests {
    static let proxies = try! TrustedProxies(["198.51.100.0/24", "2001:db8::/32", "proxy"])
    static let resolvedProxy: Set<IPAddress> = [IPAddress("203.0.113.9")!]

    @Test(
        "the client is the right-most address that is not a trusted proxy, read only from a trusted peer",
        arguments: [
            // peer, X-Forwarded-For headers, client
            ("192.0.2.7", ["203.0.113.50"], "192.0.2.7"),  // an untrusted peer names nobody
            ("198.51.100.4", [], "198.51.100.4"),  // a proxy with no header is the client itself
            ("198.51.100.4", ["192.0.2.1"], "192.0.2.1"),
            ("198.51.100.4", ["6.6.6.6, 192.0.2.1"], "192.0.2.1"),  // a forged left part is skipped
            ("198.51.100.4", ["6.6.6.6", "192.0.2.1, 198.51.100.8"], "192.0.2.1"),  // two proxies, two headers
            ("203.0.113.9", ["192.0.2.1"], "192.0.2.1"),  // trusted by name
            ("198.51.100.4", ["garbage, 192.0.2.1"], "192.0.2.1"),
            ("198.51.100.4", ["192.0.2.1, garbage"], "198.51.100.4"),  // garbage from our own proxy: stop there
            ("198.51.100.4", ["198.51.100.5"], "198.51.100.5"),  // only proxies: the left-most one
            ("::ffff:198.51.100.4", ["2001:db8::1, ::ffff:192.0.2.1"], "192.0.2.1"),  // mapped IPv4 is IPv4
            ("2001:db8::5", ["2001:db9::1"], "2001:db9::1"),
        ])
    func client(peer: String, headers: [String], client: String) {
        let found = TrustedProxies.client(peer: peer, forwardedFor: headers) {
            Self.proxies.trusts($0, resolved: Self.resolvedProxy)
        }
        #expect(found == client)
    }

    @Test("only the last 16 hops are read, so a huge header costs nothing")
    func boundedHops() {
        let hops = (0..<1000).map { "198.51.100.\($0 % 200)" }.joined(separator: ",")
        let found = TrustedProxies.client(peer: "198.51.100.1", forwardedFor: ["192.0.2.1, " + hops]) {
            Self.proxies.trusts($0, resolved: [])
        }
        #expect(found.hasPrefix("198.51.100."))
    }

    @Test(
        "networks match by prefix",
        arguments: [
            ("100.1.2.3", "100.0.0.0/8", true), ("101.1.2.3", "100.0.0.0/8", false), ("192.0.2.255", "192.0.2.128/25", true),
            ("192.0.2.127", "192.0.2.128/25", false), ("192.0.2.1", "0.0.0.0/0", true), ("2001:db8:1::1", "2001:db8::/32", true),
            ("2001:db9::1", "2001:db8::/32", false), ("192.0.2.1", "192.0.2.1", true), ("192.0.2.1", "::ffff:192.0.2.0/120", true),
        ])
    func networks(address: String, network: String, inside: Bool) throws {
        let cidr = try #require(IPNetwork(network))
        #expect(cidr.contains(try #require(IPAddress(address))) == inside)
    }

    @Test(
        "a malformed entry is a configuration error naming the variable",
        arguments: [
            "198.51.100.0/33", "2001:db8::/129", "1.2.3", "-proxy", "pro xy", "100.0.0.0/", "",
        ])
    func refused(entry: String) {
        #expect(throws: Configuration.Invalid.self) { try TrustedProxies([entry]) }
    }

    @Test("SWITCHBOARD_TRUSTED_PROXIES is a comma-separated list")
    func configuration() throws {
        let parsed = try GatewayConfiguration(environment: ["SWITCHBOARD_TRUSTED_PROXIES": " proxy, 198.51.100.0/24 ,"])
        #expect(parsed.trustedProxies == ["proxy", "198.51.100.0/24"])
    }
}
