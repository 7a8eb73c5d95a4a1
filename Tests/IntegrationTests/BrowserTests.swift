import Contracts
import Foundation
import Harness
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The console and the widget in real headless Chromium (Selenium, `Tests/Browser/story.py`).
@Suite("The console and the widget in a browser", .serialized)
struct BrowserTests {
    @Test("two operators and a customer go through the seed's story; the offline form files a ticket; screenshots are saved in docs/")
    func story() async throws {
        try await MailDesk.with { desk in
            let admin = try await desk.stack.adminToken(port: desk.port)
            for (name, email) in [("Can Öztürk", "can@example.com"), ("Nazlıcan Şahin", "nazlican@example.com")] {
                _ = try await desk.stack.newOperator(port: desk.port, admin: admin, name: name, email: email)
            }
            // The script asks for the gateway to go away and come back, to see the pages reconnect.
            let gateway = try #require(desk.stack.all.first { $0.service == .gateway })
            let (status, output) = try await Browser.run(
                "story.py", "--base", "http://127.0.0.1:\(desk.port)", "--admin-token=\(admin)", "--shots", Browser.screenshots
            ) { request in
                switch request {
                case "stop-gateway":
                    // Stopped as `docker compose stop` does, with the pages' WebSockets open.
                    gateway.send(SIGTERM)
                    let started = ContinuousClock.now
                    let status = try await gateway.waitForExit(timeout: .seconds(30))
                    print("gateway drained in \(ContinuousClock.now - started), status \(status)")
                    #expect(status == 0, "the gateway exits 0 within the grace period")
                case "start-gateway":
                    try gateway.restart()
                    try await desk.stack.waitUntilReady(gateway)
                default:
                    throw HarnessError("the browser script asked for \(request)")
                }
            }
            #expect(status == 0, "the browser story failed:\n\(output)")
        }
    }

    @Test("an admin works Operators and Customizations by keyboard; on a phone, the widget on another site and the console")
    func screens() async throws {
        try await Browser.onDesk("screens.py", what: "the browser screens")
    }
}

extension BrowserTests {
    @Test("the widget shows the place in the queue and an ended chat without a message box; the customer panel shows the earlier chat")
    func customer() async throws {
        try await Browser.onDesk("customer.py", withCan: true, what: "the browser customer story")
    }
}

extension BrowserTests {
    @Test(
        "an admin deactivates an operator whose console is open: it logs out, the chat returns to a colleague's Pool with a sound and a desktop notification, the customer sees their place; the customer panel shows the earlier chat"
    )
    func team() async throws {
        try await Stack.with { stack in
            for service in ServiceName.back { try await stack.start(service) }
            let port = try #require(
                try await stack.start(.gateway, environment: Stack.adminEnvironment.merging(TeamDesk.presence) { $1 }).httpPort)
            let admin = try await stack.adminToken(port: port)
            for (name, email) in [("Can Öztürk", "can@example.com"), ("Nazlıcan Şahin", "nazlican@example.com")] {
                _ = try await stack.newOperator(port: port, admin: admin, name: name, email: email)
            }
            let (status, output) = try await Browser.run(
                "team.py", "--base", "http://127.0.0.1:\(port)", "--admin-token=\(admin)", "--shots", Browser.screenshots)
            #expect(status == 0, "the browser team story failed:\n\(output)")
        }
    }

    @Test(
        "an admin deactivates an operator whose console is open (it returns to the login page) and reactivates them; a forgotten password is reset through the mailed link"
    )
    func people() async throws {
        try await MailDesk.with { desk in
            let admin = try await desk.stack.adminToken(port: desk.port)
            _ = try await desk.stack.newOperator(port: desk.port, admin: admin, name: "Can Öztürk", email: "can@example.com")
            let folder = try Scratch.makeDirectory(prefix: "link")
            defer { try? FileManager.default.removeItem(atPath: folder) }
            let linkFile = folder + "/link"
            let (status, output) = try await Browser.run(
                "people.py", "--base", "http://127.0.0.1:\(desk.port)", "--admin-token=\(admin)", "--shots", Browser.screenshots,
                "--link-file", linkFile
            ) { request in
                guard request == "reset-link" else { throw HarnessError("the browser script asked for \(request)") }
                let mail = try #require(try await desk.sink.waitFor(1, "the reset mail").last)
                let token = try PasswordTests.token(in: mail, port: desk.port)
                // The page was opened on 127.0.0.1: the link's host is localhost by default.
                try Data("http://127.0.0.1:\(desk.port)/console/#reset=\(token)".utf8).write(to: URL(fileURLWithPath: linkFile))
            }
            #expect(status == 0, "the browser people story failed:\n\(output)")
        }
    }
}

