import Foundation
import Testing

@testable import Mail

@Suite("The HTML form of the desk's mails")
struct HTMLLetterTests {
    @Test(
        "text becomes escaped HTML: markup stays words, line breaks stay, web addresses become links",
        arguments: [
            ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
            ("a & b \"quoted\" 'single'", "a &amp; b &quot;quoted&quot; &#39;single&#39;"),
            ("one\ntwo", "one<br>\ntwo"),
            (
                "see https://example.com/a?b=1&c=2.",
                #"see <a href="https://example.com/a?b=1&amp;c=2" style="color:#4f46e5;">https://example.com/a?b=1&amp;c=2</a>."#
            ),
            (
                "(http://x.test) and https://y.test",
                #"(<a href="http://x.test" style="color:#4f46e5;">http://x.test</a>) and <a href="https://y.test" style="color:#4f46e5;">https://y.test</a>"#
            ),
            (
                #"https://x.test/"onmouseover="alert(1)"#,
                #"<a href="https://x.test/" style="color:#4f46e5;">https://x.test/</a>&quot;onmouseover=&quot;alert(1)"#
            ),
            ("javascript:alert(1)", "javascript:alert(1)"),
        ])
    func lines(text: String, html: String) {
        #expect(HTMLLetter.lines(text) == html)
    }

    @Test("a letter names the desk, hides its preview line, and escapes every text it is given")
    func letter() {
        let html = HTMLLetter(
            desk: "Acme <Support>", preview: "Thanks & welcome",
            blocks: [
                .paragraph("Hello"), .reference(label: "Ticket", value: "#1001"), .quote("<b>mine</b>"),
                .message(author: "Ayşe", time: "Mon, 07 Dec 2026", body: "Merhaba", fromDesk: false), .signature("Can"),
            ],
            footer: "Reply to this e-mail."
        ).rendered()
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.contains("Acme &lt;Support&gt;"))
        #expect(html.contains("Thanks &amp; welcome"))
        #expect(html.contains("&lt;b&gt;mine&lt;/b&gt;"))
        #expect(html.contains("<strong style=\"color:#111827;\">#1001</strong>"))
        #expect(html.contains("— Can"))
        #expect(!html.contains("<b>"))
        #expect(!html.lowercased().contains("<img") && !html.lowercased().contains("<script"))
    }

    @Test("with HTML a mail is multipart/alternative: plain text first, both quoted-printable, and our own parser reads the text")
    func alternative() throws {
        let body = "Merhaba Ayşe,\nsee https://example.com. " + String(repeating: "ü", count: 300)
        let mail = OutgoingMail(
            from: .init(name: "Support", address: "support@example.com"), to: .init(name: "Ayşe", address: "ayse@example.org"),
            replyTo: nil, subject: "Hello", messageID: "m1.abc@example.com", inReplyTo: nil, references: [],
            date: Date(timeIntervalSince1970: 1_795_000_000), body: body,
            html: HTMLLetter(desk: "Support", preview: "Hello", blocks: [.paragraph(body)], footer: "—").rendered())
        let text = mail.rendered()
        #expect(text.allSatisfy { $0.isASCII })
        for line in text.components(separatedBy: "\r\n") { #expect(line.utf8.count <= 78) }
        #expect(text.contains("Content-Type: multipart/alternative;\r\n boundary=\"=_alt_m1abcexamplecom\"\r\n"))
        let plain = try #require(text.range(of: "Content-Type: text/plain; charset=UTF-8"))
        let rich = try #require(text.range(of: "Content-Type: text/html; charset=UTF-8"))
        #expect(plain.lowerBound < rich.lowerBound)
        #expect(text.hasSuffix("--=_alt_m1abcexamplecom--\r\n"))
        #expect(mail.rendered() == text)
        let parsed = try MailParser.parse(Array(text.utf8))
        #expect(parsed.text.contains("Merhaba Ayşe,"))
        #expect(!parsed.text.contains("<p"))
    }
}
