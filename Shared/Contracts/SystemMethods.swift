/// Methods every back service answers, whatever else it does.
public enum SystemMethods {
    /// `system.health`: who answers, and whether it reaches the database.
    public enum Health: RPCMethod {
        public static let name = "system.health"
        public static let isIdempotent = true
        public typealias Params = Empty

        public struct Result: Codable, Sendable, Hashable {
            public var service: String
            public var instance: String
            public var version: String
            public var databaseReachable: Bool
            public var uptimeSeconds: Double
            /// What the deployment's operator must set right, though the service runs.
            public var attention: [Attention]?

            public init(
                service: String, instance: String, version: String, databaseReachable: Bool, uptimeSeconds: Double,
                attention: [Attention]? = nil
            ) {
                self.service = service
                self.instance = instance
                self.version = version
                self.databaseReachable = databaseReachable
                self.uptimeSeconds = uptimeSeconds
                self.attention = attention
            }

            enum CodingKeys: String, CodingKey {
                case service, instance, version, attention
                case databaseReachable = "database_reachable"
                case uptimeSeconds = "uptime_seconds"
            }
        }
    }

    /// `system.metrics`: the process's metrics in the Prometheus text format.
    public enum Metrics: RPCMethod {
        public static let name = "system.metrics"
        public static let isIdempotent = true
        public typealias Params = Empty

        public struct Result: Codable, Sendable, Hashable {
            public var text: String
            public init(text: String) { self.text = text }
        }
    }

    /// `system.ping`: answers its payload back without touching anything else: the cost of one
    /// hop on the wire, for latency checks and the benchmark.
    public enum Ping: RPCMethod {
        public static let name = "system.ping"
        public static let isIdempotent = true

        public struct Params: Codable, Sendable, Hashable {
            public var payload: String?
            public init(payload: String? = nil) { self.payload = payload }
        }

        public typealias Result = Params
    }
}

/// A setting the deployment lacks: the desk runs, but part of it cannot work until it is set.
/// `/readyz` lists them and the process logs each once at start.
public struct Attention: Codable, Sendable, Hashable {
    /// Which setting is missing.
    public enum Code: String, Codable, Sendable, Hashable {
        /// No `SWITCHBOARD_SMTP_URL`: mail is queued and none is sent.
        case mailNotConfigured = "mail_not_configured"
        /// No admin exists and `SWITCHBOARD_ADMIN_EMAIL` / `SWITCHBOARD_ADMIN_PASSWORD` do not make one: nobody can log in.
        case noAdmin = "no_admin"
    }

    public var code: Code
    /// What is wrong and how to set it right, for a person.
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }
}
