import Testing
import XMPPXML

@Suite("XMLStreamParser: chunk boundaries")
struct XMLStreamParserChunkingTests {
    @Test("Splitting a stanza at every byte gives the same events", arguments: corpus.indices)
    func splitAtEveryByte(index: Int) throws {
        let bytes = stream(corpus[index])
        let whole = try parseAll(bytes)
        #expect(whole.count == 2)
        for split in 1..<bytes.count {
            let parser = XMLStreamParser()
            let events = try parser.parse(bytes[..<split]) + parser.parse(bytes[split...])
            #expect(events == whole, "split at byte \(split)")
        }
    }

    @Test("Fixed-size chunks give the same events", arguments: [1, 7, 4096])
    func fixedChunks(size: Int) throws {
        let bytes = stream(corpus.joined(separator: "\n") + "</stream:stream>")
        let whole = try parseAll(bytes)
        #expect(whole.count == corpus.count + 2)
        #expect(try parseAll(bytes, chunkSize: size) == whole)
    }

    @Test func aLargeReadIsParsedInSlicesWithTheSameResult() throws {
        // More than the parser's internal slice, with stanzas straddling the slice boundaries.
        let body = String(repeating: corpus.joined(), count: 40)
        let bytes = stream(body)
        #expect(bytes.count > 64 << 10)
        let whole = try parseAll(bytes)
        #expect(whole.count == 1 + corpus.count * 40)
        #expect(try parseAll(bytes, chunkSize: 1000) == whole)
    }
}
