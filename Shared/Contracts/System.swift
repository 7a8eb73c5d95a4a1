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
}
