import Foundation
import HTTPTypes
import Hummingbird

/// `GET /api/openapi.json`: the public API as OpenAPI 3.1, built from one table of operations.
/// A test compares the table with the router's routes, so neither can drift from the other.
enum OpenAPI {
    enum Access: String {
        case none, visitor, `operator`, admin
        /// The inbound mail secret.
        case mail
        /// The conversation's visitor or any operator (an attachment).
        case participant
    }

    struct Operation {
        var method: HTTPRequest.Method
        var path: String
        var summary: String
        var access: Access
        var body: String?
        var response: String?
        /// Query parameters, by name (see `queryParameters`).
        var query: [String] = []
        /// The status of success.
        var success = 200
        /// Statuses beyond those every operation of its kind answers (see `statuses`).
        var more: [Int] = []
        /// The body's media type when it is not JSON (a raw file, a mail).
        var bodyType: String?
    }

    /// Every list's paging, and the messages' positions.
    static let paged = ["limit", "cursor"]
    static let messagePositions = ["after_seq", "before_seq", "limit", "cursor"]

    static var queryParameters: [String: [String: Any]] {
        [
            "limit": ["type": "integer", "minimum": 1, "maximum": 500, "default": 100],
            "cursor": ["type": "string", "description": "A page's next_cursor"],
            "after_seq": ["type": "integer", "minimum": 0, "description": "The first messages after this seq"],
            "before_seq": ["type": "integer", "minimum": 1, "description": "The last messages before this seq (scrolling back)"],
            "filter": ["enum": ["all", "mine", "unassigned"], "default": "all"],
            "unread": ["type": "boolean", "default": false],
            "q": [
                "type": "string",
                "description":
                    "The Archive: words in messages (internal notes too), the customer's name or e-mail. Canned responses: a prefix of shortcut or title",
            ],
            "conversation_id": uuid,
            "operator_id": uuid, "from": instant, "to": instant,
            "include_hidden": ["type": "boolean", "default": false],
            "filename": [
                "type": "string", "minLength": 1, "maxLength": 200, "description": "The file's name (no path, no control characters)",
            ],
        ]
    }

