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
