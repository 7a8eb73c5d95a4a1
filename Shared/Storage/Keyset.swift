import Contracts

/// SQL for keyset pages over an instant and an id: a page's position is the last row's instant
/// in whole microseconds (PostgreSQL's own precision, so nothing is lost going round) and its id.
public enum Keyset {
    /// The instant of `column` as microseconds since 1970, selected as `page_key`: a row's
    /// page position.
    public static func key(_ column: String) -> SQL {
        "(extract(epoch FROM \(unescaped: column)) * 1000000)::bigint AS page_key"
    }

    /// Whether a row comes after `position` in a list ordered by (`column`, `id`) ascending (or
    /// descending, with `descending`); every row does when there is no position.
    public static func after(_ position: PageCursor?, column: String, id: String, descending: Bool = false) -> SQL {
        let instant: SQL = "(timestamptz 'epoch' + \(position?.key)::bigint * interval '1 microsecond')"
        return
            "(\(position?.key)::bigint IS NULL OR (\(unescaped: column), \(unescaped: id)) \(unescaped: descending ? "<" : ">") (\(instant), \(position?.id)::uuid))"
    }

    /// A row's page position: its `page_key` and its id in `column`.
    public static func position(_ row: PGRow, id column: String = "id") throws -> PageCursor {
        PageCursor(key: try row.decode("page_key"), id: try row.decode(column))
    }
}
