import Contracts
import Foundation
import Testing

@Suite("The JSON-RPC envelope")
struct EnvelopeTests {
    struct Greeting: Codable, Sendable, Equatable {
        var name: String
        var count: Int?
    }

    @Test(
        "a request's head reads without knowing its params",
        arguments: [
            (
                #"{"jsonrpc":"2.0","id":7,"method":"pool.take","params":{"x":1}}"#, RPCID.number(7), "pool.take", nil as String?,
                nil as Int64?
            ),
            (#"{"jsonrpc":"2.0","id":"a-1","method":"m","trace":"00-abc","deadline_ms":250}"#, RPCID.string("a-1"), "m", "00-abc", 250),
            (#"{"jsonrpc":"2.0","method":"notify.me"}"#, nil, "notify.me", nil, nil),
        ])
    func head(line: String, id: RPCID?, method: String, trace: String?, deadline: Int64?) throws {
        let head = try JSONDecoder().decode(RPCRequestHead.self, from: Data(line.utf8))
        #expect(head.id == id)
        #expect(head.method == method)
        #expect(head.trace == trace)
        #expect(head.deadlineMS == deadline)
    }

    @Test("params decode into the method's own type; absent params read as {}")
    func params() throws {
        let present = try JSONDecoder().decode(RPCParamsBody<Greeting>.self, from: Data(#"{"params":{"name":"Ayşe","count":2}}"#.utf8))
        #expect(present.params == Greeting(name: "Ayşe", count: 2))
        let empty = try JSONDecoder().decode(RPCParamsBody<Empty>.self, from: Data(#"{"method":"x"}"#.utf8))
        #expect(empty.params == Empty())
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(RPCParamsBody<Greeting>.self, from: Data(#"{"method":"x"}"#.utf8))
        }
    }

    @Test("a request encodes the wire's member names")
    func requestEncoding() throws {
        let request = RPCRequest(id: .number(1), method: "system.health", params: Empty(), trace: "t", deadlineMS: 100, idempotencyKey: "k")
        let object = try JSONSerialization.jsonObject(with: JSONEncoder().encode(request)) as? [String: Any]
        #expect(object?["jsonrpc"] as? String == "2.0")
        #expect(object?["deadline_ms"] as? Int == 100)
        #expect(object?["idempotency_key"] as? String == "k")
        #expect(object?["params"] is [String: Any])
    }

    @Test("a failure keeps an explicit null id and a stable reason")
    func failure() throws {
        let line = String(
            decoding: try JSONEncoder().encode(
                RPCFailure(id: nil, error: RPCError(.alreadyTaken, "taken", details: ["operator": "Nazlıcan"]))), as: UTF8.self)
        #expect(line.contains(#""id":null"#))
        let head = try JSONDecoder().decode(RPCResponseHead.self, from: Data(line.utf8))
        #expect(head.error?.reason == .alreadyTaken)
        #expect(line.contains(#""reason":"already_taken""#))
        #expect(head.error?.data?.details?["operator"] == "Nazlıcan")
    }

    @Test(
        "JSON values round-trip",
        arguments: [
            #"null"#, #"true"#, #"12"#, #"1.5"#, #""şğü""#, #"[1,"a",null]"#, #"{"a":{"b":[false]}}"#,
        ])
    func jsonValue(text: String) throws {
        let value = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        let again = try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(value))
        #expect(value == again)
    }
}

@Suite("E-mail addresses")
struct EmailAddressTests {
    @Test(
        "plausible or not",
        arguments: [
            ("ayse@example.com", true), ("Nazlıcan.Y@örnek.com.tr", true), ("a@b", false), ("@example.com", false),
            ("ayse@", false), ("ayse@.com", false), ("ayse@example.", false), ("ay se@example.com", false),
            ("a@b@example.com", false), ("ayse@example.com\n", false), (String(repeating: "a", count: 250) + "@x.io", false),
        ])
    func plausible(text: String, expected: Bool) {
        #expect(EmailAddress.isPlausible(text) == expected)
    }
}
