import NIOConcurrencyHelpers
public import XMPPCore

/// The stream management state of one XMPP session, across its connections: ``XMPPStreamHandler`` counts and queues
/// on it on the event loop, and the client reads it between connections to resume (or to report what was lost).
///
/// Its state can be exported (``SavedState``, `Codable`) and restored, so that an application can resume its stream
/// after its own process restarts.
public final class StreamManagementSession: Sendable {
    /// The state as it can be saved: what resuming needs, and the stanzas the server had not acknowledged (as XML).
    public struct SavedState: Sendable, Hashable, Codable {
        /// The resumption id; `nil` when the stream was not resumable.
        public var id: String?
        /// The server's preferred reconnection address.
        public var location: String?
        /// The resumption time the server allows, in seconds.
        public var maximumResumptionTime: Int?
        /// The full JID the stream was bound to.
        public var boundJID: String?
        /// Stanzas received, modulo 2^32.
        public var handled: UInt32
        /// The server's last acknowledgement, modulo 2^32.
        public var acknowledged: UInt32
        /// The stanzas not acknowledged, oldest first, each serialized in `jabber:client`.
        public var unacknowledged: [String]

        /// Creates a saved state.
        public init(
            id: String?, location: String?, maximumResumptionTime: Int?, boundJID: String?, handled: UInt32,
            acknowledged: UInt32, unacknowledged: [String]
        ) {
            self.id = id
            self.location = location
            self.maximumResumptionTime = maximumResumptionTime
            self.boundJID = boundJID
            self.handled = handled
            self.acknowledged = acknowledged
            self.unacknowledged = unacknowledged
        }
    }

    struct State {
        var management: StreamManagement
        var orphans: [XMLElement] = []
        var lastOutcome: StreamManagementOutcome?
    }

    private let state: NIOLockedValueBox<State>

    /// Creates the state of a session that has not connected yet.
    ///
    /// - Parameter settings: The policy.
    public init(settings: StreamManagement.Settings = StreamManagement.Settings()) {
        state = NIOLockedValueBox(State(management: StreamManagement(settings: settings)))
    }

    /// Restores a session saved with ``export()``.
    ///
    /// - Parameters:
    ///   - saved: The saved state.
    ///   - settings: The policy.
    /// - Throws: ``XMLStreamError`` when a saved stanza does not parse, ``JIDError`` for a bad bound JID.
    public init(restoring saved: SavedState, settings: StreamManagement.Settings = StreamManagement.Settings()) throws {
        let jid = try saved.boundJID.map { try JID(parsing: $0) }
        let stanzas = try saved.unacknowledged.map { try Self.parse($0) }
        let management = StreamManagement(
            restoring: saved, boundJID: jid, unacknowledged: stanzas, settings: settings)
        state = NIOLockedValueBox(State(management: management))
    }

    /// Reads or changes the state under the session's lock (on the event loop, the stream handler's).
    public func withState<Result, Failure: Error>(
        _ body: (inout StreamManagement) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        let outcome = state.withLockedValue { state in
            Swift.Result { () throws(Failure) in try body(&state.management) }
        }
        return try outcome.get()
    }

    /// What resuming needs, when the last stream was resumable.
    public var resumption: StreamManagement.Resumption? { withState { $0.resumption } }

    /// How many stanzas the server has not acknowledged.
    public var unacknowledgedCount: Int { withState { $0.unacknowledgedCount } }

    /// What the last negotiation said of stream management; `nil` before one did, or when it was not asked for.
    public var lastOutcome: StreamManagementOutcome? { state.withLockedValue { $0.lastOutcome } }

    /// Records what a negotiation said of stream management.
    public func noteOutcome(_ outcome: StreamManagementOutcome?) {
        state.withLockedValue { $0.lastOutcome = outcome }
    }

    /// The stream could not be resumed: the stanzas the server had not acknowledged are set aside for the client
    /// (``takeOrphans()``), and counting starts again.
    public func resumptionFailed(handledByServer h: UInt32?) {
        state.withLockedValue { state in
            state.orphans += state.management.resumptionFailed(handledByServer: h)
        }
    }

    /// Stream management was enabled on a new stream (after binding): what was held meanwhile joins the stanzas a
    /// failed resumption set aside (``takeOrphans()``), after them, so that the client sends them in order; the
    /// server's count then starts with what is written from now on.
    ///
    /// - Returns: Whether the stream can be resumed.
    public func enabled(_ element: XMLElement, boundJID jid: JID) -> Bool {
        state.withLockedValue { state in
            state.orphans += state.management.takeQueuedBeforeEnabling()
            return state.management.enabled(element, boundJID: jid)
        }
    }

    /// Holds a stanza for the next connection (it goes out on the resumed stream, or after binding anew), unless
    /// ``StreamManagement/Settings/maximumHeld`` stanzas wait already, counting those a failed resumption set aside.
    ///
    /// - Returns: Whether it is held.
    public func hold(_ stanza: XMLElement) -> Bool {
        state.withLockedValue { state in
            let waiting = state.management.unacknowledgedCount + state.orphans.count
            guard waiting < state.management.settings.maximumHeld else { return false }
            _ = state.management.sending(stanza)
            return true
        }
    }

    /// The stanzas a failed resumption set aside, oldest first; each is handed out once.
    public func takeOrphans() -> [XMLElement] {
        state.withLockedValue { state in
            defer { state.orphans = [] }
            return state.orphans
        }
    }

    /// Ends the session: an application's close ends the stream on the server too, so nothing is left to resume;
    /// what the server had not acknowledged is returned.
    @discardableResult
    public func end() -> [XMLElement] {
        state.withLockedValue { state in
            let left = state.orphans + state.management.resumptionFailed()
            state.orphans = []
            return left
        }
    }

    /// The state, for saving.
    public func export() -> SavedState {
        withState { management in
            let serializer = XMLSerializer(defaultNamespace: JabberClient.namespace)
            return SavedState(
                id: management.id, location: management.location,
                maximumResumptionTime: management.maximumResumptionTime,
                boundJID: management.boundJID?.description, handled: management.handled,
                acknowledged: management.acknowledged,
                unacknowledged: management.unacknowledged.map { serializer.string(for: $0) })
        }
    }

    private static func parse(_ text: String) throws -> XMLElement {
        let parser = XMLStreamParser(configuration: .document)
        let events = try parser.parse(Array("<saved xmlns='\(JabberClient.namespace)'>\(text)</saved>".utf8))
        for event in events {
            if case .element(let wrapper) = event, let element = wrapper.elements.first(where: { _ in true }) {
                return element
            }
        }
        throw XMLStreamError(.badFormat, "a saved stanza holds no element", offset: 0)
    }
}

extension StreamManagement {
    /// A state restored from a saved session.
    init(
        restoring saved: StreamManagementSession.SavedState,
        boundJID: JID?,
        unacknowledged: [XMLElement],
        settings: Settings
    ) {
        self.init(settings: settings)
        self.restore(
            id: saved.id, location: saved.location, maximumResumptionTime: saved.maximumResumptionTime,
            boundJID: boundJID, handled: saved.handled, acknowledged: saved.acknowledged, queue: unacknowledged)
    }
}
