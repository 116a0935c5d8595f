// Small queries over an element's attributes and children. They look one level down only; there is no
// path language here on purpose: generated types give typed access to payloads.

extension XMLElement {
    /// The value of the attribute in no namespace with this local name, or `nil`.
    ///
    /// Setting a value replaces the attribute in place (keeping its position) or appends it; setting `nil`
    /// removes it.
    ///
    /// - Parameter localName: The attribute's local name (unprefixed attributes are in no namespace).
    public subscript(localName: String) -> String? {
        get { self[attribute: XMLName(localName)] }
        set { self[attribute: XMLName(localName)] = newValue }
    }

    /// The value of the attribute with this qualified name, or `nil`.
    ///
    /// - Parameter name: The attribute's qualified name, such as ``XMLName/xmlLang``.
    public subscript(attribute name: XMLName) -> String? {
        get {
            switch storage {
            case .parsed(let tree, let index):
                return tree.attributeValue(of: tree.node(index), named: name)
            case .built(let box):
                for attribute in box.attributes where attribute.name == name {
                    return attribute.value
                }
                return nil
            }
        }
        set {
            let index = attributes.firstIndex { $0.name == name }
            switch (index, newValue) {
            case (let index?, let value?): attributes[index].value = value
            case (let index?, nil): attributes.remove(at: index)
            case (nil, let value?): attributes.append(XMLAttribute(name, value))
            case (nil, nil): break
            }
        }
    }

    /// The child elements, skipping character data.
    public var elements: some Sequence<XMLElement> {
        let children = children
        return children.indices.lazy.compactMap { children.element(at: $0) }
    }

    /// The first child element with this qualified name, or `nil`.
    ///
    /// - Parameter name: The qualified name to look for.
    /// - Returns: The first matching child element.
    public func firstChild(named name: XMLName) -> XMLElement? {
        for element in elements where element.name == name {
            return element
        }
        return nil
    }

    /// The first child element with this local name and namespace, or `nil`.
    ///
    /// - Parameters:
    ///   - localName: The local name to look for.
    ///   - namespace: The namespace to look for; `nil` matches the parent's own namespace, which is where
    ///     unqualified children such as a message's `<body/>` live.
    /// - Returns: The first matching child element.
    public func firstChild(_ localName: String, namespace: String? = nil) -> XMLElement? {
        firstChild(named: XMLName(namespace: namespace ?? name.namespace, localName: localName))
    }

    /// Every child element with this qualified name, in document order.
    ///
    /// - Parameter name: The qualified name to look for.
    /// - Returns: The matching child elements.
    public func children(named name: XMLName) -> [XMLElement] {
        var result: [XMLElement] = []
        for element in elements where element.name == name {
            result.append(element)
        }
        return result
    }

    /// The concatenated character data of this element's own text children (not of its descendants).
    public var text: String {
        var result = ""
        for case .text(let text) in children {
            result += text
        }
        return result
    }

    /// The text of the first child element with this local name in the parent's namespace, or `nil` when there
    /// is no such child. `message.childText("body")` reads a message body.
    ///
    /// - Parameters:
    ///   - localName: The child's local name.
    ///   - namespace: The child's namespace; `nil` means the parent's own namespace.
    /// - Returns: The child's text.
    public func childText(_ localName: String, namespace: String? = nil) -> String? {
        firstChild(localName, namespace: namespace)?.text
    }

    /// Appends a child element.
    ///
    /// - Parameter child: The element to append.
    public mutating func append(_ child: XMLElement) {
        children.append(.element(child))
    }

    /// Appends character data.
    ///
    /// - Parameter text: The text to append, unescaped.
    public mutating func append(text: String) {
        children.append(.text(text))
    }
}

extension XMLElement {
    /// This element with every element name in one namespace moved to another: itself and its descendants.
    ///
    /// A component's stream carries stanzas in `jabber:component:accept`; the stream handler presents them in
    /// `jabber:client`, and writes them back, with this. Attributes and elements of other namespaces are kept.
    ///
    /// - Parameters:
    ///   - old: The namespace to replace.
    ///   - new: Its replacement.
    public func renamingNamespace(_ old: String, to new: String) -> XMLElement {
        var copy = self
        copy.renameNamespace(old, to: new)
        return copy
    }

    private mutating func renameNamespace(_ old: String, to new: String) {
        if name.namespace == old {
            name.namespace = new
        }
        guard children.contains(where: { if case .element = $0 { true } else { false } }) else { return }
        for index in children.indices {
            if case .element(var child) = children[index], child.containsNamespace(old) {
                child.renameNamespace(old, to: new)
                children[index] = .element(child)
            }
        }
    }

    private func containsNamespace(_ namespace: String) -> Bool {
        name.namespace == namespace || elements.contains { $0.containsNamespace(namespace) }
    }
}
