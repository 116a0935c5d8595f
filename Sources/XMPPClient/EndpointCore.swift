import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import SASL
import XMPPCore
import XMPPStream
import XMPPTLS

/// Identifies something registered on an endpoint (a handler, IQ responder, filter or event observer), to remove
/// it with ``XMPPEndpoint/remove(_:)``.
public struct HandlerToken: Hashable, Sendable {
    let value: Int
}

/// The machinery an ``XMPPClient`` and an ``XMPPComponent`` share: handlers, IQ responders, filters, pending
/// requests, events, scheduled work and services. Use it through ``XMPPEndpoint``'s methods.
///
/// Its state is behind one lock; handlers run outside it.
public final class EndpointCore<Endpoint: XMPPEndpoint>: Sendable {
    typealias Run = @Sendable (XMLElement, Endpoint) async throws -> Void
    typealias Respond = @Sendable (XMLElement, Endpoint) async throws -> XMLElement?
    typealias Filter = @Sendable (XMLElement) -> XMLElement?

    struct Handler {
        var token: Int
        var matcher: StanzaMatcher
        var once: Bool
        var run: Run
    }

    struct ResponderKey: Hashable {
        var type: String
        var name: XMLName
    }

    struct Pending {
        var from: [JID?]
        var promise: EventLoopPromise<XMLElement>
    }

    struct Observer {
        var token: Int
        var deliver: @Sendable (any Sendable) -> Void
    }

    struct State {
        var channel: (any Channel)?
        var localJID: JID?
        var handlers: [Handler] = []
        var responders: [ResponderKey: (token: Int, respond: Respond)] = [:]
        var inboundFilters: [(token: Int, filter: Filter)] = []
        var outboundFilters: [(token: Int, filter: Filter)] = []
        var pending: [String: Pending] = [:]
        var observers: [ObjectIdentifier: [Observer]] = [:]
        var scheduled: [String: (id: Int, task: Task<Void, Never>)] = [:]
        var services: [any XMPPService] = []
        var nextToken = 0
        var nextID = 0
        var disconnectReason: String?
        /// The error that ended the current connection, as the pipeline reported it (a stream error, a dead peer).
        var connectionError: (any Error)?
        var closing = false
        /// Stream management's state, when the endpoint uses it.
        var session: StreamManagementSession?
        /// Whether stanzas and pending requests are kept across a disconnection (a supervisor will reconnect and
        /// resume): sending while disconnected queues, and pending requests wait for their replies.
        var holding = false
    }

    let logger: Logger
    let clock: any Clock<Duration>
    let requestTimeout: Duration
    let state = NIOLockedValueBox(State())

    init(logger: Logger, clock: any Clock<Duration>, requestTimeout: Duration) {
        self.logger = logger
        self.clock = clock
        self.requestTimeout = requestTimeout
    }

    // MARK: - Connection

    var channel: (any Channel)? { state.withLockedValue { $0.channel } }
    var localJID: JID? { state.withLockedValue { $0.localJID } }
    var services: [any XMPPService] { state.withLockedValue { $0.services } }

    /// Orders the services by their dependencies (refusing a missing one or a cycle) and attaches them in order.
    func start(_ services: [any XMPPService], on endpoint: Endpoint) throws {
        let ordered = try ServiceOrder.resolve(services)
        state.withLockedValue { $0.services = ordered }
        for service in ordered {
            try service.attach(to: endpoint)
        }
    }

