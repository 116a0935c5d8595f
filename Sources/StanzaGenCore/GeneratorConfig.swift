/// The compiler's settings, read from `stanzagen.json`.
///
/// ```json
/// {
///   "namespaces": { "http://jabber.org/protocol/disco#info": "DiscoInfo" },
///   "closedTypes": ["jabber:client#IQType"]
/// }
/// ```
/// - `namespaces`: the Swift enum that holds each namespace's types. Namespaces not listed get their name from the
///   table of well-known namespaces (``WellKnownNamespaces``), else a name made from their URI.
/// - `closedTypes`: enumerations whose set the specification closes, as `namespace#name` of a named simple type,
///   or `namespace#element@attribute` for one declared in place. Every other enumeration gets `unknown(String)`.
/// - `renames`: better names for generated types, members and nested types, keyed by `namespace#Type` or
///   `namespace#Type.member` with the name the compiler would give (`"jabber:client#Iq": "IQ"`,
///   `"urn:ietf:params:xml:ns:xmpp-stanzas#StanzaError.choice": "condition"`).
/// - `types`: a Swift type for an attribute or a value child, keyed like `renames`
///   (`"jabber:client#Message.from": "JID"`). The type must conform to `XMLValueCodable` and be visible to the
///   generated code (`JID` is, in every module that depends on XMPPCore).
package struct GeneratorConfig: Sendable, Decodable {
    package var namespaces: [String: String]
    package var closedTypes: Set<String>
    package var renames: [String: String]
    package var types: [String: String]

    package init(
        namespaces: [String: String] = [:],
        closedTypes: Set<String> = [],
        renames: [String: String] = [:],
        types: [String: String] = [:]
    ) {
        self.namespaces = namespaces
        self.closedTypes = closedTypes
        self.renames = renames
        self.types = types
    }

    enum CodingKeys: String, CodingKey {
        case namespaces, closedTypes, renames, types
    }

    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        namespaces = try container.decodeIfPresent([String: String].self, forKey: .namespaces) ?? [:]
        closedTypes = try container.decodeIfPresent(Set<String>.self, forKey: .closedTypes) ?? []
        renames = try container.decodeIfPresent([String: String].self, forKey: .renames) ?? [:]
        types = try container.decodeIfPresent([String: String].self, forKey: .types) ?? [:]
    }
}
