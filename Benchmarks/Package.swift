// swift-tools-version: 6.1
// Benchmarks for the XMPP toolkit, in their own package so that the library's users never build the harness.
// Run them with `scripts/bench` from the repository root (it prepares the stanza corpus first).

import PackageDescription

let package = Package(
    name: "swift-xmpp-benchmarks",
    dependencies: [
        .package(name: "swift-xmpp", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark.git", from: "1.38.0", traits: ["MallocInterposer"]),
    ],
    targets: [
        // libxml2 for the no-op SAX2 floor, under a module name of its own (the library has `CLibXML2`).
        .systemLibrary(name: "CLibXML2Floor", path: "Sources/CLibXML2Floor", pkgConfig: "libxml-2.0"),
        .target(name: "BenchmarkSupport", dependencies: ["CLibXML2Floor"]),
        .executableTarget(
            name: "XMLStreamParserBenchmarks",
            dependencies: [
                "BenchmarkSupport",
                .product(name: "XMPPXML", package: "swift-xmpp"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/XMLStreamParser",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "ParserProfile",
            dependencies: ["BenchmarkSupport", .product(name: "XMPPXML", package: "swift-xmpp")]
        ),
    ]
)