    /// Connects, negotiates and installs the router; returns the channel, the address and how it authenticated.
    func open(
        transport: some XMPPTransport,
        negotiation: some StreamNegotiating,
        tlsConfiguration: TLSConfiguration?,
        timeouts: (connect: TimeAmount, negotiation: TimeAmount),
        wireLoggers: (inbound: Logger, outbound: Logger),
        parserConfiguration: XMLStreamParser.Configuration,
        group: any EventLoopGroup,
        sink: StanzaBatches,
        streamManagement: StreamManagementSession? = nil,
        liveness: XMPPStreamHandler.Liveness = .off
    ) async throws -> (channel: any Channel, jid: JID, mechanism: SASLMechanismName) {
        let established = group.any().makePromise(of: (JID, SASLMechanismName).self)
        let core = self
        let (host, port) = (transport.host, transport.port)
        let ready: @Sendable (any Channel) throws -> Void = { channel in
            let mask = NIOLockedValueBox(false)
            let operations = channel.pipeline.syncOperations
            try operations.addHandler(
                WireLogHandler(inbound: wireLoggers.inbound, outbound: wireLoggers.outbound, masked: mask))
            try operations.addHandler(
                XMPPStreamHandler(
                    negotiation: negotiation, tlsConfiguration: tlsConfiguration, established: established,
                    negotiationTimeout: timeouts.negotiation, wireMask: mask, parserConfiguration: parserConfiguration,
                    streamManagement: streamManagement, liveness: liveness, framing: transport.framing))
            try operations.addHandler(
                InboundRouter(core: core, sink: sink, connected: .connected(host: host, port: port)))
        }
        let channel: any Channel
        do {
            channel = try await transport.connect(
                group: group, timeout: timeouts.connect, ready: ready, failed: { established.fail($0) })
        } catch {
            established.fail(XMPPClientError(.connectFailed, "\(error)"))
            throw XMPPClientError(.connectFailed, "cannot connect to \(transport): \(error)")
        }
        logger.debug("connected", metadata: ["host": "\(host)", "port": "\(port)"])
        do {
            let (jid, mechanism) = try await established.futureResult.get()
            return (channel, jid, mechanism)
        } catch let error as XMPPClientError {
            try? await channel.closeFuture.get()
            throw error
        } catch {
            try? await channel.close()
            throw XMPPClientError(.connectFailed, "\(error)")
        }
    }

    /// Makes a connection the current one: stanzas go out on it, and its batches are dispatched until it closes.
    func attach(channel: any Channel, localJID: JID, batches: StanzaBatches, endpoint: Endpoint) {
        state.withLockedValue {
            $0.channel = channel
            $0.localJID = localJID
            $0.disconnectReason = nil
            $0.connectionError = nil
            $0.closing = false
        }
        let core = self
        // The dispatcher holds the endpoint while its connection lives; it ends when the connection's batches do.
        Task {
            await core.dispatch(batches, endpoint: endpoint)
        }
    }

    /// A negotiated connection becomes the current one: dispatching starts, the events are raised, its close is
    /// watched, and each service does its connection work, in dependency order.
    func established(
        channel: any Channel,
        localJID: JID,
        mechanism: String?,
        batches: StanzaBatches,
        endpoint: Endpoint,
        resumed: Bool = false
    ) async {
        attach(channel: channel, localJID: localJID, batches: batches, endpoint: endpoint)
        logger.info(
            resumed ? "resumed" : "established",
            metadata: ["xmpp.jid": "\(localJID)", "mechanism": "\(mechanism ?? "none")"])
        // `authenticated` was raised on the event loop when SASL succeeded (InboundRouter).
        raise(resumed ? ConnectionEvent.resumed(localJID) : ConnectionEvent.bound(localJID))
        let core = self
        channel.closeFuture.whenComplete { result in
            let (closing, error) = core.state.withLockedValue { ($0.closing, $0.connectionError) }
            let reason = core.detach(channel) ?? error.map { "\($0)" }
            switch result {
            case .success:
                core.raise(ConnectionEvent.disconnected(reason: reason ?? (closing ? nil : "the connection closed")))
            case .failure(let error):
                core.raise(ConnectionEvent.disconnected(reason: reason ?? "\(error)"))
            }
        }
        // A resumed stream keeps its session: the roster, presence and the rest were not lost.
        if resumed { return }
        for service in services {
            await service.endpointDidConnect(endpoint)
        }
    }

    /// The pipeline reported an error that ends the connection (a stream error, a dead peer): the first is kept as
    /// the reason, and requests waiting for replies fail with it.
    func noteConnectionError(_ error: any Error) {
        let first = state.withLockedValue { state -> Bool in
            guard state.connectionError == nil else { return false }
            state.connectionError = error
            return true
        }
        if first { logger.warning("the connection failed", metadata: ["error": "\(error)"]) }
    }

