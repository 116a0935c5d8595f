// swift-tools-version: 6.1
// A downstream package that drops published XSF schemas into its target with no stanzagen.json: the toolkit's
// build plugin names their namespace enums from its table of well-known namespaces (ChatMarkers, AvatarMetadata,
// ...), and a schema whose namespace the toolkit already generates (XEP-0085's chat states, in XMPPExtensions)
// generates nothing: the plugin warns and the toolkit's type is used.

import PackageDescription

let package = Package(
    name: "XSFPayloads",
    dependencies: [
        .package(name: "swift-xmpp", path: "../..")
    ],
    targets: [
        .target(
            name: "XSFPayloads",
            dependencies: [
                .product(name: "XMPPCore", package: "swift-xmpp"),
                .product(name: "XMPPExtensions", package: "swift-xmpp"),
            ],
            plugins: [.plugin(name: "StanzaGenPlugin", package: "swift-xmpp")]
        ),
        .testTarget(
            name: "XSFPayloadsTests",
            dependencies: [
                "XSFPayloads",
                .product(name: "XMPPExtensions", package: "swift-xmpp"),
            ]
        ),
    ]
)
