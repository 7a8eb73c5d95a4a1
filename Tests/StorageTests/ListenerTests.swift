import Harness
import Storage
import Synchronization
import Testing

/// Which subscribers have heard the notification.
final class Heard: Sendable {
    private let names = Mutex<Set<String>>([])
    func add(_ name: String) { _ = names.withLock { $0.insert(name) } }
    var all: Set<String> { names.withLock { $0 } }
}

@Suite("LISTEN/NOTIFY")
struct ListenerTests {
    @Test("a notification reaches every subscriber with its channel and payload")
    func delivery() async throws {
        try await withDatabase { database in
            let listener = Listener(url: database.url, channels: ["news"], logger: storageLogger)
            let heard = Heard()
            var tasks: [Task<Void, Never>] = []
            for name in ["first", "second"] {
                let events = listener.subscribe()
                tasks.append(
                    Task {
                        for await event in events where event == .notification(channel: "news", payload: "Ayşe") {
                            heard.add(name)
                            return
                        }
                    })
            }
            try await withRunning(listener) {
                // LISTEN takes effect a moment after the listener starts: notify until both hear it.
                try await Poll.until("both subscribers to hear the notification") {
                    try await database.query("SELECT pg_notify('news', 'Ayşe')")
                    return heard.all == ["first", "second"]
                }
                for task in tasks { await task.value }
            }
        }
    }
}
