import NIOConcurrencyHelpers
public import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#endif

/// A loopback TCP proxy between a client and a real server that injects network faults: it cuts connections (with a
/// FIN or a reset), at once or after a chosen number of bytes (so mid-stanza), stalls them (holds the bytes), or
/// black-holes them (accepts the bytes and forwards nothing, so both ends see a silent, half-open connection).
///
/// ```swift
/// let proxy = try await FaultProxy.start(to: "127.0.0.1", port: server.startTLSPort)
/// configuration.host = "127.0.0.1"
/// configuration.port = proxy.port
/// proxy.cut(after: 1200, toward: .server, with: .reset)  // the next 1,200 bytes pass, then the connection dies
/// ```
public final class FaultProxy: Sendable {
    /// How a connection is cut.
    public enum Cut: Sendable, Hashable, CaseIterable {
        /// An orderly close: a FIN to both ends.
        case fin
        /// An abortive close: a TCP reset to both ends (`SO_LINGER` with a zero timeout).
        case reset
    }

    /// Which way bytes flow.
    public enum Direction: Sendable, Hashable {
        /// From the client to the server.
        case server
        /// From the server to the client.
        case client
    }

    /// What the proxy does with the bytes of every connection.
    public enum Mode: Sendable, Hashable {
        /// Forwards them.
        case forward
        /// Holds them (in order) until the mode is `forward` again.
        case stall
        /// Accepts and drops them, both ways; connections stay open.
        case blackHole
    }

    struct Armed {
        var direction: Direction
        var remaining: Int
        var cut: Cut
    }

    struct State {
        var mode = Mode.forward
        var armed: Armed?
        var connections: [ObjectIdentifier: Connection] = [:]
        var accepted = 0
        var cuts = 0
    }

    /// The port the proxy listens on, on 127.0.0.1.
    public let port: Int
    private let listener: any Channel
    private let state: NIOLockedValueBox<State>
    private let target: (host: String, port: Int)
    private let group: any EventLoopGroup

    private init(
        listener: any Channel, state: NIOLockedValueBox<State>, target: (String, Int), group: any EventLoopGroup
    ) {
        self.listener = listener
        self.port = listener.localAddress?.port ?? 0
        self.state = state
        self.target = target
        self.group = group
    }

