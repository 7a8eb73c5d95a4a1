import Foundation
import Testing

@testable import Storage

@Suite("Statements: values bound, text only on purpose")
struct SQLTests {
    @Test("an interpolated value is a parameter, never text, whatever it holds")
    func bindsValues() {
        let name = "Robert'); DROP TABLE students;--"
        let id = UUID()
        let statement: SQL = "SELECT * FROM people WHERE name = \(name) AND id = \(id) AND age > \(40)"
        #expect(statement.text == "SELECT * FROM people WHERE name = $1 AND id = $2 AND age > $3")
        #expect(statement.bindings.map(\.postgresText) == [name, id.uuidString.lowercased(), "40"])
    }

    @Test("a fragment's parameters are numbered after the ones before it; unescaped text goes in as it is")
    func fragments() {
        let kind: String? = "chat"
        let condition: SQL = "status = 'waiting' AND (\(kind)::text IS NULL OR kind = \(kind))"
        let statement: SQL =
            "SELECT \(unescaped: "a, b") FROM t WHERE owner = \(7) AND \(condition) ORDER BY a \(unescaped: "DESC") LIMIT \(10)"
        #expect(
            statement.text
                == "SELECT a, b FROM t WHERE owner = $1 AND status = 'waiting' AND ($2::text IS NULL OR kind = $3) ORDER BY a DESC LIMIT $4"
        )
        #expect(statement.bindings.map(\.postgresText) == ["7", "chat", "chat", "10"])
    }

    @Test("a list of fragments joins with its values in order, past $9")
    func joined() {
        let rows = (1...11).map { number -> SQL in "(\(number), \("n\(number)"))" }
        let statement: SQL = "INSERT INTO t VALUES \(SQL.joined(rows))"
        #expect(statement.text.hasSuffix("($19, $20), ($21, $22)"))
        #expect(statement.bindings.count == 22)
        #expect(statement.bindings.last?.postgresText == "n11")
    }

    @Test("SQL renumbering leaves text without parameters alone", arguments: ["SELECT 1", "SELECT '$' || 'x'", "a $ b"])
    func shiftingIgnoresText(text: String) {
        #expect(SQL.shifting(text, by: 3) == text)
    }

    @Test("a row decodes by name or as a tuple, and says which column is wrong")
    func decoding() throws {
        let row = PGRow(columns: ["id", "name", "seen_at"], values: ["7", "Ayşe", nil][...])
        #expect(try row.decode("name", as: String.self) == "Ayşe")
        let (id, name, seen) = try row.decode((Int, String, Date?).self)
        #expect(id == 7 && name == "Ayşe" && seen == nil)
        #expect(throws: DatabaseError.self) { try row.decode("missing", as: String.self) }
        #expect(throws: DatabaseError.self) { try row.decode((Int, Int).self) }
    }
}
