import Foundation
import Testing

@testable import Mail

@Suite("Encoding mail for the wire")
struct EncodingTests {
    @Test(
        "quoted-printable round-trips and keeps every line within 76 characters",
        arguments: [
            "plain words",
            "Grüße aus Köln, Ayşe Yılmaz",
            String(repeating: "long line without breaks ", count: 200),
            "trailing space \nand tab\t\nthen",
            ".a line starting with a dot\n=equals=",
            "emoji 👩🏽‍💻 and 日本語",
            "",
        ]
    )
    func quotedPrintable(text: String) throws {
        let encoded = QuotedPrintable.encode(text)
        for line in encoded.components(separatedBy: "\r\n") {
            #expect(line.utf8.count <= 76)
            #expect(line.allSatisfy { $0.isASCII })
            #expect(!line.hasSuffix(" ") && !line.hasSuffix("\t"))
        }
        let decoded = String(decoding: QuotedPrintable.decode(Array(encoded.utf8)), as: UTF8.self)
        #expect(decoded == text.replacingOccurrences(of: "\n", with: "\r\n"))
    }

    @Test(
        "quoted-printable decoding of what other mailers write",
        arguments: [
            ("caf=C3=A9", "café"),
            ("soft=\r\nbreak", "softbreak"),
            ("soft=  \nbreak", "softbreak"),
            ("lower =c3=a9 case", "lower é case"),
            ("broken =ZZ stays", "broken =ZZ stays"),
            ("ends with =", "ends with "),
        ]
    )
    func quotedPrintableDecoding(input: String, expected: String) {
        #expect(String(decoding: QuotedPrintable.decode(Array(input.utf8)), as: UTF8.self) == expected)
    }

    @Test(
        "header text: ASCII as it is, anything else as encoded words that decode back",
        arguments: ["Your ticket #1001", "Nazlıcan", "Ayşe Yılmaz", String(repeating: "Ünïcödé ", count: 20), "日本語の件名"]
    )
    func encodedWords(text: String) {
        let encoded = EncodedWords.encode(text)
        #expect(encoded.allSatisfy { $0.isASCII })
        for line in encoded.components(separatedBy: "\r\n") { #expect(line.count <= 76) }
        #expect(EncodedWords.decode(encoded.replacingOccurrences(of: "\r\n", with: "")) == text)
        if text.allSatisfy(\.isASCII) { #expect(encoded == text) }
    }

    @Test(
        "encoded words from other mailers",
        arguments: [
            ("=?ISO-8859-1?Q?Andr=E9?= Pirard", "André Pirard"),
            ("=?utf-8?q?Ay=C5=9Fe_Y=C4=B1lmaz?=", "Ayşe Yılmaz"),
            ("=?UTF-8?B?TmF6bMSxY2Fu?=", "Nazlıcan"),
            ("=?UTF-8?B?QQ==?= =?UTF-8?B?Qg==?=", "AB"),
            ("Re: =?windows-1252?Q?=80_price?=", "Re: € price"),
            ("=?ISO-8859-9?Q?=DDade_=FCr=FCn=FC?=", "İade ürünü"),
            ("=?iso-8859-15?q?=A4?=", "€"),
            ("=?UTF-8?X?unknown?=", "=?UTF-8?X?unknown?="),
            ("Ayşe raw UTF-8", "Ayşe raw UTF-8"),
        ]
    )
    func encodedWordDecoding(input: String, expected: String) {
        #expect(EncodedWords.decode(input) == expected)
    }

    @Test(
        "display names are quoted or encoded as needed",
        arguments: [
            ("Support", "Support <s@example.com>"),
            ("Doe, Jane", "\"Doe, Jane\" <s@example.com>"),
            ("Nazlıcan", "=?UTF-8?B?TmF6bMSxY2Fu?= <s@example.com>"),
        ]
    )
    func displayNames(name: String, header: String) {
        #expect(MailAddress(name: name, address: "s@example.com").header == header)
    }

    @Test("a rendered mail is ASCII with CRLF lines, threaded, and carries its fixed headers")
    func rendered() throws {
        let mail = OutgoingMail(
            from: .init(name: "Support", address: "support@example.com"), to: .init(name: "Ayşe Yılmaz", address: "ayse@example.org"),
            replyTo: .init(name: "Support", address: "support+t1001-abc@example.com"), subject: "Re: [#1001] Sipariş",
            messageID: "m2@example.com", inReplyTo: "c1@example.org", references: ["m1@example.com", "c1@example.org"],
            date: Date(timeIntervalSince1970: 1_795_000_000), body: String(repeating: "ü", count: 2_000) + "\nsecond line")
        let text = mail.rendered()
        #expect(text.allSatisfy { $0.isASCII })
        #expect(!text.replacingOccurrences(of: "\r\n", with: "").contains("\n"))
        for line in text.components(separatedBy: "\r\n") { #expect(line.utf8.count <= 998) }
        #expect(text.contains("Message-ID: <m2@example.com>\r\n"))
        #expect(text.contains("In-Reply-To: <c1@example.org>\r\n"))
        #expect(text.contains("References: <m1@example.com>\r\n <c1@example.org>\r\n"))
        #expect(text.contains("Date: Wed, 18 Nov 2026 11:06:40 +0000\r\n"))
        #expect(text.contains("To: =?UTF-8?B?"))
        #expect(mail.rendered() == text)
    }
}
