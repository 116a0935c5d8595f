import NIOCore
import NIOPosix
import XMPPTLS

/// A TLS client connection for the tests: a ``TLSClientHandler`` and a ``Recorder`` on a TCP channel to
/// 127.0.0.1.
struct TLSClient: Sendable {
    let channel: any Channel
    /// Completed by the handshake event, failed by the first error.
    let handshake: EventLoopFuture<TLSHandshakeCompleted>
    /// Completed by the first line of decrypted data.
    let firstLine: EventLoopFuture<String>
    /// Completed by the decrypted data up to the end of the first `<stream:features/>`.
    let streamFeatures: EventLoopFuture<String>
    /// Completed when the channel closes, with the errors that reached the end of the pipeline, as text.
    let errorsAtClose: EventLoopFuture<[String]>

    /// Connects and, unless `startTLSInPlace`, adds the TLS handler before the connection is made (direct TLS).
    /// With `startTLSInPlace`, the handler is added to the already active channel, as STARTTLS does.
    static func connect(
        host: String = "127.0.0.1", port: Int, configuration: TLSConfiguration, startTLSInPlace: Bool = false
    ) async throws -> TLSClient {
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let handshake = loop.makePromise(of: TLSHandshakeCompleted.self)
        let firstLine = loop.makePromise(of: String.self)
        let errors = loop.makePromise(of: [String].self)
        let features = loop.makePromise(of: String.self)
        let channel = try await ClientBootstrap(group: loop)
            .connectTimeout(.seconds(5))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let recorder = Recorder(
                        handshake: handshake, firstLine: firstLine, streamFeatures: features, errorsAtClose: errors)
                    if startTLSInPlace {
                        try channel.pipeline.syncOperations.addHandler(recorder)
                    } else {
                        try channel.pipeline.syncOperations.addHandlers(
                            TLSClientHandler(configuration: configuration), recorder)
                    }
                }
            }
            .connect(host: host, port: port).get()
        if startTLSInPlace {
            try await channel.eventLoop.submit {
                try channel.pipeline.syncOperations.addHandler(
                    TLSClientHandler(configuration: configuration), position: .first)
            }.get()
        }
        return TLSClient(
            channel: channel, handshake: handshake.futureResult, firstLine: firstLine.futureResult,
            streamFeatures: features.futureResult, errorsAtClose: errors.futureResult)
    }

    /// The handler's current channel binding of a type.
    func channelBinding(_ type: ChannelBindingType) async throws -> [UInt8]? {
        let channel = self.channel
        return try await channel.eventLoop.submit {
            try channel.pipeline.syncOperations.handler(type: TLSClientHandler.self).channelBinding(type)
        }.get()
    }

    /// The handler's available channel binding types.
    func availableChannelBindings() async throws -> [ChannelBindingType] {
        let channel = self.channel
        return try await channel.eventLoop.submit {
            try channel.pipeline.syncOperations.handler(type: TLSClientHandler.self).availableChannelBindings
        }.get()
    }

    /// The handshake's failure as a ``TLSError``, or `nil` if it succeeded or failed otherwise.
    func handshakeError() async -> TLSError? {
        do {
            _ = try await handshake.get()
            return nil
        } catch {
            return error as? TLSError
        }
    }
}

/// Records what comes out of the TLS handler: the handshake event, decrypted data, errors.
final class Recorder: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let handshake: EventLoopPromise<TLSHandshakeCompleted>
    private let firstLine: EventLoopPromise<String>
    private let streamFeatures: EventLoopPromise<String>
    private let errorsAtClose: EventLoopPromise<[String]>
    private var received = ""
    private var errors: [String] = []

    init(
        handshake: EventLoopPromise<TLSHandshakeCompleted>, firstLine: EventLoopPromise<String>,
        streamFeatures: EventLoopPromise<String>, errorsAtClose: EventLoopPromise<[String]>
    ) {
        self.streamFeatures = streamFeatures
        self.handshake = handshake
        self.firstLine = firstLine
        self.errorsAtClose = errorsAtClose
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? TLSHandshakeCompleted {
            handshake.succeed(event)
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        received += String(buffer: unwrapInboundIn(data))
        if let end = received.firstIndex(of: "\n") {
            firstLine.succeed(String(received[..<end]))
        }
        if received.contains("</stream:features>") {
            streamFeatures.succeed(received)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        errors.append("\(error)")
        handshake.fail(error)
        firstLine.fail(error)
        streamFeatures.fail(error)
    }

    func channelInactive(context: ChannelHandlerContext) {
        handshake.fail(ChannelError.eof)
        firstLine.fail(ChannelError.eof)
        streamFeatures.fail(ChannelError.eof)
        errorsAtClose.succeed(errors)
        context.fireChannelInactive()
    }
}

@available(*, unavailable)
extension Recorder: Sendable {}