extension BrowserTests {
    @Test(
        "the operator inserts a canned reply with / and the customer gets it filled in; a note never reaches the widget; three panes wide, one on a phone"
    )
    func operatorTools() async throws {
        try await Browser.onDesk("tools.py", withCan: true, what: "the browser operator tools")
    }
}

/// Runs a Selenium script of `Tests/Browser` with the project's virtual environment.
enum Browser {
    /// `script` against a desk of its own: the back services, a gateway with the first admin and,
    /// `withCan`, an operator Can Öztürk (can@example.com); it must exit 0.
    static func onDesk(_ script: String, withCan: Bool = false, what: String) async throws {
        try await Stack.with { stack in
            for service in ServiceName.back { try await stack.start(service) }
            let port = try #require(try await stack.start(.gateway, environment: Stack.adminEnvironment).httpPort)
            let admin = try await stack.adminToken(port: port)
            if withCan { _ = try await stack.newOperator(port: port, admin: admin, name: "Can Öztürk", email: "can@example.com") }
            let (status, output) = try await run(
                script, "--base", "http://127.0.0.1:\(port)", "--admin-token=\(admin)", "--shots", screenshots)
            #expect(status == 0, "\(what) failed:\n\(output)")
        }
    }

    static var root: String { Command.root }

    /// Where the screenshots go: committed, and shown in the README.
    static var screenshots: String { "\(root)/docs/screenshots" }

    /// Runs the script with `--control <folder>`: when it writes `<folder>/request` (one word), the
    /// test does it with `control` and answers by writing `<folder>/done`.
    static func run(
        _ script: String, _ arguments: String..., control: @escaping (String) async throws -> Void = { _ in }
    ) async throws -> (Int32, String) {
        let python = Command.python
        guard FileManager.default.isExecutableFile(atPath: python), FileManager.default.isExecutableFile(atPath: "/usr/bin/chromedriver")
        else {
            throw HarnessError("no browser tooling: run scripts/setup.sh --test (Chromium, chromedriver and Selenium)")
        }
        try FileManager.default.createDirectory(atPath: screenshots, withIntermediateDirectories: true)
        let folder = try Scratch.makeDirectory(prefix: "web")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let log = folder + "/out"
        let child = try ChildProcess(
            executable: python, arguments: ["\(root)/Tests/Browser/\(script)"] + arguments + ["--control", folder],
            environment: ProcessInfo.processInfo.environment, outputPath: log)
        let deadline = ContinuousClock.now + .seconds(300)
        while child.isRunning {
            guard ContinuousClock.now < deadline else {
                child.send(SIGKILL)
                throw HarnessError("the browser script ran for 5 minutes")
            }
            if let request = try? String(contentsOfFile: folder + "/request", encoding: .utf8) {
                try FileManager.default.removeItem(atPath: folder + "/request")
                try await control(request.trimmingCharacters(in: .whitespacesAndNewlines))
                try Data("ok".utf8).write(to: URL(fileURLWithPath: folder + "/done"))
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        return (child.exitStatus ?? -1, (try? String(contentsOfFile: log, encoding: .utf8)) ?? "")
    }
}

extension BrowserTests {
    @Test(
        "typing shows in the console and the widget and clears with the message; Seen on both sides; after the close the customer rates and the console shows it"
    )
    func live() async throws {
        try await Browser.onDesk("live.py", withCan: true, what: "the browser live-feel story")
    }

    @Test("the customer pastes an image and the operator sees its thumbnail; the operator answers with a PDF the customer sees as a chip")
    func attachments() async throws {
        try await Browser.onDesk("attachments.py", withCan: true, what: "the browser attachments story")
    }
}
