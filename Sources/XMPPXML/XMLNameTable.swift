internal import CLibXML2

/// A small cache from libxml2's interned name pointers to names in the document's ``XMLNamePool``.
///
/// libxml2 interns every element and attribute name and every namespace name in its parser dictionary, so the
/// same name arrives as the same pointer for as long as the dictionary lives. Looking the pointer pair up here
/// costs a multiply and a compare, where building the strings again would cost a UTF-8 validation and, for
/// long namespace names, an allocation. Only pointers the dictionary owns are cached (checked once, on a
/// miss); the table is emptied whenever the parser context, and with it the dictionary, is replaced.
///
/// A pair is looked for in its home slot and the few after it (linear probing), because names are only ever
/// added: with the home slot alone, two names whose keys collided (which pointers decide, so it varies from run
/// to run) evicted each other, and each occurrence of either appended it to the pool again. In the ingest
/// benchmark `body` and the attribute `node` did: 31,000 extra names per 100,000 stanzas, a new pool every
/// 32,768 of them, about 1 MB more heap.
struct XMLNameTable {
    private struct Entry {
        var localName: UnsafeRawPointer?
        var namespace: UnsafeRawPointer?
        var index: Int32
    }

    private static let capacity = 512  // a power of two
    /// How many slots a lookup examines, from the home slot on. A pair that finds them all taken by others is
    /// not cached, which bounds the cost of input made of many distinct names.
    private static let probes = 4
    private var entries: [Entry]
    private let maxNameBytes: Int
    /// Where the names live; replaced by ``removeAll()`` and when it fills up.
    private(set) var pool = XMLNamePool()

    init(maxNameBytes: Int) {
        self.maxNameBytes = maxNameBytes
        self.entries = Array(repeating: Entry(localName: nil, namespace: nil, index: 0), count: Self.capacity)
    }

    /// Forgets every entry and starts a new pool: the dictionary the pointers belonged to is gone.
    mutating func removeAll() {
        for index in entries.indices {
            entries[index] = Entry(localName: nil, namespace: nil, index: 0)
        }
        pool = XMLNamePool()
    }

    /// Starts a new pool if the current one is more than half full, so that the next top-level element has
    /// room for at least half a pool of names. Called between top-level elements only: a tree's names must
    /// all be in one pool.
    mutating func makeRoomForElement() {
        if !pool.hasRoom(for: XMLNamePool.capacity / 2) {
            removeAll()
        }
    }

    /// The pool index for a libxml2 local name and namespace pointer.
    ///
    /// - Returns: The index, or `nil` when a part is longer than the limit or the pool is full.
    @inline(__always)
    mutating func index(
        localName: UnsafePointer<xmlChar>,
        namespace: UnsafePointer<xmlChar>?,
        dictionary: xmlDictPtr?
    ) -> Int32? {
        let local = UnsafeRawPointer(localName)
        let uri = namespace.map(UnsafeRawPointer.init)
        let home = Self.homeSlot(localName: local, namespace: uri)
        var free: Int?
        for probe in 0..<Self.probes {
            let slot = (home + probe) & (Self.capacity - 1)
            if entries[slot].localName == local && entries[slot].namespace == uri {
                return entries[slot].index
            }
            if entries[slot].localName == nil {
                // Entries are never removed one by one, so the pair is not further on.
                free = slot
                break
            }
        }
        guard pool.hasRoom(for: 1), let localString = Self.string(localName, limit: maxNameBytes) else { return nil }
        var namespaceString = ""
        if let namespace {
            guard let string = Self.namespaceString(namespace, limit: maxNameBytes) else { return nil }
            namespaceString = string
        }
        let index = pool.append(XMLName(namespace: namespaceString, localName: localString))
        if let free, xmlDictOwns(dictionary, localName) == 1,
            namespace == nil || xmlDictOwns(dictionary, namespace) == 1
        {
            entries[free] = Entry(localName: local, namespace: uri, index: index)
        }
        return index
    }

    /// The slot where the search for a pair of name pointers starts.
    @inline(__always)
    static func homeSlot(localName: UnsafeRawPointer, namespace: UnsafeRawPointer?) -> Int {
        let key =
            UInt(bitPattern: localName) &* 0x9E37_79B9_7F4A_7C15 ^ UInt(bitPattern: namespace) &* 0xC2B2_AE3D_27D4_EB4F
        return Int(truncatingIfNeeded: key >> 20) & (capacity - 1)
    }

    /// A namespace name from libxml2, or `nil` when it is longer than `limit` bytes.
    ///
    /// A namespace declaration is an attribute, and libxml2 reports each `&` of its value as `&#38;` (see
    /// ``XMLTreeBuilder/addAttribute(name:value:)``); this turns them back.
    static func namespaceString(_ pointer: UnsafePointer<xmlChar>, limit: Int) -> String? {
        guard let string = string(pointer, limit: limit) else { return nil }
        return string.utf8.contains(UInt8(ascii: "&")) ? string.replacing("&#38;", with: "&") : string
    }

    /// A NUL-terminated libxml2 string as a Swift string, or `nil` when it is longer than `limit` bytes.
    static func string(_ pointer: UnsafePointer<xmlChar>, limit: Int) -> String? {
        var length = 0
        while pointer[length] != 0 {
            length += 1
            if length > limit { return nil }
        }
        return String(decoding: UnsafeBufferPointer(start: pointer, count: length), as: UTF8.self)
    }
}
