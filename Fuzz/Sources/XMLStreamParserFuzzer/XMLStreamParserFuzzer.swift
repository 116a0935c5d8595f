// Feeds arbitrary bytes, in arbitrary chunkings, to XMLStreamParser.
//
// Input layout: byte 0 chooses the mode (bit 0: prepend a valid stream header, so the fuzzer spends its time
// inside stanzas; bit 1: document mode instead of stream mode); byte 1 seeds the chunk sizes; the rest is the
// input. Besides "no crash, no hang, no unbounded memory", every run checks three properties and traps when
// one fails, so libFuzzer reports it:
// 1. the elements parsed from the input fed whole agree with those parsed from it fed in random chunks;
// 2. every parsed element, serialized standalone and parsed again, is equal to itself;
// 3. an error is always an XMLStreamError, and after it the parser refuses input until reset.

import XMPPXML

private let header = Array(
    ("<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
        + "xmlns:stream='http://etherx.jabber.org/streams' from='example.org' id='f' version='1.0'>").utf8
)

/// A tiny deterministic generator for chunk sizes.
private struct ChunkSizes {
    var state: UInt32

    mutating func next() -> Int {
        state = state &* 1_103_515_245 &+ 12_345
        let roll = Int((state >> 16) & 0x7FFF)
        // Mostly small chunks (split tags, names and UTF-8 sequences), sometimes large ones.
        return roll % 8 == 0 ? 1 + roll % 4096 : 1 + roll % 9
    }
}

private struct Outcome {
    var elements: [XMLElement] = []
    var failed = false
}

private func run(_ input: [UInt8], configuration: XMLStreamParser.Configuration, chunks: ChunkSizes?) -> Outcome {
    var outcome = Outcome()
    let parser = XMLStreamParser(configuration: configuration)
    var sizes = chunks
    var offset = 0
    do {
        while offset < input.count {
            let size = sizes?.next() ?? input.count
            let end = min(input.count, offset + size)
            for event in try parser.parse(input[offset..<end]) {
                if case .element(let element) = event { outcome.elements.append(element) }
            }
            offset = end
        }
    } catch is XMLStreamError {
        outcome.failed = true
        // Sticky: the parser takes nothing more until reset.
        do {
            _ = try parser.parse(Array("<a/>".utf8))
            fatalError("the parser accepted input after an error")
        } catch is XMLStreamError {
        } catch {
            fatalError("unexpected error type \(error)")
        }
    } catch {
        fatalError("unexpected error type \(error)")
    }
    return outcome
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size >= 2 else { return 0 }
    let mode = data[0]
    let seed = data[1]
    var input = Array(UnsafeBufferPointer(start: data + 2, count: size - 2))
    let document = mode & 2 != 0
    if mode & 1 != 0 && !document { input = header + input }
    let configuration: XMLStreamParser.Configuration = document ? .document : .xmppStream

    let whole = run(input, configuration: configuration, chunks: nil)
    let chunked = run(input, configuration: configuration, chunks: ChunkSizes(state: UInt32(seed) | 1))

    // 1. Chunking does not change what was parsed: where both runs produced elements, they agree.
    for (a, b) in zip(whole.elements, chunked.elements) where a != b {
        fatalError("chunked parse differs:\n\(a)\n\(b)")
    }
    if !whole.failed && !chunked.failed && whole.elements.count != chunked.elements.count {
        // libxml2 may hold back the last few bytes differently, but never a whole element behind a later one.
        let shorter = min(whole.elements.count, chunked.elements.count)
        precondition(shorter + 1 >= max(whole.elements.count, chunked.elements.count), "chunked parse lost elements")
    }

    // 2. Serialize, parse again: the same element.
    for element in whole.elements {
        let again = run(Array(element.description.utf8), configuration: .document, chunks: nil)
        guard !again.failed, again.elements == [element] else {
            fatalError("round trip changed the element:\n\(element)\n\(again.elements)")
        }
    }
    return 0
}
