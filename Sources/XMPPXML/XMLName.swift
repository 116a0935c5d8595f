/// A namespace-qualified XML name: a namespace name (URI) and a local name.
///
/// Prefixes are a property of one serialization, not of the name: `<stream:features/>` and
/// `<features xmlns='http://etherx.jabber.org/streams'/>` have the same `XMLName`. An element or attribute
/// in no namespace has the empty string as its namespace.
public struct XMLName: Hashable, Sendable {
    /// The namespace name (a URI such as `jabber:client`), or `""` for no namespace.
    public var namespace: String
    /// The local part of the name, without any prefix.
    public var localName: String

    /// Creates a name from a namespace and a local name.
    ///
    /// - Parameters:
    ///   - namespace: The namespace name; `""` means no namespace.
    ///   - localName: The local name, without a prefix.
    @inlinable
    public init(namespace: String, localName: String) {
        self.namespace = namespace
        self.localName = localName
    }

    /// Creates a name in no namespace, as unprefixed attributes have.
    ///
    /// - Parameter localName: The local name.
    @inlinable
    public init(_ localName: String) {
        self.namespace = ""
        self.localName = localName
    }
}

extension XMLName: CustomStringConvertible {
    /// The name in Clark notation: `{namespace}localName`, or just `localName` when there is no namespace.
    public var description: String {
        namespace.isEmpty ? localName : "{\(namespace)}\(localName)"
    }
}

extension XMLName {
    /// The namespace bound to the `xml` prefix by the XML Namespaces recommendation.
    public static let xmlNamespace = "http://www.w3.org/XML/1998/namespace"
    /// The namespace reserved for namespace declarations (`xmlns`, `xmlns:p`).
    public static let xmlnsNamespace = "http://www.w3.org/2000/xmlns/"
    /// `xml:lang`, the language of an element's human-readable content.
    public static let xmlLang = XMLName(namespace: xmlNamespace, localName: "lang")
}
