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
