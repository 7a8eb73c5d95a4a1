import Testing

@testable import Mail

@Suite("The new words of a reply")
struct ReplyTextTests {
    @Test(
        "the quoted previous mail is cut off",
        arguments: [
            (
                "Thanks, that works.\n\nOn Thu, 26 Nov 2026 at 10:00, Support <s@example.com> wrote:\n> Try again\n> please",
                "Thanks, that works."
            ),
            ("Danke!\n\nAm 26.11.2026 um 10:00 schrieb Support:\n> Hallo", "Danke!"),
            (
                "Wrapped attribution.\n\nOn Thu, 26 Nov 2026 at 10:00, Support Team\n<support@example.com> wrote:\n\n> quoted",
                "Wrapped attribution."
            ),
            ("Outlook style\r\n\r\n-----Original Message-----\r\nFrom: Support\r\nold text", "Outlook style"),
            ("Inline > is fine\nand continues", "Inline > is fine\nand continues"),
            ("> quote first\nanswer below\n", "> quote first\nanswer below"),
            ("> only a quote\n> nothing new", "> only a quote\n> nothing new"),
        ]
    )
    func strip(text: String, expected: String) {
        #expect(ReplyText.strip(text) == expected)
    }
}
