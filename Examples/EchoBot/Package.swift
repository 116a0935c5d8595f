// swift-tools-version: 6.1
// Two bots as a user writes them. EchoBot accepts subscription requests, answers disco, ping and version, and echoes
// every chat message: `swift run echo-bot --jid bot@example.com --password-env BOT_PASSWORD`. RoomBot joins a group
// chat and answers !ping and !recap (the room's last messages, from its archive):
// `swift run room-bot --jid bot@example.com --password-env BOT_PASSWORD --room garden@rooms.example.com`.

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
        .target(
            name: "RoomBot",
            dependencies: [.product(name: "XMPPClient", package: "swift-xmpp")]
        ),
        .executableTarget(
            name: "room-bot",
            dependencies: [
                "RoomBot",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "RoomBotTests",
            dependencies: [
                "RoomBot",
                .product(name: "XMPPTesting", package: "swift-xmpp"),
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
