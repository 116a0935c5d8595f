/// A growable buffer of plain values for the parser's hot path: no copy-on-write checks, no reference counting,
/// bulk appends as `memcpy`. Its owner calls ``deallocate()`` exactly once.
struct XMLScratchBuffer<Element: BitwiseCopyable> {
    private(set) var base: UnsafeMutablePointer<Element>
    private(set) var count = 0
    private(set) var capacity: Int

    init(capacity: Int) {
        self.capacity = max(capacity, 1)
        self.base = .allocate(capacity: self.capacity)
    }

    var isEmpty: Bool { count == 0 }

    var buffer: UnsafeBufferPointer<Element> {
        UnsafeBufferPointer(start: base, count: count)
    }

    @inline(__always)
    subscript(index: Int) -> Element {
        get {
            assert(index >= 0 && index < count)
            return base[index]
        }
        set {
            assert(index >= 0 && index < count)
            base[index] = newValue
        }
    }

    @inline(__always)
    mutating func append(_ element: Element) {
        if count == capacity { grow(to: count + 1) }
        (base + count).initialize(to: element)
        count += 1
    }

    @inline(__always)
    mutating func append(contentsOf elements: UnsafeBufferPointer<Element>) {
        guard let source = elements.baseAddress else { return }
        if count + elements.count > capacity { grow(to: count + elements.count) }
        (base + count).initialize(from: source, count: elements.count)
        count += elements.count
    }

    /// Appends the elements from `start` to the end of another buffer.
    mutating func append(from other: Self, start: Int) {
        append(contentsOf: UnsafeBufferPointer(start: other.base + start, count: other.count - start))
    }

    mutating func removeLast() -> Element {
        count -= 1
        return base[count]
    }

    mutating func removeLast(_ n: Int) {
        count -= n
    }

    /// Empties the buffer; gives memory back when it grew past `shrinkingAbove` elements.
    mutating func removeAll(shrinkingAbove limit: Int) {
        count = 0
        if capacity > limit {
            base.deallocate()
            capacity = limit
            base = .allocate(capacity: limit)
        }
    }

    func deallocate() {
        base.deallocate()
    }

    private mutating func grow(to minimum: Int) {
        let newCapacity = max(capacity * 2, minimum)
        let newBase = UnsafeMutablePointer<Element>.allocate(capacity: newCapacity)
        newBase.moveInitialize(from: base, count: count)
        base.deallocate()
        base = newBase
        capacity = newCapacity
    }
}
