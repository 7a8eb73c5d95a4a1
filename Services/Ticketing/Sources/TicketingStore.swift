import Contracts
import Foundation
import Storage

/// The `ticketing` schema: for now, the ticketing part of Customizations.
enum TicketingStore {
    static let migrations = [
        Migration(schema: "ticketing", version: 1, name: "schema", sql: "CREATE SCHEMA ticketing;"),
        Migration(
            schema: "ticketing", version: 2, name: "settings",
            sql: """
                CREATE TABLE ticketing.settings (
                    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
                    ack_message text NOT NULL,
                    working_hours jsonb,
                    offline_when_no_operator boolean NOT NULL DEFAULT false
                );
                INSERT INTO ticketing.settings (ack_message) VALUES (
                    'Thank you for your message. We have opened a ticket and will answer you by e-mail as soon as we can.'
                );
                """
        ),
    ]

    static func settings(in transaction: Transaction) throws -> TicketingSettings {
        let row = try transaction.query("SELECT ack_message, working_hours::text, offline_when_no_operator FROM ticketing.settings")[0]
        let hours = try row.decode(String?.self, at: 1).map { try WireJSON.decoder().decode(WorkingHours.self, from: Data($0.utf8)) }
        return TicketingSettings(ackMessage: try row.decode(at: 0), workingHours: hours, offlineWhenNoOperator: try row.decode(at: 2))
    }

    static func save(_ settings: TicketingSettings, in transaction: Transaction) throws -> TicketingSettings {
        try transaction.query(
            "UPDATE ticketing.settings SET ack_message = $1, working_hours = $2::jsonb, offline_when_no_operator = $3",
            [settings.ackMessage, try settings.workingHours.map { try PostgresJSON($0) }, settings.offlineWhenNoOperator]
        )
        return settings
    }
}
