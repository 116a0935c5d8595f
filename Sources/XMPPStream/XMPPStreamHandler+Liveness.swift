import NIOCore
import XMPPCore
import XMPPTLS

/// Stream management (XEP-0198) as the handler applies it, and liveness: keepalives, the dead-peer probe, the
/// read-idle timeout.
extension XMPPStreamHandler {
    // MARK: - Stream management

    /// Applies what negotiation says of stream management to the session; returns whether the stream is managed.
    func applyStreamManagement(
        _ outcome: StreamManagementOutcome,
        actions following: ArraySlice<ClientNegotiation.Action>
    ) throws(StreamManagement.Failure) -> Bool {
        guard let session else { return false }
        session.noteOutcome(outcome)
        switch outcome {
        case .enabled(let element):
            let jid = following.lazy.compactMap { action -> JID? in
                if case .established(let jid, _) = action { jid } else { nil }
            }.first
            guard let jid else { return false }
            _ = session.enabled(element, boundJID: jid)
            isManaged = true
        case .resumed(let h):
            resend = try session.withState { state throws(StreamManagement.Failure) in
                try state.resumed(handledByServer: h)
            }
            isManaged = true
        case .resumeFailed(_, let h):
            session.resumptionFailed(handledByServer: h)
        case .enableFailed, .notOffered:
            // Not managed on this stream: what was held meanwhile is the client's to send (``takeOrphans()``).
            session.resumptionFailed(handledByServer: nil)
        }
        return isManaged
    }

    /// The server acknowledged more than we sent (XEP-0198 §4): a stream error, `undefined-condition` with
    /// `<handled-count-too-high/>`.
    func handledCountTooHigh(_ failure: StreamManagement.Failure, context: ChannelHandlerContext) {
        var attributes: [XMLAttribute] = []
        if case .handledCountTooHigh(let h, let sent) = failure {
            attributes = [XMLAttribute("h", String(h)), XMLAttribute("send-count", String(sent))]
        }
        streamError(
            context: context, condition: "undefined-condition", message: "\(failure)",
            application: XMLElement(StreamManagement.name("handled-count-too-high"), attributes: attributes))
    }

    // MARK: - Liveness

    func startLiveness(context: ChannelHandlerContext) {
        let now = context.eventLoop.now
        lastRead = now
        lastWrite = now
        if let idle = liveness.readIdleTimeout { scheduleReadIdleCheck(at: now + idle, context: context) }
        if let interval = liveness.whitespaceKeepalive { scheduleKeepalive(at: now + interval, context: context) }
    }

    private func scheduleReadIdleCheck(at deadline: NIODeadline, context: ChannelHandlerContext) {
        readIdleTimer = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) { [self] in
            checkReadIdle(context: context)
        }
    }

    /// Nothing read for the idle time: probe. A probe unanswered (nothing read since) for its timeout: dead.
    private func checkReadIdle(context: ChannelHandlerContext) {
        guard context.channel.isActive, !footerSent, let idle = liveness.readIdleTimeout else { return }
        let now = context.eventLoop.now
        if let probeSent {
            guard now - probeSent >= liveness.probeTimeout else {
                return scheduleReadIdleCheck(at: probeSent + liveness.probeTimeout, context: context)
            }
            let error = XMPPClientError(
                .timeout,
                "the server did not answer within \(Self.describe(liveness.probeTimeout)) (the connection is dead)")
            context.fireErrorCaught(error)
            // No graceful close on a dead connection: nothing would answer our footer.
            abandoned = true
            context.triggerUserOutboundEvent(AbandonConnection(), promise: nil)
            context.close(promise: nil)
            return
        }
        guard now - lastRead >= idle else {
            return scheduleReadIdleCheck(at: lastRead + idle, context: context)
        }
        probeSent = now
        if isManaged {
            session?.withState { $0.requested() }
            writeNow(StreamManagement.requestElement, context: context)
        } else {
            probeCount += 1
            let id = "liveness-\(probeCount)"
            probeID = id
            let ping = XMLElement(XMLName(namespace: "urn:xmpp:ping", localName: "ping"))
            writeNow(IQ(id: id, type: .get, payloads: [ping]).xmlElement(), context: context)
        }
        scheduleReadIdleCheck(at: now + liveness.probeTimeout, context: context)
    }

    private func scheduleKeepalive(at deadline: NIODeadline, context: ChannelHandlerContext) {
        keepaliveTimer = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) { [self] in
            guard context.channel.isActive, !footerSent, let interval = liveness.whitespaceKeepalive else { return }
            let now = context.eventLoop.now
            if now - lastWrite >= interval {
                lastWrite = now
                var buffer = context.channel.allocator.buffer(capacity: 1)
                buffer.writeInteger(UInt8(ascii: " "))
                context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
            }
            scheduleKeepalive(at: lastWrite + interval, context: context)
        }
    }

    private static func describe(_ amount: TimeAmount) -> String {
        let milliseconds = amount.nanoseconds / 1_000_000
        return milliseconds % 1000 == 0 ? "\(milliseconds / 1000) s" : "\(milliseconds) ms"
    }

    /// Why a stream header cannot be accepted, if it cannot: RFC 6120 §4.8.1 (the stream's namespace) and §4.8.2 (the
    /// content namespace we opened).
    func headerProblem(_ header: XMLStreamHeader) -> String? {
        guard header.name == XMLName(namespace: "http://etherx.jabber.org/streams", localName: "stream") else {
            return "the stream header is \(header.name), not {http://etherx.jabber.org/streams}stream"
        }
        let content = header.namespaces.last { $0.prefix == nil }?.namespace
        guard content == negotiation.stanzaNamespace else {
            return "the stream's content namespace is '\(ClientNegotiation.sanitized(content ?? ""))', "
                + "not '\(negotiation.stanzaNamespace)'"
        }
        return nil
    }

    func closeAfterPeer(context: ChannelHandlerContext) {
        if let closePromise {
            closePromise.succeed()
            self.closePromise = nil
        } else {
            sendFooter(context: context)
            context.close(promise: nil)
        }
    }
}
