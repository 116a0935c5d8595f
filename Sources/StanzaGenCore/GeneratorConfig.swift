/// The compiler's settings, read from `stanzagen.json`.
///
/// ```json
/// {
///   "namespaces": { "http://jabber.org/protocol/disco#info": "DiscoInfo" },
///   "closedTypes": ["jabber:client#IQType"]
/// }
/// ```
/// - `namespaces`: the Swift enum that holds each namespace's types. Namespaces not listed get a name made from
///   their URI.
/// - `closedTypes`: enumerations whose set the specification closes, as `namespace#name` of a named simple type,
///   or `namespace#element@attribute` for one declared in place. Every other enumeration gets `unknown(String)`.
public struct GeneratorConfig: Sendable, Decodable {
    public var namespaces: [String: String]
    public var closedTypes: Set<String>

    public init(namespaces: [String: String] = [:], closedTypes: Set<String> = []) {
        self.namespaces = namespaces
        self.closedTypes = closedTypes
    }

    enum CodingKeys: String, CodingKey {
        case namespaces, closedTypes
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        namespaces = try container.decodeIfPresent([String: String].self, forKey: .namespaces) ?? [:]
        closedTypes = try container.decodeIfPresent(Set<String>.self, forKey: .closedTypes) ?? []
    }
}
