// The stream both the benchmark and the profiling loop parse, and libxml2's no-op floor over it.
import CLibXML2Floor
import Foundation

/// The stream bytes: a stream header, the harness's generated stanzas (the file named by XMPP_BENCH_STANZAS,
/// written by scripts/bench), and the stream's end.
public struct Corpus: Sendable {
    public let bytes: [UInt8]
    public let stanzas: Int

    public static func load() -> Corpus {
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

    /// Calls `body` with consecutive reads of at most `size` bytes, as a socket would deliver them.
    public func forEachRead(of size: Int, _ body: (UnsafeRawBufferPointer) throws -> Void) rethrows {
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
public enum NoOpSAXFloor {
    struct Counter {
        var depth = 0
        var stanzas = 0
    }

    public struct Failure: Error {}

    /// Parses the corpus in reads of `readSize` bytes and returns the number of top-level elements.
    public static func parse(_ corpus: Corpus, readSize: Int) throws -> Int {
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
