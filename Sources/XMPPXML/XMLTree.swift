/// One parsed element and all of its descendants, in a single allocation.
///
/// The parser builds each top-level element here instead of as a tree of arrays and strings: a table of nodes,
/// a table of attributes and the UTF-8 bytes of every text and attribute value, laid out one after the other in
/// the tail of one object, with names as indices into the document's ``XMLNamePool``. An ``XMLElement`` read from the
/// parser is a reference to this storage plus a node index; strings are made only when a value is read, and
/// the whole stanza is freed with one `free`.
///
/// Layout of the tail (every region starts 8-byte aligned):
///
///     [Node × nodeCount][Attribute × attributeCount][UInt8 × byteCount]
///
/// The children of an element are contiguous in the node table (`firstChild ..< firstChild + childCount`), so
/// they can be indexed like an array; the root is the last node.
///
/// The storage is written once, in ``make(pool:nodes:attributes:bytes:)``, before the object is shared, and never
/// changes afterwards, so sharing it between threads is safe. (`ManagedBuffer` makes its subclasses
/// non-`Sendable`; the values that hold a tree say `@unchecked Sendable` for this reason.)
final class XMLTree: ManagedBuffer<XMLTree.Header, UInt64> {
    struct Header {
        let pool: XMLNamePool
        var nodeCount: Int32
        var attributesOffset: Int32
        var bytesOffset: Int32
    }

    /// An element or a run of character data.
    struct Node {
        /// The element's name in the pool, or -1 for character data.
        var name: Int32
        /// An element's first child in the node table; the byte offset of character data.
        var first: Int32
        /// An element's number of children; the byte length of character data.
        var count: Int32
        /// An element's first attribute in the attribute table.
        var firstAttribute: Int32
        /// An element's number of attributes.
        var attributeCount: Int32

        static func text(start: Int32, length: Int32) -> Node {
            Node(name: -1, first: start, count: length, firstAttribute: 0, attributeCount: 0)
        }

        var isText: Bool { name < 0 }
    }

    /// An attribute: its name's index and where its value's bytes are.
    struct Attribute {
        var name: Int32
        var valueStart: Int32
        var valueLength: Int32
    }

    /// Copies the parts of a finished tree into a new storage object.
    static func make(
        pool: XMLNamePool,
        nodes: UnsafeBufferPointer<Node>,
        attributes: UnsafeBufferPointer<Attribute>,
        bytes: UnsafeBufferPointer<UInt8>
    ) -> XMLTree {
        let attributesOffset = aligned(nodes.count * MemoryLayout<Node>.stride)
        let bytesOffset = aligned(attributesOffset + attributes.count * MemoryLayout<Attribute>.stride)
        let words = (bytesOffset + bytes.count + 7) / 8
        let header = Header(
            pool: pool,
            nodeCount: Int32(nodes.count),
            attributesOffset: Int32(attributesOffset),
            bytesOffset: Int32(bytesOffset)
        )
        let tree = unsafeDowncast(create(minimumCapacity: max(words, 1)) { _ in header }, to: XMLTree.self)
        tree.withUnsafeMutablePointerToElements { tail in
            let base = UnsafeMutableRawPointer(tail)
            if let source = nodes.baseAddress {
                base.copyMemory(from: source, byteCount: nodes.count * MemoryLayout<Node>.stride)
            }
            if let source = attributes.baseAddress {
                (base + attributesOffset).copyMemory(
                    from: source, byteCount: attributes.count * MemoryLayout<Attribute>.stride)
            }
            if let source = bytes.baseAddress {
                (base + bytesOffset).copyMemory(from: source, byteCount: bytes.count)
            }
        }
        return tree
    }

    private static func aligned(_ offset: Int) -> Int {
        (offset + 7) & ~7
    }

    // MARK: - Reading

    /// The index of the root element.
    var root: Int32 {
        header.nodeCount - 1
    }

    @inline(__always)
    func node(_ index: Int32) -> Node {
        withUnsafeMutablePointers { header, tail in
            UnsafeRawPointer(tail).load(
                fromByteOffset: Int(index) * MemoryLayout<Node>.stride,
                as: Node.self
            )
        }
    }

    @inline(__always)
    func attribute(_ index: Int32) -> Attribute {
        withUnsafeMutablePointers { header, tail in
            UnsafeRawPointer(tail).load(
                fromByteOffset: Int(header.pointee.attributesOffset) + Int(index) * MemoryLayout<Attribute>.stride,
                as: Attribute.self
            )
        }
    }

    @inline(__always)
    func name(_ index: Int32) -> XMLName {
        withUnsafeMutablePointerToHeader { $0.pointee.pool[index] }
    }

    /// Calls `body` with the stored bytes from `start`, `length` long.
    @inline(__always)
    func withBytes<Result>(
        start: Int32,
        length: Int32,
        _ body: (UnsafeBufferPointer<UInt8>) throws -> Result
    ) rethrows -> Result {
        try withUnsafeMutablePointers { header, tail in
            let base = UnsafeRawPointer(tail) + Int(header.pointee.bytesOffset) + Int(start)
            return try body(UnsafeBufferPointer(start: base.assumingMemoryBound(to: UInt8.self), count: Int(length)))
        }
    }

    /// The stored bytes from `start`, `length` long, as a string. The parser stored them as valid UTF-8.
    func string(start: Int32, length: Int32) -> String {
        withBytes(start: start, length: length) { String(decoding: $0, as: UTF8.self) }
    }

    /// The value of an element's attribute with this name, without making any other attribute's string.
    func attributeValue(of element: Node, named name: XMLName) -> String? {
        var index = element.firstAttribute
        let end = element.firstAttribute + element.attributeCount
        while index < end {
            let attribute = attribute(index)
            if self.name(attribute.name) == name {
                return string(start: attribute.valueStart, length: attribute.valueLength)
            }
            index += 1
        }
        return nil
    }
}
