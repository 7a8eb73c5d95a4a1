import Foundation

/// What a caller asks of a list: at most `limit` items, after `cursor` (a page's `next_cursor`).
/// Every list that grows with use is read this way, over HTTP and over the internal wire.
public struct PageRequest: Codable, Sendable, Hashable {
    public static let defaultLimit = 100
    public static let limits = 1...500

    public var limit: Int
    public var cursor: String?

    public init(limit: Int = PageRequest.defaultLimit, cursor: String? = nil) {
        self.limit = limit
        self.cursor = cursor
    }

    /// The refusal for a limit out of range or a cursor no page gave; `nil` when it is one to serve.
    public func problem(field: String = "params.page") -> RPCError? {
        guard Self.limits.contains(limit) else {
            return .invalidParams(field: "\(field).limit", "limit must be \(Self.limits.lowerBound) to \(Self.limits.upperBound)")
        }
        if let cursor, PageCursor(cursor) == nil {
            return .invalidParams(field: "\(field).cursor", "cursor is not one a page of this list gave")
        }
        return nil
    }

    /// Where the page starts: `nil` for the first page.
    public var position: PageCursor? { cursor.flatMap(PageCursor.init) }
}

/// One page of a list: its items, the cursor of the next page (`nil` on the last), and, where a
/// list counts them cheaply, how many there are in all.
public struct Page<Item> {
    public var items: [Item]
    public var nextCursor: String?
    public var total: Int?

    public init(items: [Item], nextCursor: String? = nil, total: Int? = nil) {
        self.items = items
        self.nextCursor = nextCursor
        self.total = total
    }

    public func map<Other>(_ transform: (Item) throws -> Other) rethrows -> Page<Other> {
        Page<Other>(items: try items.map(transform), nextCursor: nextCursor, total: total)
    }

    enum CodingKeys: String, CodingKey {
        case items, total
        case nextCursor = "next_cursor"
    }
}

extension Page: Sendable where Item: Sendable {}
extension Page: Equatable where Item: Equatable {}
extension Page: Hashable where Item: Hashable {}
extension Page: Encodable where Item: Encodable {
    /// `next_cursor` is always there (`null` on the last page); `total` where the list counts.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(items, forKey: .items)
        try container.encode(nextCursor, forKey: .nextCursor)
        try container.encodeIfPresent(total, forKey: .total)
    }
}
extension Page: Decodable where Item: Decodable {}

extension Page where Item: Encodable {
    /// Most bytes a page's items may take on the wire: well inside a wire line, however large
    /// each item may be (a page holds at least one item, and one item is always far smaller).
    public static var byteBudget: Int { 256 * 1024 }

    /// A page of `candidates` (read with one more than `limit`, so a next page shows), cut at
    /// `limit` items or at `byteBudget` bytes of encoded items, whichever comes first. Each
    /// candidate carries its own position in the list.
    public init(candidates: [(item: Item, position: PageCursor)], limit: Int, total: Int? = nil) {
        let encoder = WireJSON.encoder()
        var items: [Item] = []
        var bytes = 0
        var last: PageCursor?
        for (item, position) in candidates.prefix(limit) {
            let size = (try? encoder.encode(item).count) ?? 0
            if !items.isEmpty, bytes + size > Self.byteBudget { break }
            bytes += size
            items.append(item)
            last = position
        }
        let more = items.count < candidates.count
        self.init(items: items, nextCursor: more ? last?.text : nil, total: total)
    }
}

/// Where a page ended, as a place in the list's order: the last item's sort key (a number, or
/// an instant in microseconds since 1970) and its id when keys can tie. Opaque to clients.
public struct PageCursor: Sendable, Hashable {
    public var key: Int64
    public var id: UUID?

    public init(key: Int64, id: UUID? = nil) {
        self.key = key
        self.id = id
    }

    /// `key.id` in URL-safe base64 without padding.
    public var text: String {
        let plain = id.map { "\(key).\($0.uuidString.lowercased())" } ?? String(key)
        return Data(plain.utf8).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    public init?(_ text: String) {
        guard (1...128).contains(text.utf8.count) else { return nil }
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.utf8.count % 4) % 4)
        guard let data = Data(base64Encoded: base64), let plain = String(data: data, encoding: .utf8) else { return nil }
        let parts = plain.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let key = Int64(parts[0]) else { return nil }
        if parts.count == 2 {
            guard let id = UUID(uuidString: String(parts[1])) else { return nil }
            self.init(key: key, id: id)
        } else {
            self.init(key: key)
        }
    }
}
