import Contracts
import Foundation
import Harness
import Testing

@Suite("The web pages the gateway serves")
struct WebPagesTests {
    @Test("pages and scripts come with their type, an ETag, no-cache and a CSP without inline script; / leads to the console")
    func headers() async throws {
        try await Stack.with { stack in
            let port = try #require(try await stack.start(.gateway).httpPort)
            for (path, type) in [
                ("/console/", "text/html"), ("/console/app.js", "javascript"), ("/console/console.css", "text/css"),
                ("/widget.js", "javascript"), ("/widget/", "text/html"), ("/widget-demo/", "text/html"),
                // The modules console and widget share, and a screen of the console's.
                ("/shared/dom.js", "javascript"), ("/shared/api.js", "javascript"), ("/shared/stream.js", "javascript"),
                ("/shared/thread.js", "javascript"), ("/console/screens/pool.js", "javascript"),
            ] {
                let reply = try await stack.http("GET", path, port: port)
                #expect(reply.status == 200, "\(path)")
                #expect(reply.headers["content-type"]?.contains(type) == true, "\(path): \(reply.headers["content-type"] ?? "")")
                #expect(reply.headers["cache-control"] == "no-cache", "\(path)")
                let policy = reply.headers["content-security-policy"] ?? ""
                #expect(policy.contains("script-src 'self'") && !policy.contains("unsafe-inline"), "\(path): \(policy)")
                #expect(policy.contains(path.hasPrefix("/widget/") ? "frame-ancestors *" : "frame-ancestors 'none'"), "\(path): \(policy)")
                let etag = try #require(reply.headers["etag"], "\(path) has an ETag")
                let again = try await stack.http("GET", path, port: port, headers: ["If-None-Match": etag])
                #expect(again.status == 304, "\(path) revalidates")
            }
            // No page has an inline script: every <script> has a src.
            for path in ["/console/", "/widget/", "/widget-demo/"] {
                let html = try await stack.http("GET", path, port: port).text
                #expect(!html.contains("<script>") && !html.contains("<script type=\"module\">"), "\(path)")
            }
            let root = try await stack.http("GET", "/", port: port)
            #expect(root.status == 303 && root.headers["location"] == "/console/")
            #expect(try await stack.http("GET", "/console/missing.js", port: port).status == 404)
            // A path climbing out of the pages' folder never reads the file system outside it.
            let climbing = try await stack.http("GET", "/console/../../../../etc/passwd", port: port)
            #expect(climbing.status >= 400 && !climbing.text.contains("root:"), "\(climbing.status)")
        }
    }
}
