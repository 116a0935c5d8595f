/// What an ``XMLStreamParser`` reports, in stream order.
public enum XMLStreamEvent: Hashable, Sendable {
    /// The root element's start tag: the stream header.
    case streamOpened(XMLStreamHeader)
    /// A complete top-level child of the stream (a stanza, stream features, a stream error, ...).
    case element(XMLElement)
    /// The root element's end tag: the peer closed its stream.
    case streamClosed
}

/// The start tag of a stream's root element, `<stream:stream ...>`, with everything it declares.
public struct XMLStreamHeader: Hashable, Sendable {
    /// The root element's name, such as `{http://etherx.jabber.org/streams}stream`.
    public var name: XMLName
    /// The prefix the root element was written with (`stream`), or `nil` when it used a default namespace.
    public var prefix: String?
    /// The attributes in document order (`to`, `from`, `id`, `version`, `xml:lang`, ...). Namespace declarations
    /// are in ``namespaces``.
    public var attributes: [XMLAttribute]
    /// The namespace declarations on the root element, in document order: `prefix == nil` is the default
    /// namespace (`xmlns='jabber:client'`).
    public var namespaces: [XMLNamespaceDeclaration]

    /// Creates a header.
    ///
    /// - Parameters:
    ///   - name: The root element's name.
    ///   - prefix: The prefix to write the root element with.
    ///   - attributes: The attributes, in order.
    ///   - namespaces: The namespace declarations, in order.
    public init(
        name: XMLName,
        prefix: String?,
        attributes: [XMLAttribute],
        namespaces: [XMLNamespaceDeclaration]
    ) {
        self.name = name
        self.prefix = prefix
        self.attributes = attributes
        self.namespaces = namespaces
    }

    /// The value of the attribute in no namespace with this local name, or `nil`.
    ///
    /// - Parameter localName: The attribute's local name.
    public subscript(localName: String) -> String? {
        attributes.first { $0.name == XMLName(localName) }?.value
    }

    /// The `to` attribute: whom the stream is addressed to.
    public var to: String? { self["to"] }
    /// The `from` attribute: who opened the stream.
    public var from: String? { self["from"] }
    /// The `id` attribute: the stream identifier set by the receiving entity.
    public var id: String? { self["id"] }
    /// The `version` attribute (`1.0` for RFC 6120 streams).
    public var version: String? { self["version"] }
    /// The `xml:lang` attribute: the default language of the stream's human-readable content.
    public var language: String? { attributes.first { $0.name == .xmlLang }?.value }
    /// The default namespace declared on the root (the content namespace, `jabber:client` for clients).
    public var defaultNamespace: String? { namespaces.first { $0.prefix == nil }?.namespace }
}

/// A namespace declaration: `xmlns='uri'` (no prefix) or `xmlns:prefix='uri'`.
public struct XMLNamespaceDeclaration: Hashable, Sendable {
    /// The declared prefix, or `nil` for the default namespace.
    public var prefix: String?
    /// The namespace name.
    public var namespace: String

    /// Creates a declaration.
    ///
    /// - Parameters:
    ///   - prefix: The prefix, or `nil` for the default namespace.
    ///   - namespace: The namespace name.
    public init(prefix: String?, namespace: String) {
        self.prefix = prefix
        self.namespace = namespace
    }
}
