/// Methods every back service answers, whatever else it does.
public enum System {
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

            public init(service: String, instance: String, version: String, databaseReachable: Bool, uptimeSeconds: Double) {
                self.service = service
                self.instance = instance
                self.version = version
                self.databaseReachable = databaseReachable
                self.uptimeSeconds = uptimeSeconds
            }

            enum CodingKeys: String, CodingKey {
                case service, instance, version
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
