public import XMPPCore
import XMPPStream

/// What clients and components have in common: sending, IQ requests and responders, handlers, filters, events,
/// scheduled work and services. ``XMPPClient`` and ``XMPPComponent`` conform; the methods are these extensions.
///
/// ## The order things happen in
///
/// For each inbound stanza, in the order received:
/// 1. the inbound filters, in the order they were added (one may change or drop the stanza);
/// 2. a reply to one of our requests completes that request and goes no further;
/// 3. an IQ `get` or `set` goes to the responder registered for its type and payload, in a task of its own (so a
///    slow responder holds up no other stanza) after the earlier requests to the same responder (so roster pushes
///    apply in order), or is answered with `service-unavailable` when there is none;
/// 4. then every handler whose matcher matches runs, one after another, in the order they were added; a handler
///    added with `once` is removed before it runs. The next stanza waits for them: a handler that has long work to
///    do should start a task for it.
///
/// For each outbound stanza: the outbound filters in the order they were added, then the wire.
public protocol XMPPEndpoint: AnyObject, Sendable {
    /// The shared machinery (handlers, responders, filters, events, scheduling); use the protocol's methods.
    var core: EndpointCore<Self> { get }
}

extension XMPPEndpoint {
    // MARK: - Sending and requests

    /// The endpoint's own address while connected: the client's bound full JID, or the component's domain.
    public var localJID: JID? { core.localJID }

    /// Sends a stanza (through the outbound filters).
    ///
    /// - Parameter element: The stanza.
    /// - Throws: ``XMPPClientError`` when not connected.
    public func send(_ element: XMLElement) async throws {
        try await core.send(element)
    }

    /// Sends a generated stanza or payload type.
    ///
    /// - Parameter value: The value.
    /// - Throws: ``XMPPClientError`` when not connected.
    public func send(_ value: some XMLElementCodable) async throws {
        try await core.send(value.xmlElement())
    }

    /// Sends an IQ request and waits for its reply, matched by id and sender.
    ///
    /// Only the entity asked may answer (RFC 6120 §8.1.2.1): a reply with the same id from anyone else is ignored
    /// and logged. For an IQ without `to`, the account's bare JID, its server, or no `from` may answer.
    ///
    /// - Parameters:
    ///   - iq: A `get` or `set`; an id is assigned when it has none.
    ///   - timeout: How long to wait; the configuration's request timeout when `nil`.
    /// - Returns: The `result`.
    /// - Throws: ``StanzaError`` for an error reply; ``XMPPClientError`` for a timeout or a closed connection.
    public func request(_ iq: IQ, timeout: Duration? = nil) async throws -> IQ {
        try await core.request(iq, timeout: timeout)
    }

    /// Sends a `get` and decodes the answer's payload.
    ///
    /// - Parameters:
    ///   - payload: The query.
    ///   - to: The entity asked; the account's server when `nil`.
    ///   - response: The payload type expected in the result.
    ///   - timeout: How long to wait.
    /// - Returns: The payload of the result.
    /// - Throws: ``StanzaError``, ``XMPPClientError``, or ``XMLDecodingError`` when the result lacks the payload.
    public func query<Response: XMLElementCodable>(
        _ payload: some XMLElementCodable,
        to: JID?,
        expecting response: Response.Type,
        timeout: Duration? = nil
    ) async throws -> Response {
        let result = try await request(.get(payload, to: to), timeout: timeout)
        guard let answer = try result.payload(Response.self) else {
            throw XMLDecodingError(
                path: [IQ.qualifiedName], expected: "\(Response.qualifiedName)", found: "a result without it")
        }
        return answer
    }

    // MARK: - Handlers