    static let operations: [Operation] = [
        .init(method: .get, path: "/healthz", summary: "The process is up", access: .none),
        .init(method: .get, path: "/readyz", summary: "The database and every back service answer", access: .none, more: [503]),
        .init(method: .get, path: "/metrics", summary: "Prometheus metrics", access: .none),
        .init(method: .get, path: "/api/openapi.json", summary: "This document", access: .none),
        .init(
            method: .get, path: "/api/v1/widget/status", summary: "Open now? Texts for the widget", access: .none, response: "WidgetStatus"),
        .init(
            method: .post, path: "/api/v1/visitor/conversations", summary: "Start a live chat", access: .none, body: "StartChat",
            response: "Started", success: 201, more: [409, 429]),
        .init(
            method: .post, path: "/api/v1/visitor/offline-messages", summary: "Leave a message while closed: a ticket", access: .none,
            body: "LeaveMessage", response: "Filed", success: 201, more: [429]),
        .init(
            method: .get, path: "/api/v1/visitor/conversations", summary: "This visitor's conversations", access: .visitor,
            response: "Conversations", query: paged),
        .init(
            method: .get, path: "/api/v1/visitor/conversations/{id}",
            summary: "One of this visitor's conversations, with its place in the queue",
            access: .visitor, response: "VisitorConversation"),
        .init(
            method: .post, path: "/api/v1/visitor/conversations/{id}/close", summary: "The customer ends the chat: to the Archive",
            access: .visitor, response: "VisitorConversation", more: [409, 429]),
        .init(
            method: .post, path: "/api/v1/visitor/conversations/{id}/transcript",
            summary: "Mail the chat to an address (once per address; rate limited)", access: .visitor, body: "TranscriptRequest",
            response: "TranscriptQueued", success: 202, more: [409, 429]),
        .init(
            method: .get, path: "/api/v1/visitor/conversations/{id}/messages",
            summary: "A page of messages: after after_seq, or before before_seq", access: .visitor,
            response: "Messages", query: messagePositions),
        .init(
            method: .post, path: "/api/v1/visitor/conversations/{id}/messages", summary: "Write as the customer", access: .visitor,
            body: "PostMessage", response: "Message", success: 201, more: [200, 409, 429]),
        .init(
            method: .post, path: "/api/v1/visitor/conversations/{id}/read",
            summary: "The customer's reading position (never moves back; 1 to the last seq)", access: .visitor,
            body: "VisitorReadPosition", success: 204, more: [429]),
        .init(
            method: .post, path: "/api/v1/visitor/conversations/{id}/rating", summary: "Rate a closed conversation, once",
            access: .visitor, body: "GiveRating", response: "Rating", success: 201, more: [409, 429]),
        .init(
            method: .get, path: "/api/v1/reports/ratings", summary: "Ratings given in a range: count, average and a page of them",
            access: .operator, response: "RatingsReport", query: ["from", "to", "limit", "cursor"]),
        .init(
            method: .post, path: "/api/v1/visitor/conversations/{id}/attachments",
            summary: "Upload a file as the customer (raw body, its Content-Type; ?filename=)", access: .visitor, body: "File",
            response: "Attachment", query: ["filename"], success: 201, more: [409, 415, 429], bodyType: "*/*"),
        .init(
            method: .post, path: "/api/v1/conversations/{id}/attachments",
            summary: "Upload a file as an operator (raw body, its Content-Type; ?filename=)", access: .operator, body: "File",
            response: "Attachment", query: ["filename"], success: 201, more: [409, 415], bodyType: "*/*"),
        .init(
            method: .get, path: "/api/v1/attachments/{id}",
            summary: "A file: images inline under a sandbox CSP, anything else as a download", access: .participant),
        .init(
            method: .post, path: "/api/v1/auth/login", summary: "Log in", access: .none, body: "Login", response: "Session",
            more: [401, 429]),
        .init(method: .post, path: "/api/v1/auth/logout", summary: "End this session", access: .operator, success: 204),
        .init(method: .get, path: "/api/v1/me", summary: "Who am I", access: .operator, response: "Operator"),
        .init(
            method: .put, path: "/api/v1/me/availability", summary: "Switch my availability for chats, tickets, or both",
            access: .operator, body: "Availability", response: "AvailabilityNow"),
        .init(
            method: .get, path: "/api/v1/operators", summary: "The operators by name, with availability and load", access: .operator,
            response: "Operators", query: paged),
        .init(
            method: .post, path: "/api/v1/operators", summary: "Create an operator", access: .admin, body: "NewOperator",
            response: "Operator", success: 201, more: [409]),
        .init(
            method: .patch, path: "/api/v1/operators/{id}",
            summary: "Edit an operator; active false deactivates (sessions end, their work goes back to the Pool)", access: .admin,
            body: "OperatorEdit", response: "Operator", more: [409]),
        .init(
            method: .post, path: "/api/v1/operators/{id}/password", summary: "Set an operator's password; their sessions end",
            access: .admin, body: "NewPassword", success: 204),
        .init(
            method: .put, path: "/api/v1/me/password", summary: "Change my password; my other sessions end", access: .operator,
            body: "PasswordChange", success: 204, more: [403, 429]),
        .init(
            method: .post, path: "/api/v1/auth/password-reset", summary: "Mail a single-use reset link (202 whatever the e-mail)",
            access: .none, body: "PasswordReset", success: 202, more: [429]),
        .init(
            method: .post, path: "/api/v1/auth/password-reset/confirm", summary: "Set a new password with a reset link's token",
            access: .none, body: "PasswordResetConfirm", success: 204, more: [410, 429]),
        .init(method: .get, path: "/api/v1/pool", summary: "The Pool, oldest first", access: .operator, response: "Pool", query: paged),
        .init(
            method: .post, path: "/api/v1/pool/{id}/take", summary: "Take it on me", access: .operator, response: "Taken", more: [403, 409]),
        .init(
            method: .get, path: "/api/v1/messages", summary: "My Messages with unread counts", access: .operator, response: "Conversations",
            query: paged),
        .init(
            method: .get, path: "/api/v1/conversations/{id}", summary: "A conversation with its audit", access: .operator,
            response: "Conversation"),
        .init(
            method: .get, path: "/api/v1/conversations/{id}/messages", summary: "A page of messages: after after_seq, or before before_seq",
            access: .operator,
            response: "Messages", query: messagePositions),
        .init(
            method: .post, path: "/api/v1/conversations/{id}/messages", summary: "Write as the holder", access: .operator,
            body: "PostMessage", response: "Message", success: 201, more: [200, 403, 409]),
        .init(
            method: .post, path: "/api/v1/conversations/{id}/notes",
            summary: "Write an internal note: in the operators' timeline only, never shown to the customer nor mailed",
            access: .operator, body: "PostNote", response: "Message", success: 201, more: [200, 409, 429]),
        .init(
            method: .get, path: "/api/v1/canned-responses", summary: "The desk's canned responses and my own, oldest first",
            access: .operator, response: "CannedResponses", query: ["q"] + paged),
        .init(
            method: .post, path: "/api/v1/canned-responses", summary: "Add a canned response (desk ones: admins only)",
            access: .operator, body: "CannedDraft", response: "CannedResponse", success: 201, more: [403, 409, 429]),
        .init(
            method: .put, path: "/api/v1/canned-responses/{id}", summary: "Change a canned response (desk ones: admins only)",
            access: .operator, body: "CannedDraft", response: "CannedResponse", more: [403, 409, 429]),
        .init(
            method: .delete, path: "/api/v1/canned-responses/{id}", summary: "Delete a canned response (desk ones: admins only)",
            access: .operator, success: 204, more: [403, 429]),
        .init(
            method: .get, path: "/api/v1/canned-responses/{id}/render",
            summary: "A canned response with its placeholders filled for a conversation", access: .operator,
            response: "RenderedCanned", query: ["conversation_id"]),
        .init(
            method: .post, path: "/api/v1/conversations/{id}/read", summary: "Move my reading position", access: .operator,
            body: "ReadPosition", success: 204),
        .init(
            method: .post, path: "/api/v1/conversations/{id}/take", summary: "Take a colleague's job", access: .operator, response: "Taken",
            more: [403, 409]),
        .init(
            method: .post, path: "/api/v1/conversations/{id}/transfer",
            summary: "Hand my job (an admin: anyone's) to an available colleague", access: .operator, body: "Transfer", response: "Taken",
            more: [403, 409]),
        .init(
            method: .post, path: "/api/v1/conversations/{id}/return", summary: "Back to the Pool (its holder, or an admin)",
            access: .operator, response: "Taken", more: [403, 409]),
        .init(
            method: .post, path: "/api/v1/conversations/{id}/close", summary: "Close my job (an admin: anyone's): to the Archive",
            access: .operator, response: "Conversation", more: [403]),
        .init(
            method: .get, path: "/api/v1/team", summary: "Every operator's presence, availability and open jobs", access: .admin,
            response: "Team", query: paged),
        .init(
            method: .get, path: "/api/v1/customers/{id}/conversations", summary: "A customer's conversations", access: .operator,
            response: "Conversations", query: paged),
        .init(
            method: .get, path: "/api/v1/customers/{id}",
            summary: "The customer panel: details, latest conversations, others with the same e-mail (unverified)", access: .operator,
            response: "CustomerPanel"),
        .init(
            method: .post, path: "/api/v1/pool/{id}/dismiss",
            summary: "Close a waiting chat as spam; block: refuse its visitor from now on",
            access: .operator, body: "Dismissal", response: "Taken", more: [409]),
        .init(
            method: .get, path: "/api/v1/blocks", summary: "Blocked visitors, latest first", access: .admin, response: "Blocks",
            query: paged),
        .init(method: .delete, path: "/api/v1/blocks/{id}", summary: "Lift a visitor's block", access: .admin, success: 204),
        .init(
            method: .get, path: "/api/v1/archive", summary: "Closed conversations, newest first", access: .operator,
            response: "ArchivePage", query: ["q", "operator_id", "from", "to", "include_hidden"] + paged),
        .init(method: .post, path: "/api/v1/archive/{id}/hide", summary: "Hide from my Archive", access: .operator, success: 204),
        .init(method: .delete, path: "/api/v1/archive/{id}/hide", summary: "Show in my Archive again", access: .operator, success: 204),
        .init(
            method: .get, path: "/api/v1/notifications", summary: "My notifications", access: .operator, response: "Notifications",
            query: ["unread"] + paged),
        .init(method: .post, path: "/api/v1/notifications/{id}/read", summary: "Mark one read", access: .operator, success: 204),
        .init(method: .post, path: "/api/v1/notifications/read-all", summary: "Mark all read", access: .operator, success: 204),
        .init(
            method: .get, path: "/api/v1/stream", summary: "WebSocket: Pool, messages, assignments, closes, my notifications",
            access: .operator, response: "Frame", success: 101, more: [426]),
        .init(
            method: .get, path: "/api/v1/visitor/stream", summary: "WebSocket: this visitor's messages, assignments, closes",
            access: .visitor, response: "Frame", success: 101, more: [426]),
        .init(
            method: .post, path: "/api/v1/conversations/{id}/ticket", summary: "Ticket this chat: it continues by e-mail",
            access: .operator, body: "TicketChat", response: "TicketCreated", success: 201, more: [403, 409]),
        .init(
            method: .get, path: "/api/v1/tickets", summary: "Tickets, newest first: filter=all|mine|unassigned", access: .operator,
            response: "Tickets", query: ["filter"] + paged),
        .init(
            method: .post, path: "/api/v1/tickets/{id}/assign", summary: "Give a ticket to an available colleague",
            access: .operator, body: "Transfer", response: "Taken", more: [409]),
        .init(
            method: .post, path: "/api/v1/inbound/email",
            summary: "A received mail, raw (message/rfc822, at most SWITCHBOARD_INBOUND_MAX_BYTES, default 25 MiB)",
            access: .mail, body: "RawMail", response: "Received", success: 201, more: [200]),
        .init(method: .get, path: "/api/v1/settings", summary: "Customizations", access: .admin, response: "Settings"),
        .init(
            method: .put, path: "/api/v1/settings", summary: "Replace Customizations, all or nothing", access: .admin, body: "Settings",
            response: "Settings"),
    ]

