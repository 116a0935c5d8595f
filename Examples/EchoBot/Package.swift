// swift-tools-version: 6.1
// A bot as a user writes one: it accepts subscription requests, answers disco, ping and version, and echoes every
// chat message. `swift run echo-bot --jid bot@example.com --password-env BOT_PASSWORD` runs it.

import PackageDescription

let package = Package(
    name: "EchoBot",
    dependencies: [
        .package(name: "swift-xmpp", path: "../.."),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
    ],
    targets: [
        .target(
            name: "EchoBot",
            dependencies: [.product(name: "XMPPClient", package: "swift-xmpp")]
        ),
        .executableTarget(
            name: "echo-bot",
            dependencies: [
                "EchoBot",
                .product(name: "XMPPServiceLifecycle", package: "swift-xmpp"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "EchoBotTests",
            dependencies: [
                "EchoBot",
                .product(name: "XMPPTesting", package: "swift-xmpp"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
    ]
)