    /// Runs a handler for every inbound stanza that matches (see the type's discussion for the order).
    ///
    /// - Parameters:
    ///   - matcher: Which stanzas.
    ///   - once: Remove the handler before its first run.
    ///   - handler: Receives the stanza and the endpoint. A thrown error is logged.
    /// - Returns: The token that removes it.
    @discardableResult
    public func on(
        _ matcher: StanzaMatcher,
        once: Bool = false,
        _ handler: @escaping @Sendable (XMLElement, Self) async throws -> Void
    ) -> HandlerToken {
        core.addHandler(matcher, once: once, run: handler)
    }

    /// Runs a handler for every inbound message that matches, decoded.
    ///
    /// - Parameters:
    ///   - matcher: Further conditions; every message by default.
    ///   - once: Remove the handler before its first run.
    ///   - handler: Receives the message and the endpoint.
    /// - Returns: The token that removes it.
    @discardableResult
    public func onMessage(
        _ matcher: StanzaMatcher = .any,
        once: Bool = false,
        _ handler: @escaping @Sendable (Message, Self) async throws -> Void
    ) -> HandlerToken {
        core.addHandler(.message() && matcher, once: once) { stanza, endpoint in
            try await handler(try Message(xml: stanza), endpoint)
        }
    }

    /// Runs a handler for every inbound message carrying a payload of a generated type, decoded with it.
    ///
    /// - Parameters:
    ///   - payload: The payload type, such as `ChatStates.Composing.self`.
    ///   - once: Remove the handler before its first run.
    ///   - handler: Receives the message, its first payload of that type, and the endpoint.
    /// - Returns: The token that removes it.
    @discardableResult
    public func onMessage<Payload: XMLElementCodable>(
        carrying payload: Payload.Type,
        once: Bool = false,
        _ handler: @escaping @Sendable (Message, Payload, Self) async throws -> Void
    ) -> HandlerToken {
        core.addHandler(.message() && .payload(payload), once: once) { stanza, endpoint in
            let message = try Message(xml: stanza)
            if let value = try message.payload(Payload.self) {
                try await handler(message, value, endpoint)
            }
        }
    }

    /// Runs a handler for every inbound presence that matches, decoded.
    ///
    /// - Parameters:
    ///   - matcher: Further conditions; every presence by default.
    ///   - once: Remove the handler before its first run.
    ///   - handler: Receives the presence and the endpoint.
    /// - Returns: The token that removes it.
    @discardableResult
    public func onPresence(
        _ matcher: StanzaMatcher = .any,
        once: Bool = false,
        _ handler: @escaping @Sendable (Presence, Self) async throws -> Void
    ) -> HandlerToken {
        core.addHandler(.presence() && matcher, once: once) { stanza, endpoint in
            try await handler(try Presence(xml: stanza), endpoint)
        }
    }

    /// Removes a handler, IQ responder, filter or event observer.
    ///
    /// - Parameter token: What registering it returned.
    public func remove(_ token: HandlerToken) {
        core.remove(token)
    }

    /// Inbound stanzas that match, from now on, as an async sequence (after filters; not replies to our requests).
    ///
    /// The subscription starts when this is called and buffers until read; it ends when the sequence's consumer
    /// stops or the connection closes.
    ///
    /// - Parameter matcher: Which stanzas; all by default.
    public func stanzas(matching matcher: StanzaMatcher = .any) -> AsyncStream<XMLElement> {
        let (stream, continuation) = AsyncStream.makeStream(of: XMLElement.self)
        let token = core.addHandler(matcher, once: false) { stanza, _ in continuation.yield(stanza) }
        let core = self.core
        // A connection held for resumption goes on after a disconnection; the sequence ends with the session.
        let end = core.observe(ConnectionEvent.self) { [weak core] event in
            if case .disconnected = event, core?.isHolding != true { continuation.finish() }
        }
        let stopped = core.observe(ServingEnded.self) { _ in continuation.finish() }
        continuation.onTermination = { _ in
            core.remove(token)
            core.remove(end)
            core.remove(stopped)
        }
        return stream
    }

