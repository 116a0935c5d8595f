/// Which namespaces an XSD wildcard (`xs:any`) accepts.
@_spi(Generated)
public enum XMLWildcard: Sendable {
    /// `##any`: every namespace, and no namespace.
    case any
    /// `##other`: every namespace except the schema's target namespace and no namespace.
    case other(targetNamespace: String)
    /// A list of namespaces; `""` stands for `##local` (no namespace).
    case list([String])

    /// Whether an element in this namespace matches.
    ///
    /// - Parameter namespace: The element's namespace.
    /// - Returns: Whether the wildcard accepts it.
    public func accepts(_ namespace: String) -> Bool {
        switch self {
        case .any: true
        case .other(let target): namespace != target && !namespace.isEmpty
        case .list(let namespaces): namespaces.contains(namespace)
        }
    }
}

/// Reads the attributes and children of one element into typed values, for generated decoders.
///
/// Each read takes what it matched; what is left at the end is the element's unknown content, which generated
/// types keep and write back. Errors from nested elements get this element's name prepended to their path.
/// Character data between children of element-only content is ignored when it is whitespace.
@_spi(Generated)
public struct XMLElementReader {
    /// The element being read.
    public let element: XMLElement
    private let attributes: [XMLAttribute]
    private var attributeTaken: [Bool]
    private let children: [XMLElement]
    private var childTaken: [Bool]
    /// The values read whose text differs from how they would be written now.
    public private(set) var lexicalForms = XMLLexicalForms()

    /// Starts reading an element.
    ///
    /// - Parameter element: The element.
    public init(_ element: XMLElement) {
        self.element = element
        self.attributes = element.attributes
        self.attributeTaken = Array(repeating: false, count: attributes.count)
        self.children = Array(element.elements)
        self.childTaken = Array(repeating: false, count: children.count)
    }

    private var path: [XMLName] { [element.name] }

    // MARK: - Attributes

    /// The value of an attribute, or `nil` when it is absent.
    ///
    /// - Parameters:
    ///   - name: The attribute's name.
    ///   - type: The value's type.
    /// - Throws: ``XMLDecodingError`` when the value is not valid for the type.
    public mutating func attribute<Value: XMLValueCodable>(
        _ name: XMLName,
        as type: Value.Type = Value.self
    ) throws(XMLDecodingError) -> Value? {
        guard let index = attributes.firstIndex(where: { $0.name == name }) else { return nil }
        attributeTaken[index] = true
        do {
            let value = try Value(xmlValue: attributes[index].value)
            lexicalForms.record(
                attributes[index].value, for: value, key: .init(name: name, index: 0, isAttribute: true))
            return value
        } catch {
            throw XMLDecodingError(path: path, attribute: name, expected: error.expected, found: error.found)
        }
    }

    /// The value of an attribute that must be present.
    ///
    /// - Parameters:
    ///   - name: The attribute's name.
    ///   - type: The value's type.
    /// - Throws: ``XMLDecodingError`` when it is absent or not valid for the type.
    public mutating func requiredAttribute<Value: XMLValueCodable>(
        _ name: XMLName,
        as type: Value.Type = Value.self
    ) throws(XMLDecodingError) -> Value {
        guard let value = try attribute(name, as: type) else {
            throw XMLDecodingError(path: path, attribute: name, expected: "the attribute", found: "none")
        }
        return value
    }

    /// The items of a space-separated list attribute (XSD `list`), or `nil` when it is absent.
    ///
    /// - Parameters:
    ///   - name: The attribute's name.
    ///   - type: The item type.
    /// - Throws: ``XMLDecodingError`` when an item is not valid for the type.
    public mutating func listAttribute<Value: XMLValueCodable>(
        _ name: XMLName,
        as type: Value.Type = Value.self
    ) throws(XMLDecodingError) -> [Value]? {
        guard let text = try attribute(name, as: String.self) else { return nil }
        var values: [Value] = []
        for item in text.xsdCollapsed.split(separator: " ") {
            do {
                values.append(try Value(xmlValue: String(item)))
            } catch {
                throw XMLDecodingError(path: path, attribute: name, expected: error.expected, found: error.found)
            }
        }
        return values
    }

    // MARK: - Child elements

    private mutating func take(_ name: XMLName) -> XMLElement? {
        for index in children.indices where !childTaken[index] && children[index].name == name {
            childTaken[index] = true
            return children[index]
        }
        return nil
    }

