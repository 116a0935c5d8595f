/// The names of one parsed document, shared by every ``XMLTree`` built from it: trees store 4-byte indices
/// instead of names, so building and freeing a stanza touches no name's reference count.
///
/// The pool only grows, in chunks that never move, up to ``capacity`` names; the parser then starts a new pool
/// (trees keep theirs alive). A tree reads only indices that existed when it was built, and those slots never
/// change again, so reading while the parser appends is safe.
///
/// `@unchecked Sendable`: as above, slots are written once, before any tree that refers to them is published.
final class XMLNamePool: @unchecked Sendable {
    static let chunkSize = 256
    static let chunkCount = 256
    /// The most names one pool holds.
    static let capacity = chunkSize * chunkCount

    private let chunks: UnsafeMutablePointer<UnsafeMutablePointer<XMLName>?>
    /// The number of names; read and written by the parser only.
    private(set) var count = 0

    init() {
        chunks = .allocate(capacity: Self.chunkCount)
        chunks.initialize(repeating: nil, count: Self.chunkCount)
    }

    deinit {
        var remaining = count
        for index in 0..<Self.chunkCount {
            guard let chunk = chunks[index] else { break }
            chunk.deinitialize(count: min(remaining, Self.chunkSize))
            remaining -= Self.chunkSize
            chunk.deallocate()
        }
        chunks.deallocate()
    }

    /// Whether the pool has room for `count` more names.
    func hasRoom(for count: Int) -> Bool {
        self.count + count <= Self.capacity
    }

    /// Adds a name and returns its index. The pool must have room.
    func append(_ name: XMLName) -> Int32 {
        precondition(count < Self.capacity, "XMLNamePool is full")
        let chunkIndex = count / Self.chunkSize
        if chunks[chunkIndex] == nil {
            chunks[chunkIndex] = .allocate(capacity: Self.chunkSize)
        }
        (chunks[chunkIndex].unsafelyUnwrapped + count % Self.chunkSize).initialize(to: name)
        count += 1
        return Int32(count - 1)
    }

    /// The name at an index that ``append(_:)`` returned.
    @inline(__always)
    subscript(index: Int32) -> XMLName {
        let index = Int(index)
        return chunks[index / Self.chunkSize].unsafelyUnwrapped[index % Self.chunkSize]
    }
}
