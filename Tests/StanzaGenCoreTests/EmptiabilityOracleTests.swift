import CLibXML2
import Foundation
import Testing

@testable import StanzaGenCore

/// Emptiability checked against an independent implementation of XSD, libxml2's validator: for every global
/// element with element content in the valid XSF schemas that import nothing, an empty instance (`<name/>`) lacks
/// child elements for libxml2 exactly when the compiler says the content is not emptiable; and when it lacks none,
/// the generated decoder of the element reads no child as required (it would refuse the valid empty instance).
@Suite struct EmptiabilityOracleTests {
    @Test(.timeLimit(.minutes(2))) func libxml2AgreesOnEveryGlobalElementOfTheCorpus() throws {
        let manifest = try String(
            contentsOf: CorpusTests.corpus.appendingPathComponent("MANIFEST.tsv"), encoding: .utf8)
        let rows = manifest.split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false) }
        let header = try #require(rows.first)
        func column(_ name: String) throws -> Int { try #require(header.firstIndex { $0 == name }) }
        let (file, set, valid, imports) = (
            try column("file"), try column("set"), try column("xsd_valid"), try column("imports")
        )
        let files = rows.dropFirst().filter { $0[set] == "primary" && $0[valid] == "yes" && $0[imports].isEmpty }
            .map { String($0[file]) }
        var checked = 0
        var emptiable = 0
        for name in files {
            let path = CorpusTests.corpus.appendingPathComponent(name).path
            let diagnostics = DiagnosticCollector()
            var reader = SchemaReader(file: path, diagnostics: diagnostics)
            let document = try reader.read()
            let schemaSet = SchemaSet(config: GeneratorConfig(), diagnostics: diagnostics)
            schemaSet.add(document)
            guard let schema = compileSchema(path) else { continue }
            defer { xmlSchemaFree(schema) }
            let generated = try #require(
                GeneratorPipeline(moduleName: "Oracle").run([path], diagnostics: DiagnosticCollector()).first
            ).contents
            for elementName in document.elementOrder {
                guard let element = document.elements[elementName], !element.isAbstract else { continue }
                let type: ComplexType? =
                    switch element.type {
                    case .complex(let type): type
                    case .named(let typeName): schemaSet.complexType(typeName)
                    default: nil
                    }
                guard let type, !type.isMixed, case .elements = schemaSet.effectiveContent(of: type) else { continue }
                let instance = "<\(elementName) xmlns='\(document.targetNamespace)'/>"
                let messages = validateDocument(instance, against: schema)
                let missing = messages.contains { $0.contains("Missing child element") }
                let computed = schemaSet.isEmptiable(contentOf: type)
                #expect(computed != missing, "\(name) <\(elementName)/>: libxml2 says \(messages)")
                let swiftName = try #require(schemaSet.swiftName(ofElement: element.name))
                let decoder = decoderSource(
                    of: schemaSet.namespaceEnum(document.targetNamespace) + "." + swiftName, in: generated)
                #expect(!decoder.isEmpty, "\(name): no decoder for \(swiftName)")
                let requiredReads = ["requiredChild(", "requiredChildValue(", "requiredChoice("]
                if !missing {
                    #expect(
                        !requiredReads.contains { decoder.contains($0) },
                        "\(name) <\(elementName)/>: valid when empty, yet decoded with a required child:\n\(decoder)")
                }
                checked += 1
                if computed { emptiable += 1 }
            }
        }
        print("emptiability oracle: \(checked) elements of \(files.count) schemas, \(emptiable) emptiable")
        #expect(checked > 100)
    }
}

/// The body of a generated element type's `init(content:)`.
private func decoderSource(of typePath: String, in generated: String) -> String {
    guard let start = generated.range(of: "extension \(typePath): XMLElementCodable {\n") else { return "" }
    let rest = generated[start.upperBound...]
    let end = rest.range(of: "public func xmlElement(")?.lowerBound ?? rest.endIndex
    return String(rest[..<end])
}

/// Collects libxml2's error messages.
private final class Messages {
    var lines: [String] = []
}

private let collect: xmlStructuredErrorFunc = { user, error in
    guard let user, let error, error.pointee.level.rawValue >= XML_ERR_ERROR.rawValue else { return }
    let messages = Unmanaged<Messages>.fromOpaque(user).takeUnretainedValue()
    messages.lines.append(error.pointee.message.map { String(cString: $0) } ?? "error \(error.pointee.code)")
}

private func compileSchema(_ path: String) -> xmlSchemaPtr? {
    let messages = Messages()
    let context = xmlSchemaNewParserCtxt(path)
    defer { xmlSchemaFreeParserCtxt(context) }
    xmlSchemaSetParserStructuredErrors(context, collect, Unmanaged.passUnretained(messages).toOpaque())
    return xmlSchemaParse(context)
}

private func validateDocument(_ document: String, against schema: xmlSchemaPtr) -> [String] {
    let messages = Messages()
    let context = xmlSchemaNewValidCtxt(schema)
    defer { xmlSchemaFreeValidCtxt(context) }
    xmlSchemaSetValidStructuredErrors(context, collect, Unmanaged.passUnretained(messages).toOpaque())
    guard
        let parsed = xmlReadMemory(
            document, Int32(document.utf8.count), "instance.xml", nil, Int32(XML_PARSE_NONET.rawValue))
    else { return ["not well-formed"] }
    defer { xmlFreeDoc(parsed) }
    _ = xmlSchemaValidateDoc(context, parsed)
    return messages.lines
}
