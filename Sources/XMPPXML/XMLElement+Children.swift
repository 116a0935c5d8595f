extension XMLElement {
    /// The children of an element: child elements and runs of character data, in document order.
    ///
    /// A random-access, mutable collection of ``XMLNode``s that an array literal creates. The children of a parsed
    /// element are read from the stanza's storage as they are accessed; the first change copies them into an
    /// ordinary array.
    public struct Children: Sendable {
        /// `@unchecked Sendable`: an ``XMLTree`` never changes after it is built.
        enum Storage: @unchecked Sendable {
            case parsed(XMLTree, first: Int32, count: Int32)
            case array([XMLNode])
        }

        var storage: Storage

        init(tree: XMLTree, first: Int32, count: Int32) {
            storage = .parsed(tree, first: first, count: count)
        }

        /// Creates children from nodes.
        ///
        /// - Parameter nodes: The nodes, in order.
        public init(_ nodes: some Sequence<XMLNode>) {
            storage = .array(Array(nodes))
        }

        /// The children as an array. Parsed children are copied into it; ordinary ones are shared.
        var array: [XMLNode] {
            switch storage {
            case .array(let nodes): nodes
            case .parsed: Array(self)
            }
        }

        /// The child element at a position, or `nil` for character data (whose string is then never made).
        func element(at position: Int) -> XMLElement? {
            switch storage {
            case .parsed(let tree, let first, _):
                let index = first + Int32(position)
                return tree.node(index).isText ? nil : XMLElement(tree: tree, node: index)
            case .array(let nodes):
                if case .element(let element) = nodes[position] { return element }
                return nil
            }
        }

        /// Calls `body` with the array behind these children, copying parsed children into one first.
        private mutating func withArray<Result>(_ body: (inout [XMLNode]) throws -> Result) rethrows -> Result {
            var nodes = array
            // Drop the enum's own reference first, so that `nodes` is unique and changes in place.
            storage = .array([])
            defer { storage = .array(nodes) }
            return try body(&nodes)
        }
    }
}

extension XMLElement.Children: RandomAccessCollection, MutableCollection, RangeReplaceableCollection {
    /// Creates an empty list of children.
    public init() {
        storage = .array([])
    }

    /// The position of the first child: always 0.
    public var startIndex: Int { 0 }

    /// The number of children.
    public var endIndex: Int {
        switch storage {
        case .parsed(_, _, let count): Int(count)
        case .array(let nodes): nodes.count
        }
    }

    /// The child at a position.
    public subscript(position: Int) -> XMLNode {
        get {
            switch storage {
            case .parsed(let tree, let first, let count):
                precondition(position >= 0 && position < Int(count), "child index out of range")
                let index = first + Int32(position)
                let node = tree.node(index)
                if node.isText {
                    return .text(tree.string(start: node.first, length: node.count))
                }
                return .element(XMLElement(tree: tree, node: index))
            case .array(let nodes):
                return nodes[position]
            }
        }
        set {
            withArray { $0[position] = newValue }
        }
    }

    /// Replaces a range of children.
    ///
    /// - Parameters:
    ///   - subrange: The positions to replace.
    ///   - newElements: The new children.
    public mutating func replaceSubrange(_ subrange: Range<Int>, with newElements: some Collection<XMLNode>) {
        withArray { $0.replaceSubrange(subrange, with: newElements) }
    }

    /// Reserves room for children.
    ///
    /// - Parameter minimumCapacity: The number of children to make room for.
    public mutating func reserveCapacity(_ minimumCapacity: Int) {
        withArray { $0.reserveCapacity(minimumCapacity) }
    }
}

extension XMLElement.Children: ExpressibleByArrayLiteral {
    /// Creates children from an array literal.
    ///
    /// - Parameter elements: The nodes, in order.
    public init(arrayLiteral elements: XMLNode...) {
        storage = .array(elements)
    }
}

extension XMLElement.Children: Hashable {
    /// Whether the two lists hold equal children in the same order.
    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.elementsEqual(rhs)
    }

    /// Hashes the children in order.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(count)
        for child in self {
            hasher.combine(child)
        }
    }
}

extension XMLElement.Children: CustomStringConvertible {
    /// The children as a list, for debugging.
    public var description: String {
        array.description
    }
}
