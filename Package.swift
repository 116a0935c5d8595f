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
        .library(name: "SASL", targets: ["SASL"]),
        .library(name: "XMPPTLS", targets: ["XMPPTLS"]),
        .library(name: "XMPPBaseExtensions", targets: ["XMPPBaseExtensions"]),
        .library(name: "XMPPExtensions", targets: ["XMPPExtensions"]),
        .library(name: "XMPPTesting", targets: ["XMPPTesting"]),
        .library(name: "XMPPStream", targets: ["XMPPStream"]),
        .library(name: "XMPPClient", targets: ["XMPPClient"]),
        .library(name: "XMPPServiceLifecycle", targets: ["XMPPServiceLifecycle"]),
        .library(name: "XMPPHTTPUpload", targets: ["XMPPHTTPUpload"]),
        .executable(name: "stanza-gen", targets: ["stanza-gen"]),
        .executable(name: "xmpp", targets: ["xmpp"]),
        .plugin(name: "StanzaGenPlugin", targets: ["StanzaGenPlugin"]),
        .plugin(name: "GenerateStanzas", targets: ["GenerateStanzas"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.81.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
    ],
    targets: [
        // System library shims.
        .systemLibrary(
            name: "CLibXML2",
            pkgConfig: "libxml-2.0",
            providers: [.apt(["libxml2-dev"])]
        ),
        .systemLibrary(
            name: "CLibSSL",
            pkgConfig: "openssl",
            providers: [.apt(["libssl-dev"])]
        ),
        // glibc's resolver (libresolv), for SRV lookups.
        .systemLibrary(name: "CResolv"),

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

        // XMPP core types: addresses (JID) and the types generated from Schemas/core (seen through the symlink
        // Sources/XMPPCore/Schemas, so that adding a schema re-plans the build).
        .target(
            name: "XMPPCore",
            dependencies: ["XMPPXML"],
            swiftSettings: upcomingFeatures,
            plugins: [.plugin(name: "StanzaGenPlugin")]
        ),

        // The XEP payloads the client's own services speak, generated from Schemas/base (forms, disco, RSM, caps,
        // ping, version, time): all that XMPPClient links.
        .target(
            name: "XMPPBaseExtensions",
            dependencies: ["XMPPCore"],
            swiftSettings: upcomingFeatures,
            plugins: [.plugin(name: "StanzaGenPlugin")]
        ),

        // The other XEP payloads, generated from Schemas/extensions, plus hand-written conveniences; re-exports
        // XMPPBaseExtensions.
        .target(
            name: "XMPPExtensions",
            dependencies: ["XMPPCore", "XMPPBaseExtensions"],
            swiftSettings: upcomingFeatures,
            plugins: [.plugin(name: "StanzaGenPlugin")]
        ),

        // Helpers for tests, shipped for extension authors: XML equivalence, documents.
        .target(
            name: "XMPPTesting",
            dependencies: [
                "XMPPXML", "XMPPClient",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            swiftSettings: upcomingFeatures
        ),

        // The build plugin (one stanza-gen run per schema of a target) and the command plugin that writes the
        // reviewed copy in Generated/.
        .plugin(
            name: "StanzaGenPlugin",
            capability: .buildTool(),
            dependencies: ["stanza-gen"]
        ),
        .plugin(
            name: "GenerateStanzas",
            capability: .command(
                intent: .custom(verb: "generate-stanzas", description: "Regenerate Generated/ from Schemas/"),
                permissions: [.writeToPackageDirectory(reason: "Generated/ holds the reviewed generated code")]
            ),
            dependencies: ["stanza-gen"]
        ),

        // The schema compiler: XSD → schema model → Swift type model → Swift source. Build-time only; never
        // linked into the runtime.
        .target(
            name: "StanzaGenCore",
            dependencies: ["CLibXML2"],
            swiftSettings: upcomingFeatures
        ),
        .executableTarget(
            name: "stanza-gen",
            dependencies: ["StanzaGenCore"],
            swiftSettings: upcomingFeatures
        ),

        // SASL mechanisms (PLAIN, SCRAM-*, EXTERNAL, ANONYMOUS), protocol-agnostic, on libcrypto.
        .target(
            name: "SASL",
            dependencies: ["CLibSSL"],
            swiftSettings: upcomingFeatures
        ),

        // TLS on the system OpenSSL: a NIO channel handler for STARTTLS and direct TLS, verification, channel
        // bindings.
        .target(
            name: "XMPPTLS",
            dependencies: [
                "CLibSSL",
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: upcomingFeatures
        ),

        // The XMPP stream on a NIO channel: framing, negotiation (STARTTLS, SASL, bind), the XML console, the
        // transports (TCP, WebSocket) and their discovery (XEP-0156 host-meta).
        .target(
            name: "XMPPStream",
            dependencies: [
                "XMPPCore", "SASL", "XMPPTLS", "CResolv",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: upcomingFeatures
        ),

        // The public API: clients and components, handlers, IQ responders, events, filters, services.
        .target(
            name: "XMPPClient",
            dependencies: [
                "XMPPStream", "XMPPBaseExtensions", "XMPPExtensions",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: upcomingFeatures
        ),

        // HTTP file upload (XEP-0363): the slot from the XMPP service, the upload through AsyncHTTPClient (a separate
        // module, so that only applications that upload build and link an HTTP client).
        .target(
            name: "XMPPHTTPUpload",
            dependencies: [
                "XMPPClient", "XMPPExtensions",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: upcomingFeatures
        ),

        // Clients and components as swift-service-lifecycle services (a separate module, so that only applications
        // that run a ServiceGroup link it).
        .target(
            name: "XMPPServiceLifecycle",
            dependencies: [
                "XMPPClient",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: upcomingFeatures
        ),

        // The command-line tool: send, ping, disco, with the XML console.
        .executableTarget(
            name: "xmpp",
            dependencies: ["XMPPClient", .product(name: "Logging", package: "swift-log")],
            swiftSettings: upcomingFeatures
        ),

        // The client in the peer benchmark harness (../shared/bench): `xmpp-bench ingest`.
        .executableTarget(
            name: "xmpp-bench",
            dependencies: [
                "XMPPClient", "XMPPExtensions", .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            swiftSettings: upcomingFeatures
        ),

        .testTarget(
            name: "XMPPXMLTests",
            dependencies: [
                "XMPPXML", "XMPPTesting", "CLibXML2",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: upcomingFeatures
        ),
        .testTarget(
            name: "XMPPCoreTests",
            dependencies: ["XMPPCore", "XMPPTesting"],
            exclude: ["Fixtures"],
            swiftSettings: upcomingFeatures
        ),
        .testTarget(
            name: "SASLTests",
            dependencies: ["SASL"],
            swiftSettings: upcomingFeatures
        ),
        .testTarget(
            name: "XMPPTLSTests",
            dependencies: [
                "XMPPTLS", "XMPPTesting",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ],
            swiftSettings: upcomingFeatures
        ),
        .testTarget(
            name: "XMPPStreamTests",
            dependencies: [
                "XMPPStream", "XMPPTesting", "SASL", "XMPPTLS",
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
            ],
            swiftSettings: upcomingFeatures
        ),
        .testTarget(
            name: "XMPPClientTests",
            dependencies: [
                "XMPPClient", "XMPPExtensions", "XMPPServiceLifecycle", "XMPPTesting", "XMPPHTTPUpload",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: upcomingFeatures
        ),
        .testTarget(
            name: "XMPPExtensionsTests",
            dependencies: ["XMPPExtensions", "XMPPTesting"],
            exclude: ["Fixtures"],
            swiftSettings: upcomingFeatures
        ),
        .testTarget(
            name: "StanzaGenCoreTests",
            dependencies: ["StanzaGenCore", "CLibXML2"],
            swiftSettings: upcomingFeatures
        ),
        // Generated code as a downstream target gets it: the build plugin turns this target's schemas (Schemas/,
        // with its stanzagen.json) into types that the tests decode with.
        .testTarget(
            name: "StanzaGenPluginTests",
            dependencies: ["XMPPXML", "XMPPTesting"],
            swiftSettings: upcomingFeatures,
            plugins: [.plugin(name: "StanzaGenPlugin")]
        ),
        // Schemas/ checked by an independent validator: every schema compiles, every fixture is valid.
        .testTarget(
            name: "SchemaTests",
            dependencies: ["CLibXML2"],
            swiftSettings: upcomingFeatures
        ),
    ]
)
