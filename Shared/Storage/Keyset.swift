import Contracts

/// SQL for keyset pages over an instant and an id: a page's position is the last row's instant
/// in whole microseconds (PostgreSQL's own precision, so nothing is lost going round) and its id.
public enum Keyset {
    /// The instant of `column` as microseconds since 1970, to select as a row's page position.
    public static func micros(_ column: String) -> String {
        "(extract(epoch FROM \(column)) * 1000000)::bigint"
    }

    /// The instant of a position's key bound as `$n`, to compare with a column.
    public static func instant(_ parameter: Int) -> String {
        "(timestamptz 'epoch' + $\(parameter)::bigint * interval '1 microsecond')"
    }

    /// The row of a page: its item, with its position from the columns at `key` and `id`.
    public static func position(_ row: PGRow, key: Int, id: Int) throws -> PageCursor {
        PageCursor(key: try row.decode(at: key), id: try row.decode(at: id))
    }
}
