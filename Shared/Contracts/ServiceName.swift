/// The five processes of the suite. The back services are the ones reached over Unix sockets.
public enum ServiceName: String, Sendable, CaseIterable, Codable {
    case gateway
    case conversation
    case pool
    case ticketing
    case notification

    /// The services that listen on `$SWITCHBOARD_RUNTIME_DIR/<service>/<instance>.sock`.
    public static let back: [ServiceName] = [.conversation, .pool, .ticketing, .notification]

    /// The executable's name, `switchboard-<service>`.
    public var executable: String { "switchboard-\(rawValue)" }
}

/// The version every process reports in `system.health`.
public enum SwitchboardVersion {
    public static let current = "0.1.0"
}
