// swift-tools-version: 6.1
// The XMPP toolkit: layers and their imports are described in DESIGN.md (shared) and the README.

import PackageDescription

/// Settings every target of ours compiles with: Swift 6 language mode (the tools-version default) plus the
/// upcoming features that keep imports and existentials explicit.
let upcomingFeatures: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "swift-xmpp",
    products: [
        .library(name: "XMPPXML", targets: ["XMPPXML"]),
        .library(name: "XMPPCore", targets: ["XMPPCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.81.0")
    ],
    targets: [
        // System library shims.
        .systemLibrary(
            name: "CLibXML2",
            pkgConfig: "libxml-2.0",
            providers: [.apt(["libxml2-dev"])]
        ),

        // XML: names, the element tree, the streaming parser and the serializer. Knows nothing of XMPP
        // beyond the stream-of-elements shape.
        .target(
            name: "XMPPXML",
            dependencies: [
                "CLibXML2",
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: upcomingFeatures
        ),

        // XMPP core types: addresses (JID) now; the generated core stanza types later.
        .target(
            name: "XMPPCore",
            dependencies: ["XMPPXML"],
            swiftSettings: upcomingFeatures
        ),

        .testTarget(
            name: "XMPPXMLTests",
            dependencies: [
                "XMPPXML",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: upcomingFeatures
        ),
        .testTarget(
            name: "XMPPCoreTests",
            dependencies: ["XMPPCore"],
            exclude: ["Fixtures"],
            swiftSettings: upcomingFeatures
        ),
        // Schemas/ checked by an independent validator: every schema compiles, every fixture is valid.
        .testTarget(
            name: "SchemaTests",
            dependencies: ["CLibXML2"],
            swiftSettings: upcomingFeatures
        ),
    ]
)
