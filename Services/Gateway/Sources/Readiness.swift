import Contracts
import Runtime
import Storage
import Wire

/// `GET /readyz`: ready when the database answers and every back service has an instance
/// answering `system.health`; `attention` lists the settings the deployment still lacks (no
/// admin, no mail server), which do not stop the desk from serving.
struct Readiness: Codable, Sendable {
    struct ServiceState: Codable, Sendable {
        var instances: [String]
        var healthy: Bool
        var error: String?
    }

    var ready: Bool
    var database: Bool
    var services: [String: ServiceState]
    var attention: [Attention]

    static func check(database: Database, backends: Backends, identity: IdentityStore, settings: GatewayConfiguration) async -> Readiness {
        async let admin = Gateway.adminAttention(identity, settings: settings)
        async let databaseUp = database.isReachable(timeout: .seconds(2))
        var attention: [Attention] = []
        let services = await withTaskGroup(of: (String, ServiceState, [Attention]).self) { group in
            for service in ServiceName.back {
                let client = backends[service]
                group.addTask {
                    do {
                        let health = try await client.call(SystemMethods.Health.self, Empty(), timeout: .seconds(2))
                        return (
                            service.rawValue, ServiceState(instances: client.connectedInstances, healthy: health.databaseReachable),
                            health.attention ?? []
                        )
                    } catch {
                        return (service.rawValue, ServiceState(instances: client.connectedInstances, healthy: false, error: "\(error)"), [])
                    }
                }
            }
            var states: [String: ServiceState] = [:]
            for await (name, state, notes) in group {
                states[name] = state
                attention += notes
            }
            return states
        }
        let databaseReachable = await databaseUp
        if let admin = await admin { attention.insert(admin, at: 0) }
        return Readiness(
            ready: databaseReachable && services.values.allSatisfy(\.healthy),
            database: databaseReachable,
            services: services,
            attention: Array(Set(attention)).sorted { ($0.code.rawValue, $0.message) < ($1.code.rawValue, $1.message) }
        )
    }
}
