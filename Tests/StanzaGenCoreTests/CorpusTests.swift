import Foundation
import Testing

@testable import StanzaGenCore

/// The XSF's published schemas (`../shared/xsf-schemas`, 303 primary files) as a test corpus: every valid schema
/// must generate Swift that compiles; every invalid one must give diagnostics and either compiling code or a
/// clear refusal, never a crash.
///
/// Files that share a namespace go into different modules (a module has one enum per namespace); each module is
/// generated in one run and type-checked with `swiftc` against the XMPPXML module this test was built with.
@Suite(.serialized) struct CorpusTests {
    struct Entry {
        var file: String
        var namespace: String
        var valid: Bool
        var parses: Bool
    }

    /// `../shared/xsf-schemas` beside the repository, or `$XMPP_SHARED_DIR/xsf-schemas`.
    static let corpus: URL = {
        if let shared = ProcessInfo.processInfo.environment["XMPP_SHARED_DIR"] {
            return URL(fileURLWithPath: shared).appendingPathComponent("xsf-schemas")
        }
        return repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/xsf-schemas")
    }()

    static func entries() throws -> [Entry] {
        let path = corpus.appendingPathComponent("MANIFEST.tsv")
        guard FileManager.default.fileExists(atPath: path.path) else {
            throw CorpusError(
                "the schema corpus is not at \(corpus.path): the shared folder sits beside the repository "
                    + "(or set XMPP_SHARED_DIR)")
        }
        let manifest = try String(contentsOf: path, encoding: .utf8)
        let rows = manifest.split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false) }
        guard let header = rows.first else { return [] }
        func column(_ name: String) -> Int { header.firstIndex { $0 == name }! }
        let (file, set, namespace, parses, valid) = (
            column("file"), column("set"), column("targetNamespace"), column("parses_xml"), column("xsd_valid")
        )
        return rows.dropFirst().filter { $0[set] == "primary" }.map {
            Entry(
                file: String($0[file]), namespace: String($0[namespace]), valid: $0[valid] == "yes",
                parses: $0[parses] == "yes")
        }
    }

    /// Groups entries so that no namespace appears twice in a group.
    static func groups(_ entries: [Entry]) -> [[Entry]] {
        var groups: [[Entry]] = []
        var namespacesOfGroup: [Set<String>] = []
        for entry in entries {
            if let index = namespacesOfGroup.firstIndex(where: { !$0.contains(entry.namespace) }) {
                groups[index].append(entry)
                namespacesOfGroup[index].insert(entry.namespace)
            } else {
                groups.append([entry])
                namespacesOfGroup.append([entry.namespace])
            }
        }
        return groups
    }

    /// The `swiftc` arguments that make XMPPXML and its dependencies importable.
    static func compilerArguments() throws -> (swiftc: String, arguments: [String]) {
        let testBinary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var buildFolder = testBinary.deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: buildFolder.appendingPathComponent("Modules").path) {
            guard buildFolder.pathComponents.count > 2 else {
                throw CorpusError("cannot find the build's Modules folder from \(testBinary.path)")
            }
            buildFolder.deleteLastPathComponent()
        }
        var arguments = ["-I", buildFolder.appendingPathComponent("Modules").path]
        var maps: [String] = []
        let manager = FileManager.default
        for name in (try? manager.contentsOfDirectory(atPath: buildFolder.path)) ?? [] where name.hasSuffix(".build") {
            let map = buildFolder.appendingPathComponent(name).appendingPathComponent("module.modulemap").path
            if manager.fileExists(atPath: map) { maps.append(map) }
        }
        let checkouts = repositoryRoot.appendingPathComponent(".build/checkouts")
        if let walker = manager.enumerator(atPath: checkouts.path) {
            for case let path as String in walker where path.hasSuffix("module.modulemap") && path.contains("/Sources/")
            {
                maps.append(checkouts.appendingPathComponent(path).path)
            }
        }
        maps.append(repositoryRoot.appendingPathComponent("Sources/CLibXML2/module.modulemap").path)
        for map in maps { arguments += ["-Xcc", "-fmodule-map-file=" + map] }
        arguments += ["-Xcc", "-I/usr/include/libxml2"]
        let candidates =
            (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map { "\($0)/swiftc" }
            + ["/opt/swift/usr/bin/swiftc"]
        guard let swiftc = candidates.first(where: { manager.isExecutableFile(atPath: $0) }) else {
            throw CorpusError("swiftc not found")
        }
        return (swiftc, arguments)
    }

    @Test(.timeLimit(.minutes(10))) func everyValidSchemaCompilesAndNoInvalidOneCrashes() throws {
        let entries = try Self.entries()
        #expect(entries.count == 303)
        let (swiftc, arguments) = try Self.compilerArguments()
        var generated: [String: Bool] = [:]  // file → compiled
        var refused: Set<String> = []
        let start = ContinuousClock.now
        var generationTime = Duration.zero
        for (index, group) in Self.groups(entries).enumerated() {
            let diagnostics = DiagnosticCollector()
            let generationStart = ContinuousClock.now
            let outputs = GeneratorPipeline(moduleName: "Corpus\(index)").run(
                group.map { Self.corpus.appendingPathComponent($0.file).path }, diagnostics: diagnostics)
            generationTime += ContinuousClock.now - generationStart
            let produced = Set(outputs.map { URL(fileURLWithPath: $0.schema).lastPathComponent })
            for entry in group where !produced.contains(entry.file) {
                refused.insert(entry.file)
                #expect(
                    diagnostics.diagnostics.contains { $0.severity == .error && $0.file.hasSuffix(entry.file) },
                    "\(entry.file) was refused without an error diagnostic")
            }
            guard !outputs.isEmpty else { continue }
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("corpus-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            var paths: [String: String] = [:]
            for output in outputs {
                let path = folder.appendingPathComponent(output.fileName).path
                try output.contents.write(toFile: path, atomically: true, encoding: .utf8)
                paths[URL(fileURLWithPath: output.schema).lastPathComponent] = path
            }
            let result = try run(
                swiftc,
                ["-typecheck", "-swift-version", "6", "-module-name", "Corpus\(index)"] + arguments
                    + paths.values.sorted())
            for (schema, path) in paths {
                let failed = result.output.split(separator: "\n").contains {
                    $0.hasPrefix(path + ":") && ($0.contains(": error:") || $0.contains(": warning:"))
                }
                generated[schema] = !failed
            }
            if result.status != 0 && !paths.values.contains(where: { result.output.contains($0 + ":") }) {
                Issue.record("swiftc failed for group \(index) without naming a file:\n\(result.output.prefix(2000))")
            }
        }
        let valid = entries.filter(\.valid)
        let validCompiled = valid.filter { generated[$0.file] == true }
        let invalid = entries.filter { $0.parses && !$0.valid }
        let invalidCompiled = invalid.filter { generated[$0.file] == true }
        let unparseable = entries.filter { !$0.parses }
        print(
            """
            corpus: valid \(validCompiled.count)/\(valid.count) compiled; \
            invalid \(invalidCompiled.count)/\(invalid.count) compiled, \
            \(invalid.filter { refused.contains($0.file) }.count) refused; \
            unparseable \(unparseable.filter { refused.contains($0.file) }.count)/\(unparseable.count) refused; \
            generation \(generationTime), total \(ContinuousClock.now - start)
            """)
        #expect(
            validCompiled.count == valid.count,
            "not compiling: \(valid.filter { generated[$0.file] != true }.map(\.file))")
        #expect(invalidCompiled.count > 42, "xsdata's anchor is 42 of 78")
        for entry in invalid where generated[entry.file] == false {
            Issue.record("\(entry.file): generated code that does not compile")
        }
    }

    @Test func theIQAuthQueryOfTheCorpusHasAnOptionalChoice() throws {
        // XEP-0078's query: username?, (password? | digest?), resource?; its get request is empty (issue 17).
        let diagnostics = DiagnosticCollector()
        let output = try #require(
            GeneratorPipeline(moduleName: "Corpus").run(
                [Self.corpus.appendingPathComponent("xep-0078-iq-auth.xsd").path], diagnostics: diagnostics
            ).first)
        #expect(output.contents.contains("public var choice: NonSASLAuth.Query.Choice?\n"))
        #expect(output.contents.contains("self.choice = try reader.choice(NonSASLAuth.Query.Choice.self"))
        #expect(!output.contents.contains("requiredChoice"))
    }

    /// The corpus files the decoding tests and the downstream example use are links into the corpus beside the
    /// repository (`../shared/xsf-schemas`), not copies: the project holds no XSF schema of its own.
    @Test(arguments: [
        "Tests/StanzaGenPluginTests/Schemas/xep-0078-iq-auth.xsd",
        "Examples/XSFPayloads/Sources/XSFPayloads/Schemas/xep-0084-avatar-data.xsd",
        "Examples/XSFPayloads/Sources/XSFPayloads/Schemas/xep-0084-avatar-metadata.xsd",
        "Examples/XSFPayloads/Sources/XSFPayloads/Schemas/xep-0085-chatstates.xsd",
        "Examples/XSFPayloads/Sources/XSFPayloads/Schemas/xep-0114-component-accept.xsd",
        "Examples/XSFPayloads/Sources/XSFPayloads/Schemas/xep-0333-chat-markers-0.xsd",
    ])
    func fixturesFromTheCorpusAreLinksIntoIt(_ path: String) throws {
        let link = repositoryRoot.appendingPathComponent(path)
        let target = try FileManager.default.destinationOfSymbolicLink(atPath: link.path)
        #expect(target.hasSuffix("shared/xsf-schemas/" + link.lastPathComponent))
        let copy = try Data(contentsOf: link)
        let original = try Data(
            contentsOf: Self.corpus.appendingPathComponent(URL(fileURLWithPath: path).lastPathComponent))
        #expect(copy == original, "\(path) differs from the corpus's file")
    }
}

struct CorpusError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
