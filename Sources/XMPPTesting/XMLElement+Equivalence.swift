public import XMPPXML

extension XMLElement {
    /// The element with the whitespace that only indents element-only content removed, recursively.
    ///
    /// Two elements whose normalized forms are equal carry the same information: names and attributes compare
    /// namespace-aware and in any order (as ``XMLElement`` equality does), and text is kept exactly wherever an
    /// element has no child elements or the text is not all whitespace.
    public func normalizedForComparison() -> XMLElement {
        let hasElementChildren = children.contains { if case .element = $0 { true } else { false } }
        var copy = self
        copy.children = XMLElement.Children(
            children.compactMap { node -> XMLNode? in
                switch node {
                case .element(let child):
                    return .element(child.normalizedForComparison())
                case .text(let text):
                    if hasElementChildren && text.allSatisfy({ $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }) {
                        return nil
                    }
                    return .text(text)
                }
            })
        return copy
    }

    /// Whether two elements are equal once indentation in element-only content is ignored.
    ///
    /// - Parameter other: The other element.
    /// - Returns: Whether they are equivalent.
    public func isEquivalent(to other: XMLElement) -> Bool {
        normalizedForComparison() == other.normalizedForComparison()
    }
}
