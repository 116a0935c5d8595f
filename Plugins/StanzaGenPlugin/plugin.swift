// Build-tool plugin: one `stanza-gen` command per `.xsd` of the target, writing `<name>.xsd.swift` into the
// plugin's work directory. Editing one schema re-runs only its command.
//
// - Configuration: the first `stanzagen.json` among the target's files, else `stanzagen.json` or
//   `Schemas/stanzagen.json` at the package root. Namespaces it does not name (or all, without one) are named
//   from the generator's table of well-known namespaces.
// - A schema whose namespace the schemas of a dependency already define generates a file that declares nothing,
//   with a warning naming it: the dependency's types are the namespace's.
// - References to other namespaces are resolved on a search path made of the folders holding the target's
//   schemas and those of the targets it depends on; the generated code imports those targets' modules.
import Foundation
import PackagePlugin

@main
struct StanzaGenPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: any Target) throws -> [Command] {
        guard let target = target as? SourceModuleTarget else { return [] }
        let schemas = target.sourceFiles.filter { $0.url.pathExtension == "xsd" }
        guard !schemas.isEmpty else { return [] }
        let tool = try context.tool(named: "stanza-gen")
        let output = context.pluginWorkDirectoryURL.appending(path: "GeneratedSources")

        let searchPaths = Set(schemas.map { $0.url.deletingLastPathComponent().path })
        var imports: Set<String> = []
        for dependency in target.recursiveTargetDependencies {
            guard let module = dependency as? SourceModuleTarget else { continue }
            for schema in module.sourceFiles where schema.url.pathExtension == "xsd" {
                imports.insert(module.moduleName + "=" + schema.url.deletingLastPathComponent().path)
            }
        }

        let config = Self.configuration(target: target, package: context.package)
        var common: [String] = ["--output-directory", output.path, "--module-name", target.moduleName]
        for path in searchPaths.sorted() { common += ["--schema-path", path] }
        for module in imports.sorted() { common += ["--import", module] }
        if let config { common += ["--config", config.path] }

        return schemas.sorted { $0.url.path < $1.url.path }.map { schema in
            .buildCommand(
                displayName: "Generating Swift from \(schema.url.lastPathComponent)",
                executable: tool.url,
                arguments: ["generate", schema.url.path] + common,
                inputFiles: [schema.url] + (config.map { [$0] } ?? []),
                outputFiles: [output.appending(path: schema.url.lastPathComponent + ".swift")]
            )
        }
    }

    static func configuration(target: SourceModuleTarget, package: Package) -> URL? {
        if let own = target.sourceFiles.first(where: { $0.url.lastPathComponent == "stanzagen.json" }) {
            return own.url
        }
        for candidate in ["stanzagen.json", "Schemas/stanzagen.json"] {
            let url = package.directoryURL.appending(path: candidate)
            if FileManager.default.fileExists(atPath: url.path) { return url }
        }
        return nil
    }
}