    static func object(_ properties: [String: Any], required: [String] = []) -> [String: Any] {
        ["type": "object", "properties": properties, "required": required]
    }

    static var string: [String: Any] { ["type": "string"] }
    static var uuid: [String: Any] { ["type": "string", "format": "uuid"] }
    static var instant: [String: Any] {
        ["type": "string", "format": "date-time", "description": "RFC 3339, in the years 1970 to 9999"]
    }
    static func ref(_ name: String) -> [String: Any] { ["$ref": "#/components/schemas/\(name)"] }
    /// `schema`, or `null`.
    static func null(_ schema: [String: Any]) -> [String: Any] { ["anyOf": [schema, ["type": "null"]]] }
    /// A string of `characters` (as the server counts them), not blank where `minimum` is 1.
    static func text(_ characters: ClosedRange<Int>) -> [String: Any] {
        ["type": "string", "minLength": characters.lowerBound, "maxLength": characters.upperBound]
    }
    static func array(_ name: String) -> [String: Any] { ["type": "array", "items": ref(name)] }
    /// A list's page: `{items, next_cursor, total?}`.
    static func page(_ item: [String: Any]) -> [String: Any] {
        object(
            ["items": ["type": "array", "items": item], "next_cursor": ["type": ["string", "null"]], "total": ["type": "integer"]],
            required: ["items", "next_cursor"])
    }

