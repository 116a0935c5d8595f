import CLibXML2
import Testing

@testable import XMPPXML

@Suite("XMLNameTable")
struct XMLNameTableTests {
    /// Two names whose pointers hash to the same home slot, used alternately, are each added to the pool once.
    @Test("Names that share a home slot both stay cached")
    func collidingNames() throws {
        let dictionary = try #require(xmlDictCreate())
        defer { xmlDictFree(dictionary) }
        // More names than slots: two of them must share a home slot.
        var bySlot: [Int: UnsafePointer<xmlChar>] = [:]
        var pair: (UnsafePointer<xmlChar>, UnsafePointer<xmlChar>)?
        for number in 0...512 where pair == nil {
            let name = try #require(xmlDictLookup(dictionary, "name\(number)", -1))
            let slot = XMLNameTable.homeSlot(localName: name, namespace: nil)
            if let other = bySlot[slot] {
                pair = (other, name)
            } else {
                bySlot[slot] = name
            }
        }
        let (first, second) = try #require(pair)
        var table = XMLNameTable(maxNameBytes: 64)
        let firstIndex = table.index(localName: first, namespace: nil, dictionary: dictionary)
        let secondIndex = table.index(localName: second, namespace: nil, dictionary: dictionary)
        for _ in 0..<10 {
            #expect(table.index(localName: first, namespace: nil, dictionary: dictionary) == firstIndex)
            #expect(table.index(localName: second, namespace: nil, dictionary: dictionary) == secondIndex)
        }
        #expect(table.pool.count == 2)
    }
}
