import Contracts
import NIOCore

/// The envelope's members read straight from a scanned line (`JSONScan`): the head of a request
/// and the id of a reply, without decoding the line as a whole. Anything out of the ordinary (an
/// escape, a duplicate, a member of another type) answers `nil`, and the caller decodes the line
/// the general way, which names every problem as it always has.
enum EnvelopeScan {
    /// A request's head, when the line is a plain JSON object whose head members are plain.
    static func head(_ line: ByteBuffer) -> RPCRequestHead? {
        line.withUnsafeReadableBytes { bytes in
            guard let members = JSONScan.members(of: bytes) else { return nil }
            var jsonrpc: String?
            var method: String?
            var id: RPCID??
            var trace: String??
            var deadline: Int64??
            var key: String??
            for member in members {
                // An escaped key may spell a head member: only the general decoder can tell.
                guard !member.keyEscaped else { return nil }
                if member.keyIs("jsonrpc", in: bytes) {
                    guard jsonrpc == nil, let value = member.plainString(in: bytes) else { return nil }
                    jsonrpc = value
                } else if member.keyIs("method", in: bytes) {
                    guard method == nil, let value = member.plainString(in: bytes) else { return nil }
                    method = value
                } else if member.keyIs("id", in: bytes) {
                    guard id == nil, let value = Self.id(member, in: bytes) else { return nil }
                    id = value
                } else if member.keyIs("trace", in: bytes) {
                    guard trace == nil, let value = Self.optionalString(member, in: bytes) else { return nil }
                    trace = value
                } else if member.keyIs("idempotency_key", in: bytes) {
                    guard key == nil, let value = Self.optionalString(member, in: bytes) else { return nil }
                    key = value
                } else if member.keyIs("deadline_ms", in: bytes) {
                    guard deadline == nil else { return nil }
                    if member.isNull(in: bytes) {
                        deadline = .some(nil)
                    } else {
                        guard let value = member.integer(in: bytes) else { return nil }
                        deadline = value
                    }
                }
            }
            guard let jsonrpc, let method else { return nil }
            return RPCRequestHead(
                jsonrpc: jsonrpc, id: id ?? nil, method: method, trace: trace ?? nil, deadlineMS: deadline ?? nil,
                idempotencyKey: key ?? nil)
        }
    }

    /// What a reply line says about its id.
    enum ReplyID: Equatable {
        /// The reply to this call (nil: a notification, or a reply to an unreadable request).
        case id(RPCID?)
        /// Something the general decoder must look at.
        case unsure
    }

    static func replyID(_ line: ByteBuffer) -> ReplyID {
        line.withUnsafeReadableBytes { bytes in
            // Not a plain object (not JSON, or nested deeper than the scan goes): the general decoder decides.
            guard let members = JSONScan.members(of: bytes) else { return .unsure }
            var found: RPCID??
            for member in members {
                guard !member.keyEscaped else { return .unsure }
                guard member.keyIs("id", in: bytes) else { continue }
                guard found == nil, let value = Self.id(member, in: bytes) else { return .unsure }
                found = value
            }
            return .id(found ?? nil)
        }
    }

    /// `null`, an integer, or a string without escapes; nil for anything else.
    private static func id(_ member: JSONScan.Member, in bytes: UnsafeRawBufferPointer) -> RPCID?? {
        if member.isNull(in: bytes) { return .some(nil) }
        if let number = member.integer(in: bytes) { return .number(number) }
        if let text = member.plainString(in: bytes) { return .string(text) }
        return nil
    }

    /// `null` or a string without escapes; nil for anything else.
    private static func optionalString(_ member: JSONScan.Member, in bytes: UnsafeRawBufferPointer) -> String?? {
        if member.isNull(in: bytes) { return .some(nil) }
        return member.plainString(in: bytes).map { .some($0) }
    }
}
