/// The rows a statement returned, copied out of libpq's result so they outlive it.
public struct PGRows: Sendable, RandomAccessCollection {
    public let columns: [String]
    /// Rows inserted, updated or deleted, for commands that report it.
    public let affectedRows: Int
    let values: [String?]

    public var startIndex: Int { 0 }
    public var endIndex: Int { columns.isEmpty ? 0 : values.count / columns.count }

    public subscript(position: Int) -> PGRow {
        let width = columns.count
        return PGRow(columns: columns, values: values[position * width..<(position + 1) * width])
    }
}

/// One row; columns are read by position or by name into any `PostgresDecodable`.
public struct PGRow: Sendable {
    public let columns: [String]
    let values: ArraySlice<String?>

    /// The text of column `index`, or `nil` for NULL.
    public func text(_ index: Int) -> String? { values[values.startIndex + index] }

    public func decode<T: PostgresDecodable>(_ type: T.Type = T.self, at index: Int) throws -> T {
        guard index < columns.count else {
            throw DatabaseError(.decoding, "no column \(index); the row has \(columns.count)")
        }
        guard let text = values[values.startIndex + index] else {
            if let null = T.nullValue { return null }
            throw DatabaseError(.decoding, "column \(columns[index]) is NULL; expected \(T.self)")
        }
        guard let value = T(postgresText: text) else {
            throw DatabaseError(.decoding, "column \(columns[index]) = \(text.prefix(40)) is not a \(T.self)")
        }
        return value
    }

    /// The row's first columns as a tuple of these types, in order:
    /// `let (id, name) = try row.decode((UUID, String).self)`.
    public func decode<each T: PostgresDecodable>(_ types: (repeat each T).Type) throws -> (repeat each T) {
        var index = 0
        func next<U: PostgresDecodable>(_ type: U.Type) throws -> U {
            defer { index += 1 }
            return try decode(type, at: index)
        }
        return (repeat try next((each T).self))
    }

    /// Column `column` by name: `try row.decode("created_at")`.
    public func decode<T: PostgresDecodable>(_ column: String, as type: T.Type = T.self) throws -> T {
        guard let index = columns.firstIndex(of: column) else {
            throw DatabaseError(.decoding, "no column named \(column)")
        }
        return try decode(type, at: index)
    }
}

extension PostgresDecodable {
    /// What SQL NULL decodes to; `nil` means NULL is an error for this type.
    public static var nullValue: Self? { nil }
}

extension Optional: PostgresDecodable where Wrapped: PostgresDecodable {
    public init?(postgresText: String) {
        guard let value = Wrapped(postgresText: postgresText) else { return nil }
        self = .some(value)
    }

    public static var nullValue: Self? { .some(.none) }
}
