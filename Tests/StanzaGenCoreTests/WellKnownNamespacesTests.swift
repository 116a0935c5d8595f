import Foundation
import Testing

@testable import StanzaGenCore

/// The table of well-known namespace names: complete over the XSF corpus and `Schemas/`, in agreement with the
/// toolkit's own configuration, unambiguous, and used only where the configuration names nothing.
@Suite struct WellKnownNamespacesTests {
    /// Top-level names of Swift, Foundation and the toolkit that a namespace enum must not take: a module-level
    /// `Data` would shadow Foundation's in every file of the application.
    static let takenTopLevelNames: Set<String> = [
        "Any", "Array", "Bool", "Bundle", "Calendar", "Character", "CharacterSet", "Clock", "Codable", "Data", "Date",
        "Decimal", "Dictionary", "Double", "Duration", "Equatable", "Error", "Expression", "FileManager", "Float",
        "Hashable", "Host", "Identifiable", "IndexPath", "IndexSet", "Int", "JSONDecoder", "JSONEncoder", "Locale",
        "Measurement", "Never", "Notification", "NSObject", "Operation", "Optional", "Port", "Predicate", "Process",
        "Progress", "Range", "Result", "Scanner", "Sendable", "Set", "Stream", "String", "Task", "Thread", "Timer",
        "TimeZone", "Type", "Unit", "URL", "URLRequest", "UUID", "XMLDocument", "XMLParser",
        // The toolkit's.
        "IQ", "JID", "Message", "PayloadRegistry", "Presence", "StanzaError", "StreamError", "XMLAttribute",
        "XMLElement", "XMLName", "XMLNode", "XMPPClient", "XMPPComponent", "XMPPEndpoint",
    ]

    @Test func everyCorpusNamespaceHasAName() throws {
        // The schema without a namespace (XEP-0038's icon definitions) is no namespace to name: `NoNamespace`.
        let namespaces = Set(try CorpusTests.entries().map(\.namespace)).subtracting([""])
        #expect(namespaces.count == 286)
        let missing = namespaces.filter { WellKnownNamespaces.names[$0] == nil }.sorted()
        #expect(missing.isEmpty, "namespaces of ../shared/xsf-schemas missing from WellKnownNamespaces: \(missing)")
    }

    @Test func everyNamespaceOfSchemasHasTheNameTheToolkitGivesIt() throws {
        let config = try projectConfig()
        for folder in ["core", "base", "extensions"] {
            let path = repositoryRoot.appendingPathComponent("Schemas/\(folder)").path
            for file in GeneratorPipeline.schemaFiles(in: path) {
                var reader = SchemaReader(file: file, diagnostics: DiagnosticCollector())
                let namespace = try reader.read().targetNamespace
                #expect(WellKnownNamespaces.names[namespace] != nil, "\(file): \(namespace) is not in the table")
                #expect(
                    WellKnownNamespaces.names[namespace] == config.namespaces[namespace],
                    "\(namespace): Schemas/stanzagen.json and the table disagree")
            }
        }
        for (namespace, name) in config.namespaces {
            #expect(WellKnownNamespaces.names[namespace] == name, "\(namespace): the table does not say \(name)")
        }
    }

    @Test func namesAreUniqueSwiftIdentifiersThatShadowNothing() {
        var seen: [String: String] = [:]
        for (namespace, name) in WellKnownNamespaces.names.sorted(by: { $0.key < $1.key }) {
            if let other = seen.updateValue(namespace, forKey: name) {
                Issue.record("\(name) names both \(other) and \(namespace)")
            }
            #expect(SwiftNames.typeName(name) == name, "\(name) is not a plain type name")
            #expect(!Self.takenTopLevelNames.contains(name), "\(name) (\(namespace)) shadows a top-level name")
            #expect(!name.lowercased().hasPrefix("xmpp") || name == "XMPPOverBOSH", "\(name) keeps the URI's xmpp")
        }
    }

    @Test func versionsAreLeftOutOfNames() {
        for (namespace, name) in WellKnownNamespaces.names {
            guard let stem = SchemaSet.versionStem(namespace), let version = namespace.split(separator: ":").last
            else { continue }
            let siblings = WellKnownNamespaces.names.keys.filter {
                $0 != namespace && SchemaSet.versionStem($0) == stem
            }
            if siblings.isEmpty {
                // Bind 2 and SASL 2 carry the 2 in their specification's name, not from the namespace (bind:0, sasl:2).
                #expect(
                    !name.hasSuffix(String(version)) || ["SASL2"].contains(name),
                    "\(namespace) → \(name) keeps its version")
            }
        }
    }

    // MARK: - Which name a namespace gets

    func enumName(
        _ namespace: String, config: GeneratorConfig = GeneratorConfig(), visible: Set<String> = []
    )
        -> String
    {
        let set = SchemaSet(config: config, diagnostics: DiagnosticCollector())
        set.visibleNamespaces = visible
        return set.namespaceEnum(namespace)
    }

    @Test func withoutAConfigurationTheTableNames() {
        #expect(enumName("urn:xmpp:chat-markers:0") == "ChatMarkers")
        #expect(enumName("urn:xmpp:avatar:metadata") == "AvatarMetadata")
        #expect(enumName("http://jabber.org/protocol/disco#info") == "DiscoInfo")
    }

    @Test func theConfigurationWins() {
        let config = GeneratorConfig(namespaces: ["urn:xmpp:chat-markers:0": "Markers"])
        #expect(enumName("urn:xmpp:chat-markers:0", config: config) == "Markers")
        // A well-known name the configuration gives another namespace is not taken twice.
        let taken = GeneratorConfig(namespaces: ["urn:example:markers": "ChatMarkers"])
        #expect(enumName("urn:xmpp:chat-markers:0", config: taken) == "ChatMarkers2")
    }

    @Test func namesMadeFromURIsLeaveOutTheVersionUnlessTwoVersionsMeet() {
        #expect(enumName("urn:xmpp:example-thing:0") == "ExampleThing")
        #expect(enumName("urn:example:weather:1") == "ExampleWeather")
        #expect(enumName("http://example.com/protocol/weather/2") == "ExampleWeather")
        #expect(enumName("urn:example:weather:1", visible: ["urn:example:weather:2"]) == "ExampleWeather1")
        // A version of a well-known namespace the table does not list.
        #expect(enumName("urn:xmpp:mam:1") == "Mam1")
        // A made-up name never takes a well-known one.
        #expect(enumName("urn:example:ping") == "ExamplePing")
        #expect(enumName("ping") == "Ping2")
    }
}
