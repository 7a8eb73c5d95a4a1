import Testing

@testable import GatewayService

@Suite("Client WebSocket frames must be masked")
struct FrameMasksTests {
    /// A client frame: FIN + text, the mask bit, the length in its three forms, a mask, the payload.
    static func frame(length: Int, masked: Bool = true) -> [UInt8] {
        var bytes: [UInt8] = [0x81]
        let bit: UInt8 = masked ? 0x80 : 0
        switch length {
        case ..<126: bytes.append(bit | UInt8(length))
        case ..<65536: bytes += [bit | 126, UInt8(length >> 8), UInt8(length & 0xFF)]
        default: bytes += [bit | 127] + (0..<8).reversed().map { UInt8((length >> ($0 * 8)) & 0xFF) }
        }
        if masked { bytes += [1, 2, 3, 4] }
        return bytes + [UInt8](repeating: 0x41, count: length)
    }

    @Test(
        "masked frames of every length form pass, in any split; the first unmasked one is refused",
        arguments: [
            ([frame(length: 5)], true), ([frame(length: 0), frame(length: 125)], true),
            ([frame(length: 126), frame(length: 70_000)], true),
            ([frame(length: 5, masked: false)], false), ([frame(length: 5), frame(length: 300, masked: false)], false),
            ([frame(length: 70_000), frame(length: 1, masked: false)], false),
        ] as [([[UInt8]], Bool)])
    func frames(frames: [[UInt8]], accepted: Bool) {
        let bytes = frames.flatMap { $0 }
        for chunk in [1, 3, 7, 1000, bytes.count] {
            var masks = FrameMasks()
            var ok = true
            var start = 0
            while start < bytes.count, ok {
                ok = masks.accept(bytes[start..<min(start + chunk, bytes.count)])
                start += chunk
            }
            #expect(ok == accepted, "in chunks of \(chunk)")
        }
    }

    @Test("a head's end is found across the bytes seen so far")
    func headEnd() {
        let head = Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8)
        #expect(FirstRequestGuard.headEnd(head, from: 0) == head.count - 4)
        #expect(FirstRequestGuard.headEnd(Array(head.dropLast()), from: 0) == nil)
        #expect(FirstRequestGuard.headEnd([], from: 0) == nil)
    }
}