    /// The error that ended the last connection, if one did.
    var connectionError: (any Error)? { state.withLockedValue { $0.connectionError } }

    /// A supervisor starts: an earlier close no longer counts.
    func beginServing() {
        state.withLockedValue { $0.closing = false }
    }

    /// Whether stanzas and requests are held across disconnections (a supervisor reconnects).
    var isHolding: Bool { state.withLockedValue { $0.holding } }

    /// Whether the application closed the endpoint.
    var isClosing: Bool { state.withLockedValue { $0.closing } }

    /// Keeps stanzas and pending requests across disconnections (``State/holding``), with this session's queue.
    func hold(_ session: StreamManagementSession?) {
        state.withLockedValue {
            $0.session = session
            $0.holding = session != nil
        }
    }

    /// Closes the current connection gracefully and cancels scheduled work.
    func close() async {
        cancelAllScheduled()
        let channel = state.withLockedValue { state -> (any Channel)? in
            state.closing = true
            state.holding = false
            return state.channel
        }
        guard let channel else {
            failPendingRequests()
            return
        }
        try? await channel.close()
        try? await channel.closeFuture.get()
    }

    /// Connects, then serves until the connection ends; a cancelled task closes it cleanly and returns, also when
    /// the cancellation comes while connecting.
    func serve(connecting connect: () async throws -> Void) async throws {
        do {
            try await connect()
        } catch {
            if Task.isCancelled { return }
            throw error
        }
        try await runUntilClosed()
    }

    /// Waits for the current connection to end; closes it cleanly when the task is cancelled.
    ///
    /// - Throws: ``XMPPClientError`` (`connectionClosed`) when it ends without ``close()`` or cancellation.
    func runUntilClosed() async throws {
        guard let channel else {
            // Gone already: closed by the application, or lost before this was called.
            if isClosing || Task.isCancelled { return }
            throw connectionError ?? XMPPClientError(.connectionClosed, "the connection closed")
        }
        let core = self
        await withTaskCancellationHandler {
            try? await channel.closeFuture.get()
        } onCancel: {
            Task { await core.close() }
        }
        if !state.withLockedValue({ $0.closing }) && !Task.isCancelled {
            throw connectionError ?? XMPPClientError(.connectionClosed, "the connection closed")
        }
    }

    /// Forgets the current connection; returns the reason given by ``disconnect(reason:)``, if any.
    func detach(_ channel: any Channel) -> String? {
        state.withLockedValue { state in
            guard state.channel === channel else { return nil }
            state.channel = nil
            state.localJID = nil
            return state.disconnectReason
        }
    }

    /// Closes the connection because of a local decision (a keep-alive ping went unanswered).
    func disconnect(reason: String) {
        let channel = state.withLockedValue { state -> (any Channel)? in
            state.disconnectReason = reason
            return state.channel
        }
        logger.warning("closing the connection", metadata: ["reason": "\(reason)"])
        channel?.close(promise: nil)
    }

    // MARK: - Sending

    func send(_ element: XMLElement) async throws {
        let (channel, filters) = state.withLockedValue { ($0.channel, $0.outboundFilters) }
        var element = element
        for (_, filter) in filters {
            guard let kept = filter(element) else { return }
            element = kept
        }
        guard let channel else {
            guard try hold(element) else { throw XMPPClientError(.connectionClosed, "not connected") }
            return
        }
        do {
            try await channel.writeAndFlush(element)
        } catch {
            // The connection went away before the stream took the stanza: held for the next one, if reconnecting.
            guard try hold(element) else { throw error }
        }
    }

    /// Queues a stanza for the next connection while a supervisor reconnects; `false` when nothing holds it.
    ///
    /// - Throws: ``XMPPClientError`` (`connectionClosed`) when ``StreamManagement/Settings/maximumHeld`` stanzas
    ///   wait already.
    private func hold(_ element: XMLElement) throws -> Bool {
        guard StreamManagement.isStanza(element) else { return false }
        let session = state.withLockedValue { $0.holding ? $0.session : nil }
        guard let session else { return false }
        guard session.hold(element) else {
            throw XMPPClientError(
                .connectionClosed, "not connected, and the stanzas held for the next connection are at their limit")
        }
        return true
    }

