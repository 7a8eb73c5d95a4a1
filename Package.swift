// swift-tools-version:6.2
// 6.2: what the pinned dependencies declare (swift-log, swift-metrics, hummingbird and others); the
// code is developed and tested with Swift 6.3.
import PackageDescription

/// Settings shared by every target of ours: the upcoming features the model codebases use.
let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

/// `SWITCHBOARD_FUZZ=1` (`make fuzz`, in a build folder of its own): the code under fuzz is
/// compiled with libFuzzer's coverage, and the fuzz executable is added. (NIO and the rest are
/// not instrumented: only what the fuzzer should explore is.)
let fuzzing = Context.environment["SWITCHBOARD_FUZZ"] == "1"
let fuzzed: [SwiftSetting] = fuzzing ? [.unsafeFlags(["-sanitize=fuzzer"])] : []

let nio: [Target.Dependency] = [
    .product(name: "NIOCore", package: "swift-nio"),
    .product(name: "NIOPosix", package: "swift-nio"),
    .product(name: "NIOFoundationCompat", package: "swift-nio"),
]
let logging: Target.Dependency = .product(name: "Logging", package: "swift-log")
let lifecycle: Target.Dependency = .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")
let metrics: Target.Dependency = .product(name: "Metrics", package: "swift-metrics")

/// One service: a library with its logic (and, for the gateway, the web pages it serves from
/// `Public` as resources) and a thin executable around it.
func service(
    _ name: String, folder: String, extra: [Target.Dependency] = [], resources: [Resource]? = nil, settings: [SwiftSetting] = []
) -> [Target] {
    [
        .target(
            name: "\(name)Service",
            dependencies: ["Contracts", "Wire", "Storage", "Runtime", logging, lifecycle] + extra,
            path: "Services/\(folder)",
            exclude: ["Main"],
            sources: ["Sources"],
            resources: resources,
            swiftSettings: strict + settings
        ),
        .executableTarget(
            name: "switchboard-\(folder.lowercased())",
            dependencies: [.target(name: "\(name)Service"), "Runtime", "Contracts"],
            path: "Services/\(folder)/Main",
            swiftSettings: strict
        ),
    ]
}

