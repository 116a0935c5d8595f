import NIOConcurrencyHelpers
import NIOCore
import XMPPCore
import XMPPStream
import XMPPTLS

/// The stanzas of a connection on their way from the event loop to the endpoint's dispatcher, one batch per network
/// read, with backpressure: while the dispatcher is more than ``high`` batches behind, the connection stops reading
/// (TCP then slows the sender), and it reads again once the dispatcher is down to ``low``. Memory stays bounded
/// however fast the server sends.
final class StanzaBatches: Sendable {
    /// Batches in flight at which reading stops.
    static let high = 8
    /// Batches in flight at which reading resumes.
    static let low = 2

    let stream: AsyncStream<[XMLElement]>
    private let continuation: AsyncStream<[XMLElement]>.Continuation
    private let flow = NIOLockedValueBox<(pending: Int, held: (any Channel)?)>((0, nil))

    init() {
        (stream, continuation) = AsyncStream.makeStream(of: [XMLElement].self)
    }

    func yield(_ batch: [XMLElement]) {
        flow.withLockedValue { $0.pending += 1 }
        continuation.yield(batch)
    }

    func finish() {
        continuation.finish()
    }

    /// Whether a read may go ahead now; if not, it is held until the dispatcher catches up.
    func mayRead(_ channel: any Channel) -> Bool {
        flow.withLockedValue { flow in
            guard flow.pending >= Self.high else { return true }
            flow.held = channel
            return false
        }
    }

    /// The dispatcher finished a batch.
    func processed() {
        let resume = flow.withLockedValue { flow -> (any Channel)? in
            flow.pending -= 1
            guard flow.pending <= Self.low, let held = flow.held else { return nil }
            flow.held = nil
            return held
        }
        resume?.read()
    }
}

/// The last handler of an endpoint's pipeline, on the event loop: runs the inbound filters, completes waiting
/// requests with their replies, and hands every other stanza to the endpoint's dispatcher, one batch per read.
final class InboundRouter<Endpoint: XMPPEndpoint>: ChannelDuplexHandler {
    typealias InboundIn = XMLElement
    typealias OutboundIn = XMLElement
    typealias OutboundOut = XMLElement

    private let core: EndpointCore<Endpoint>
    private let sink: StanzaBatches
    /// The stanzas of the current read, handed over together when the read completes: one hop to the dispatcher's
    /// task per read instead of per stanza.
    private var batch: [XMLElement] = []

    /// Raised when the connection comes up: on the event loop, so before anything TLS raises.
    private let connected: ConnectionEvent?

    init(core: EndpointCore<Endpoint>, sink: StanzaBatches, connected: ConnectionEvent? = nil) {
        self.core = core
        self.sink = sink
        self.connected = connected
    }

    func channelActive(context: ChannelHandlerContext) {
        if let connected { core.raise(connected) }
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let stanza = core.filterInbound(unwrapInboundIn(data)) else { return }
        if stanza.name == IQ.qualifiedName, let type = stanza["type"], type == "result" || type == "error",
            core.completeRequest(with: stanza)
        {
            return
        }
        batch.append(stanza)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if !batch.isEmpty {
            sink.yield(batch)
            batch = []
        }
        context.fireChannelReadComplete()
    }

    /// Holds reads while the dispatcher is behind (see ``StanzaBatches``).
    func read(context: ChannelHandlerContext) {
        if sink.mayRead(context.channel) {
            context.read()
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let completed = event as? TLSHandshakeCompleted {
            core.raise(
                ConnectionEvent.secured(
                    tlsVersion: "\(completed.version)", cipherSuite: completed.cipherSuite,
                    channelBindings: completed.channelBindings.keys.map(\.rawValue).sorted()))
        } else if let authenticated = event as? StreamAuthenticated {
            core.raise(ConnectionEvent.authenticated(mechanism: authenticated.mechanism.rawValue))
        }
        context.fireUserInboundEventTriggered(event)
    }

    /// An error that ends the connection (a stream error, a dead peer, bad input): kept as the reason.
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        core.noteConnectionError(error)
        context.fireErrorCaught(error)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if !batch.isEmpty {
            sink.yield(batch)
            batch = []
        }
        core.connectionClosed()
        sink.finish()
        context.fireChannelInactive()
    }
}

@available(*, unavailable)
extension InboundRouter: Sendable {}