    /// Sends without waiting, in the caller's order (a property setter cannot wait); failures are logged.
    func sendNow(_ element: XMLElement) {
        let (channel, filters) = state.withLockedValue { ($0.channel, $0.outboundFilters) }
        guard let channel else { return }
        var element = element
        for (_, filter) in filters {
            guard let kept = filter(element) else { return }
            element = kept
        }
        let logger = self.logger
        channel.writeAndFlush(element).whenFailure { error in
            logger.debug("could not send", metadata: ["error": "\(error)"])
        }
    }

    func makeID() -> String {
        state.withLockedValue {
            $0.nextID += 1
            return "x\($0.nextID)"
        }
    }

    func request(_ iq: IQ, timeout: Duration?) async throws -> IQ {
        var iq = iq
        if iq.id.isEmpty { iq.id = makeID() }
        let (channel, local, holding) = state.withLockedValue { state in
            // Held across a reconnection, the request is answered on the resumed stream, bound to the same JID.
            (
                state.channel, state.localJID ?? (state.holding ? state.session?.resumption?.boundJID : nil),
                state.holding
            )
        }
        guard let loop = channel?.eventLoop ?? (holding ? MultiThreadedEventLoopGroup.singleton.any() : nil) else {
            throw XMPPClientError(.connectionClosed, "not connected")
        }
        // RFC 6120 §8.1.2.1: only the entity asked may answer; without 'to', the account (bare JID or none) or its
        // server.
        let expected: [JID?] =
            if let to = iq.to { [to] } else {
                [nil, local?.bare, local.flatMap { try? JID(parsing: $0.domainpart) }]
            }
        let promise = loop.makePromise(of: XMLElement.self)
        let id = iq.id
        state.withLockedValue { $0.pending[id] = Pending(from: expected, promise: promise) }
        let wait = timeout ?? requestTimeout
        // On the endpoint's clock, so that a test clock drives it.
        let clock = self.clock
        let timer = Task {
            try await clock.sleep(for: wait)
            promise.fail(XMPPClientError(.timeout, "no reply to iq '\(id)' within \(wait)"))
        }
        defer {
            timer.cancel()
            _ = state.withLockedValue { $0.pending.removeValue(forKey: id) }
        }
        do {
            try await send(iq.xmlElement())
        } catch {
            promise.fail(error)
        }
        let reply = try await promise.futureResult.get()
        let answer = try IQ(xml: reply)
        if answer.type == .error {
            throw answer.error.map { StanzaError($0, in: reply) }
                ?? StanzaError(.undefinedCondition, text: "an error reply without an error element")
        }
        return answer
    }

    /// Completes the request a reply answers; `false` when it answers none (or comes from the wrong entity).
    func completeRequest(with stanza: XMLElement) -> Bool {
        guard let id = stanza["id"] else { return false }
        let sender = stanza["from"].flatMap { try? JID(parsing: $0) }
        let request = state.withLockedValue { state -> Pending? in
            guard let pending = state.pending[id], pending.from.contains(sender) else { return nil }
            state.pending[id] = nil
            return pending
        }
        guard let request else {
            if state.withLockedValue({ $0.pending[id] != nil }) {
                logger.warning(
                    "ignored a reply from an entity that was not asked",
                    metadata: ["id": "\(id)", "from": "\(stanza["from"] ?? "")"])
            }
            return false
        }
        request.promise.succeed(stanza)
        return true
    }

    /// The connection closed: requests waiting for replies fail, unless they are held for a resumption.
    func connectionClosed() {
        if !state.withLockedValue({ $0.holding }) { failPendingRequests() }
    }

