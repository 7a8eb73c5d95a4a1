import Contracts
import Foundation
import Harness
import Testing

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
            let (status, output) = try await Browser.run(
                "story.py", "--base", "http://127.0.0.1:\(desk.port)", "--admin-token", admin, "--shots", Browser.screenshots)
            #expect(status == 0, "the browser story failed:\n\(output)")
        }
    }
}

/// Runs a Selenium script of `Tests/Browser` with the project's virtual environment.
enum Browser {
    static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// Where the screenshots go: committed, and shown in the README.
    static var screenshots: String { "\(root)/docs/screenshots" }

    static func run(_ script: String, _ arguments: String...) async throws -> (Int32, String) {
        let python = "\(root)/.venv/bin/python"
        guard FileManager.default.isExecutableFile(atPath: python), FileManager.default.isExecutableFile(atPath: "/usr/bin/chromedriver")
        else {
            throw HarnessError("no browser tooling: run scripts/setup.sh --test (Chromium, chromedriver and Selenium)")
        }
        try FileManager.default.createDirectory(atPath: screenshots, withIntermediateDirectories: true)
        let folder = try Scratch.makeDirectory(prefix: "web")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let log = folder + "/out"
        let child = try ChildProcess(
            executable: python, arguments: ["\(root)/Tests/Browser/\(script)"] + arguments,
            environment: ProcessInfo.processInfo.environment, outputPath: log)
        let status = try await child.wait(timeout: .seconds(300), what: "the browser script")
        return (status, (try? String(contentsOfFile: log, encoding: .utf8)) ?? "")
    }
}
