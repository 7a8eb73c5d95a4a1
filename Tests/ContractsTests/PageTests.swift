import Foundation
import Testing

@testable import Contracts

@Suite("Pages")
struct PageTests {
    @Test(
        "cursors go round as URL-safe text, with or without an id",
        arguments: [
            PageCursor(key: 0), PageCursor(key: -42), PageCursor(key: 1_733_300_000_123_456, id: UUID()), PageCursor(key: .max, id: UUID()),
            PageCursor(key: .min),
        ])
    func cursors(cursor: PageCursor) {
        let text = cursor.text
        #expect(!text.contains("+") && !text.contains("/") && !text.contains("="))
        #expect(PageCursor(text) == cursor)
    }

    @Test(
        "cursors no page gave are refused",
        arguments: [
            "", "!!!", "bm90IGEgbnVtYmVy", Data("1.not-an-id".utf8).base64EncodedString(), Data("1.2.3".utf8).base64EncodedString(),
            Data("99999999999999999999".utf8).base64EncodedString(), String(repeating: "A", count: 200),
        ])
    func badCursors(text: String) {
        #expect(PageCursor(text) == nil)
        #expect(PageRequest(cursor: text).problem()?.data?.field == "params.page.cursor")
    }

    @Test(
        "limits",
        arguments: [
            (1, nil as String?), (100, nil), (500, nil), (0, "params.page.limit"), (501, "params.page.limit"),
            (-1, "params.page.limit"), (Int.max, "params.page.limit"),
        ])
    func limits(limit: Int, field: String?) {
        #expect(PageRequest(limit: limit).problem()?.data?.field == field)
    }

    @Test("a page stops at its limit or its byte budget, never below one item, and says where the next one starts")
    func cut() {
        let small = (1...10).map { (item: "item \($0)", position: PageCursor(key: Int64($0))) }
        let five = Page(candidates: small, limit: 5)
        #expect(five.items == (1...5).map { "item \($0)" })
        #expect(five.nextCursor.flatMap(PageCursor.init) == PageCursor(key: 5))
        let all = Page(candidates: small, limit: 10)
        #expect(all.items.count == 10 && all.nextCursor == nil)

        let big = (1...10).map { (item: String(repeating: "x", count: 100_000), position: PageCursor(key: Int64($0))) }
        let cut = Page(candidates: big, limit: 10)
        #expect(cut.items.count == 2)
        #expect(cut.nextCursor.flatMap(PageCursor.init) == PageCursor(key: 2))
        let huge = Page(candidates: [(item: String(repeating: "x", count: 400_000), position: PageCursor(key: 1))], limit: 10)
        #expect(huge.items.count == 1 && huge.nextCursor == nil)
    }

    @Test("a page's JSON always has next_cursor, and total only where the list counts")
    func json() throws {
        let encoder = WireJSON.encoder()
        let last = String(decoding: try encoder.encode(Page(items: [1, 2])), as: UTF8.self)
        #expect(last.contains(#""next_cursor":null"#) && !last.contains("total"))
        let counted = String(decoding: try encoder.encode(Page(items: [1], nextCursor: "MQ", total: 7)), as: UTF8.self)
        #expect(counted.contains(#""total":7"#) && counted.contains(#""next_cursor":"MQ""#))
    }
}
