/// An XML element as a value: a qualified name, attributes in document order, and children.
///
/// `XMLElement` is what ``XMLStreamParser`` produces for every top-level child of a stream, what the serializer
/// writes, and what generated payload types decode from and encode to. It is a plain value with copy-on-write
/// storage, and it is `Sendable`.
///
/// An element from the parser is a view into the storage of its whole stanza, built in one allocation: reading
/// a child or an attribute makes only the strings it returns, and the first change to an element copies that
/// element's own level into ordinary storage (its children stay views). Elements built in code use ordinary
/// storage from the start. Both behave the same in every respect but cost.
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
    /// `@unchecked Sendable`: an ``XMLTree`` never changes after it is built, and a ``Box`` only while unique.
    enum Storage: @unchecked Sendable {
        /// A node of a parsed tree.
        case parsed(XMLTree, Int32)
        /// An element built or changed in code.
        case built(Box)
    }

    /// The parts of an element built or changed in code. Mutated only while uniquely referenced
    /// (see `uniqueBox()`), hence `@unchecked Sendable`, like the storage of `Array`.
    final class Box: @unchecked Sendable {
        var name: XMLName
        var attributes: [XMLAttribute]
        var children: Children

        init(name: XMLName, attributes: [XMLAttribute], children: Children) {
            self.name = name
            self.attributes = attributes
            self.children = children
        }
    }

    var storage: Storage

    /// Creates an element.
    ///
    /// - Parameters:
    ///   - name: The qualified name.
    ///   - attributes: The attributes, in the order they are to be written. Names must be unique.
    ///   - children: The children, in order.
    public init(_ name: XMLName, attributes: [XMLAttribute] = [], children: [XMLNode] = []) {
        storage = .built(Box(name: name, attributes: attributes, children: Children(children)))
    }

    /// Creates an element from a namespace and a local name.
    ///
    /// - Parameters:
    ///   - localName: The local name.
    ///   - namespace: The namespace name.
    ///   - attributes: The attributes, in the order they are to be written.
    ///   - children: The children, in order.
    public init(
        _ localName: String,
        namespace: String,
        attributes: [XMLAttribute] = [],
        children: [XMLNode] = []
    ) {
        self.init(XMLName(namespace: namespace, localName: localName), attributes: attributes, children: children)
    }

    /// The root element of a parsed tree.
    init(tree: XMLTree) {
        storage = .parsed(tree, tree.root)
    }

    init(tree: XMLTree, node: Int32) {
        storage = .parsed(tree, node)
    }

    /// The element's qualified name.
    public var name: XMLName {
        get {
            switch storage {
            case .parsed(let tree, let index): tree.name(tree.node(index).name)
            case .built(let box): box.name
            }
        }
        set { uniqueBox().name = newValue }
    }

    /// The attributes in document order. Namespace declarations are not attributes and are not listed.
    ///
    /// To read one attribute, the subscripts (`element["to"]`) are cheaper: they make no other attribute's value.
    public var attributes: [XMLAttribute] {
        get {
            switch storage {
            case .parsed(let tree, let index):
                let node = tree.node(index)
                var result: [XMLAttribute] = []
                result.reserveCapacity(Int(node.attributeCount))
                for offset in 0..<node.attributeCount {
                    let attribute = tree.attribute(node.firstAttribute + offset)
                    result.append(
                        XMLAttribute(
                            tree.name(attribute.name),
                            tree.string(start: attribute.valueStart, length: attribute.valueLength)
                        )
                    )
                }
                return result
            case .built(let box):
                return box.attributes
            }
        }
        set { uniqueBox().attributes = newValue }
        _modify {
            let box = uniqueBox()
            yield &box.attributes
        }
    }

    /// The number of attributes.
    public var attributeCount: Int {
        switch storage {
        case .parsed(let tree, let index): Int(tree.node(index).attributeCount)
        case .built(let box): box.attributes.count
        }
    }

    /// The child elements and character data, in document order.
    public var children: Children {
        get {
            switch storage {
            case .parsed(let tree, let index):
                let node = tree.node(index)
                return Children(tree: tree, first: node.first, count: node.count)
            case .built(let box):
                return box.children
            }
        }
        set { uniqueBox().children = newValue }
        _modify {
            let box = uniqueBox()
            yield &box.children
        }
    }

    /// The box behind this element, made unique (copied if shared, built from the parsed tree if parsed).
    private mutating func uniqueBox() -> Box {
        switch storage {
        case .built(var box):
            // Drop the enum's own reference first, so that the check sees only `box`.
            storage = .built(Self.placeholder)
            if !isKnownUniquelyReferenced(&box) {
                box = Box(name: box.name, attributes: box.attributes, children: box.children)
            }
            storage = .built(box)
            return box
        case .parsed:
            let box = Box(name: name, attributes: attributes, children: children)
            storage = .built(box)
            return box
        }
    }

    private static let placeholder = Box(name: XMLName(""), attributes: [], children: [])
}

extension XMLElement: Hashable {
    /// Whether two elements are equal under the XML Namespaces data model: same name, same attribute set
    /// (order ignored), same children in the same order.
    public static func == (lhs: XMLElement, rhs: XMLElement) -> Bool {
        if case .parsed(let left, let leftIndex) = lhs.storage, case .parsed(let right, let rightIndex) = rhs.storage,
            left === right, leftIndex == rightIndex
        {
            return true
        }
        return lhs.name == rhs.name && lhs.attributeCount == rhs.attributeCount
            && Self.sameAttributes(lhs.attributes, rhs.attributes) && lhs.children == rhs.children
    }

    /// Hashes the name, the attributes independently of their order, and the children in order.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(name)
        // Order-independent: a commutative sum of each attribute's own hash.
        var attributeHash = 0
        let attributes = attributes
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
