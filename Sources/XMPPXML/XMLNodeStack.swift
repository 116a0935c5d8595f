/// The finished children of every open element, in one flat buffer: an element's children are the nodes from
/// its first-child index to the end.
///
/// Nodes are moved in and moved out, never copied, so building a tree costs no reference counting beyond the
/// nodes' own creation. The owner must call ``deallocate()`` exactly once.
struct XMLNodeStack {
    private var base: UnsafeMutablePointer<XMLNode>
    private var capacity: Int
    private(set) var count = 0

    init(capacity: Int = 64) {
        self.capacity = capacity
        self.base = .allocate(capacity: capacity)
    }

    @inline(__always)
    mutating func append(_ node: consuming XMLNode) {
        if count == capacity { grow() }
        (base + count).initialize(to: node)
        count += 1
    }

    /// Moves the nodes from `start` to the end into a new array of exactly that size.
    @inline(__always)
    mutating func popArray(from start: Int) -> [XMLNode] {
        let moved = count - start
        guard moved > 0 else { return [] }
        let source = base + start
        count = start
        // `Array(unsafeUninitializedCapacity:)` would look up generic metadata at run time on every call;
        // appending into reserved capacity is specialized.
        var array: [XMLNode] = []
        array.reserveCapacity(moved)
        for index in 0..<moved {
            array.append((source + index).move())
        }
        return array
    }

    mutating func removeAll() {
        base.deinitialize(count: count)
        count = 0
    }

    func deallocate() {
        base.deinitialize(count: count)
        base.deallocate()
    }

    private mutating func grow() {
        let newCapacity = capacity * 2
        let newBase = UnsafeMutablePointer<XMLNode>.allocate(capacity: newCapacity)
        newBase.moveInitialize(from: base, count: count)
        base.deallocate()
        base = newBase
        capacity = newCapacity
    }
}