    private mutating func takeAll(_ name: XMLName) -> [XMLElement] {
        var result: [XMLElement] = []
        for index in children.indices where !childTaken[index] && children[index].name == name {
            childTaken[index] = true
            result.append(children[index])
        }
        return result
    }

    private func missing(_ name: XMLName) -> XMLDecodingError {
        XMLDecodingError(path: path, expected: "a child element \(name)", found: "none")
    }

    private func decode<Value: XMLContentCodable>(
        _ child: XMLElement,
        as type: Value.Type
    ) throws(XMLDecodingError) -> Value {
        do {
            return try Value(content: child)
        } catch {
            throw error.inside(element.name)
        }
    }

    /// The first child with this name, decoded, or `nil` when there is none.
    ///
    /// - Parameters:
    ///   - name: The child's name.
    ///   - type: The type of its content.
    /// - Throws: ``XMLDecodingError`` when its content does not match.
    public mutating func child<Value: XMLContentCodable>(
        _ name: XMLName,
        as type: Value.Type = Value.self
    ) throws(XMLDecodingError) -> Value? {
        guard let child = take(name) else { return nil }
        return try decode(child, as: type)
    }

    /// The first child with this name, decoded; it must be present.
    ///
    /// - Parameters:
    ///   - name: The child's name.
    ///   - type: The type of its content.
    /// - Throws: ``XMLDecodingError`` when it is absent or its content does not match.
    public mutating func requiredChild<Value: XMLContentCodable>(
        _ name: XMLName,
        as type: Value.Type = Value.self
    ) throws(XMLDecodingError) -> Value {
        guard let child = take(name) else { throw missing(name) }
        return try decode(child, as: type)
    }

    /// Every child with this name, decoded, in document order.
    ///
    /// - Parameters:
    ///   - name: The children's name.
    ///   - type: The type of their content.
    /// - Throws: ``XMLDecodingError`` when the content of one does not match.
    public mutating func children<Value: XMLContentCodable>(
        _ name: XMLName,
        as type: Value.Type = Value.self
    ) throws(XMLDecodingError) -> [Value] {
        var values: [Value] = []
        for child in takeAll(name) {
            values.append(try decode(child, as: type))
        }
        return values
    }

    private mutating func value<Value: XMLValueCodable>(
        of child: XMLElement,
        as type: Value.Type,
        index: Int = 0
    ) throws(XMLDecodingError) -> Value {
        do {
            let text = child.text
            let value = try Value(xmlValue: text)
            lexicalForms.record(text, for: value, key: .init(name: child.name, index: index, isAttribute: false))
            return value
        } catch {
            throw XMLDecodingError(path: [element.name, child.name], expected: error.expected, found: error.found)
        }
    }

    /// The text of the first child with this name as a value, or `nil` when there is none.
    ///
    /// - Parameters:
    ///   - name: The child's name.
    ///   - type: The value's type.
    /// - Throws: ``XMLDecodingError`` when the text is not valid for the type.
    public mutating func childValue<Value: XMLValueCodable>(
        _ name: XMLName,
        as type: Value.Type = Value.self
    ) throws(XMLDecodingError) -> Value? {
        guard let child = take(name) else { return nil }
        return try value(of: child, as: type)
    }

    /// The text of the first child with this name as a value; the child must be present.
    ///
    /// - Parameters:
    ///   - name: The child's name.
    ///   - type: The value's type.
    /// - Throws: ``XMLDecodingError`` when it is absent or its text is not valid for the type.
    public mutating func requiredChildValue<Value: XMLValueCodable>(
        _ name: XMLName,
        as type: Value.Type = Value.self
    ) throws(XMLDecodingError) -> Value {
        guard let child = take(name) else { throw missing(name) }
        return try value(of: child, as: type)
    }

    /// The texts of every child with this name as values.
    ///
    /// - Parameters:
    ///   - name: The children's name.
    ///   - type: The value type.
    /// - Throws: ``XMLDecodingError`` when a text is not valid for the type.
    public mutating func childValues<Value: XMLValueCodable>(
        _ name: XMLName,
        as type: Value.Type = Value.self
    ) throws(XMLDecodingError) -> [Value] {
        var values: [Value] = []
        for (index, child) in takeAll(name).enumerated() {
            values.append(try value(of: child, as: type, index: index))
        }
        return values
    }

    /// Whether an empty child with this name is present (a flag such as `<required/>`).
    ///
    /// - Parameter name: The child's name.
    /// - Returns: Whether it is there.
    public mutating func flag(_ name: XMLName) -> Bool {
        take(name) != nil
    }

    // MARK: - Choices and wildcards

