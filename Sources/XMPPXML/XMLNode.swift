/// One child of an ``XMLElement``: an element or a run of character data.
///
/// Character data is kept exactly as parsed (whitespace included), so a tree survives a round trip unchanged.
/// The parser never produces two adjacent ``text(_:)`` nodes; code that builds trees by hand may, and
/// equality compares the children as they are.
public enum XMLNode: Hashable, Sendable {
    /// A child element.
    case element(XMLElement)
    /// Character data, with entity and character references already resolved.
    case text(String)
}

/// An attribute of an ``XMLElement``: a qualified name and its value.
///
/// The value is the attribute's value after XML attribute-value normalization, with references resolved.
public struct XMLAttribute: Hashable, Sendable {
    /// The attribute's name. Unprefixed attributes are in no namespace (`namespace == ""`).
    public var name: XMLName
    /// The attribute's value.
    public var value: String

    /// Creates an attribute.
    ///
    /// - Parameters:
    ///   - name: The qualified name.
    ///   - value: The value, unescaped.
    @inlinable
    public init(_ name: XMLName, _ value: String) {
        self.name = name
        self.value = value
    }

    /// Creates an attribute in no namespace.
    ///
    /// - Parameters:
    ///   - localName: The attribute's local name.
    ///   - value: The value, unescaped.
    @inlinable
    public init(_ localName: String, _ value: String) {
        self.name = XMLName(localName)
        self.value = value
    }
}
