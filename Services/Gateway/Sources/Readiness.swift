import Contracts
import Storage
import Wire

/// `GET /readyz`: ready when the database answers and every back service has an instance
/// answering `system.health`.
struct Readiness: Codable, Sendable {
    struct ServiceState: Codable, Sendable {
        var instances: [String]
        var healthy: Bool
        var error: String?
    }

    var ready: Bool
    var database: Bool
    var services: [String: ServiceState]

    static func check(database: Database, backends: Backends) async -> Readiness {
        async let databaseUp = database.isReachable(timeout: .seconds(2))
        let services = await withTaskGroup(of: (String, ServiceState).self) { group in
            for service in ServiceName.back {
                let client = backends[service]
                group.addTask {
                    do {
                        let health = try await client.call(System.Health.self, Empty(), timeout: .seconds(2))
                        return (service.rawValue, ServiceState(instances: client.connectedInstances, healthy: health.databaseReachable))
                    } catch {
                        return (service.rawValue, ServiceState(instances: client.connectedInstances, healthy: false, error: "\(error)"))
                    }
                }
            }
            var states: [String: ServiceState] = [:]
            for await (name, state) in group { states[name] = state }
            return states
        }
        let databaseReachable = await databaseUp
        return Readiness(
            ready: databaseReachable && services.values.allSatisfy(\.healthy),
            database: databaseReachable,
            services: services
        )
    }
}
