/// An XML element as a value: a qualified name, attributes in document order, and children.
///
/// `XMLElement` is what ``XMLStreamParser`` produces for every top-level child of a stream, what the serializer
/// writes, and what generated payload types decode from and encode to. It is a plain value: copying it is cheap
/// (its arrays are copy-on-write), and it is `Sendable`.
///
/// Equality and hashing follow the XML Namespaces data model rather than one serialization of it:
/// - names compare by namespace and local name, never by prefix (prefixes are not stored);
/// - attributes compare as a set: the same names with the same values, in any order;
/// - children compare in order, text by its exact characters.
///
/// ```swift
/// let ping = XMLElement(XMLName(namespace: "urn:xmpp:ping", localName: "ping"))
/// var iq = XMLElement(XMLName(namespace: "jabber:client", localName: "iq"),
///                     attributes: [XMLAttribute("type", "get"), XMLAttribute("id", "p1")],
///                     children: [.element(ping)])
/// iq["to"] = "example.org"
/// ```
public struct XMLElement: Sendable {
    /// The element's qualified name.
    public var name: XMLName
    /// The attributes in document order. Namespace declarations are not attributes and are not listed.
    public var attributes: [XMLAttribute]
    /// The child elements and character data, in document order.
    public var children: [XMLNode]

    /// Creates an element.
    ///
    /// - Parameters:
    ///   - name: The qualified name.
    ///   - attributes: The attributes, in the order they are to be written. Names must be unique.
    ///   - children: The children, in order.
    @inlinable
    public init(_ name: XMLName, attributes: [XMLAttribute] = [], children: [XMLNode] = []) {
        self.name = name
        self.attributes = attributes
        self.children = children
    }

    /// Creates an element from a namespace and a local name.
    ///
    /// - Parameters:
    ///   - localName: The local name.
    ///   - namespace: The namespace name.
    ///   - attributes: The attributes, in the order they are to be written.
    ///   - children: The children, in order.
    @inlinable
    public init(
        _ localName: String,
        namespace: String,
        attributes: [XMLAttribute] = [],
        children: [XMLNode] = []
    ) {
        self.init(XMLName(namespace: namespace, localName: localName), attributes: attributes, children: children)
    }
}

extension XMLElement: Hashable {
    /// Whether two elements are equal under the XML Namespaces data model: same name, same attribute set
    /// (order ignored), same children in the same order.
    public static func == (lhs: XMLElement, rhs: XMLElement) -> Bool {
        lhs.name == rhs.name && Self.sameAttributes(lhs.attributes, rhs.attributes) && lhs.children == rhs.children
    }

    /// Hashes the name, the attributes independently of their order, and the children in order.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(name)
        // Order-independent: a commutative sum of each attribute's own hash.
        var attributeHash = 0
        for attribute in attributes {
            attributeHash &+= attribute.hashValue
        }
        hasher.combine(attributes.count)
        hasher.combine(attributeHash)
        hasher.combine(children)
    }

    private static func sameAttributes(_ lhs: [XMLAttribute], _ rhs: [XMLAttribute]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        if lhs == rhs { return true }
        // Attribute names are unique within an element, so equal counts plus every attribute of one side being
        // present with the same value on the other side means the two sets are equal. Elements have few
        // attributes; the quadratic scan beats building a dictionary.
        for attribute in lhs where !rhs.contains(attribute) {
            return false
        }
        return true
    }
}