    // MARK: - IQ responders

    /// Answers IQ requests of a type whose payload is of a generated type.
    ///
    /// The responder receives the typed request and returns the typed result. A ``StanzaError`` it throws becomes
    /// the error reply; any other error becomes `internal-server-error` (and is logged). One responder per type and
    /// payload name: a second replaces the first. Requests nothing answers get `service-unavailable`.
    ///
    /// ```swift
    /// client.respond(to: .get, SoftwareVersion.Query.self) { request, client in
    ///     SoftwareVersion.Query(name: "EchoBot", version: "1.0")
    /// }
    /// ```
    ///
    /// - Parameters:
    ///   - type: `.get` or `.set`.
    ///   - payload: The request's payload type.
    ///   - responder: Returns the result's payload.
    /// - Returns: The token that removes it.
    @discardableResult
    public func respond<Request: XMLElementCodable, Response: XMLElementCodable>(
        to type: JabberClient.IQType,
        _ payload: Request.Type,
        with responder: @escaping @Sendable (IQRequest<Request>, Self) async throws -> Response
    ) -> HandlerToken {
        core.addResponder(type: type, name: Request.qualifiedName) { element, endpoint in
            try await responder(try IQRequest(element), endpoint).xmlElement()
        }
    }

    /// Answers IQ requests of a type whose payload is of a generated type, with an empty result.
    ///
    /// - Parameters:
    ///   - type: `.get` or `.set`.
    ///   - payload: The request's payload type.
    ///   - responder: Handles the request; returning means success.
    /// - Returns: The token that removes it.
    @discardableResult
    public func respond<Request: XMLElementCodable>(
        to type: JabberClient.IQType,
        _ payload: Request.Type,
        with responder: @escaping @Sendable (IQRequest<Request>, Self) async throws -> Void
    ) -> HandlerToken {
        core.addResponder(type: type, name: Request.qualifiedName) { element, endpoint in
            try await responder(try IQRequest(element), endpoint)
            return nil
        }
    }

    /// Answers IQ requests of a type whose payload has this name, with elements.
    ///
    /// - Parameters:
    ///   - type: `.get` or `.set`.
    ///   - name: The payload's qualified name.
    ///   - responder: Receives the request; returns the result's payload, or `nil` for an empty result.
    /// - Returns: The token that removes it.
    @discardableResult
    public func respond(
        to type: JabberClient.IQType,
        named name: XMLName,
        with responder: @escaping @Sendable (IQ, Self) async throws -> XMLElement?
    ) -> HandlerToken {
        core.addResponder(type: type, name: name) { element, endpoint in
            try await responder(try IQ(xml: element), endpoint)
        }
    }

    // MARK: - Filters

    /// Adds a filter for inbound stanzas: it returns the stanza (changed or not), or `nil` to drop it.
    ///
    /// Inbound filters run on the connection's event loop, before anything else sees the stanza, in the order they
    /// were added. Keep them quick.
    ///
    /// - Parameter filter: The filter.
    /// - Returns: The token that removes it.
    @discardableResult
    public func addInboundFilter(_ filter: @escaping @Sendable (XMLElement) -> XMLElement?) -> HandlerToken {
        core.addFilter(inbound: true, filter)
    }

    /// Adds a filter for outbound stanzas: it returns the stanza (changed or not), or `nil` to drop it.
    ///
    /// Outbound filters run in ``send(_:)-(XMLElement)``, in the order they were added.
    ///
    /// - Parameter filter: The filter.
    /// - Returns: The token that removes it.
    @discardableResult
    public func addOutboundFilter(_ filter: @escaping @Sendable (XMLElement) -> XMLElement?) -> HandlerToken {
        core.addFilter(inbound: false, filter)
    }

    // MARK: - Events

