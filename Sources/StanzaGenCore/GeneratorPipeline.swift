#if canImport(Glibc)
internal import Glibc
#endif

/// The schema compiler, start to end: read every schema → resolve references across them → translate each
/// input into Swift declarations → render one Swift file per input.
package struct GeneratorPipeline {
    /// One generated file.
    package struct Output: Sendable {
        /// The schema it was generated from.
        package var schema: String
        /// The output file's name: the schema's file name plus `.swift` (`disco-info.xsd.swift`).
        package var fileName: String
        package var contents: String
    }

    package var config: GeneratorConfig
    /// Folders searched for the schemas of imported namespaces that are not among the inputs.
    package var searchPaths: [String]
    /// Modules that hold the types of imported namespaces, each with the folder of its schemas
    /// (`XMPPCore=Sources/XMPPCore/Schemas`). A generated file imports the modules whose types it uses.
    package var imports: [String]
    /// The module the generated code compiles into.
    package var moduleName: String?

    package init(
        config: GeneratorConfig = GeneratorConfig(),
        searchPaths: [String] = [],
        imports: [String] = [],
        moduleName: String? = nil
    ) {
        self.config = config
        self.searchPaths = searchPaths
        self.imports = imports
        self.moduleName = moduleName
    }

    /// Generates Swift for each input schema. A file that cannot be read yields an error diagnostic and no output;
    /// everything else yields compiling code, with warnings for what was kept as raw XML.
    package func run(_ files: [String], diagnostics: DiagnosticCollector) -> [Output] {
        let set = SchemaSet(config: config, diagnostics: diagnostics)
        var inputs: [SchemaDocument] = []
        var known: Set<String> = []
        for file in files {
            do {
                var reader = SchemaReader(file: file, diagnostics: diagnostics)
                let document = try reader.read()
                inputs.append(document)
                set.add(document)
                known.insert(document.targetNamespace)
            } catch {
                diagnostics.error(file, 0, "\(error)")
            }
        }
        loadImports(of: inputs, into: set, known: &known, diagnostics: diagnostics)
        return inputs.map { document in
            let model = SchemaTranslator(
                set: set, document: document, diagnostics: diagnostics, moduleName: moduleName
            ).translate()
            let contents = SwiftRenderer().render(model)
            return Output(schema: document.file, fileName: document.fileName + ".swift", contents: contents)
        }
    }

    /// Adds the schemas of imported namespaces (and included files) found on the search path, transitively.
    private func loadImports(
        of documents: [SchemaDocument],
        into set: SchemaSet,
        known: inout Set<String>,
        diagnostics: DiagnosticCollector
    ) {
        var pending = documents.flatMap(\.imports).filter { !known.contains($0) }
        guard !pending.isEmpty else { return }
        let quiet = DiagnosticCollector()
        var candidates: [String: (document: SchemaDocument, module: String?)] = [:]
        let modules: [(folder: String, module: String?)] =
            imports.compactMap { entry in
                let parts = entry.split(separator: "=", maxSplits: 1)
                return parts.count == 2 ? (String(parts[1]), String(parts[0])) : nil
            } + searchPaths.map { ($0, nil) }
        for (folder, module) in modules {
            for file in Self.schemaFiles(in: folder) {
                var reader = SchemaReader(file: file, diagnostics: quiet)
                if let document = try? reader.read(), candidates[document.targetNamespace] == nil {
                    candidates[document.targetNamespace] = (document, module)
                }
            }
        }
        while let namespace = pending.popLast() {
            guard !known.contains(namespace) else { continue }
            known.insert(namespace)
            if let (document, module) = candidates[namespace] {
                set.add(document, module: module)
                pending += document.imports.filter { !known.contains($0) }
            } else if namespace != "http://www.w3.org/XML/1998/namespace" {
                diagnostics.warning(
                    documents.first { $0.imports.contains(namespace) }?.fileName ?? "", 0,
                    "no schema for imported namespace '\(namespace)' among the inputs or on the search path; "
                        + "references to it are kept as raw XML")
            }
        }
    }

    /// The `.xsd` files directly in a folder, sorted.
    static func schemaFiles(in folder: String) -> [String] {
        guard let directory = opendir(folder) else { return [] }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name.hasSuffix(".xsd") { names.append(name) }
        }
        return names.sorted().map { folder.hasSuffix("/") ? folder + $0 : folder + "/" + $0 }
    }
}
