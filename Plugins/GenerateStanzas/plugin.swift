// Command plugin: regenerates the reviewed copy in `Generated/` from `Schemas/`, exactly as the build plugin
// generates it (one run of stanza-gen per schema, same options). The one writer of `Generated/`.
//
//   swift package --allow-writing-to-package-directory generate-stanzas
import Foundation
import PackagePlugin

@main
struct GenerateStanzas: CommandPlugin {
    /// Each schema set, the module its code compiles into, and the modules it imports.
    static let sets: [(folder: String, module: String, imports: [String], searchPaths: [String])] = [
        ("core", "XMPPCore", [], ["Schemas/core"]),
        ("base", "XMPPBaseExtensions", ["XMPPCore=Schemas/core"], ["Schemas/base"]),
        (
            "extensions", "XMPPExtensions", ["XMPPCore=Schemas/core", "XMPPBaseExtensions=Schemas/base"],
            ["Schemas/extensions"]
        ),
    ]

    func performCommand(context: PluginContext, arguments: [String]) async throws {
        let tool = try context.tool(named: "stanza-gen")
        let root = context.package.directoryURL
        let manager = FileManager.default
        for set in Self.sets {
            let folder = root.appending(path: "Schemas/\(set.folder)")
            let output = root.appending(path: "Generated/\(set.folder)")
            let schemas = try manager.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".xsd") }.sorted()
            // Remove outputs whose schema is gone.
            if let existing = try? manager.contentsOfDirectory(atPath: output.path) {
                for file in existing where file.hasSuffix(".xsd.swift") && !schemas.contains(String(file.dropLast(6))) {
                    try manager.removeItem(at: output.appending(path: file))
                }
            }
            for schema in schemas {
                var arguments = [
                    "generate", folder.appending(path: schema).path, "--output-directory", output.path,
                    "--module-name", set.module, "--config", root.appending(path: "Schemas/stanzagen.json").path,
                ]
                for path in set.searchPaths { arguments += ["--schema-path", root.appending(path: path).path] }
                for entry in set.imports {
                    let parts = entry.split(separator: "=", maxSplits: 1)
                    arguments += ["--import", "\(parts[0])=" + root.appending(path: String(parts[1])).path]
                }
                let process = Process()
                process.executableURL = tool.url
                process.arguments = arguments
                try process.run()
                process.waitUntilExit()
                guard process.terminationStatus == 0 else {
                    throw GenerateStanzasError("stanza-gen failed for Schemas/\(set.folder)/\(schema)")
                }
            }
            print("Generated/\(set.folder): \(schemas.count) files")
        }
    }
}

struct GenerateStanzasError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