    private mutating func takeChoice<Value: XMLChoiceCodable>(
        _ type: Value.Type,
        orUnknownIn namespaces: [String]
    ) -> XMLElement? {
        let names = Value.alternatives
        for index in children.indices where !childTaken[index] && names.contains(children[index].name) {
            childTaken[index] = true
            return children[index]
        }
        for index in children.indices where !childTaken[index] && namespaces.contains(children[index].name.namespace) {
            childTaken[index] = true
            return children[index]
        }
        return nil
    }

    private func decodeChoice<Value: XMLChoiceCodable>(
        _ child: XMLElement,
        as type: Value.Type
    ) throws(XMLDecodingError) -> Value {
        do {
            return try Value(xml: child)
        } catch {
            throw error.inside(element.name)
        }
    }

    /// The first child that is one of the choice's alternatives, or failing that, the first child in one of
    /// `namespaces` as the choice's unknown case; `nil` when there is neither.
    ///
    /// - Parameters:
    ///   - type: The choice.
    ///   - namespaces: Namespaces whose unknown elements the choice takes (its alternatives' namespaces).
    /// - Throws: ``XMLDecodingError`` when the alternative's content does not match.
    public mutating func choice<Value: XMLChoiceCodable>(
        _ type: Value.Type,
        unknownIn namespaces: [String] = []
    ) throws(XMLDecodingError) -> Value? {
        guard let child = takeChoice(type, orUnknownIn: namespaces) else { return nil }
        return try decodeChoice(child, as: type)
    }

    /// Like ``choice(_:unknownIn:)``, but one alternative must be present.
    ///
    /// - Parameters:
    ///   - type: The choice.
    ///   - namespaces: Namespaces whose unknown elements the choice takes.
    /// - Throws: ``XMLDecodingError`` when none is present or its content does not match.
    public mutating func requiredChoice<Value: XMLChoiceCodable>(
        _ type: Value.Type,
        unknownIn namespaces: [String] = []
    ) throws(XMLDecodingError) -> Value {
        guard let child = takeChoice(type, orUnknownIn: namespaces) else {
            let names = Value.alternatives.map(\.description).joined(separator: ", ")
            throw XMLDecodingError(path: path, expected: "one of \(names)", found: "none")
        }
        return try decodeChoice(child, as: type)
    }

    /// Every child that is one of the choice's alternatives (a repeated choice), in document order.
    ///
    /// - Parameters:
    ///   - type: The choice.
    ///   - namespaces: Namespaces whose unknown elements the choice takes.
    /// - Throws: ``XMLDecodingError`` when an alternative's content does not match.
    public mutating func choices<Value: XMLChoiceCodable>(
        _ type: Value.Type,
        unknownIn namespaces: [String] = []
    ) throws(XMLDecodingError) -> [Value] {
        let names = Value.alternatives
        var values: [Value] = []
        for index in children.indices where !childTaken[index] {
            let child = children[index]
            if names.contains(child.name) || namespaces.contains(child.name.namespace) {
                childTaken[index] = true
                values.append(try decodeChoice(child, as: type))
            }
        }
        return values
    }

    /// Every child a wildcard accepts that no other read took, in document order.
    ///
    /// - Parameter wildcard: The namespaces the wildcard accepts.
    /// - Returns: The elements.
    public mutating func wildcard(_ wildcard: XMLWildcard) -> [XMLElement] {
        var result: [XMLElement] = []
        for index in children.indices where !childTaken[index] && wildcard.accepts(children[index].name.namespace) {
            childTaken[index] = true
            result.append(children[index])
        }
        return result
    }

    // MARK: - Text and what is left

    /// The element's text as a value (simple content).
    ///
    /// - Parameter type: The value's type.
    /// - Throws: ``XMLDecodingError`` when the text is not valid for the type.
    public mutating func text<Value: XMLValueCodable>(
        as type: Value.Type = Value.self
    ) throws(XMLDecodingError) -> Value {
        do {
            let text = element.text
            let value = try Value(xmlValue: text)
            lexicalForms.record(text, for: value, key: .init(name: element.name, index: 0, isAttribute: false))
            return value
        } catch {
            throw XMLDecodingError(path: path, expected: error.expected, found: error.found)
        }
    }

    /// The attributes no read took, in document order.
    public var unknownAttributes: [XMLAttribute] {
        attributes.indices.filter { !attributeTaken[$0] }.map { attributes[$0] }
    }

    /// The child elements no read took, in document order.
    public var unknownChildren: [XMLElement] {
        children.indices.filter { !childTaken[$0] }.map { children[$0] }
    }
}
