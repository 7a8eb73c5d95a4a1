/// The envelope of one request line: JSON-RPC 2.0 plus Switchboard's optional members.
///
/// `params` is not part of the head: the receiver decodes the head first, finds the method,
/// and then decodes `params` into that method's own type (`RPCParamsBody`).
public struct RPCRequestHead: Sendable, Decodable {
    public var jsonrpc: String
    public var id: RPCID?
    public var method: String
    /// W3C traceparent of the caller's span.
    public var trace: String?
    /// Milliseconds the caller will still wait for the reply.
    public var deadlineMS: Int64?
    /// Set by a caller that may send the same request again; the callee uses it to do the work once.
    public var idempotencyKey: String?

    enum CodingKeys: String, CodingKey {
        case jsonrpc, id, method, trace
        case deadlineMS = "deadline_ms"
        case idempotencyKey = "idempotency_key"
    }
}

/// A whole request line as a sender writes it.
public struct RPCRequest<Params: Encodable & Sendable>: Sendable, Encodable {
    public var jsonrpc = "2.0"
    public var id: RPCID?
    public var method: String
    public var params: Params
    public var trace: String?
    public var deadlineMS: Int64?
    public var idempotencyKey: String?

    public init(
        id: RPCID?, method: String, params: Params,
        trace: String? = nil, deadlineMS: Int64? = nil, idempotencyKey: String? = nil
    ) {
        self.id = id
        self.method = method
        self.params = params
        self.trace = trace
        self.deadlineMS = deadlineMS
        self.idempotencyKey = idempotencyKey
    }

    enum CodingKeys: String, CodingKey {
        case jsonrpc, id, method, params, trace
        case deadlineMS = "deadline_ms"
        case idempotencyKey = "idempotency_key"
    }
}

/// Decodes only `params` of a request line; a missing `params` reads as `{}`.
public struct RPCParamsBody<Params: Decodable>: Decodable {
    public var params: Params

    enum CodingKeys: String, CodingKey { case params }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if container.contains(.params), try !container.decodeNil(forKey: .params) {
            params = try container.decode(Params.self, forKey: .params)
        } else {
            params = try Params(from: EmptyObjectDecoder(codingPath: [CodingKeys.params]))
        }
    }
}

/// The head of a reply line: its id and, when it failed, the error.
public struct RPCResponseHead: Sendable, Decodable {
    public var id: RPCID?
    public var error: RPCError?
}

/// A whole reply line as a caller reads it: the result, or the error.
public struct RPCReply<Result: Decodable>: Decodable {
    public var id: RPCID?
    public var result: Result?
    public var error: RPCError?
}

/// A successful reply as a server writes it.
public struct RPCSuccess<Result: Encodable & Sendable>: Sendable, Encodable {
    public var jsonrpc = "2.0"
    public var id: RPCID?
    public var result: Result

    public init(id: RPCID?, result: Result) {
        self.id = id
        self.result = result
    }
}

/// A failed reply as a server writes it. `id` is `null` when the request's id could not be read.
public struct RPCFailure: Sendable, Encodable {
    public var jsonrpc = "2.0"
    public var id: RPCID?
    public var error: RPCError

    public init(id: RPCID?, error: RPCError) {
        self.id = id
        self.error = error
    }

    enum CodingKeys: String, CodingKey { case jsonrpc, id, error }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(jsonrpc, forKey: .jsonrpc)
        // JSON-RPC asks for an explicit null id when the request's id is unknown.
        try container.encode(id, forKey: .id)
        try container.encode(error, forKey: .error)
    }
}

/// A server-pushed line: a JSON-RPC notification (no id).
public struct RPCNotification<Params: Codable & Sendable>: Sendable, Codable {
    public var jsonrpc = "2.0"
    public var method: String
    public var params: Params

    public init(method: String, params: Params) {
        self.method = method
        self.params = params
    }
}