    /// Fails every request waiting for a reply: with the error that ended the connection, if there was one.
    func failPendingRequests(_ error: (any Error)? = nil) {
        let (pending, ended) = state.withLockedValue { state -> ([Pending], (any Error)?) in
            defer { state.pending = [:] }
            return (Array(state.pending.values), state.connectionError)
        }
        let failure = error ?? ended ?? XMPPClientError(.connectionClosed, "the connection closed before the reply")
        for request in pending {
            request.promise.fail(failure)
        }
    }

    /// Fails the request with this id, if one waits: its IQ could not be delivered.
    func failRequest(id: String, _ error: any Error) {
        let pending = state.withLockedValue { $0.pending.removeValue(forKey: id) }
        pending?.promise.fail(error)
    }

    // MARK: - Inbound

    func filterInbound(_ stanza: XMLElement) -> XMLElement? {
        let filters = state.withLockedValue { $0.inboundFilters }
        var stanza = stanza
        for (_, filter) in filters {
            guard let kept = filter(stanza) else { return nil }
            stanza = kept
        }
        return stanza
    }

    private func dispatch(_ batches: StanzaBatches, endpoint: Endpoint) async {
        await withDiscardingTaskGroup { group in
            // The last request in flight for each responder: requests to one responder are answered in order.
            var inFlight: [ResponderKey: Task<Void, Never>] = [:]
            for await batch in batches.stream {
                for stanza in batch {
                    await dispatch(stanza, endpoint: endpoint, group: &group, inFlight: &inFlight)
                }
                batches.processed()
            }
        }
    }

    /// One stanza: an IQ request goes to its responder (or is refused), then every matching handler runs, in order.
    private func dispatch(
        _ stanza: XMLElement,
        endpoint: Endpoint,
        group: inout DiscardingTaskGroup,
        inFlight: inout [ResponderKey: Task<Void, Never>]
    ) async {
        if stanza.name == IQ.qualifiedName, let type = stanza["type"], type == "get" || type == "set" {
            answer(stanza, type: type, endpoint: endpoint, group: &group, inFlight: &inFlight)
        }
        let handlers = state.withLockedValue { $0.handlers }
        for handler in handlers where handler.matcher.matches(stanza) {
            if handler.once {
                let removed = state.withLockedValue { state -> Handler? in
                    guard let index = state.handlers.firstIndex(where: { $0.token == handler.token }) else {
                        return nil
                    }
                    return state.handlers.remove(at: index)
                }
                guard removed != nil else { continue }
            }
            do {
                try await handler.run(stanza, endpoint)
            } catch {
                logger.error("a stanza handler failed", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Answers an IQ request through its responder, in a task of its own so that a slow one holds up no other
    /// stanza, after the requests to the same responder that came before it (roster pushes apply in order). One that
    /// nothing handles gets `service-unavailable` (RFC 6120 §8.4).
    private func answer(
        _ iq: XMLElement,
        type: String,
        endpoint: Endpoint,
        group: inout DiscardingTaskGroup,
        inFlight: inout [ResponderKey: Task<Void, Never>]
    ) {
        let payload = iq.elements.first { $0.name.localName != "error" }
        let key = payload.map { ResponderKey(type: type, name: $0.name) }
        let responder = key.flatMap { key in state.withLockedValue { $0.responders[key]?.respond } }
        let core = self
        guard let key, let responder else {
            group.addTask {
                try? await core.send(iq.errorReply(.serviceUnavailable))
            }
            return
        }
        let previous = inFlight[key]
        let task = Task {
            await previous?.value
            await core.respond(to: iq, with: responder, endpoint: endpoint)
        }
        inFlight[key] = task
        group.addTask { await task.value }
    }

    private func respond(to iq: XMLElement, with responder: Respond, endpoint: Endpoint) async {
        let reply: XMLElement
        do {
            reply = iq.resultReply(try await responder(iq, endpoint))
        } catch let error as StanzaError {
            reply = iq.errorReply(error)
        } catch {
            logger.error("an IQ responder failed", metadata: ["error": "\(error)", "iq": "\(iq["id"] ?? "")"])
            reply = iq.errorReply(.internalServerError)
        }
        do {
            try await send(reply)
        } catch {
            logger.debug("could not send an IQ reply", metadata: ["error": "\(error)"])
        }
    }

}
