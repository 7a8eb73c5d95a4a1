import Contracts
import Foundation
import NIOCore
import Testing

@testable import Wire

@Suite("Request lines to reply lines")
struct RouterTests {
    let router = testRouter(instance: "a")

    func reply(_ line: String) async throws -> [String: Any]? {
        // What the server does with a line: refused up front, or run.
        let answer: ByteBuffer?
        switch router.prepare(ByteBuffer(string: line), logger: testLogger) {
        case .reply(let reply): answer = reply
        case .ignore: answer = nil
        case .dispatch(let request): answer = await router.run(request)
        }
        guard let buffer = answer else { return nil }
        return try JSONSerialization.jsonObject(with: Data(buffer.readableBytesView)) as? [String: Any]
    }

    @Test(
        "bad lines get the JSON-RPC error they deserve",
        arguments: [
            ("not json at all", -32700, nil as String?),
            ("{\"jsonrpc\":\"2.0\",\"id\":1,", -32700, nil),
            ("[1,2,3]", -32600, nil),
            ("\"a string\"", -32600, nil),
            ("{\"jsonrpc\":\"2.0\",\"id\":1}", -32600, nil),
            ("{\"jsonrpc\":\"1.0\",\"id\":1,\"method\":\"test.echo\"}", -32600, nil),
            ("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":42}", -32600, nil),
            ("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"nope\"}", -32601, nil),
            ("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"test.echo\"}", -32602, "params.value"),
            ("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"test.echo\",\"params\":{\"value\":\"x\"}}", -32602, "params.value"),
            ("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"test.echo\",\"params\":{\"value\":1,\"text\":[]}}", -32602, "params.text"),
            ("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"test.echo\",\"params\":[1]}", -32602, "params"),
            ("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"test.echo\",\"deadline_ms\":9300000000000}", -32600, nil),
            ("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"test.echo\",\"deadline_ms\":3600001}", -32600, nil),
            ("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"test.echo\",\"deadline_ms\":-1}", -32600, nil),
            ("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"test.echo\",\"deadline_ms\":1e30}", -32600, nil),
            ("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"test.echo\",\"deadline_ms\":1.5}", -32600, nil),
            ("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"test.echo\",\"deadline_ms\":\"10\"}", -32600, nil),
        ])
    func errors(line: String, code: Int, field: String?) async throws {
        let object = try #require(try await reply(line))
        let error = try #require(object["error"] as? [String: Any])
        #expect(error["code"] as? Int == code)
        #expect(object["jsonrpc"] as? String == "2.0")
        if let field {
            #expect((error["data"] as? [String: Any])?["field"] as? String == field)
        }
    }

    @Test("the id of a broken request is echoed when it can be read")
    func idEchoed() async throws {
        let object = try #require(try await reply("{\"jsonrpc\":\"2.0\",\"id\":\"abc\"}"))
        #expect(object["id"] as? String == "abc")
        let unreadable = try #require(try await reply("{{{"))
        #expect(unreadable["id"] is NSNull)
    }

    @Test("a good request gets its result under its id")
    func success() async throws {
        let object = try #require(
            try await reply("{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"test.echo\",\"params\":{\"value\":5,\"text\":\"Ayşe\"}}"))
        #expect(object["id"] as? Int == 9)
        let result = try #require(object["result"] as? [String: Any])
        #expect(result["value"] as? Int == 5)
        #expect(result["text"] as? String == "Ayşe")
    }

    @Test("a domain error carries its stable reason and details")
    func domain() async throws {
        let object = try #require(try await reply("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"test.refuse\"}"))
        let data = try #require((object["error"] as? [String: Any])?["data"] as? [String: Any])
        #expect(data["reason"] as? String == "already_taken")
        #expect((data["details"] as? [String: Any])?["operator"] as? String == "Nazlıcan")
    }

    @Test("a notification (no id) gets no reply, even when it fails")
    func notification() async throws {
        #expect(try await reply("{\"jsonrpc\":\"2.0\",\"method\":\"test.echo\",\"params\":{\"value\":1}}") == nil)
        #expect(try await reply("{\"jsonrpc\":\"2.0\",\"method\":\"nope\"}") == nil)
    }
}
