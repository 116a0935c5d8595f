import NIOCore
import NIOEmbedded
import Testing
import XMPPTLS

/// The handler on an `EmbeddedChannel`: the STARTTLS upgrade shape and failures, without a network.
@Suite("TLSClientHandler on EmbeddedChannel", .timeLimit(.minutes(1)))
struct TLSClientHandlerTests {
    static let configuration = TLSConfiguration(domain: "example.test", applicationProtocols: ["xmpp-client"])

    /// An active channel, as after `<proceed/>` on a live STARTTLS connection.
    static func activeChannel() throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 5222)).wait()
        return channel
    }

    @Test func addedToAnActiveChannelSendsAClientHelloAtOnce() throws {
        let channel = try Self.activeChannel()
        #expect(channel.isActive)
        try channel.pipeline.syncOperations.addHandler(TLSClientHandler(configuration: Self.configuration))

        let record = try channel.readOutbound(as: ByteBuffer.self)
        let hello = try #require(record)
        // A TLS record of type handshake (22) whose length covers the rest, carrying a ClientHello (1).
        #expect(hello.getInteger(at: 0, as: UInt8.self) == 22)
        #expect(hello.getInteger(at: 1, as: UInt8.self) == 3)
        #expect(hello.getInteger(at: 3, as: UInt16.self).map(Int.init) == hello.readableBytes - 5)
        #expect(hello.getInteger(at: 5, as: UInt8.self) == 1)
        // SNI and ALPN are in the hello.
        let bytes = Array(hello.readableBytesView)
        #expect(bytes.contains(subsequence: Array("example.test".utf8)))
        #expect(bytes.contains(subsequence: Array("xmpp-client".utf8)))
        #expect(try channel.readOutbound(as: ByteBuffer.self) == nil)
        _ = try? channel.finish()
    }

    @Test func waitsForChannelActiveWhenAddedBefore() throws {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(TLSClientHandler(configuration: Self.configuration))
        #expect(try channel.readOutbound(as: ByteBuffer.self) == nil)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 5223)).wait()
        let record = try channel.readOutbound(as: ByteBuffer.self)
        let hello = try #require(record)
        #expect(hello.getInteger(at: 0, as: UInt8.self) == 22)
        _ = try? channel.finish()
    }

    @Test func holdsWritesUntilTheHandshakeCompletes() throws {
        let channel = try Self.activeChannel()
        try channel.pipeline.syncOperations.addHandler(TLSClientHandler(configuration: Self.configuration))
        _ = try channel.readOutbound(as: ByteBuffer.self)

        let write = channel.writeAndFlush(ByteBuffer(string: "<stream:stream>"))
        #expect(try channel.readOutbound(as: ByteBuffer.self) == nil)
        // Not TLS: the handshake fails, and so does the held write.
        #expect(throws: TLSError.self) {
            try channel.writeInbound(ByteBuffer(string: "HTTP/1.1 400 Bad Request\r\n\r\n"))
        }
        #expect(throws: TLSError.self) { try write.wait() }
        #expect(!channel.isActive)
    }

    @Test func reportsNonTLSDataAsHandshakeFailure() throws {
        let channel = try Self.activeChannel()
        try channel.pipeline.syncOperations.addHandler(TLSClientHandler(configuration: Self.configuration))
        let error = #expect(throws: TLSError.self) {
            try channel.writeInbound(ByteBuffer(string: "<stream:stream xmlns='jabber:client'>"))
        }
        #expect(error?.code == .handshakeFailed)
    }

    @Test func reportsAConnectionLostDuringTheHandshakeAsUnexpectedEOF() throws {
        let channel = try Self.activeChannel()
        try channel.pipeline.syncOperations.addHandler(TLSClientHandler(configuration: Self.configuration))
        channel.pipeline.fireChannelInactive()
        let error = #expect(throws: TLSError.self) { try channel.throwIfErrorCaught() }
        #expect(error?.code == .unexpectedEOF)
    }

    @Test func noChannelBindingsBeforeTheHandshake() throws {
        let channel = try Self.activeChannel()
        let handler = try TLSClientHandler(configuration: Self.configuration)
        try channel.pipeline.syncOperations.addHandler(handler)
        #expect(handler.channelBinding(.tlsExporter) == nil)
        #expect(handler.availableChannelBindings.isEmpty)
        #expect(handler.handshakeCompleted == nil)
        _ = try? channel.finish()
    }
}

extension Array where Element == UInt8 {
    /// Whether the bytes contain `needle` contiguously.
    func contains(subsequence needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, needle.count <= count else { return needle.isEmpty }
        return (0...(count - needle.count)).contains { self[$0..<($0 + needle.count)].elementsEqual(needle) }
    }
}
