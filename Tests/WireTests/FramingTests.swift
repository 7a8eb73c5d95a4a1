import NIOCore
import NIOEmbedded
import NIOTestUtils
import Testing

@testable import Wire

@Suite("Line framing")
struct FramingTests {
    @Test("drip-fed bytes, many lines in one read and lines split across reads all decode")
    func verifier() throws {
        let pairs: [(ByteBuffer, [ByteBuffer])] = [
            (ByteBuffer(string: "{\"a\":1}\n"), [ByteBuffer(string: "{\"a\":1}")]),
            (
                ByteBuffer(string: "{\"b\":2}\n{\"c\":3}\n{\"d\":\"ş\"}\n"),
                ["{\"b\":2}", "{\"c\":3}", "{\"d\":\"ş\"}"].map { ByteBuffer(string: $0) }
            ),
            (ByteBuffer(string: "\n   \n{\"e\":4}\r\n"), [ByteBuffer(string: "{\"e\":4}")]),
            (ByteBuffer(string: String(repeating: "x", count: 8_000) + "\n"), [ByteBuffer(string: String(repeating: "x", count: 8_000))]),
        ]
        try ByteToMessageDecoderVerifier.verifyDecoder(inputOutputPairs: pairs) { JSONLineDecoder() }
    }

    @Test("a line over the limit is refused, with or without its newline")
    func tooLong() throws {
        for input in [String(repeating: "a", count: 1025) + "\n", String(repeating: "a", count: 2000)] {
            let channel = EmbeddedChannel(handler: ByteToMessageHandler(JSONLineDecoder(maximumLineLength: 1024)))
            #expect(throws: JSONLineDecoder.Failure.lineTooLong(limit: 1024)) {
                try channel.writeInbound(ByteBuffer(string: input))
            }
            _ = try? channel.finish()
        }
    }

    @Test("a line exactly at the limit passes")
    func atLimit() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(JSONLineDecoder(maximumLineLength: 1024)))
        try channel.writeInbound(ByteBuffer(string: String(repeating: "a", count: 1024) + "\n"))
        #expect(try channel.readInbound(as: ByteBuffer.self)?.readableBytes == 1024)
        #expect(try channel.finish().isClean)
    }

    @Test("invalid UTF-8 is refused", arguments: [[0xFF, 0x0A], [0x7B, 0xC3, 0x28, 0x7D, 0x0A], [0xED, 0xA0, 0x80, 0x0A]] as [[UInt8]])
    func invalidUTF8(bytes: [UInt8]) throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(JSONLineDecoder()))
        #expect(throws: JSONLineDecoder.Failure.invalidUTF8) {
            try channel.writeInbound(ByteBuffer(bytes: bytes))
        }
        _ = try? channel.finish()
    }

    @Test("a last line without a newline is delivered at end of input")
    func lastLine() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(JSONLineDecoder()))
        try channel.writeInbound(ByteBuffer(string: "{\"a\":1}\n{\"b\""))
        #expect(try channel.readInbound(as: ByteBuffer.self) == ByteBuffer(string: "{\"a\":1}"))
        #expect(try channel.readInbound(as: ByteBuffer.self) == nil)
        try channel.writeInbound(ByteBuffer(string: ":2}"))
        _ = try channel.finish(acceptAlreadyClosed: true)
        #expect(try channel.readInbound(as: ByteBuffer.self) == ByteBuffer(string: "{\"b\":2}"))
    }
}
