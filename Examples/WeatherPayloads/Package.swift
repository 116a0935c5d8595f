// swift-tools-version: 6.1
// A downstream package as a user writes one: its own XSD in its own target, turned into Swift by the toolkit's
// build plugin on every build.

import PackageDescription

let package = Package(
    name: "WeatherPayloads",
    dependencies: [
        .package(name: "swift-xmpp", path: "../..")
    ],
    targets: [
        .target(
            name: "WeatherPayloads",
            dependencies: [.product(name: "XMPPCore", package: "swift-xmpp")],
            plugins: [.plugin(name: "StanzaGenPlugin", package: "swift-xmpp")]
        ),
        .testTarget(
            name: "WeatherPayloadsTests",
            dependencies: ["WeatherPayloads"]
        ),
    ]
)
