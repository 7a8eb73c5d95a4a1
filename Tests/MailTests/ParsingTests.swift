import Foundation
import Testing

@testable import Mail

@Suite("Reading received mail")
struct ParsingTests {
    static func parse(_ text: String) throws -> InboundMail { try MailParser.parse(Array(text.utf8)) }

    @Test("a plain reply: sender, recipients, threading, subject")
    func plain() throws {
        let mail = try Self.parse(
            """
            From: =?UTF-8?B?TmF6bMSxY2Fu?= <nazlican@example.org>\r
            To: Support <support+t1001-0123@example.com>\r
            Cc: other@example.org\r
            Subject: Re: [#1001]\r
             folded subject\r
            Message-ID: <c2@example.org>\r
            In-Reply-To: <m1@example.com>\r
            References: <m0@example.com>\r
             <m1@example.com>\r
            \r
            Thanks!\r

            """)
        #expect(mail.from == MailAddress(name: "Nazlıcan", address: "nazlican@example.org"))
        #expect(mail.recipients.map(\.address) == ["support+t1001-0123@example.com", "other@example.org"])
        #expect(mail.subject == "Re: [#1001] folded subject")
        #expect(mail.messageID == "c2@example.org")
        #expect(mail.inReplyTo == ["m1@example.com"])
        #expect(mail.references == ["m0@example.com", "m1@example.com"])
        #expect(mail.text == "Thanks!\r\n")
        #expect(!mail.isAutomatic)
    }

    @Test("multipart/alternative: the plain part, quoted-printable and its charset")
    func alternative() throws {
        let mail = try Self.parse(
            """
            From: Ayşe Yılmaz <ayse@example.org>
            Subject: Sipariş
            Content-Type: multipart/alternative; boundary="b1"

            preamble
            --b1
            Content-Type: text/plain; charset=iso-8859-1
            Content-Transfer-Encoding: quoted-printable

            Gr=FC=DFe, caf=E9
            --b1
            Content-Type: text/html; charset=utf-8

            <p>ignored</p>
            --b1--
            epilogue
            """)
        #expect(mail.text == "Grüße, café")
        #expect(mail.subject == "Sipariş")
        #expect(mail.from.name == "Ayşe Yılmaz")
    }

    @Test("mixed with an attachment and a nested alternative; base64 text")
    func nested() throws {
        let body = Data("Merhaba, siparişim nerede?".utf8).base64EncodedString()
        let mail = try Self.parse(
            """
            From: a@example.org
            Content-Type: multipart/mixed; boundary=outer

            --outer
            Content-Type: multipart/alternative; boundary=inner

            --inner
            Content-Type: text/html; charset=utf-8

            <div>html</div>
            --inner
            Content-Type: text/plain; charset=utf-8
            Content-Transfer-Encoding: base64

            \(body)
            --inner--
            --outer
            Content-Type: text/plain
            Content-Disposition: attachment; filename="notes.txt"

            not the body
            --outer--
            """)
        #expect(mail.text == "Merhaba, siparişim nerede?")
    }

    @Test("an HTML-only mail becomes text")
    func htmlOnly() throws {
        let mail = try Self.parse(
            """
            From: a@example.org
            Content-Type: text/html; charset=utf-8

            <html><head><style>p{}</style></head><body><p>Hello &amp; thanks</p><p>Bye</p></body></html>
            """)
        #expect(mail.text == "Hello & thanks\nBye")
    }

    @Test("machine-sent mail is recognised", arguments: ["Auto-Submitted: auto-replied", "Precedence: bulk", "List-Id: <x.example.org>"])
    func automatic(header: String) throws {
        #expect(try Self.parse("From: a@example.org\n\(header)\n\nout of office\n").isAutomatic)
    }

    @Test(
        "bad mail is refused with a reason",
        arguments: [
            ("", "no header fields"),
            ("just some text\nwithout headers\n", "no header fields"),
            ("From: a@example.org\nnot a field\n\nbody\n", "line 2 of the header is not a header field"),
            ("Subject: no sender\n\nbody\n", "no From header"),
            ("From: nobody\n\nbody\n", "no e-mail address"),
            ("From: a@example.org\nContent-Type: multipart/mixed\n\nbody\n", "no boundary"),
            ("From: a@example.org\nContent-Type: multipart/mixed; boundary=x\n\nno delimiter here\n", "starts with its boundary"),
            ("From: a@example.org\nContent-Transfer-Encoding: base64\n\n@@@not base64@@@\n", "not valid base64"),
            ("From: a@example.org\nContent-Type: image/png\n\nPNG\n", "no text part"),
            ("From: a@example.org\nContent-Transfer-Encoding: x-uuencode\n\nbody\n", "unknown Content-Transfer-Encoding"),
            (" continued\nFrom: a@example.org\n\nbody\n", "continues a header field"),
        ]
    )
    func bad(text: String, reason: String) {
        #expect {
            _ = try Self.parse(text)
        } throws: { error in
            (error as? MailError)?.message.contains(reason) == true
        }
    }

    @Test("nesting deeper than ten parts is refused, not recursed into")
    func deep() {
        var text = "From: a@example.org\nContent-Type: multipart/mixed; boundary=b0\n\n"
        for depth in 0..<12 { text += "--b\(depth)\nContent-Type: multipart/mixed; boundary=b\(depth + 1)\n\n" }
        #expect(throws: MailError.self) { _ = try Self.parse(text) }
    }

    @Test(
        "addresses in the forms mailers write",
        arguments: [
            ("a@example.org", [MailAddress(name: nil, address: "a@example.org")]),
            (
                "\"Doe, Jane\" <jane@example.org>, b@example.org",
                [.init(name: "Doe, Jane", address: "jane@example.org"), .init(name: nil, address: "b@example.org")]
            ),
            ("jane@example.org (Jane Doe)", [.init(name: "Jane Doe", address: "jane@example.org")]),
            (
                "team: a@example.org, b@example.org;",
                [.init(name: nil, address: "a@example.org"), .init(name: nil, address: "b@example.org")]
            ),
            ("undisclosed-recipients:;", []),
        ]
    )
    func addresses(text: String, expected: [MailAddress]) {
        #expect(MailAddress.parseList(text) == expected)
    }
}
