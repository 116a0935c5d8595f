// Our schemas are valid XSD 1.0, and every round-trip fixture is valid against its schema, as an independent
// validator (libxml2's XML Schema implementation) sees them. The schema compiler's own tests build on this:
// a fixture it decodes is known to be what the schema describes.

import CLibXML2
import Foundation
import Testing

/// The repository's root, found from this file's path.
private let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// A schema of ours and the folder of fixtures written for it.
struct SchemaFixtures: CustomTestStringConvertible, Sendable {
    var schema: URL
    var fixtures: [URL]
    var testDescription: String { schema.lastPathComponent }
}

private func files(in folder: URL, extension pathExtension: String) -> [URL] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
    return names.filter { $0.hasSuffix("." + pathExtension) }.sorted().map { folder.appendingPathComponent($0) }
}

/// Every schema in `Schemas/<set>` with the fixtures in `Tests/<tests>/Fixtures/<schema name>`.
private func schemaFixtures(set: String, tests: String) -> [SchemaFixtures] {
    files(in: root.appendingPathComponent("Schemas/\(set)"), extension: "xsd").map { schema in
        let name = schema.deletingPathExtension().lastPathComponent
        let folder = root.appendingPathComponent("Tests/\(tests)/Fixtures/\(name)")
        return SchemaFixtures(schema: schema, fixtures: files(in: folder, extension: "xml"))
    }
}

private let allSchemas =
    schemaFixtures(set: "core", tests: "XMPPCoreTests")
    + schemaFixtures(set: "base", tests: "XMPPExtensionsTests")
    + schemaFixtures(set: "extensions", tests: "XMPPExtensionsTests")

/// Collects libxml2's messages for one schema or validation context.
private final class Messages {
    var lines: [String] = []
}

private let collect: xmlStructuredErrorFunc = { user, error in
    guard let user, let error, error.pointee.level.rawValue >= XML_ERR_ERROR.rawValue else { return }
    let messages = Unmanaged<Messages>.fromOpaque(user).takeUnretainedValue()
    let text = error.pointee.message.map { String(cString: $0) } ?? "error \(error.pointee.code)"
    let file = error.pointee.file.map { String(cString: $0) } ?? "?"
    messages.lines.append("\((file as NSString).lastPathComponent):\(error.pointee.line): \(text)")
}

/// A compiled schema, or the messages that say why it does not compile.
private func compile(_ schema: URL) -> (xmlSchemaPtr?, [String]) {
    let messages = Messages()
    let context = xmlSchemaNewParserCtxt(schema.path)
    defer { xmlSchemaFreeParserCtxt(context) }
    xmlSchemaSetParserStructuredErrors(context, collect, Unmanaged.passUnretained(messages).toOpaque())
    let compiled = xmlSchemaParse(context)
    return (compiled, messages.lines)
}

/// The messages from validating one document against a compiled schema; empty when it is valid.
private func validate(_ document: String, against schema: xmlSchemaPtr, name: String) -> [String] {
    let messages = Messages()
    let context = xmlSchemaNewValidCtxt(schema)
    defer { xmlSchemaFreeValidCtxt(context) }
    xmlSchemaSetValidStructuredErrors(context, collect, Unmanaged.passUnretained(messages).toOpaque())
    let options = Int32(XML_PARSE_NONET.rawValue)
    guard let parsed = xmlReadMemory(document, Int32(document.utf8.count), name, nil, options) else {
        return ["\(name): not well-formed"]
    }
    defer { xmlFreeDoc(parsed) }
    let result = xmlSchemaValidateDoc(context, parsed)
    if result != 0 && messages.lines.isEmpty {
        messages.lines.append("\(name): invalid (libxml2 code \(result))")
    }
    return messages.lines
}

@Suite("Schemas: valid XSD, and every fixture valid against its schema", .serialized)
struct SchemaValidationTests {
    @Test func everySchemaHasFixtures() {
        #expect(allSchemas.count >= 40)
        for entry in allSchemas where entry.schema.lastPathComponent != "xml.xsd" {
            #expect(!entry.fixtures.isEmpty, "no fixtures for \(entry.schema.lastPathComponent)")
        }
    }

    @Test(arguments: allSchemas)
    func schemaCompilesAndItsFixturesValidate(_ entry: SchemaFixtures) throws {
        let (compiled, messages) = compile(entry.schema)
        #expect(messages.isEmpty, "\(messages)")
        let schema = try #require(compiled, "\(entry.schema.lastPathComponent) does not compile")
        defer { xmlSchemaFree(schema) }
        for fixture in entry.fixtures {
            let document = try String(contentsOf: fixture, encoding: .utf8)
            let problems = validate(document, against: schema, name: fixture.lastPathComponent)
            #expect(problems.isEmpty, "\(fixture.path): \(problems)")
        }
    }

    /// Documents the schemas must refuse, so that the check above can fail.
    @Test(arguments: [
        ("jabber-client", "<iq xmlns='jabber:client' type='fetch' id='1'/>"),
        ("jabber-client", "<presence xmlns='jabber:client'><priority>200</priority></presence>"),
        ("jabber-client", "<message xmlns='jabber:client'><thread>a</thread><thread>b</thread></message>"),
        ("roster", "<query xmlns='jabber:iq:roster'><item/></query>"),
        ("disco-info", "<query xmlns='http://jabber.org/protocol/disco#info'><identity category='client'/></query>"),
        ("ping", "<ping xmlns='urn:xmpp:ping'><extra/></ping>"),
        ("stanza-id", "<stanza-id xmlns='urn:xmpp:sid:0' by='a@b'/>"),
    ])
    func invalidDocumentsAreRefused(_ schemaName: String, _ document: String) throws {
        let entry = try #require(allSchemas.first { $0.schema.lastPathComponent == schemaName + ".xsd" })
        let (compiled, _) = compile(entry.schema)
        let schema = try #require(compiled)
        defer { xmlSchemaFree(schema) }
        #expect(!validate(document, against: schema, name: "invalid.xml").isEmpty)
    }
}