let package = Package(
    name: "switchboard",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "switchboard-gateway", targets: ["switchboard-gateway"]),
        .executable(name: "switchboard-conversation", targets: ["switchboard-conversation"]),
        .executable(name: "switchboard-pool", targets: ["switchboard-pool"]),
        .executable(name: "switchboard-ticketing", targets: ["switchboard-ticketing"]),
        .executable(name: "switchboard-notification", targets: ["switchboard-notification"]),
        // The image's one file for all five (each a link to it): one copy of the shared code.
        .executable(name: "switchboard", targets: ["switchboard"]),
        .executable(name: "switchboard-bench", targets: ["switchboard-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", exact: "2.101.3"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", exact: "1.35.2"),
        .package(url: "https://github.com/apple/swift-log.git", exact: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", exact: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", exact: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", exact: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", exact: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", exact: "2.5.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", exact: "2.8.1"),
        .package(url: "https://github.com/apple/swift-http-types.git", exact: "1.8.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", exact: "0.2.0"),
    ],
    targets: [
        // Shared: what every process is built from.
        .systemLibrary(
            name: "CLibPQ",
            path: "Shared/CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]
        ),
        .systemLibrary(
            name: "CCurl",
            path: "Shared/CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        .systemLibrary(name: "CLinux", path: "Shared/CLinux"),
        .target(name: "Contracts", path: "Shared/Contracts", swiftSettings: strict + fuzzed),
        .target(name: "Mail", path: "Shared/Mail", swiftSettings: strict + fuzzed),
        .target(name: "Blocking", dependencies: [lifecycle], path: "Shared/Blocking", swiftSettings: strict),
        .target(name: "SMTP", dependencies: ["Blocking", "CCurl", "Mail", lifecycle], path: "Shared/SMTP", swiftSettings: strict),
        .target(
            name: "Wire",
            dependencies: ["Contracts", logging, lifecycle, metrics, .product(name: "NIOExtras", package: "swift-nio-extras")] + nio,
            path: "Shared/Wire",
            swiftSettings: strict + fuzzed
        ),
        .target(
            name: "Storage",
            dependencies: ["Blocking", "CLibPQ", "Contracts", logging, lifecycle, metrics],
            path: "Shared/Storage",
            swiftSettings: strict
        ),
        .target(
            name: "Runtime",
            dependencies: [
                "Contracts", "Wire", "Storage", "CLinux", logging, lifecycle, metrics,
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ] + nio,
            path: "Shared/Runtime",
            swiftSettings: strict
        ),
    ]
        + service(
            "Gateway", folder: "Gateway",
            extra: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"), "Blocking",
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            resources: [.copy("Public")]
        )
        + service("Conversation", folder: "Conversation")
        + service("Pool", folder: "Pool")
        + service("Ticketing", folder: "Ticketing", extra: ["Mail", "SMTP"], settings: fuzzed)
        + service("Notification", folder: "Notification")
        + [
            .executableTarget(
                name: "switchboard",
                dependencies: [
                    "GatewayService", "ConversationService", "PoolService", "TicketingService", "NotificationService", "Runtime",
                    "Contracts",
                ],
                path: "Services/Switchboard/Main",
                swiftSettings: strict
            ),
            // Tests: unit tests per module, the harness, integration tests, the benchmark.
            .target(
                name: "Harness",
                dependencies: ["Contracts", "Wire", "Storage", logging, lifecycle] + nio,
                path: "Tests/Harness",
                swiftSettings: strict
            ),
            .testTarget(name: "ContractsTests", dependencies: ["Contracts"], swiftSettings: strict),
            .testTarget(name: "BlockingTests", dependencies: ["Blocking", "Harness", lifecycle], swiftSettings: strict),
            .testTarget(name: "MailTests", dependencies: ["Mail"], swiftSettings: strict),
            .testTarget(
                name: "WireTests",
                dependencies: ["Wire", "Contracts", "Harness", .product(name: "NIOTestUtils", package: "swift-nio")] + nio,
                swiftSettings: strict
            ),
            .testTarget(name: "StorageTests", dependencies: ["Storage", "Contracts", "Harness"], swiftSettings: strict),
            .testTarget(name: "ConversationTests", dependencies: ["ConversationService", "Contracts"], swiftSettings: strict),
            .testTarget(
                name: "PoolTests", dependencies: ["PoolService", "Contracts", "Runtime", "Storage", "Wire", "Harness", logging, lifecycle],
                swiftSettings: strict),
            .testTarget(name: "TicketingTests", dependencies: ["TicketingService", "Contracts"], swiftSettings: strict),
            .testTarget(
                name: "GatewayTests",
                dependencies: [
                    "GatewayService", "Runtime", "Storage", "Wire", "Harness", .product(name: "Hummingbird", package: "hummingbird"),
                    .product(name: "HummingbirdTesting", package: "hummingbird"), lifecycle,
                    .product(name: "NIOFoundationCompat", package: "swift-nio"),
                ],
                swiftSettings: strict
            ),
            .testTarget(
                name: "IntegrationTests",
                dependencies: ["Harness", "Wire", "Contracts", "Storage"],
                swiftSettings: strict
            ),
            .executableTarget(
                name: "switchboard-bench",
                dependencies: [
                    "Wire", "Contracts", "Storage", "Harness",
                    .product(name: "Histogram", package: "hdrhistogram-swift"),
                ] + nio,
                path: "Tests/Bench",
                swiftSettings: strict
            ),
        ]
        + (fuzzing
            ? [
                .executableTarget(
                    name: "switchboard-fuzz",
                    dependencies: [
                        "Contracts", "Mail", "Wire", "TicketingService", logging,
                        .product(name: "NIOEmbedded", package: "swift-nio"),
                    ] + nio,
                    path: "Tests/Fuzz",
                    exclude: ["corpus"],
                    swiftSettings: strict + fuzzed,
                    linkerSettings: [.unsafeFlags(["-sanitize=fuzzer", "-use-ld=lld"])]
                )
            ] : [])
)
