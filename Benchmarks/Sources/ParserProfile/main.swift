// A plain loop over the same corpus as the parser benchmark, for profilers (perf, valgrind) and quick checks:
//   XMPP_BENCH_STANZAS=Benchmarks/.data/stanzas-20000.xml .build/release/ParserProfile [rounds] [--floor]
import BenchmarkSupport
import XMPPXML

let corpus = Corpus.load()
let rounds = CommandLine.arguments.dropFirst().first.flatMap(Int.init) ?? 5
let readSize = 64 << 10
let floorMode = CommandLine.arguments.contains("--floor")

var best = Double.infinity
var stanzas = 0
for _ in 0..<rounds {
    let start = ContinuousClock.now
    stanzas = floorMode ? try NoOpSAXFloor.parse(corpus, readSize: readSize) : try parse()
    let elapsed = ContinuousClock.now - start
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    best = min(best, seconds)
}
print("\(floorMode ? "floor" : "parser") stanzas=\(stanzas) best=\(best)s rate=\(Int(Double(stanzas) / best))/s")

nonisolated func parse() throws -> Int {
    let parser = XMLStreamParser()
    var stanzas = 0
    try corpus.forEachRead(of: readSize) { read in
        try parser.parse(read) { event in
            if case .element = event { stanzas += 1 }
            return .continue
        }
    }
    return stanzas
}
