import Contracts
import Foundation
import NIOCore
import Testing

@testable import Wire

@Suite("Reading the envelope in one scan")
struct EnvelopeScanTests {
    static func accepts(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { JSONScan.members(of: $0) != nil }
    }

    static func foundationReadsObject(_ bytes: [UInt8]) -> Bool {
        (try? JSONSerialization.jsonObject(with: Data(bytes))) is [String: Any]
    }

    @Test(
        "the scan accepts the JSON objects of RFC 8259, each of which Foundation reads too",
        arguments: [
            #"{}"#, #" { } "#, #"{"a":1}"#, #"{"a":-0}"#, #"{"a":0.5e-3}"#, #"{"a":1E+9}"#, #"{"a":[1,[2,[]],{}]}"#,
            #"{"a":"\u00e7\n\t\"\\\/"}"#, #"{"a":true,"b":false,"c":null}"#, "{\"a\":\"Ayşe 🐈\"}", #"{"a":1,"a":2}"#,
            "{\r\n\t\"a\" : 1 }",
        ])
    func accepted(_ text: String) {
        #expect(Self.accepts(Array(text.utf8)), "\(text)")
        #expect(Self.foundationReadsObject(Array(text.utf8)), "\(text)")
    }

    @Test(
        "the scan refuses what is not a JSON object, trailing commas included (Foundation is lenient there; the general path then reads them)",
        arguments: [
            #""#, #"["a"]"#, #""a""#, #"{"a":1,}"#, #"{"a" 1}"#, #"{a:1}"#, #"{"a":01}"#, #"{"a":1.}"#, #"{"a":.5}"#,
            #"{"a":-}"#, #"{"a":1e}"#, #"{"a":tru}"#, #"{"a":nul}"#, #"{"a":"\x"}"#, #"{"a":"\u12G4"}"#, #"{"a":"b}"#,
            #"{"a":1}x"#, #"{"a":1}{}"#, #"{"a":[1,]}"#, #"{"a":{"b"}}"#, #"{"a":+1}"#, "{\"a\":\"\u{1}\"}", #"{"a":[}"#,
        ])
    func refused(_ text: String) {
        #expect(!Self.accepts(Array(text.utf8)), "\(text)")
    }

    @Test(
        "bad UTF-8 inside a string is refused, good UTF-8 of every length passes",
        arguments: [
            ([0xC3, 0xA7], true), ([0xE2, 0x82, 0xAC], true), ([0xF0, 0x9F, 0x90, 0x88], true),
            ([0xC3], false), ([0xC0, 0x80], false), ([0xE0, 0x80, 0x80], false), ([0xED, 0xA0, 0x80], false),
            ([0xF4, 0x90, 0x80, 0x80], false), ([0xFF], false), ([0x80], false), ([0xE2, 0x82], false),
        ] as [([UInt8], Bool)])
    func utf8(_ inner: [UInt8], valid: Bool) {
        let bytes = Array(#"{"a":""#.utf8) + inner + Array(#""}"#.utf8)
        #expect(Self.accepts(bytes) == valid)
        #expect(Self.foundationReadsObject(bytes) == valid)
    }

    @Test("nesting past the scan's depth is left to the general decoder, which still reads it")
    func depth() {
        let deep =
            "{\"a\":" + String(repeating: "[", count: JSONScan.maximumDepth) + String(repeating: "]", count: JSONScan.maximumDepth) + "}"
        #expect(!Self.accepts(Array(deep.utf8)))
        #expect(Self.foundationReadsObject(Array(deep.utf8)))
        #expect(EnvelopeScan.replyID(ByteBuffer(string: deep)) == .unsure)
    }

    @Test(
        "a plain head reads as the general decoder reads it; anything unusual goes the general way",
        arguments: [
            (#"{"jsonrpc":"2.0","id":7,"method":"pool.take","params":{"x":[1,{"id":9}]}}"#, true),
            (
                #"{"params":{"method":"x"},"method":"a.b","jsonrpc":"2.0","id":"abc","trace":"00-1-2-01","deadline_ms":250,"idempotency_key":"k"}"#,
                true
            ),
            (#"{"jsonrpc":"2.0","id":null,"method":"a","trace":null,"deadline_ms":null,"idempotency_key":null,"extra":[true]}"#, true),
            (#"{"jsonrpc":"2.0","method":"a"}"#, true),
            (#"{"jsonrpc":"2.0","id":-9223372036854775808,"method":"a"}"#, true),
            (#"{"jsonrpc":"2.0","id":9223372036854775808,"method":"a"}"#, false),
            (#"{"jsonrpc":"2.0","id":1.0,"method":"a"}"#, false),
            (#"{"jsonrpc":"2.0","id":1,"method":"\u0061"}"#, false),
            (#"{"jsonrpc":"2.0","id":1,"m\u0065thod":"a"}"#, false),
            (#"{"jsonrpc":"2.0","id":1,"method":"a","method":"b"}"#, false),
            (#"{"jsonrpc":"2.0","id":1,"method":42}"#, false),
            (#"{"jsonrpc":"2.0","id":1}"#, false),
            (#"{"jsonrpc":"2.0","id":1,"method":"a","deadline_ms":1e3}"#, false),
            (#"{"jsonrpc":"2.0","id":1,"method":"a","deadline_ms":"10"}"#, false),
            (#"{"jsonrpc":"2.0","id":[1],"method":"a"}"#, false),
            (#"{"jsonrpc":"2.0","id":1,"method":"a","#, false),
        ])
    func head(_ line: String, plain: Bool) throws {
        let scanned = EnvelopeScan.head(ByteBuffer(string: line))
        #expect((scanned != nil) == plain, "\(line)")
        guard let scanned else { return }
        let decoded = try JSONDecoder().decode(RPCRequestHead.self, from: Data(line.utf8))
        #expect(scanned.jsonrpc == decoded.jsonrpc && scanned.id == decoded.id && scanned.method == decoded.method)
        #expect(scanned.trace == decoded.trace && scanned.deadlineMS == decoded.deadlineMS)
        #expect(scanned.idempotencyKey == decoded.idempotencyKey)
    }

    @Test(
        "a reply's id: found by the scan when plain, else left to the general decoder",
        arguments: [
            (#"{"jsonrpc":"2.0","id":12,"result":{"id":"inner"}}"#, EnvelopeScan.ReplyID.id(.number(12))),
            (#"{"jsonrpc":"2.0","result":[1],"id":"x-1"}"#, .id(.string("x-1"))),
            (#"{"jsonrpc":"2.0","method":"events.batch","params":{}}"#, .id(nil)),
            (#"{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"not JSON"}}"#, .id(nil)),
            (#"{"jsonrpc":"2.0","id":"\u0031","result":1}"#, .unsure),
            (#"{"jsonrpc":"2.0","id":1,"id":2}"#, .unsure),
            ("garbage", .unsure),
        ])
    func replyID(_ line: String, expected: EnvelopeScan.ReplyID) {
        #expect(EnvelopeScan.replyID(ByteBuffer(string: line)) == expected)
    }
}
