/// A value that is the content of an XML element: its attributes, children and text, whatever the element is
/// called.
///
/// Generated code makes a named XSD complex type conform: the element that carries it is named by the
/// declaration that uses the type, so the name is given when encoding and checked by whoever decodes.
public protocol XMLContentCodable: Sendable, Hashable {
    /// Decodes the value from an element's attributes, children and text, without looking at its name.
    ///
    /// - Parameter element: The element.
    /// - Throws: ``XMLDecodingError`` when the content does not match.
    init(content element: XMLElement) throws(XMLDecodingError)

    /// Encodes the value as an element with this name.
    ///
    /// - Parameter name: The element's name.
    /// - Returns: The element.
    func xmlElement(named name: XMLName) -> XMLElement
}

/// A value that is one XML element with a fixed name: a payload, a stanza, a stream feature.
///
/// Every global element of a schema becomes a type conforming to this protocol, with `qualifiedName` set to the
/// element's name. `init(xml:)` checks the name; `xmlElement()` writes it.
public protocol XMLElementCodable: XMLContentCodable {
    /// The element's qualified name.
    static var qualifiedName: XMLName { get }
}

extension XMLElementCodable {
    /// Decodes the value from an element with the type's name.
    ///
    /// - Parameter element: The element.
    /// - Throws: ``XMLDecodingError`` when the name or the content does not match.
    public init(xml element: XMLElement) throws(XMLDecodingError) {
        guard element.name == Self.qualifiedName else {
            throw XMLDecodingError(
                path: [element.name], expected: "element \(Self.qualifiedName)", found: "element \(element.name)")
        }
        try self.init(content: element)
    }

    /// Encodes the value as its element.
    public func xmlElement() -> XMLElement {
        xmlElement(named: Self.qualifiedName)
    }
}

/// A value that one of several elements carries: an XSD choice.
///
/// Generated choices are enums with a case per alternative and `unknown(XMLElement)` for an element that is
/// none of them.
public protocol XMLChoiceCodable: Sendable, Hashable {
    /// The names of the known alternatives.
    static var alternatives: [XMLName] { get }

    /// Decodes the alternative an element is.
    ///
    /// - Parameter element: An element whose name is one of ``alternatives`` or which is unknown.
    /// - Throws: ``XMLDecodingError`` when the element's content does not match its alternative.
    init(xml element: XMLElement) throws(XMLDecodingError)

    /// Encodes the alternative as its element.
    func xmlElement() -> XMLElement
}

/// A value written as attribute text or element text: the XSD simple types.
public protocol XMLValueCodable: Sendable, Hashable {
    /// Decodes the value from its lexical form.
    ///
    /// - Parameter xmlValue: The text, after XML has unescaped it.
    /// - Throws: ``XMLDecodingError`` with an empty path when the text is not a valid value; the caller adds the
    ///   path.
    init(xmlValue: String) throws(XMLDecodingError)

    /// The lexical form.
    var xmlValue: String { get }
}

extension XMLElement: XMLContentCodable {
    /// The element itself: `xs:anyType` content is kept as it is.
    ///
    /// - Parameter element: The element.
    public init(content element: XMLElement) {
        self = element
    }

    /// The element under another name.
    ///
    /// - Parameter name: The name.
    /// - Returns: A copy with that name.
    public func xmlElement(named name: XMLName) -> XMLElement {
        var copy = self
        if copy.name != name { copy.name = name }
        return copy
    }
}

/// An element whose content is one simple value: an alternative of a choice declared with a simple type.
public struct XMLValueElement<Value: XMLValueCodable>: XMLContentCodable {
    /// The value.
    public var value: Value

    /// Creates the element content.
    ///
    /// - Parameter value: The value.
    public init(_ value: Value) {
        self.value = value
    }

    /// Reads the element's text as the value.
    ///
    /// - Parameter element: The element.
    /// - Throws: ``XMLDecodingError`` when the text is not valid for the type.
    public init(content element: XMLElement) throws(XMLDecodingError) {
        do {
            value = try Value(xmlValue: element.text)
        } catch {
            throw XMLDecodingError(path: [element.name], expected: error.expected, found: error.found)
        }
    }

    /// The element with the value as its text.
    ///
    /// - Parameter name: The element's name.
    /// - Returns: The element.
    public func xmlElement(named name: XMLName) -> XMLElement {
        let text = value.xmlValue
        return XMLElement(name, children: text.isEmpty ? [] : [.text(text)])
    }
}
