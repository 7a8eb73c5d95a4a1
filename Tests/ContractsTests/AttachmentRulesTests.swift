import Contracts
import Foundation
import Testing

@Suite("Attachment rules")
struct AttachmentRulesTests {
    @Test(
        "file names keep their last path part and refuse what hides or breaks them",
        arguments: [
            ("fatura.pdf", "fatura.pdf"), ("../../etc/passwd", "passwd"), ("C:\\Users\\ayşe\\ekran görüntüsü.png", "ekran görüntüsü.png"),
            ("  boşluk.txt ", "boşluk.txt"), ("", nil), ("dir/", nil), ("..", nil), ("a\u{0}b", nil), ("a\u{7F}b", nil),
            ("resim\u{202E}gnp.exe", nil), ("a\u{2066}b", nil), ("a\nb", nil),
            (String(repeating: "ş", count: 200), String(repeating: "ş", count: 200)),
            (String(repeating: "ş", count: 201), nil),
        ] as [(String, String?)])
    func filenames(raw: String, kept: String?) {
        switch AttachmentRules.filename(raw) {
        case .success(let name): #expect(name == kept)
        case .failure: #expect(kept == nil)
        }
    }

    @Test(
        "a Content-Type's media type: lower case, without parameters; nonsense is none",
        arguments: [
            ("image/PNG", "image/png"), ("text/plain; charset=utf-8", "text/plain"), (" application/pdf ", "application/pdf"),
            ("", nil), ("png", nil), ("image/", nil), ("a/b/c", nil), ("image/p ng", nil),
        ] as [(String, String?)])
    func mediaTypes(header: String, type: String?) {
        #expect(AttachmentRules.mediaType(header) == type)
    }

    @Test(
        "bytes are checked against the declared type, text as UTF-8 without NUL across any split",
        arguments: [
            (AttachmentRules.Signature.png, [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0], true),
            (.png, [0xFF, 0xD8, 0xFF, 0xE0], false), (.jpeg, [0xFF, 0xD8, 0xFF, 0xE0], true), (.gif, Array("GIF87a..".utf8), true),
            (.webp, Array("RIFF\u{1}\u{0}\u{0}\u{0}WEBPVP8 ".utf8), true), (.webp, Array("RIFF\u{1}\u{0}\u{0}\u{0}AVI LIST".utf8), false),
            (.pdf, Array("%PDF-1.7".utf8), true), (.pdf, Array("%PD".utf8), false),
            (.zip, [0x50, 0x4B, 0x03, 0x04], true), (.ole, [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1], true),
            (.text, Array("Merhaba dünya 👋".utf8), true), (.text, [0x61, 0x00, 0x62], false), (.text, [0xC3], false),
            (.text, [0xC0, 0xAF], false), (.text, [0xED, 0xA0, 0x80], false), (.text, [0xF4, 0x90, 0x80, 0x80], false),
            (.text, [0xE0, 0x80, 0x80], false), (.text, [], false),
        ] as [(AttachmentRules.Signature, [UInt8], Bool)])
    func content(signature: AttachmentRules.Signature, bytes: [UInt8], matches: Bool) {
        // Whole, and one byte at a time: a chunk boundary never changes the verdict.
        var whole = ContentCheck(signature)
        whole.feed(bytes)
        #expect(whole.matches == matches)
        var dripped = ContentCheck(signature)
        for byte in bytes { dripped.feed([byte]) }
        #expect(dripped.matches == matches)
    }

    @Test("served names: inline for images, an ASCII fallback and the exact name percent-encoded")
    func disposition() {
        #expect(
            AttachmentRules.contentDisposition(filename: "ekran görüntüsü \"1\".png", inline: true)
                == "inline; filename=\"ekran g_r_nt_s_ _1_.png\"; filename*=UTF-8''ekran%20g%C3%B6r%C3%BCnt%C3%BCs%C3%BC%20%221%22.png")
        #expect(
            AttachmentRules.contentDisposition(filename: "a;b.pdf", inline: false)
                == "attachment; filename=\"a;b.pdf\"; filename*=UTF-8''a%3Bb.pdf")
    }
}

@Suite("A message's first line")
struct MessageFirstLineTests {
    static func message(_ body: String, _ files: [String]) -> Message {
        Message(
            id: UUID(), conversationID: UUID(), seq: 1, author: Author(kind: .customer, id: nil, name: "Ayşe"), body: body,
            clientMessageID: nil, createdAt: Date(),
            attachments: files.map { Attachment(id: UUID(), filename: $0, contentType: "image/png", size: 1) })
    }

    @Test(
        "words first; files without words named",
        arguments: [
            ("Merhaba\nikinci", [], "Merhaba"), ("Ekte", ["a.png"], "Ekte"), ("", ["kırık.png"], "📎 kırık.png"),
            (" ", ["a.png", "b.pdf"], "📎 2 files"), ("", [], ""),
        ] as [(String, [String], String)])
    func firstLine(body: String, files: [String], line: String) {
        #expect(Self.message(body, files).firstLine == line)
    }
}
