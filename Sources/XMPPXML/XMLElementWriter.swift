/// Builds one element from typed values, for generated encoders. Content is written in the order of the calls,
/// which generated code makes the schema's order; unknown content goes last.
@_spi(Generated)
public struct XMLElementWriter {
    private let name: XMLName
    private let lexicalForms: XMLLexicalForms
    private var attributes: [XMLAttribute] = []
    private var children: [XMLNode] = []

    /// Starts an element.
    ///
    /// - Parameters:
    ///   - name: The element's name.
    ///   - lexicalForms: How the values were written when they were decoded; unchanged values are written so.
    public init(_ name: XMLName, lexicalForms: XMLLexicalForms = XMLLexicalForms()) {
        self.name = name
        self.lexicalForms = lexicalForms
    }

    /// The element written so far.
    public var element: XMLElement {
        XMLElement(name, attributes: attributes, children: children)
    }

    /// Writes an attribute unless the value is `nil`.
    ///
    /// - Parameters:
    ///   - name: The attribute's name.
    ///   - value: The value.
    public mutating func attribute<Value: XMLValueCodable>(_ name: XMLName, _ value: Value?) {
        if let value {
            let text = lexicalForms.form(of: value, key: .init(name: name, index: 0, isAttribute: true))
            attributes.append(XMLAttribute(name, text))
        }
    }

    /// Writes a space-separated list attribute unless the list is `nil`.
    ///
    /// - Parameters:
    ///   - name: The attribute's name.
    ///   - values: The items.
    public mutating func listAttribute<Value: XMLValueCodable>(_ name: XMLName, _ values: [Value]?) {
        if let values { attributes.append(XMLAttribute(name, values.map(\.xmlValue).joined(separator: " "))) }
    }

    /// Writes a child element for a value, unless it is `nil`.
    ///
    /// - Parameters:
    ///   - name: The child's name.
    ///   - value: The child's content.
    public mutating func child<Value: XMLContentCodable>(_ name: XMLName, _ value: Value?) {
        if let value { children.append(.element(value.xmlElement(named: name))) }
    }

    /// Writes a child element for each value.
    ///
    /// - Parameters:
    ///   - name: The children's name.
    ///   - values: Their contents.
    public mutating func children<Value: XMLContentCodable>(_ name: XMLName, _ values: [Value]) {
        for value in values { children.append(.element(value.xmlElement(named: name))) }
    }

    /// Writes a child element whose text is a value, unless it is `nil`.
    ///
    /// - Parameters:
    ///   - name: The child's name.
    ///   - value: The value.
    public mutating func childValue<Value: XMLValueCodable>(_ name: XMLName, _ value: Value?) {
        if let value {
            let text = lexicalForms.form(of: value, key: .init(name: name, index: 0, isAttribute: false))
            children.append(.element(Self.textElement(name, text)))
        }
    }

    /// Writes a child element with text for each value.
    ///
    /// - Parameters:
    ///   - name: The children's name.
    ///   - values: The values.
    public mutating func childValues<Value: XMLValueCodable>(_ name: XMLName, _ values: [Value]) {
        for (index, value) in values.enumerated() {
            let text = lexicalForms.form(of: value, key: .init(name: name, index: index, isAttribute: false))
            children.append(.element(Self.textElement(name, text)))
        }
    }

    /// Writes an empty child element when the flag is set.
    ///
    /// - Parameters:
    ///   - name: The child's name.
    ///   - isSet: Whether to write it.
    public mutating func flag(_ name: XMLName, _ isSet: Bool) {
        if isSet { children.append(.element(XMLElement(name))) }
    }

    /// Writes the element of a choice, unless it is `nil`.
    ///
    /// - Parameter value: The alternative.
    public mutating func choice<Value: XMLChoiceCodable>(_ value: Value?) {
        if let value { children.append(.element(value.xmlElement())) }
    }

    /// Writes the elements of a repeated choice.
    ///
    /// - Parameter values: The alternatives.
    public mutating func choices<Value: XMLChoiceCodable>(_ values: [Value]) {
        for value in values { children.append(.element(value.xmlElement())) }
    }

    /// Writes elements as they are (wildcard content, unknown children).
    ///
    /// - Parameter elements: The elements.
    public mutating func elements(_ elements: [XMLElement]) {
        for element in elements { children.append(.element(element)) }
    }

    /// Writes attributes as they are (unknown attributes).
    ///
    /// - Parameter attributes: The attributes.
    public mutating func attributes(_ attributes: [XMLAttribute]) {
        self.attributes += attributes
    }

    /// Writes nodes as they are (mixed content).
    ///
    /// - Parameter nodes: The nodes.
    public mutating func nodes(_ nodes: [XMLNode]) {
        children += nodes
    }

    /// Writes a value as the element's text.
    ///
    /// - Parameter value: The value.
    public mutating func text<Value: XMLValueCodable>(_ value: Value) {
        let text = lexicalForms.form(of: value, key: .init(name: name, index: 0, isAttribute: false))
        if !text.isEmpty { children.append(.text(text)) }
    }

    private static func textElement(_ name: XMLName, _ text: String) -> XMLElement {
        XMLElement(name, children: text.isEmpty ? [] : [.text(text)])
    }
}
