import NIOCore
import NIOEmbedded
import Testing
import XMPPCore

@testable import XMPPClient

/// Counts the reads that reach the head of the pipeline.
final class ReadCounter: ChannelOutboundHandler {
    typealias OutboundIn = Any
    var reads = 0

    func read(context: ChannelHandlerContext) {
        reads += 1
        context.read()
    }
}

@Suite("Backpressure between the event loop and the dispatcher")
struct BackpressureTests {
    @Test func readingStopsWhileTheDispatcherIsBehindAndResumesWhenItCatchesUp() throws {
        let channel = EmbeddedChannel()
        let counter = ReadCounter()
        try channel.pipeline.syncOperations.addHandler(counter)
        let batches = StanzaBatches()
        for _ in 0..<StanzaBatches.high - 1 {
            batches.yield([XMLElement("message", namespace: "jabber:client")])
        }
        #expect(batches.mayRead(channel))
        batches.yield([])
        // At the high mark the read is held...
        #expect(!batches.mayRead(channel))
        let before = counter.reads
        // ...until the dispatcher is down to the low mark, which issues it.
        for _ in 0..<(StanzaBatches.high - StanzaBatches.low - 1) {
            batches.processed()
        }
        #expect(counter.reads == before)
        batches.processed()
        #expect(counter.reads == before + 1)
        #expect(batches.mayRead(channel))
    }
}
