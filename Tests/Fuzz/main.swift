// libFuzzer targets (built with `-sanitize=fuzzer` by scripts/fuzz.sh; FUZZ_TARGET picks one):
//   lines           the wire's line decoder, fed in chunks the input chooses
//   envelope        the RPC envelope: a router's checks of a request line, then its params
//   mime            the MIME reader and what inbound mail does with the text
//   customizations  the Customizations document's working hours, made a schedule and asked
// Each checks what must hold of its output, so a wrong answer is a crash like any other.

import Contracts
import Foundation
import Logging
import Mail
import NIOCore
import NIOEmbedded
import Wire

@testable import TicketingService

let target = ProcessInfo.processInfo.environment["FUZZ_TARGET"] ?? "mime"
let logger = Logger(label: "fuzz") { _ in SwiftLogNoOpLogHandler() }
let router: RPCRouter = {
    var router = RPCRouter()
    router.register(ConversationMethods.Messages.self) { params, _ in Page(items: [], nextCursor: nil) }
    return router
}()

// libFuzzer's own driver, entered from here (SwiftPM gives an executable its own `main`).
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

@_cdecl("LLVMFuzzerTestOneInput")
func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    switch target {
    case "lines": lines(bytes)
    case "envelope": envelope(bytes)
    case "customizations": customizations(bytes)
    default: mime(bytes)
    }
    return 0
}

func lines(_ bytes: [UInt8]) {
    let maximum = 256
    let channel = EmbeddedChannel(handler: ByteToMessageHandler(JSONLineDecoder(maximumLineLength: maximum)))
    let step = Int(bytes.first ?? 0) % 17 + 1
    var offset = 0
    while offset < bytes.count {
        let chunk = channel.allocator.buffer(bytes: bytes[offset..<min(offset + step, bytes.count)])
        do { try channel.writeInbound(chunk) } catch { break }
        offset += step
    }
    while let line = try? channel.readInbound(as: ByteBuffer.self) {
        precondition(line.readableBytes <= maximum, "a line over the limit came out")
        precondition(!line.readableBytesView.contains(0x0A), "a line came out with a newline in it")
        precondition(String(validatingUTF8Bytes: line.readableBytesView) != nil, "a line that is not UTF-8 came out")
    }
    _ = try? channel.finish()
}

func envelope(_ bytes: [UInt8]) {
    let line = ByteBuffer(bytes: bytes)
    switch router.prepare(line, logger: logger) {
    case .reply(let reply):
        // Every refusal is one line of JSON-RPC.
        let object = try? JSONSerialization.jsonObject(with: Data(reply.readableBytesView)) as? [String: Any]
        precondition(object?["jsonrpc"] as? String == "2.0" && object?["error"] != nil, "a refusal that is not a JSON-RPC error")
    case .dispatch:
        if let params = try? WireJSON.decoder().decode(RPCParamsBody<ConversationMethods.Messages.Params>.self, from: Data(bytes)).params {
            let cursor = PageCursor(key: params.afterSeq)
            precondition(PageCursor(cursor.text) == cursor, "a cursor that does not read back")
        }
    case .ignore:
        break
    }
    // A cursor from a client reads back as itself, or not at all.
    if let cursor = PageCursor(String(decoding: bytes.prefix(256), as: UTF8.self)) {
        precondition(PageCursor(cursor.text) == cursor, "a parsed cursor that does not read back")
    }
}

func mime(_ bytes: [UInt8]) {
    // Fed in pieces, a mail reads the same as fed whole, or is refused the same way.
    let whole = Result { try MailParser.parse(bytes) }
    let size = Int(bytes.last ?? 0) % 61 + 1
    let pieces = Result { try MailParser.parse(bytes, pieceSize: size) }
    switch (whole, pieces) {
    case (.success(let a), .success(let b)): precondition(a == b, "a mail read in pieces of \(size) differs from the mail read whole")
    case (.failure(let a as MailError), .failure(let b as MailError)):
        precondition(a == b, "refused for another reason in pieces of \(size)")
    default: preconditionFailure("read whole: \(whole); in pieces of \(size): \(pieces)")
    }
    guard case .success(let mail) = whole else { return }
    let text = MessageBody.fitted(TextRules.cleaned(ReplyText.strip(mail.text)), note: "…")
    precondition(MessageBody.excess(text) == nil, "a fitted text over a message's bounds")
    precondition(!TextRules.hasRefused(text), "a cleaned text with a control character")
    _ = EncodedWords.decode(mail.subject)
}

func customizations(_ bytes: [UInt8]) {
    guard let settings = try? WireJSON.decoder().decode(TicketingSettings.self, from: Data(bytes)), let hours = settings.workingHours,
        let schedule = try? Schedule(hours)
    else { return }
    let start = Date(timeIntervalSince1970: 1_800_000_000)
    for hour in stride(from: 0, to: 24 * 8, by: 7) {
        let instant = start.addingTimeInterval(Double(hour) * 3600)
        let open = schedule.isOpen(at: instant)
        if let next = schedule.nextOpening(after: instant) {
            precondition(next >= instant || open, "the next opening is in the past")
        }
    }
}

extension String {
    init?(validatingUTF8Bytes bytes: some Collection<UInt8>) {
        guard let text = String(validating: bytes, as: UTF8.self) else { return nil }
        self = text
    }
}

// Entered here: libFuzzer takes the command line and calls `fuzz` with each input.
var argc = CommandLine.argc
var argv = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv, fuzz))
