import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Testing
import XMPPTesting

/// The fault-injection proxy itself, between a loopback echo server and a raw TCP client: it forwards both ways,
/// cuts after exactly the bytes asked (FIN or reset), stalls and black-holes.
@Suite struct FaultProxyTests {
    final class Echo: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            context.writeAndFlush(data, promise: nil)
        }
    }

    /// What the client end received, and how its connection ended.
    final class Collector: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        let received = NIOLockedValueBox<[UInt8]>([])
        let error = NIOLockedValueBox<(any Error)?>(nil)
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let buffer = unwrapInboundIn(data)
            received.withLockedValue { $0 += buffer.readableBytesView }
        }
        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            self.error.withLockedValue { $0 = error }
        }
    }

    struct Setup {
        let echo: any Channel
        let proxy: FaultProxy
        let client: any Channel
        let collector: Collector

        func send(_ text: String) async throws {
            try await client.writeAndFlush(ByteBuffer(string: text))
        }

        var received: String { String(decoding: collector.received.withLockedValue { $0 }, as: UTF8.self) }

        func wait(until condition: @Sendable () -> Bool) async throws {
            for _ in 0..<500 where !condition() { try await Task.sleep(for: .milliseconds(10)) }
        }

        func stop() async {
            try? await client.close()
            await proxy.stop()
            try? await echo.close()
        }
    }

    static func setUp() async throws -> Setup {
        let group = MultiThreadedEventLoopGroup.singleton
        let echo = try await ServerBootstrap(group: group)
            .childChannelInitializer { $0.pipeline.addHandler(Echo()) }
            .bind(host: "127.0.0.1", port: 0).get()
        let proxy = try await FaultProxy.start(to: "127.0.0.1", port: echo.localAddress?.port ?? 0)
        let collector = Collector()
        let client = try await ClientBootstrap(group: group)
            .channelInitializer { $0.pipeline.addHandler(collector) }
            .connect(host: "127.0.0.1", port: proxy.port).get()
        let setup = Setup(echo: echo, proxy: proxy, client: client, collector: collector)
        // One round trip first: the proxy's connection to the server is up, so a mode set next applies to what
        // follows (under load, connecting upstream can take longer than a test's pause).
        try await setup.send("ready")
        try await setup.wait { setup.received == "ready" }
        #expect(setup.received == "ready")
        collector.received.withLockedValue { $0 = [] }
        return setup
    }

    @Test func forwardsBothWays() async throws {
        let setup = try await Self.setUp()
        try await setup.send("hello, ")
        try await setup.send("world")
        try await setup.wait { setup.received == "hello, world" }
        #expect(setup.received == "hello, world")
        #expect(setup.proxy.acceptedConnections == 1)
        #expect(setup.proxy.cuts == 0)
        await setup.stop()
    }

    @Test(arguments: FaultProxy.Cut.allCases)
    func cutsAfterExactlyTheBytesAsked(_ cut: FaultProxy.Cut) async throws {
        let setup = try await Self.setUp()
        setup.proxy.cut(after: 7, toward: .server, with: cut)
        try await setup.send("<message>abc</message>")
        try await setup.client.closeFuture.get()
        // The echo server got the first seven bytes, and sent them back before the cut reached the client... or not:
        // what arrived is a prefix of them, and nothing beyond.
        #expect("<messag".hasPrefix(setup.received))
        #expect(setup.proxy.cuts == 1)
        #expect(!setup.proxy.isArmed)
        if cut == .reset {
            #expect(setup.collector.error.withLockedValue { $0 } != nil)
        }
        await setup.stop()
    }

    @Test func cutsAllAtOnce() async throws {
        let setup = try await Self.setUp()
        try await setup.send("ping")
        try await setup.wait { setup.received == "ping" }
        setup.proxy.cutAll(with: .fin)
        try await setup.client.closeFuture.get()
        #expect(setup.received == "ping")
        await setup.stop()
    }

    @Test func stallsThenReleasesInOrder() async throws {
        let setup = try await Self.setUp()
        setup.proxy.mode = .stall
        try await setup.send("one ")
        try await setup.send("two")
        try await Task.sleep(for: .milliseconds(100))
        #expect(setup.received == "")
        setup.proxy.mode = .forward
        try await setup.wait { setup.received == "one two" }
        #expect(setup.received == "one two")
        await setup.stop()
    }

    @Test func blackHolesAndKeepsTheConnectionOpen() async throws {
        let setup = try await Self.setUp()
        setup.proxy.mode = .blackHole
        try await setup.send("lost")
        try await Task.sleep(for: .milliseconds(100))
        #expect(setup.received == "")
        #expect(setup.client.isActive)
        setup.proxy.mode = .forward
        try await setup.send("found")
        try await setup.wait { setup.received == "found" }
        #expect(setup.received == "found")
        await setup.stop()
    }
}