    /// Raises an event: the application's own (any `Sendable` type) or one of the library's. Observers of exactly
    /// that type get it, in the order they were added, before this returns.
    ///
    /// - Parameter event: The event.
    public func raise<Event: Sendable>(_ event: Event) {
        core.raise(event)
    }

    /// Calls a closure with every event of a type, from now on.
    ///
    /// - Parameters:
    ///   - type: The event type, such as ``ConnectionEvent``.
    ///   - observer: Called synchronously where the event is raised; start a task for long work.
    /// - Returns: The token that removes it.
    @discardableResult
    public func observe<Event: Sendable>(
        _ type: Event.Type,
        _ observer: @escaping @Sendable (Event) -> Void
    ) -> HandlerToken {
        core.observe(type, observer)
    }

    /// Events of a type from now on, as an async sequence; it ends when its consumer stops.
    ///
    /// - Parameter type: The event type.
    public func events<Event: Sendable>(of type: Event.Type) -> AsyncStream<Event> {
        core.events(of: type)
    }

    /// The connection's lifecycle events from now on (``ConnectionEvent``).
    public var events: AsyncStream<ConnectionEvent> {
        core.events(of: ConnectionEvent.self)
    }

    /// Waits for the next event of a type that satisfies a condition.
    ///
    /// - Parameters:
    ///   - type: The event type.
    ///   - timeout: How long to wait, on the endpoint's clock.
    ///   - predicate: The condition; any event of the type by default.
    /// - Returns: The event.
    /// - Throws: ``XMPPClientError`` with code `timeout`, or `CancellationError`.
    public func next<Event: Sendable>(
        _ type: Event.Type,
        timeout: Duration,
        where predicate: @escaping @Sendable (Event) -> Bool = { _ in true }
    ) async throws -> Event {
        try await core.next(type, timeout: timeout, where: predicate)
    }

    // MARK: - Scheduled work

    /// Runs work after a delay, once or repeatedly, on the endpoint's clock, until cancelled.
    ///
    /// Scheduling a name again replaces (and cancels) the earlier task of that name. ``XMPPClient/close()``
    /// cancels every scheduled task; losing the connection does not.
    ///
    /// - Parameters:
    ///   - name: The task's name.
    ///   - delay: The delay before the first run, and between runs.
    ///   - repeating: Run again after each delay until cancelled.
    ///   - work: The work; receives the endpoint.
    public func schedule(
        _ name: String,
        after delay: Duration,
        repeating: Bool = false,
        _ work: @escaping @Sendable (Self) async -> Void
    ) {
        core.schedule(name, after: delay, repeating: repeating, endpoint: self, work: work)
    }

    /// Cancels a scheduled task.
    ///
    /// - Parameter name: Its name.
    public func cancelScheduled(_ name: String) {
        core.cancelScheduled(name)
    }

    /// The names of the scheduled tasks that have not finished.
    public var scheduledTasks: [String] { core.scheduledNames }

    // MARK: - Services

    /// The configured service of a type, if any.
    ///
    /// - Parameter type: The service type, such as ``DiscoService``.
    public func service<Service: XMPPService>(_ type: Service.Type) -> Service? {
        core.services.lazy.compactMap { $0 as? Service }.first
    }
}

/// An IQ request handed to a responder: the request, and its payload decoded.
public struct IQRequest<Payload: XMLElementCodable>: Sendable {
    /// The request.
    public let iq: IQ
    /// Its payload.
    public let payload: Payload

    /// The requester.
    public var from: JID? { iq.from }

    /// Decodes a request; one that does not match its types is a `bad-request`.
    init(_ element: XMLElement) throws(StanzaError) {
        do {
            iq = try IQ(xml: element)
            guard let payload = try iq.payload(Payload.self) else {
                throw StanzaError(.badRequest, text: "expected \(Payload.qualifiedName)")
            }
            self.payload = payload
        } catch let error as StanzaError {
            throw error
        } catch {
            throw StanzaError(.badRequest, text: "\(error)")
        }
    }
}
