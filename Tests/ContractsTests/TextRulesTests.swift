import Foundation
import Testing

@testable import Contracts

@Suite("Text rules")
struct TextRulesTests {
    @Test(
        "NUL, other C0 controls and DEL are refused; tab, newline and every other character pass",
        arguments: [
            ("plain", false), ("tab\there", false), ("two\nlines", false), ("emoji 😀 and ş", false), ("", false),
            ("nul\u{0}", true), ("bell\u{7}", true), ("carriage\r return", true), ("escape\u{1B}[31m", true),
            ("del\u{7F}", true), ("next line \u{85} (C1) passes", false),
        ])
    func scalars(text: String, refused: Bool) {
        #expect(TextRules.hasRefused(text) == refused)
    }

    @Test("the first refused string of a document is named by its path")
    func paths() throws {
        func parse(_ json: String) throws -> Any { try JSONSerialization.jsonObject(with: Data(json.utf8), options: .fragmentsAllowed) }
        #expect(TextRules.firstRefused(in: try parse(#"{"name": "Ayşe", "message": "hi\u0000"}"#)) == "message")
        #expect(TextRules.firstRefused(in: try parse(#"{"customer": {"name": "\u0007"}}"#)) == "customer.name")
        #expect(TextRules.firstRefused(in: try parse(#"{"tags": ["ok", "b\u001bd"]}"#)) == "tags[1]")
        #expect(TextRules.firstRefused(in: try parse(#""\u0000""#)) == "body")
        #expect(TextRules.firstRefused(in: try parse(#"{"n": 1, "b": true, "z": null, "t": "tab\tnewline\n"}"#)) == nil)
    }
}

@Suite("Message bodies")
struct MessageBodyTests {
    static let note = "\n[shortened]"

    @Test(
        "a text too long in characters or bytes is cut at a character's end to fit, with the note",
        arguments: [
            String(repeating: "a", count: 20_000), String(repeating: "😀", count: 9_000), String(repeating: "e\u{301}", count: 6_000),
            String(repeating: "👨‍👩‍👧", count: 2_000), "a" + String(repeating: "ş", count: 17_000),
        ])
    func fitted(text: String) {
        let fitted = MessageBody.fitted(text, note: Self.note)
        #expect(MessageBody.excess(fitted) == nil)
        #expect(fitted.hasSuffix(Self.note))
        let kept = String(fitted.dropLast(Self.note.count))
        #expect(text.hasPrefix(kept))
        // Nothing more would fit: the next character of the text breaks a bound.
        let next = text[text.index(text.startIndex, offsetBy: kept.count)]
        #expect(MessageBody.excess(kept + String(next) + Self.note) != nil)
    }

    @Test("a text that fits is left alone; controls are cleaned out of mail text")
    func fits() {
        #expect(MessageBody.fitted("Merhaba", note: Self.note) == "Merhaba")
        #expect(TextRules.cleaned("a\u{0}b\u{7}c\td\ne") == "abc\td\ne")
        #expect(TextRules.cleaned("temiz") == "temiz")
    }
}
