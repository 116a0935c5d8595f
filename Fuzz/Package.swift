// swift-tools-version: 6.1
// libFuzzer targets for the toolkit, in their own package: they are built only with `--sanitize fuzzer`,
// which supplies `main`. Run them with `scripts/fuzz` from the repository root.

import PackageDescription

let package = Package(
    name: "swift-xmpp-fuzz",
    dependencies: [
        .package(name: "swift-xmpp", path: "..")
    ],
    targets: [
        .executableTarget(
            name: "XMLStreamParserFuzzer",
            dependencies: [.product(name: "XMPPXML", package: "swift-xmpp")]
        )
    ]
)
