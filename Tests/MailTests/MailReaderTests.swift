import Foundation
import Testing

@testable import Mail

/// The streaming reader: whatever sizes the mail arrives in, it reads the same mail and the
/// same files, and it passes bytes on as they come instead of gathering them.
@Suite("Reading mail a piece at a time")
struct MailReaderTests {
    /// What the reader makes of `bytes` fed `size` bytes at a time: the mail and its files.
    static func read(_ bytes: [UInt8], in size: Int) throws -> (InboundMail, [MailAttachment]) {
        let mail = try MailParser.parse(bytes, pieceSize: size)
        return (mail, mail.attachments)
    }

    static let pieceSizes = [1, 2, 3, 5, 76, 77, 1_000, 100_000]

    static let mixed = """
        From: =?UTF-8?B?QXnFn2U=?= <ayse@example.org>\r
        To: support@example.com\r
        Subject: =?UTF-8?Q?Fatura_=C3=BC?=\r
        Message-ID: <m1@example.org>\r
        Content-Type: multipart/mixed; boundary="outer"\r
        \r
        This is the preamble.\r
        --outer\r
        Content-Type: multipart/alternative; boundary=inner\r
        \r
        --inner\r
        Content-Type: text/plain; charset=iso-8859-9\r
        Content-Transfer-Encoding: quoted-printable\r
        \r
        Te=FEekk=FCrler, uzun bir sat=FDr ki yumu=\r
        =FEak k=FDr=FDl=FDr.\r
        --inner\r
        Content-Type: text/html; charset=utf-8\r
        \r
        <p>ignored</p>\r
        --inner--\r
        --outer\r
        Content-Type: application/pdf; name="a.pdf"\r
        Content-Transfer-Encoding: base64\r
        \r
        JVBERi0xLjQKJWZhdHVyYQolJUVPRgo=\r
        --outer\r
        Content-Type: text/plain; name=not.txt\r
        Content-Disposition: attachment\r
        \r
        line one\r
        line two\r
        --outer\r
        Content-Type: image/png\r
        Content-Transfer-Encoding: base64\r
        \r
        iVBORw0KGgo\r
        --outer--\r
        epilogue\r

        """

    @Test("every piece size reads the same mail and the same files", arguments: pieceSizes)
    func pieces(size: Int) throws {
        let (mail, files) = try Self.read(Array(Self.mixed.utf8), in: size)
        #expect(mail.from == MailAddress(name: "Ayşe", address: "ayse@example.org"))
        #expect(mail.subject == "Fatura ü")
        #expect(mail.messageID == "m1@example.org")
        #expect(mail.text == "Teşekkürler, uzun bir satır ki yumuşak kırılır.")
        #expect(files.map(\.filename) == ["a.pdf", "not.txt", nil])
        #expect(files.map(\.contentType) == ["application/pdf", "text/plain", "image/png"])
        #expect(files[0].bytes == Array("%PDF-1.4\n%fatura\n%%EOF\n".utf8))
        #expect(files[1].bytes == Array("line one\r\nline two".utf8), "the line break before a delimiter is the delimiter's")
        #expect(files[2].bytes == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], "base64 without its padding")
    }

    @Test("a long line without a break is passed on as it comes, not gathered")
    func longLine() throws {
        // One 1 MiB line of binary in a part, fed 64 KiB at a time.
        let file = (0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 7 | 1) }.map { $0 == 10 || $0 == 13 ? 65 : $0 }
        let head = Array(
            "From: a@example.org\nContent-Type: multipart/mixed; boundary=b\n\n--b\n\nhi\n--b\nContent-Type: application/octet-stream\nContent-Transfer-Encoding: binary\n\n"
                .utf8)
        let bytes = head + file + Array("\n--b--\n".utf8)
        var reader = MailReader()
        var passed = 0
        var fed = 0
        var received: [UInt8] = []
        var start = 0
        while start < bytes.count {
            let end = min(start + (64 << 10), bytes.count)
            for case .bytes(let more) in try reader.feed(bytes[start..<end]) {
                passed += more.count
                received += more
            }
            fed = end - head.count
            if fed > 0 { #expect(passed >= fed - MIMEReader.lineLimit, "held back \(fed - passed) bytes of \(fed)") }
            start = end
        }
        for case .bytes(let more) in try reader.finish() { received += more }
        #expect(received == file)
        #expect(try reader.mail().text == "hi")
    }

