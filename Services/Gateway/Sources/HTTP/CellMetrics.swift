import Contracts
import Runtime
import Wire

/// `/metrics` for the whole cell: this gateway's own metrics and those of every back-service
/// instance in its runtime folder (asked with `system.metrics` over their sockets), each sample
/// labelled with its `service` and `instance`. `switchboard_scrape_up` says which answered.
enum CellMetrics {
    static func scrape(runtimeDirectory: String, instance: String) async -> String {
        let answers = await withTaskGroup(of: (ServiceName, String, String?).self) { group in
            for service in ServiceName.back {
                let directory = SocketDirectory(runtimeDirectory: runtimeDirectory, service: service)
                for name in directory.liveInstances() {
                    group.addTask {
                        let text = try? await RPCClient.callOnce(
                            SystemMethods.Metrics.self, Empty(), socketPath: directory.socketPath(name), timeout: .seconds(2)
                        ).text
                        return (service, name, text)
                    }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        .sorted { ($0.0.rawValue, $0.1) < ($1.0.rawValue, $1.1) }
        let up =
            "# HELP switchboard_scrape_up Whether the instance answered this scrape.\n# TYPE switchboard_scrape_up gauge\n"
            + answers.map { "switchboard_scrape_up{service=\"\($0.0.rawValue)\",instance=\"\($0.1)\"} \($0.2 == nil ? 0 : 1)" }
            .joined(separator: "\n")
        let sources =
            [MetricsText.Source(labels: [("service", "gateway"), ("instance", instance)], text: Observability.renderMetrics())]
            + answers.compactMap { service, name, text in
                text.map { MetricsText.Source(labels: [("service", service.rawValue), ("instance", name)], text: $0) }
            }
            + [MetricsText.Source(labels: [], text: up)]
        return MetricsText.merge(sources)
    }
}
