public import Logging
public import NIOConcurrencyHelpers
public import NIOCore

/// The XML console: raw XML in both directions on the `xmpp.wire.inbound` and `xmpp.wire.outbound` loggers at
/// trace level, with SASL exchanges masked.
///
/// Sits just inside TLS, so it sees plaintext. Chunks are logged as they pass, as UTF-8 text.
public final class WireLogHandler: ChannelDuplexHandler, RemovableChannelHandler {
    /// What the handler reads.
    public typealias InboundIn = ByteBuffer
    /// What the handler passes on inbound.
    public typealias InboundOut = ByteBuffer
    /// What the handler is given to write.
    public typealias OutboundIn = ByteBuffer
    /// What the handler writes.
    public typealias OutboundOut = ByteBuffer

    /// Whether SASL is in progress: the bytes are replaced by a count.
    public let masked: NIOLockedValueBox<Bool>
    private let inbound: Logger
    private let outbound: Logger

    /// Creates the handler.
    ///
    /// - Parameters:
    ///   - inbound: The `xmpp.wire.inbound` logger.
    ///   - outbound: The `xmpp.wire.outbound` logger.
    ///   - masked: The shared switch the negotiation flips around SASL.
    public init(inbound: Logger, outbound: Logger, masked: NIOLockedValueBox<Bool>) {
        self.inbound = inbound
        self.outbound = outbound
        self.masked = masked
    }

    /// Handles data from the peer.
    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        log(unwrapInboundIn(data), to: inbound)
        context.fireChannelRead(data)
    }

    /// Handles data to the peer.
    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        log(unwrapOutboundIn(data), to: outbound)
        context.write(data, promise: promise)
    }

    private func log(_ buffer: ByteBuffer, to logger: Logger) {
        guard logger.logLevel <= .trace else { return }
        if masked.withLockedValue({ $0 }) {
            logger.trace("<!-- \(buffer.readableBytes) bytes omitted (SASL) -->")
        } else {
            logger.trace("\(String(decoding: buffer.readableBytesView, as: UTF8.self))")
        }
    }
}

@available(*, unavailable)
extension WireLogHandler: Sendable {}
