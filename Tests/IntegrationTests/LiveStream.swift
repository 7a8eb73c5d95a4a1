import Foundation
import Harness
import Testing

/// One of the public API's WebSockets as a test reads it: frames in order, the last cursor kept.
final class LiveStream: @unchecked Sendable {
    let socket: WebSocketClient
    /// Every frame read so far, in order.
    private(set) var frames: [[String: Any]] = []
    /// The cursor of the last frame that carried one.
    private(set) var cursor: String?

    private init(socket: WebSocketClient) { self.socket = socket }

    /// Opens `/api/v1/stream` (or the visitor's) and waits for `ready`. The token goes in the
    /// header, or as the first frame the way a browser sends it.
    static func open(
        port: Int, visitor: Bool = false, token: String, inHeader: Bool = false, cursor: String? = nil
    ) async throws -> LiveStream {
        let path = (visitor ? "/api/v1/visitor/stream" : "/api/v1/stream") + (cursor.map { "?cursor=\($0)" } ?? "")
        let socket = try await WebSocketClient.connect(
            port: port, path: path, headers: inHeader ? ["Authorization": "Bearer \(token)"] : [:])
        if !inHeader { socket.send(#"{"token":"\#(token)"}"#) }
        let stream = LiveStream(socket: socket)
        _ = try await stream.next("ready") { $0["type"] as? String == "ready" }
        return stream
    }

    /// Reads until a frame matches and returns it; throws when the stream ends or nothing matches in time.
    @discardableResult
    func next(_ what: String, timeout: Duration = .seconds(15), _ matches: ([String: Any]) -> Bool) async throws -> [String: Any] {
        let deadline = ContinuousClock.now + timeout
        while true {
            let remaining = deadline - .now
            guard remaining > .zero else { throw HarnessError("no \(what) frame within \(timeout); saw \(types)") }
            let read: [String: Any]?
            do {
                read = try await socket.nextJSON(timeout: remaining)
            } catch {
                throw HarnessError("no \(what) frame within \(timeout) (\(error)); saw \(types)")
            }
            guard let frame = read else {
                throw HarnessError("the stream ended before a \(what) frame; saw \(types)")
            }
            frames.append(frame)
            if let cursor = frame["cursor"] as? String { self.cursor = cursor }
            if matches(frame) { return frame }
        }
    }

    /// The next frame of `type` about `conversation` (its `data.conversation_id`, or a message's).
    @discardableResult
    func next(_ type: String, conversation: String, timeout: Duration = .seconds(15)) async throws -> [String: Any] {
        try await next("\(type) of \(conversation)", timeout: timeout) { frame in
            frame["type"] as? String == type && (frame["data"] as? [String: Any])?["conversation_id"] as? String == conversation
        }
    }

    /// The bodies of the messages read so far that start with `prefix`, in order.
    func bodies(prefix: String) -> [String] {
        all("message.created").compactMap { ($0["data"] as? [String: Any])?["body"] as? String }.filter { $0.hasPrefix(prefix) }
    }

    /// Frames read so far, briefly, for failure messages: type, cursor, and seq or conversation.
    var types: [String] {
        frames.map { frame in
            let data = frame["data"] as? [String: Any]
            let detail = (data?["seq"]).map { "seq \($0)" } ?? (data?["conversation_id"] as? String).map { String($0.prefix(8)) } ?? ""
            return "\(frame["type"] as? String ?? "?")@\(frame["cursor"] as? String ?? "-") \(detail)"
        }
    }

    /// Frames of `type` read so far.
    func all(_ type: String) -> [[String: Any]] { frames.filter { $0["type"] as? String == type } }

    /// Answers the server's pings now, keeping the frames for `next`.
    func answerPings() { socket.answerPings() }

    /// Answers the streams' pings every 200 ms until the task is cancelled (await it before
    /// reading them again): for a test that reads its streams only at the end, as a browser
    /// answers pings whatever its page is doing.
    static func answeringPings(_ streams: LiveStream...) -> Task<Void, Never> {
        Task {
            while !Task.isCancelled {
                for stream in streams { stream.answerPings() }
                try? await Task.sleep(for: .milliseconds(200))
            }
        }
    }

    func close() { socket.close() }
}