    @Test("text past the limit is not kept; files past the limit are counted, not read")
    func limits() throws {
        var text = "From: a@example.org\nContent-Type: multipart/mixed; boundary=b\n\n--b\n\n"
        text += String(repeating: "a", count: 5_000) + "\n"
        for n in 0..<12 { text += "--b\nContent-Type: application/pdf; name=\"f\(n).pdf\"\n\n%PDF-\(n)\n" }
        text += "--b--\n"
        var reader = MailReader(textLimit: 1_000, fileLimit: 10)
        let pieces = try reader.feed(Array(text.utf8)) + reader.finish()
        #expect(try reader.mail().text.count == 1_000)
        #expect(pieces.filter { if case .file = $0 { true } else { false } }.count == 10)
        #expect(reader.filesLeft == 2)
    }

    @Test(
        "transfer encodings decode the same fed a byte at a time as whole",
        arguments: [
            ("base64", "SGVsbG8s\r\nIHdvcmxk\r\nIQ==", "Hello, world!"),
            ("base64", "SGVs bG8=", "Hello"),
            ("base64", "SGVsbA", "Hell"),
            ("quoted-printable", "caf=C3=A9 =\r\nau lait", "café au lait"),
            ("quoted-printable", "soft =  \r\nbreak with blanks", "soft break with blanks"),
            ("quoted-printable", "=4 kept, =ZZ kept, = kept", "=4 kept, =ZZ kept, = kept"),
            ("quoted-printable", "ends softly=", "ends softly"),
            ("quoted-printable", "=e2=82=ac lower case", "€ lower case"),
            ("7bit", "as =C3=A9 is", "as =C3=A9 is"),
        ])
    func decoders(encoding: String, body: String, expected: String) throws {
        for size in [1, 2, 3, body.utf8.count] {
            var decoder = try TransferDecoder(encoding)
            var output: [UInt8] = []
            let bytes = Array(body.utf8)
            var start = 0
            while start < bytes.count {
                try decoder.decode(bytes[start..<min(start + size, bytes.count)], into: &output)
                start += size
            }
            try decoder.finish(into: &output)
            #expect(String(decoding: output, as: UTF8.self) == expected, "fed \(size) at a time")
        }
    }

    @Test("broken base64 is refused", arguments: ["SGV@", "SGVsbG8=QQ==", "S", "=SGV"])
    func badBase64(body: String) throws {
        var decoder = try TransferDecoder("base64")
        var output: [UInt8] = []
        #expect(throws: MailError.self) {
            try decoder.decode(Array(body.utf8), into: &output)
            try decoder.finish(into: &output)
        }
    }

    @Test(
        "broken structure is refused with a reason, however it is fed",
        arguments: [
            ("From: a@example.org\nX-Long: " + String(repeating: "x", count: 70 << 10) + "\n\nbody\n", "header is longer than 64 KiB"),
            (
                "From: a@example.org\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: multipart/mixed; boundary=c\n\n--b--\n",
                "boundary \"c\""
            ),
            ("From: a@example.org\nContent-Type: multipart/mixed; boundary=b\n\n--b\nnot a field\n\ntext\n--b--\n", "not a header field"),
        ])
    func badStructure(text: String, reason: String) {
        for size in [7, 1 << 20] {
            #expect("fed \(size) at a time") {
                _ = try Self.read(Array(text.utf8), in: size)
            } throws: { error in
                (error as? MailError)?.message.contains(reason) == true
            }
        }
    }

    @Test("a part whose header runs into the next delimiter is a part with no body")
    func headerOnly() throws {
        let text =
            "From: a@example.org\nContent-Type: multipart/mixed; boundary=b\n\n--b\n\nhi\n--b\nContent-Type: application/pdf\n--b--\n"
        let (mail, files) = try Self.read(Array(text.utf8), in: 3)
        #expect(mail.text == "hi")
        #expect(files.count == 1 && files[0].bytes.isEmpty)
    }
}
