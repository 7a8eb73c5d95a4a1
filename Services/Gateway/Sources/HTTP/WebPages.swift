import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// The console (`/console/`), the widget (`/widget.js` and the panel it frames, `/widget/`) and
/// a demo host page (`/widget-demo/`): plain files from the target's `Public` resources, no
/// build step. Each answer carries an ETag and `no-cache`, so a browser revalidates and a new
/// release is seen at once; pages get a Content-Security-Policy that forbids inline script.
enum WebPages {
    /// Where the files are: `SWITCHBOARD_PUBLIC_DIR` when set (a container may put them
    /// anywhere), else the resources built next to the executable.
    static func folder(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let folder = environment["SWITCHBOARD_PUBLIC_DIR"], !folder.isEmpty { return folder }
        return Bundle.module.bundleURL.appendingPathComponent("Public").path
    }

    static func files(logger: Logger) -> FileMiddleware<GatewayContext, LocalFileSystem> {
        FileMiddleware(folder(), cacheControl: .init([(MediaType(type: .any), [.noCache])]), searchForIndexHtml: true, logger: logger)
    }
}

/// Security headers on every answer, and `/` → the console.
struct PageHeaders<Context: RequestContext>: RouterMiddleware {
    /// The widget's panel is framed by customers' sites; nothing else may be framed.
    static func policy(for path: String) -> String {
        let frames = path.hasPrefix("/widget/") ? "*" : "'none'"
        return "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self' ws: wss:; "
            + "frame-src 'self'; frame-ancestors \(frames); base-uri 'none'; form-action 'self'; object-src 'none'"
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if request.uri.path == "/" || request.uri.path == "/console" {
            return Response(status: .seeOther, headers: [.location: "/console/"])
        }
        if request.uri.path == "/widget-demo" {
            return Response(status: .seeOther, headers: [.location: "/widget-demo/"])
        }
        var response = try await next(request, context)
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[HTTPField.Name("Referrer-Policy")!] = "same-origin"
        if !request.uri.path.hasPrefix("/api/") {
            response.headers[.contentSecurityPolicy] = Self.policy(for: request.uri.path)
        }
        return response
    }
}