    static var schemas: [String: Any] {
        [
            "Error": object([
                "error": object(["code": string, "message": string, "details": ["type": "object"]], required: ["code", "message"])
            ]),
            "Message": object([
                "id": uuid, "conversation_id": uuid, "seq": ["type": "integer", "minimum": 1], "body": string,
                "client_message_id": null(string), "created_at": instant,
                "author": object(["kind": ["enum": ["customer", "operator", "system", "note"]], "id": null(uuid), "name": string]),
                "delivery": ref("Delivery"), "attachments": array("Attachment"),
            ]),
            "Messages": page(ref("Message")),
            "Attachment": object(
                ["id": uuid, "filename": string, "content_type": string, "size": ["type": "integer", "minimum": 1]],
                required: ["id", "filename", "content_type", "size"]),
            "File": ["type": "string", "format": "binary", "description": "The file's bytes, as its Content-Type says"],
            "PostNote": object(["body": text(1...10_000), "client_message_id": text(1...100)], required: ["body"]),
            "CannedDraft": object(
                [
                    "shortcut": ["type": "string", "pattern": "^[a-z0-9_-]{1,32}$"], "title": text(1...100), "body": text(1...5_000),
                    "scope": ["enum": ["desk", "personal"]],
                ], required: ["shortcut", "title", "body", "scope"]),
            "CannedResponse": object([
                "id": uuid, "shortcut": string, "title": string, "body": string, "scope": ["enum": ["desk", "personal"]],
                "owner_id": null(uuid), "created_at": instant, "updated_at": instant,
            ]),
            "CannedResponses": page(ref("CannedResponse")),
            "RenderedCanned": object(["id": uuid, "shortcut": string, "body": string]),
            "Delivery": object([
                "message_id": null(uuid), "status": ["enum": ["queued", "sent", "failed"]], "attempts": ["type": "integer"],
                "last_error": null(string), "next_attempt_at": null(instant), "sent_at": null(instant),
            ]),
            "TicketChat": object(["email": string], required: ["email"]),
            "Tickets": page(
                object([
                    "id": uuid, "number": ["type": "integer"], "customer": object(["name": string, "email": string]), "subject": string,
                    "holder": null(object(["id": uuid, "name": string])), "status": ["enum": ["waiting", "assigned", "closed"]],
                    "created_at": instant,
                ])),
            "TicketCreated": object([
                "ticket": object([
                    "number": ["type": "integer"], "email": string, "subject": string, "deliveries": array("Delivery"),
                ])
            ]),
            "RawMail": ["type": "string", "description": "An RFC 5322 message"],
            "Received": object([
                "outcome": ["enum": ["appended", "created", "duplicate"]], "ticket": object(["number": ["type": "integer"]]),
            ]),
            "Conversation": object([
                "id": uuid, "channel": ["enum": ["chat", "email"]], "status": ["enum": ["waiting", "assigned", "closed"]],
                "customer": object(["id": uuid, "name": string, "email": null(string)]),
                "assignee": null(object(["id": uuid, "name": string])), "created_at": instant, "closed_at": null(instant),
                "last_message": null(ref("Message")), "audit": ["type": "array"],
                "closed_reason": null(["enum": ["operator", "customer", "idle", "dismissed"]]),
                "unread": ["type": "integer", "minimum": 0],
                "customer_read_seq": ["type": "integer", "minimum": 0], "operator_read_seq": ["type": "integer", "minimum": 0],
                "rating": null(ref("Rating")),
                "closed_by": null(object(["id": uuid, "name": string])), "hidden": ["type": "boolean"],
                "ticket": object(["number": ["type": "integer"], "email": string, "subject": string, "deliveries": array("Delivery")]),
            ]),
            "Conversations": page(ref("Conversation")),
            "VisitorConversation": [
                "allOf": [
                    ref("Conversation"),
                    object([
                        "queue": null(
                            object(
                                [
                                    "position": ["type": "integer", "minimum": 1],
                                    "estimated_wait_seconds": null(["type": "integer", "minimum": 0]),
                                ],
                                required: ["position"]))
                    ]),
                ]
            ],
            "CustomerPanel": object(
                [
                    "id": uuid, "name": string, "email": null(string), "conversations": array("Conversation"),
                    "next_cursor": ["type": ["string", "null"]],
                    "same_email": [
                        "type": "array",
                        "items": object(["id": uuid, "name": string, "email": null(string), "verified": ["const": false]]),
                    ],
                ], required: ["id", "name", "email", "conversations", "next_cursor", "same_email"]),
            "Dismissal": object(["block": ["type": "boolean", "default": false]]),
            "Blocks": page(
                object([
                    "id": uuid, "visitor_id": uuid, "customer": object(["name": string]), "conversation_id": null(uuid),
                    "blocked_by": object(["id": uuid, "name": string]), "blocked_at": instant,
                ])),
            "Taken": object(["conversation": ref("Conversation")]),
            "ArchivePage": page(ref("Conversation")),
            "StartChat": object(
                ["name": text(1...200), "email": text(3...254), "message": text(1...10_000), "client_message_id": text(1...100)],
                required: ["name"]),
            "Started": object(["visitor_token": string, "conversation": ref("Conversation")]),
            "LeaveMessage": object(
                ["name": text(1...200), "email": text(3...254), "message": text(1...10_000)], required: ["name", "email", "message"]),
            "Filed": object([
                "visitor_token": string,
                "ticket": object(["number": ["type": "integer"], "conversation_id": ["type": ["string", "null"], "format": "uuid"]]),
            ]),
            "PostMessage": object(
                [
                    "body": text(0...10_000), "client_message_id": text(1...100),
                    "attachment_ids": ["type": "array", "items": uuid, "maxItems": 10],
                ], required: ["client_message_id"]),
            "TranscriptRequest": object(["email": text(3...254)], required: ["email"]),
            "TranscriptQueued": object(["email": string, "queued": ["type": "boolean"]], required: ["email", "queued"]),
            "ReadPosition": object(["seq": ["type": "integer", "minimum": 0]], required: ["seq"]),
            "VisitorReadPosition": object(["seq": ["type": "integer", "minimum": 1]], required: ["seq"]),
            "GiveRating": object(
                ["score": ["type": "integer", "minimum": 1, "maximum": 5], "comment": text(0...1_000)], required: ["score"]),
            "Rating": object(
                ["score": ["type": "integer", "minimum": 1, "maximum": 5], "comment": null(string), "created_at": instant],
                required: ["score", "comment", "created_at"]),
            "RatingsReport": object(
                [
                    "count": ["type": "integer", "minimum": 0], "average": null(["type": "number", "minimum": 1, "maximum": 5]),
                    "items": [
                        "type": "array",
                        "items": object([
                            "conversation_id": uuid, "customer": object(["id": uuid, "name": string, "email": null(string)]),
                            "closed_by": null(object(["id": uuid, "name": string])),
                            "score": ["type": "integer", "minimum": 1, "maximum": 5], "comment": null(string), "created_at": instant,
                        ]),
                    ],
                    "next_cursor": ["type": ["string", "null"]],
                ], required: ["count", "average", "items", "next_cursor"]),
            "Transfer": object(["operator_id": uuid], required: ["operator_id"]),
            "Availability": object(["chats": ["type": "boolean"], "tickets": ["type": "boolean"], "available": ["type": "boolean"]]),
            "AvailabilityNow": object(["availability": ref("Switches"), "available": ["type": "boolean"]]),
            "Switches": object(["chats": ["type": "boolean"], "tickets": ["type": "boolean"]], required: ["chats", "tickets"]),
            "Team": page(
                object([
                    "id": uuid, "name": string, "email": string, "role": ["enum": ["admin", "operator"]], "availability": ref("Switches"),
                    "presence": ["enum": ["online", "away", "offline"]], "open_jobs": ["type": "integer"],
                    "jobs": [
                        "type": "array",
                        "items": object([
                            "conversation_id": uuid, "kind": ["enum": ["chat", "ticket"]], "customer": ["type": "object"],
                            "preview": string,
                            "customer_waiting_since": null(instant), "waiting_seconds": null(["type": "integer", "minimum": 0]),
                        ]),
                    ],
                ])),
            "Login": object(["email": text(1...254), "password": text(1...200)], required: ["email", "password"]),
            "Operator": object([
                "id": uuid, "name": string, "email": string, "role": ["enum": ["admin", "operator"]], "available": ["type": "boolean"],
                "availability": ref("Switches"), "presence": ["enum": ["online", "away", "offline"]], "load": ["type": "integer"],
                "active": ["type": "boolean"],
            ]),
            "Operators": page(ref("Operator")),
            "OperatorEdit": object([
                "name": text(1...200), "email": text(3...254), "role": ["enum": ["admin", "operator"]], "active": ["type": "boolean"],
            ]),
            "NewPassword": object(["password": text(8...72)], required: ["password"]),
            "PasswordChange": object(
                ["current_password": text(1...200), "new_password": text(8...72)], required: ["current_password", "new_password"]),
            "PasswordReset": object(["email": text(3...254)], required: ["email"]),
            "PasswordResetConfirm": object(["token": text(1...200), "new_password": text(8...72)], required: ["token", "new_password"]),
            "NewOperator": object(
                ["name": text(1...200), "email": text(3...254), "password": text(8...72), "role": ["enum": ["admin", "operator"]]],
                required: ["name", "email", "password", "role"]),
            "Session": object(["token": string, "operator": ref("Operator")]),
            "Pool": page(
                object([
                    "id": uuid, "conversation_id": uuid, "kind": ["enum": ["chat", "ticket"]], "customer": ["type": "object"],
                    "waiting_since": instant, "preview": string,
                ])),
            "Notifications": page(
                object([
                    "id": uuid, "operator_id": uuid, "kind": string, "conversation_id": uuid, "text": string, "created_at": instant,
                    "read_at": null(instant),
                ])),
            "Settings": object(
                [
                    "greeting_message": string, "offline_message": string, "ack_message": string,
                    "working_hours": [
                        "type": ["object", "null"],
                        "properties": [
                            "timezone": string,
                            "weekly": [
                                "type": "object",
                                "additionalProperties": ["type": "array", "items": ["type": "array", "items": string]],
                            ],
                            "holidays": ["type": "array", "items": ["type": "string", "format": "date"]],
                            "closures": ["type": "array", "items": object(["from": instant, "to": instant])],
                        ],
                        "required": ["timezone", "weekly"],
                    ],
                    "offline_when_no_operator": ["type": "boolean"], "auto_assign": ["type": "boolean"],
                    "max_chats_per_operator": ["type": "integer", "minimum": 1, "maximum": 100],
                    "away_after_seconds": ["type": "integer", "minimum": 1, "maximum": 604_800],
                    "return_when_away": ["type": "boolean"],
                    "idle_close_minutes": null(["type": "integer", "minimum": 1, "maximum": 10_080]),
                    "escalation": null(
                        object(
                            [
                                "after_seconds": ["type": "integer", "minimum": 1, "maximum": 604_800],
                                "admins_after_seconds": ["type": "integer", "minimum": 1, "maximum": 604_800],
                            ], required: ["after_seconds", "admins_after_seconds"])),
                ],
                required: [
                    "greeting_message", "offline_message", "ack_message", "working_hours", "offline_when_no_operator", "auto_assign",
                    "max_chats_per_operator",
                ]),
            "Frame": object(
                [
                    "type": [
                        "enum": [
                            "ready", "heartbeat", "resync", "error", "message.created", "conversation.assigned", "conversation.returned",
                            "conversation.closed", "conversation.moved_to_email", "pool.changed", "notification.created", "mail.updated",
                            "conversation.read", "conversation.rated", "typing",
                        ]
                    ],
                    "cursor": ["type": ["string", "null"]], "data": ["type": "object"],
                ], required: ["type", "cursor", "data"]),
            "WidgetStatus": object([
                "open": ["type": "boolean"], "operators_available": ["type": "boolean"], "greeting_message": string,
                "offline_message": string,
                "next_open_at": null(instant),
            ]),
        ]
    }

