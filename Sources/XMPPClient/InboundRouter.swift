import NIOCore
import XMPPCore
import XMPPTLS

/// The last handler of an endpoint's pipeline, on the event loop: runs the inbound filters, completes waiting
/// requests with their replies, and hands every other stanza to the endpoint's dispatcher, one batch per read.
final class InboundRouter<Endpoint: XMPPEndpoint>: ChannelInboundHandler {
    typealias InboundIn = XMLElement

    private let core: EndpointCore<Endpoint>
    private let sink: AsyncStream<[XMLElement]>.Continuation
    /// The stanzas of the current read, handed over together when the read completes: one hop to the dispatcher's
    /// task per read instead of per stanza.
    private var batch: [XMLElement] = []

    init(core: EndpointCore<Endpoint>, sink: AsyncStream<[XMLElement]>.Continuation) {
        self.core = core
        self.sink = sink
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

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let completed = event as? TLSHandshakeCompleted {
            core.raise(
                ConnectionEvent.secured(
                    tlsVersion: "\(completed.version)", cipherSuite: completed.cipherSuite,
                    channelBindings: completed.channelBindings.keys.map(\.rawValue).sorted()))
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if !batch.isEmpty {
            sink.yield(batch)
            batch = []
        }
        core.failPendingRequests()
        sink.finish()
        context.fireChannelInactive()
    }
}

@available(*, unavailable)
extension InboundRouter: Sendable {}
