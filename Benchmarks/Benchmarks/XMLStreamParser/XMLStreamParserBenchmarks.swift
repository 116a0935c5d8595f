// Parsing a realistic XMPP stream into XMLElements, next to libxml2's own floor on the same bytes.
//
// The corpus is the peer harness's stanza mix (../shared/bench/ingest/gen_stanzas.py: 70 % chat messages,
// 20 % presence with caps, 10 % disco#items results), written by scripts/bench to the file named by
// XMPP_BENCH_STANZAS. Both benchmarks feed the same bytes in 64 KiB reads, as a socket would deliver them.

import Benchmark
import CLibXML2Floor
import Foundation
import XMPPXML

let corpus = Corpus.load()
let readSize = 64 << 10

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .mallocCountTotal, .throughput],
        timeUnits: .milliseconds,
        warmupIterations: 1,
        maxDuration: .seconds(20),
        maxIterations: 15
    )

    Benchmark("XMLStreamParser: \(corpus.stanzas) stanzas into XMLElements") { benchmark in
        for _ in benchmark.scaledIterations {
            let parser = XMLStreamParser()
            var stanzas = 0
            try corpus.forEachRead(of: readSize) { read in
                try parser.parse(read) { event in
                    if case .element = event { stanzas += 1 }
                    return .continue
                }
            }
            precondition(stanzas == corpus.stanzas, "parsed \(stanzas) of \(corpus.stanzas) stanzas")
            blackHole(stanzas)
        }
    }

    Benchmark("libxml2 SAX2 push, no-op callbacks: \(corpus.stanzas) stanzas (floor)") { benchmark in
        for _ in benchmark.scaledIterations {
            let stanzas = try NoOpSAXFloor.parse(corpus, readSize: readSize)
            precondition(stanzas == corpus.stanzas, "counted \(stanzas) of \(corpus.stanzas) stanzas")
            blackHole(stanzas)
        }
    }
}

/// The stream bytes: a stream header, the generated stanzas, and the stream's end.
struct Corpus: Sendable {
    let bytes: [UInt8]
    let stanzas: Int

    static func load() -> Corpus {
        guard let path = ProcessInfo.processInfo.environment["XMPP_BENCH_STANZAS"],
            let body = FileManager.default.contents(atPath: path)
        else {
            fatalError("XMPP_BENCH_STANZAS must name the stanza file (run scripts/bench)")
        }
        var count = 0
        if let meta = FileManager.default.contents(atPath: path + ".meta"),
            let object = try? JSONSerialization.jsonObject(with: meta) as? [String: Any],
            let stanzas = object["stanzas"] as? Int
        {
            count = stanzas
        }
        let header =
            "<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
            + "xmlns:stream='http://etherx.jabber.org/streams' from='localhost' id='bench' version='1.0'>"
        return Corpus(bytes: Array(header.utf8) + Array(body) + Array("</stream:stream>".utf8), stanzas: count)
    }

    func forEachRead(of size: Int, _ body: (UnsafeRawBufferPointer) throws -> Void) rethrows {
        try bytes.withUnsafeBytes { all in
            var offset = 0
            while offset < all.count {
                let count = min(size, all.count - offset)
                try body(UnsafeRawBufferPointer(rebasing: all[offset..<offset + count]))
                offset += count
            }
        }
    }
}

/// libxml2's SAX2 push parser with callbacks that only count depth and top-level elements: what any
/// libxml2-based parser costs before it builds anything (the same floor as the harness's `limit_client sax`).
enum NoOpSAXFloor {
    struct Counter {
        var depth = 0
        var stanzas = 0
    }

    struct Failure: Error {}

    static func parse(_ corpus: Corpus, readSize: Int) throws -> Int {
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
        return try withUnsafeMutablePointer(to: &counter) { counter in
            guard let context = xmlCreatePushParserCtxt(&handler, counter, nil, 0, nil) else { throw Failure() }
            defer { xmlFreeParserCtxt(context) }
            xmlCtxtUseOptions(context, Int32(XML_PARSE_NONET.rawValue))
            try corpus.forEachRead(of: readSize) { read in
                let status = xmlParseChunk(
                    context, read.baseAddress!.assumingMemoryBound(to: CChar.self), Int32(read.count), 0
                )
                if status != 0 { throw Failure() }
            }
            return counter.pointee.stanzas
        }
    }
}
