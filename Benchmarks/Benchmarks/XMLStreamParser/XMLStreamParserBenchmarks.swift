// Parsing a realistic XMPP stream into XMLElements, next to libxml2's own floor on the same bytes.
//
// The corpus is the peer harness's stanza mix (../shared/bench/ingest/gen_stanzas.py: 70 % chat messages,
// 20 % presence with caps, 10 % disco#items results), written by scripts/bench to the file named by
// XMPP_BENCH_STANZAS. Both benchmarks feed the same bytes in 64 KiB reads, as a socket would deliver them.

import Benchmark
import BenchmarkSupport
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