    /// Starts a proxy on 127.0.0.1 (a free port) to a target.
    ///
    /// - Parameters:
    ///   - host: The target's address.
    ///   - port: The target's port.
    ///   - group: The event loops; the shared singleton group by default.
    /// - Returns: The running proxy.
    public static func start(
        to host: String,
        port: Int,
        group: (any EventLoopGroup)? = nil
    ) async throws -> FaultProxy {
        let group = group ?? MultiThreadedEventLoopGroup.singleton
        let state = NIOLockedValueBox(State())
        let target = (host, port)
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.autoRead, value: false)
            .childChannelInitializer { inbound in
                let connection = Connection(client: inbound, state: state)
                state.withLockedValue {
                    $0.connections[ObjectIdentifier(connection)] = connection
                    $0.accepted += 1
                }
                return inbound.pipeline.addHandler(Pipe(connection: connection, direction: .server)).flatMap {
                    ClientBootstrap(group: inbound.eventLoop)
                        .channelOption(.socketOption(.tcp_nodelay), value: 1)
                        .channelInitializer { outbound in
                            outbound.pipeline.addHandler(Pipe(connection: connection, direction: .client))
                        }
                        .connect(host: target.0, port: target.1)
                        .map { outbound in
                            connection.attach(server: outbound)
                            inbound.setOption(.autoRead, value: true).whenComplete { _ in }
                        }
                        .flatMapErrorThrowing { error in
                            inbound.close(promise: nil)
                            throw error
                        }
                }
            }
        let listener = try await bootstrap.bind(host: "127.0.0.1", port: 0).get()
        return FaultProxy(listener: listener, state: state, target: target, group: group)
    }

    /// Connections accepted so far.
    public var acceptedConnections: Int { state.withLockedValue { $0.accepted } }

    /// Connections cut so far (by ``cutAll(with:)`` or an armed cut).
    public var cuts: Int { state.withLockedValue { $0.cuts } }

    /// What happens to the bytes of every connection, open or to come.
    public var mode: Mode {
        get { state.withLockedValue { $0.mode } }
        set {
            let release = state.withLockedValue { state -> [Connection] in
                state.mode = newValue
                return newValue == .forward ? Array(state.connections.values) : []
            }
            for connection in release { connection.releaseHeld() }
        }
    }

    /// Cuts every open connection now.
    ///
    /// - Parameter cut: FIN or reset.
    public func cutAll(with cut: Cut) {
        let open = state.withLockedValue { state in
            state.cuts += state.connections.count
            return Array(state.connections.values)
        }
        for connection in open { connection.cut(cut) }
    }

    /// Arms a cut: once `bytes` more bytes have been forwarded in a direction (on any connection), the connection is
    /// cut, after exactly those bytes. With a byte count inside a stanza, the peer gets half of it.
    ///
    /// - Parameters:
    ///   - bytes: How many bytes still pass.
    ///   - direction: Which way they are counted.
    ///   - cut: FIN or reset.
    public func cut(after bytes: Int, toward direction: Direction, with cut: Cut) {
        state.withLockedValue { $0.armed = Armed(direction: direction, remaining: max(0, bytes), cut: cut) }
    }

    /// Disarms a cut that has not happened yet.
    public func disarm() {
        state.withLockedValue { $0.armed = nil }
    }

    /// Whether an armed cut has not happened yet.
    public var isArmed: Bool { state.withLockedValue { $0.armed != nil } }

    /// Stops listening and closes every connection.
    public func stop() async {
        try? await listener.close()
        cutAll(with: .fin)
    }

    // MARK: - One proxied connection

    final class Connection: Sendable {
        let client: any Channel
        private let server = NIOLockedValueBox<(any Channel)?>(nil)
        private let held = NIOLockedValueBox<[(Direction, ByteBuffer)]>([])
        private let proxyState: NIOLockedValueBox<State>

        init(client: any Channel, state: NIOLockedValueBox<State>) {
            self.client = client
            self.proxyState = state
            client.closeFuture.whenComplete { [self] _ in closed() }
        }

        func attach(server channel: any Channel) {
            server.withLockedValue { $0 = channel }
            channel.closeFuture.whenComplete { [self] _ in closed() }
        }

        private func destination(_ direction: Direction) -> (any Channel)? {
            direction == .server ? server.withLockedValue { $0 } : client
        }

        /// Bytes read from one end, for the other.
        func carry(_ buffer: ByteBuffer, toward direction: Direction) {
            var buffer = buffer
            enum Decision {
                case forward
                case hold
                case drop
                case cutAfter(Int, Cut)
            }
            let decision = proxyState.withLockedValue { state -> Decision in
                switch state.mode {
                case .blackHole: return .drop
                case .stall: return .hold
                case .forward: break
                }
                guard var armed = state.armed, armed.direction == direction else { return .forward }
                if buffer.readableBytes < armed.remaining {
                    armed.remaining -= buffer.readableBytes
                    state.armed = armed
                    return .forward
                }
                state.armed = nil
                state.cuts += 1
                return .cutAfter(armed.remaining, armed.cut)
            }
            switch decision {
            case .drop:
                return
            case .hold:
                held.withLockedValue { $0.append((direction, buffer)) }
            case .forward:
                destination(direction)?.writeAndFlush(buffer, promise: nil)
            case .cutAfter(let count, let cut):
                let slice = buffer.readSlice(length: count) ?? ByteBuffer()
                guard let target = destination(direction) else { return self.cut(cut) }
                if slice.readableBytes == 0 { return self.cut(cut) }
                target.writeAndFlush(slice).whenComplete { [self] _ in self.cut(cut) }
            }
        }

        func releaseHeld() {
            let pending = held.withLockedValue { held in
                defer { held = [] }
                return held
            }
            for (direction, buffer) in pending { destination(direction)?.writeAndFlush(buffer, promise: nil) }
        }

        func cut(_ cut: Cut) {
            for channel in [client, server.withLockedValue { $0 }].compactMap({ $0 }) {
                if cut == .reset, let socket = channel as? any SocketOptionProvider {
                    socket.setSoLinger(linger(l_onoff: 1, l_linger: 0)).whenComplete { _ in channel.close(promise: nil)
                    }
                } else {
                    channel.close(promise: nil)
                }
            }
        }

        /// One end closed: so does the other, and the proxy forgets the connection.
        private func closed() {
            client.close(promise: nil)
            server.withLockedValue { $0 }?.close(promise: nil)
            _ = proxyState.withLockedValue { $0.connections.removeValue(forKey: ObjectIdentifier(self)) }
        }
    }

    final class Pipe: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer

        let connection: Connection
        let direction: Direction

        init(connection: Connection, direction: Direction) {
            self.connection = connection
            self.direction = direction
        }

        /// The client's end reads once the server's end is connected (the initializer waited for it): from here on,
        /// with automatic reading on.
        func channelActive(context: ChannelHandlerContext) {
            context.read()
            context.fireChannelActive()
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            connection.carry(unwrapInboundIn(data), toward: direction)
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            context.close(promise: nil)
        }
    }
}
