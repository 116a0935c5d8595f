public import NIOCore
import NIOPosix
public import XMPPTLS

/// How a client stream reaches its server: the connection and the handlers below ``XMPPStreamHandler``.
///
/// The negotiation and everything above it do not see the transport: a transport connects to ``host`` and
/// ``port``, installs what it needs on the new channel (TLS, an HTTP upgrade, WebSocket framing), and says when the
/// stream's own handlers may go on top. ``framing`` tells the stream handler how the transport carries the XML.
public protocol XMPPTransport: Sendable, CustomStringConvertible {
    /// The host to connect to.
    var host: String { get }
    /// The TCP port to connect to.
    var port: Int { get }
    /// How the transport carries the stream's XML.
    var framing: XMPPStreamHandler.Framing { get }

    /// Connects, and calls `ready` on the channel's event loop once the stream's handlers may be added (at once, or
    /// when an upgrade completes); `ready` adds them. Returns the channel the stream runs on.
    ///
    /// - Parameters:
    ///   - group: The event loops.
    ///   - timeout: How long connecting may take.
    ///   - ready: Adds the stream's handlers on top of the transport's.
    ///   - failed: Called when the transport cannot be set up after connecting (an upgrade refused); the channel
    ///     is closed.
    /// - Throws: What connecting threw.
    func connect(
        group: any EventLoopGroup,
        timeout: TimeAmount,
        ready: @escaping @Sendable (any Channel) throws -> Void,
        failed: @escaping @Sendable (any Error) -> Void
    ) async throws -> any Channel
}

/// A transport on one TCP connection: it installs its handlers on the connection's channel.
public protocol SocketTransport: XMPPTransport {
    /// Installs the transport's handlers on a new channel; called in the channel's initializer, on its event loop.
    ///
    /// - Parameters:
    ///   - channel: The new channel.
    ///   - ready: To call on the event loop once the stream's handlers may be added after the transport's: at once,
    ///     or when an upgrade completes. It adds them.
    ///   - failed: To call when the transport cannot be set up (the upgrade is refused); the channel is closed.
    func install(
        on channel: any Channel,
        ready: @escaping @Sendable (any Channel) throws -> Void,
        failed: @escaping @Sendable (any Error) -> Void
    ) throws
}

extension SocketTransport {
    /// Connects to ``XMPPTransport/host`` and ``XMPPTransport/port`` (TCP_NODELAY) and installs the handlers.
    public func connect(
        group: any EventLoopGroup,
        timeout: TimeAmount,
        ready: @escaping @Sendable (any Channel) throws -> Void,
        failed: @escaping @Sendable (any Error) -> Void
    ) async throws -> any Channel {
        try await ClientBootstrap(group: group)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connectTimeout(timeout)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try install(on: channel, ready: ready, failed: failed)
                }
            }
            .connect(host: host, port: port).get()
    }
}

/// A stream over TCP (RFC 6120): STARTTLS or plaintext as the negotiation decides, or TLS from the first byte
/// (XEP-0368).
public struct TCPTransport: SocketTransport {
    /// The host to connect to.
    public var host: String
    /// The TCP port to connect to.
    public var port: Int
    /// TLS to start before the first byte (direct TLS), or `nil` when the negotiation decides (STARTTLS).
    public var directTLS: TLSConfiguration?

    /// Creates the transport.
    ///
    /// - Parameters:
    ///   - host: The host to connect to.
    ///   - port: The TCP port.
    ///   - directTLS: TLS from the first byte, or `nil` for STARTTLS (or plaintext) as negotiated.
    public init(host: String, port: Int, directTLS: TLSConfiguration? = nil) {
        self.host = host
        self.port = port
        self.directTLS = directTLS
    }

    /// One XML document on the connection.
    public var framing: XMPPStreamHandler.Framing { .xmlStream }

    /// `host:port`, and whether TLS comes first.
    public var description: String { "\(host):\(port)\(directTLS == nil ? "" : " (direct TLS)")" }

    /// Adds the TLS handler for direct TLS; the stream's handlers go on at once.
    public func install(
        on channel: any Channel,
        ready: @escaping @Sendable (any Channel) throws -> Void,
        failed: @escaping @Sendable (any Error) -> Void
    ) throws {
        if let directTLS {
            try channel.pipeline.syncOperations.addHandler(TLSClientHandler(configuration: directTLS))
        }
        try ready(channel)
    }
}
