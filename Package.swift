// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "MallVIP",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "mallvip", targets: ["mallvip"]),
    ],
    dependencies: [
        .package(url: "https://github.com/vapor/vapor.git", from: "4.122.3"),
        .package(url: "https://github.com/vapor/fluent.git", from: "4.13.0"),
        .package(url: "https://github.com/vapor/fluent-kit.git", from: "1.57.0"),
        .package(url: "https://github.com/vapor/fluent-sqlite-driver.git", from: "4.9.0"),
        .package(url: "https://github.com/vapor/fluent-postgres-driver.git", from: "2.14.0"),
        .package(url: "https://github.com/vapor/sql-kit.git", from: "3.36.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "5.0.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        // The POS API's OpenAPI document, built from typed values (MallVIPWeb).
        .package(url: "https://github.com/mattpolzin/OpenAPIKit.git", from: "6.4.0"),
        // Tests only: the child processes of the test run (servers, gateways, tools).
        .package(url: "https://github.com/swiftlang/swift-subprocess.git", from: "1.0.2"),
        // Tests only: property-based tests of the per-receipt decision (MallVIPCoreTests).
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
        // Tests only: HTML snapshots of the main console and member pages (Tests/MallVIPWebTests/__Snapshots__).
        .package(url: "https://github.com/pointfreeco/swift-snapshot-testing.git", from: "1.19.7"),
    ],
    targets: [
        // Plot 0.14.0 (HTML DSL), vendored and patched so every text node and attribute value is escaped:
        // see Vendor/Plot/PATCHES.md. Upstream code, so it keeps the Swift 5 language mode.
        .target(name: "Plot", path: "Vendor/Plot/Sources/Plot", swiftSettings: [.swiftLanguageMode(.v5)]),
        // Pure domain: rules and values. No web framework, no ORM.
        .target(
            name: "MallVIPCore",
            dependencies: [.product(name: "Yams", package: "Yams")],
            resources: [.copy("Resources/programme.default.yaml")]
        ),
        // Persistence: Fluent records, numbered migrations, repositories.
        .target(
            name: "MallVIPStore",
            dependencies: [
                "MallVIPCore",
                .product(name: "Fluent", package: "fluent"),
                .product(name: "FluentKit", package: "fluent-kit"),
                .product(name: "FluentSQLiteDriver", package: "fluent-sqlite-driver"),
                .product(name: "FluentPostgresDriver", package: "fluent-postgres-driver"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // Web edge: console pages, JSON API, auth.
        .target(
            name: "MallVIPWeb",
            dependencies: [
                "MallVIPCore", "MallVIPStore",
                .product(name: "Vapor", package: "vapor"),
                .product(name: "Fluent", package: "fluent"),
                "Plot",
                // The SMTP client (Messaging/SMTP*) speaks to the mail server directly.
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                // Webhooks: a client that never follows redirects and connects to the address it checked.
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                // The OpenAPI document of the POS API, built from typed values (API/OpenAPIDocument*.swift).
                .product(name: "OpenAPIKit30", package: "OpenAPIKit"),
                // WeChat Pay APIv3 (issue 19): RSA-SHA256 signatures (PKCS#1 v1.5) of notifications and calls.
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ]
        ),
        .executableTarget(
            name: "mallvip",
            dependencies: [
                "MallVIPCore", "MallVIPStore", "MallVIPWeb",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Vapor", package: "vapor"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
        .testTarget(
            name: "MallVIPCoreTests",
            dependencies: ["MallVIPCore", .product(name: "Subprocess", package: "swift-subprocess"),
                           .product(name: "PropertyBased", package: "swift-property-based")]
        ),
        .testTarget(
            name: "MallVIPWebTests",
            dependencies: [
                "MallVIPCore", "MallVIPStore", "MallVIPWeb", "mallvip",
                .product(name: "VaporTesting", package: "vapor"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "SnapshotTesting", package: "swift-snapshot-testing"),
            ],
            // The recorded HTML snapshots are files the tests read, not sources or resources of the target.
            exclude: ["__Snapshots__"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
