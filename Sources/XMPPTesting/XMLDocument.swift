public import XMPPXML

extension XMLElement {
    /// Parses a standalone XML document (one root element) with the stream parser's rules and limits.
    ///
    /// - Parameter document: The document's text.
    /// - Throws: ``XMLStreamError`` when it is not well-formed or breaks a rule, or when it has no root element.
    public init(parsing document: String) throws {
        let parser = XMLStreamParser(configuration: .document)
        var root: XMLElement?
        for event in try parser.parse(Array(document.utf8)) {
            if case .element(let element) = event { root = element }
        }
        guard let root else {
            throw XMLStreamError(.badFormat, "the document has no root element", offset: document.utf8.count)
        }
        self = root
    }
}

extension XMLElement {
    /// Parses an element written as it appears inside a stream, where unprefixed names are in the stream's default
    /// namespace (`<message to='…'>` is a `jabber:client` message).
    ///
    /// - Parameters:
    ///   - fragment: The element's text.
    ///   - defaultNamespace: The namespace unprefixed names inherit.
    /// - Throws: ``XMLStreamError`` when it is not well-formed or holds no element.
    public init(parsing fragment: String, defaultNamespace: String) throws {
        precondition(!defaultNamespace.contains("'"), "a namespace name with an apostrophe")
        let wrapper = try XMLElement(parsing: "<wrapper xmlns='\(defaultNamespace)'>\(fragment)</wrapper>")
        guard let element = wrapper.elements.first(where: { _ in true }) else {
            throw XMLStreamError(.badFormat, "the fragment holds no element", offset: 0)
        }
        self = element
    }
}
