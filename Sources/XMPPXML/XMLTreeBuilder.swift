/// Collects one top-level element as libxml2 reports it, and turns it into an ``XMLTree`` when it closes.
///
/// Its buffers are reused from one element to the next, so building a stanza allocates only the tree itself.
/// The finished children of the elements still open wait on a stack; when an element closes, its children
/// move to the node table as one contiguous run. The owner calls ``deallocate()`` exactly once.
struct XMLTreeBuilder {
    private struct OpenElement {
        var node: XMLTree.Node
        /// Where this element's children begin on `pending`.
        var firstPending: Int
    }

    private var open = XMLScratchBuffer<OpenElement>(capacity: 16)
    /// The finished children of every open element, flattened.
    private var pending = XMLScratchBuffer<XMLTree.Node>(capacity: 64)
    /// Nodes whose parent has closed, in their final order.
    private var nodes = XMLScratchBuffer<XMLTree.Node>(capacity: 64)
    private var attributes = XMLScratchBuffer<XMLTree.Attribute>(capacity: 64)
    /// The UTF-8 of every text run and attribute value.
    private var bytes = XMLScratchBuffer<UInt8>(capacity: 4096)
    /// Whether the last pending node is character data that more character data extends.
    private var inText = false

    /// The length of the character data run being extended, or 0.
    var currentTextLength: Int {
        inText ? Int(pending[pending.count - 1].count) : 0
    }

    /// Opens an element. Its attributes follow through ``addAttribute(name:value:)``.
    mutating func startElement(name: Int32) {
        inText = false
        let node = XMLTree.Node(
            name: name, first: 0, count: 0, firstAttribute: Int32(attributes.count), attributeCount: 0)
        open.append(OpenElement(node: node, firstPending: pending.count))
    }

    /// Adds an attribute to the element opened last.
    ///
    /// Without entity substitution, libxml2 hands over every `&` of an attribute value (from `&amp;` or `&#38;`)
    /// as the five characters `&#38;`, so that a later stage could tell it from an entity reference. No other
    /// `&` can occur in a parsed value, so turning each `&#38;` back into `&` is exact.
    mutating func addAttribute(name: Int32, value: UnsafeBufferPointer<UInt8>) {
        let start = Int32(bytes.count)
        if value.contains(0x26) {
            var index = 0
            while index < value.count {
                if value[index] == 0x26, index + 4 < value.count, value[index + 1] == 0x23, value[index + 2] == 0x33,
                    value[index + 3] == 0x38, value[index + 4] == 0x3B
                {
                    bytes.append(0x26)
                    index += 5
                } else {
                    bytes.append(value[index])
                    index += 1
                }
            }
        } else {
            bytes.append(contentsOf: value)
        }
        attributes.append(XMLTree.Attribute(name: name, valueStart: start, valueLength: Int32(bytes.count) - start))
        open[open.count - 1].node.attributeCount += 1
    }

    /// Adds character data to the element open now, extending the run it continues.
    mutating func characters(_ text: UnsafeBufferPointer<UInt8>) {
        if inText {
            pending[pending.count - 1].count += Int32(text.count)
        } else {
            pending.append(.text(start: Int32(bytes.count), length: Int32(text.count)))
            inText = true
        }
        bytes.append(contentsOf: text)
    }

    /// Closes the element open now. Returns the finished tree when that element was the outermost.
    mutating func endElement(pool: XMLNamePool) -> XMLTree? {
        inText = false
        var element = open.removeLast()
        let childCount = pending.count - element.firstPending
        element.node.first = Int32(nodes.count)
        element.node.count = Int32(childCount)
        if childCount > 0 {
            nodes.append(from: pending, start: element.firstPending)
            pending.removeLast(childCount)
        }
        guard open.isEmpty else {
            pending.append(element.node)
            return nil
        }
        nodes.append(element.node)
        let tree = XMLTree.make(pool: pool, nodes: nodes.buffer, attributes: attributes.buffer, bytes: bytes.buffer)
        reset()
        return tree
    }

    /// Drops the element being built, if any. Buffers keep their capacity unless a large stanza made them large.
    mutating func reset() {
        open.removeAll(shrinkingAbove: 256)
        pending.removeAll(shrinkingAbove: 4096)
        nodes.removeAll(shrinkingAbove: 4096)
        attributes.removeAll(shrinkingAbove: 4096)
        bytes.removeAll(shrinkingAbove: 1 << 16)
        inText = false
    }

    func deallocate() {
        open.deallocate()
        pending.deallocate()
        nodes.deallocate()
        attributes.deallocate()
        bytes.deallocate()
    }
}
