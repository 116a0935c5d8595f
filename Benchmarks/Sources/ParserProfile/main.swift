// A plain loop over the same corpus as the parser benchmark, for profilers (perf, valgrind) and quick checks:
//   XMPP_BENCH_STANZAS=Benchmarks/.data/stanzas-20000.xml .build/release/ParserProfile [rounds]
import CLibXML2Floor
import Foundation
import XMPPXML

guard let path = ProcessInfo.processInfo.environment["XMPP_BENCH_STANZAS"],
    let body = FileManager.default.contents(atPath: path)
else {
    fatalError("XMPP_BENCH_STANZAS must name the stanza file (run scripts/bench once)")
}
let header =
    "<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
    + "xmlns:stream='http://etherx.jabber.org/streams' from='localhost' id='bench' version='1.0'>"
let bytes = Array(header.utf8) + Array(body)
let rounds = CommandLine.arguments.dropFirst().first.flatMap(Int.init) ?? 5
let readSize = 64 << 10
let floorMode = CommandLine.arguments.contains("--floor")

struct Counter {
    var depth = 0
    var stanzas = 0
}

/// libxml2's SAX2 push parser with no-op callbacks over the same reads: the floor.
nonisolated func floor() -> Int {
    var handler = xmlSAXHandler()
    handler.initialized = UInt32(XML_SAX2_MAGIC)
    handler.startElementNs = { user, _, _, _, _, _, _, _, _ in
        user!.assumingMemoryBound(to: Counter.self).pointee.depth += 1
    }
    handler.endElementNs = { user, _, _, _ in
        let counter = user!.assumingMemoryBound(to: Counter.self)
        counter.pointee.depth -= 1
        if counter.pointee.depth == 1 { counter.pointee.stanzas += 1 }
    }
    handler.characters = { _, _, _ in }
    var counter = Counter()
    return withUnsafeMutablePointer(to: &counter) { counter in
        let context = xmlCreatePushParserCtxt(&handler, counter, nil, 0, nil)!
        defer { xmlFreeParserCtxt(context) }
        xmlCtxtUseOptions(context, Int32(XML_PARSE_NONET.rawValue))
        bytes.withUnsafeBytes { all in
            var offset = 0
            while offset < all.count {
                let count = min(readSize, all.count - offset)
                xmlParseChunk(context, all.baseAddress!.assumingMemoryBound(to: CChar.self) + offset, Int32(count), 0)
                offset += count
            }
        }
        return counter.pointee.stanzas
    }
}

var best = Double.infinity
var stanzas = 0
for _ in 0..<rounds {
    let start = ContinuousClock.now
    if floorMode {
        stanzas = floor()
    } else {
        stanzas = try parse()
    }
    let elapsed = ContinuousClock.now - start
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    best = min(best, seconds)
}
print(
    "\(floorMode ? "floor" : "parser") stanzas=\(stanzas) best=\(String(format: "%.4f", best))s rate=\(Int(Double(stanzas) / best))/s"
)

nonisolated func parse() throws -> Int {
    let parser = XMLStreamParser()
    var stanzas = 0
    try bytes.withUnsafeBytes { all in
        var offset = 0
        while offset < all.count {
            let count = min(readSize, all.count - offset)
            try parser.parse(UnsafeRawBufferPointer(rebasing: all[offset..<offset + count])) { event in
                if case .element = event { stanzas += 1 }
                return .continue
            }
            offset += count
        }
    }
    return stanzas
}
