import Foundation
import Testing

@testable import StanzaGenCore

/// `Generated/` is the reviewed copy of what the plugins generate from `Schemas/`. This test generates again,
/// in-process and exactly as the `generate-stanzas` command plugin does (one run per schema, same options), and
/// fails with a diff when the two differ.
///
/// To update: `swift package --allow-writing-to-package-directory generate-stanzas` (or `XMPP_UPDATE_GOLDEN=1
/// swift test --filter GeneratedGoldenTests`), then read `git diff Generated/`.
@Suite struct GeneratedGoldenTests {
    /// The schema sets, as in Plugins/GenerateStanzas.
    static let sets: [(folder: String, module: String, imports: [String])] = [
        ("core", "XMPPCore", []),
        ("base", "XMPPBaseExtensions", ["XMPPCore=Schemas/core"]),
        ("extensions", "XMPPExtensions", ["XMPPCore=Schemas/core", "XMPPBaseExtensions=Schemas/base"]),
    ]

    @Test(arguments: sets.map(\.folder))
    func generatedMatchesSchemas(_ folder: String) throws {
        let set = try #require(Self.sets.first { $0.folder == folder })
        let config = try projectConfig()
        let schemas = GeneratorPipeline.schemaFiles(in: repositoryRoot.appendingPathComponent("Schemas/\(folder)").path)
        #expect(!schemas.isEmpty)
        let outputFolder = repositoryRoot.appendingPathComponent("Generated/\(folder)")
        let update = ProcessInfo.processInfo.environment["XMPP_UPDATE_GOLDEN"] == "1"
        var expectedNames: Set<String> = []
        for schema in schemas {
            let pipeline = GeneratorPipeline(
                config: config,
                searchPaths: [repositoryRoot.appendingPathComponent("Schemas/\(folder)").path],
                imports: set.imports.map { entry in
                    let parts = entry.split(separator: "=", maxSplits: 1)
                    return "\(parts[0])=" + repositoryRoot.appendingPathComponent(String(parts[1])).path
                },
                moduleName: set.module)
            let diagnostics = DiagnosticCollector()
            let output = try #require(pipeline.run([schema], diagnostics: diagnostics).first)
            #expect(!diagnostics.hasErrors, "\(diagnostics.diagnostics)")
            expectedNames.insert(output.fileName)
            let url = outputFolder.appendingPathComponent(output.fileName)
            if update {
                try FileManager.default.createDirectory(at: outputFolder, withIntermediateDirectories: true)
                try output.contents.write(to: url, atomically: true, encoding: .utf8)
                continue
            }
            let committed = try? String(contentsOf: url, encoding: .utf8)
            if committed != output.contents {
                let fresh = try temporaryFile(output.fileName, output.contents)
                let diff = try run("/usr/bin/git", ["diff", "--no-index", "--", url.path, fresh]).output
                Issue.record("Generated/\(folder)/\(output.fileName) is out of date:\n\(diff.prefix(4000))")
            }
        }
        let present = Set(
            (try? FileManager.default.contentsOfDirectory(atPath: outputFolder.path))?.filter { $0.hasSuffix(".swift") }
                ?? [])
        #expect(present == expectedNames, "extra or missing files in Generated/\(folder)")
    }
}