    /// Every status an operation answers: its success and extras, and the refusals of its kind.
    /// (Any path also answers 405 with `Allow` to a method it does not serve, and any request
    /// 501 for a transfer coding other than chunked.)
    static func statuses(_ operation: Operation) -> [Int] {
        var codes = Set([operation.success] + operation.more)
        if operation.path.hasPrefix("/api/v1/") { codes.insert(503) }
        if operation.access != .none { codes.insert(401) }
        if operation.access == .admin { codes.insert(403) }
        if operation.path.contains("{id}") { codes.insert(404) }
        if operation.body != nil { codes.formUnion([400, 413]) }
        if operation.body != nil, operation.access != .mail { codes.insert(422) }
        if operation.access == .participant { codes.insert(404) }
        if !operation.query.isEmpty { codes.insert(422) }
        return codes.sorted()
    }

    static func document() -> [String: Any] {
        var paths: [String: [String: Any]] = [:]
        for operation in operations {
            var entry: [String: Any] = ["summary": operation.summary]
            var responses: [String: Any] = [:]
            for status in statuses(operation) {
                let description = HTTPResponse.Status(code: status).reasonPhrase
                if status >= 400 {
                    responses[String(status)] = ["description": description, "content": ["application/json": ["schema": ref("Error")]]]
                } else if let response = operation.response, status != 204, status != 101 {
                    responses[String(status)] = ["description": description, "content": ["application/json": ["schema": ref(response)]]]
                } else {
                    responses[String(status)] = ["description": description]
                }
            }
            entry["responses"] = responses
            if let body = operation.body {
                let type = operation.bodyType ?? (operation.access == .mail ? "message/rfc822" : "application/json")
                entry["requestBody"] = ["required": true, "content": [type: ["schema": ref(body)]]]
            }
            // Who may call it, for readers and for the authorization tests that walk this document.
            entry["x-switchboard-access"] = operation.access.rawValue
            let scheme = ["visitor": "visitorToken", "operator": "sessionToken", "admin": "sessionToken", "mail": "inboundSecret"]
            if let name = scheme[operation.access.rawValue] { entry["security"] = [[name: []]] }
            if operation.access == .participant { entry["security"] = [["visitorToken": []], ["sessionToken": []]] }
            var parameters: [[String: Any]] = []
            if operation.path.contains("{id}") { parameters.append(["name": "id", "in": "path", "required": true, "schema": uuid]) }
            for name in operation.query {
                parameters.append(["name": name, "in": "query", "required": false, "schema": queryParameters[name] ?? string])
            }
            if !parameters.isEmpty { entry["parameters"] = parameters }
            paths[operation.path, default: [:]][operation.method.rawValue.lowercased()] = entry
        }
        return [
            "openapi": "3.1.0",
            "info": ["title": "Switchboard", "version": "1"],
            "paths": paths,
            "components": [
                "schemas": schemas,
                "securitySchemes": [
                    "sessionToken": [
                        "type": "http", "scheme": "bearer", "description": "An operator's session token from /api/v1/auth/login",
                    ],
                    "visitorToken": ["type": "http", "scheme": "bearer", "description": "The visitor token from starting a chat"],
                    "inboundSecret": ["type": "http", "scheme": "bearer", "description": "SWITCHBOARD_INBOUND_SECRET"],
                ],
            ],
        ]
    }

    /// The document's bytes, made once.
    static let json: ByteBuffer = {
        let data =
            (try? JSONSerialization.data(withJSONObject: document(), options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return ByteBuffer(bytes: data)
    }()
}
