import Contracts
import Foundation
import Logging
import Wire

/// `switchboard-<service> health`: the container healthcheck.
enum Health {
    /// 0 when this host's instance answers `system.health` and reaches the database.
    static func check(service: ServiceName, configuration: Configuration, logger: Logger) async -> Int32 {
        let directory = SocketDirectory(runtimeDirectory: configuration.runtimeDirectory, service: service)
        let explicit = ProcessInfo.processInfo.environment["SWITCHBOARD_INSTANCE"]
        let host = (ProcessInfo.processInfo.hostName.split(separator: ".").first).map(String.init) ?? ""
        // Without an explicit name the instance is `<hostname>-<pid>`: find ours by the hostname.
        let live = directory.liveInstances()
        let mine = explicit.map { name in live.filter { $0 == name } } ?? live.filter { $0.hasPrefix(host + "-") }
        guard let instance = mine.first else {
            FileHandle.standardError.write(Data("no live \(service.rawValue) instance for this host in \(directory.path)\n".utf8))
            return 1
        }
        do {
            let result = try await RPCClient.callOnce(
                SystemMethods.Health.self, Empty(), socketPath: directory.socketPath(instance), timeout: .seconds(3))
            let data = try JSONEncoder().encode(result)
            print(String(decoding: data, as: UTF8.self))
            return result.databaseReachable ? 0 : 1
        } catch {
            FileHandle.standardError.write(Data("\(service.rawValue)/\(instance): \(error)\n".utf8))
            return 1
        }
    }
}
