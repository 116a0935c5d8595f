import Logging
import NIOConcurrencyHelpers
import XMPPBaseExtensions
public import XMPPCore
import XMPPStream

/// The client's own presence: what it broadcasts while connected.
public struct Availability: Sendable, Hashable {
    /// `away`, `chat`, `dnd`, `xa`, or `nil` for plainly available.
    public var show: JabberClient.ShowValue?
    /// Text that says more, if any.
    public var status: String?
    /// The resource's priority (RFC 6121 §4.7.2.3), -128 to 127.
    public var priority: Int8

    /// Creates an availability.
    ///
    /// - Parameters:
    ///   - show: The show value, or `nil` for available.
    ///   - status: Optional text.
    ///   - priority: The priority; 0 by default.
    public init(show: JabberClient.ShowValue? = nil, status: String? = nil, priority: Int8 = 0) {
        self.show = show
        self.status = status
        self.priority = priority
    }

    /// Available.
    public static let available = Availability()

    /// Away, with optional text.
    ///
    /// - Parameter status: The text.
    public static func away(_ status: String? = nil) -> Availability { Availability(show: .away, status: status) }

    /// Do not disturb, with optional text.
    ///
    /// - Parameter status: The text.
    public static func doNotDisturb(_ status: String? = nil) -> Availability {
        Availability(show: .dnd, status: status)
    }

    /// The presence stanza that broadcasts it.
    public var presence: Presence {
        Presence(
            show: show, statuses: status.map { [JabberClient.Status(value: $0)] } ?? [],
            priority: priority == 0 ? nil : priority)
    }
}

/// Someone asks to see the client's presence; observe it with ``XMPPEndpoint/observe(_:_:)`` and answer with
/// ``XMPPClient/approveSubscription(from:)`` or ``XMPPClient/denySubscription(from:)``.
public struct SubscriptionRequest: Sendable, Hashable {
    /// Who asks (a bare JID).
    public var from: JID
    /// The request as received.
    public var presence: Presence
}

/// A contact's presence changed (one resource's).
public struct PresenceChanged: Sendable, Hashable {
    /// The resource's full JID.
    public var from: JID
    /// Its presence, or `nil` when it went offline.
    public var presence: Presence?
}

/// Presence (RFC 6121 §3–§4) for a client: sends the client's own presence at each login and whenever
/// ``availability`` changes, tracks the presence of every contact resource, and handles subscription requests by
/// a policy.
public final class PresenceService: XMPPService {
    /// What to do with subscription requests.
    public enum SubscriptionPolicy: Sendable, Hashable {
        /// Raise a ``SubscriptionRequest`` event and let the application answer. The default.
        case ask
        /// Approve every request.
        case approveAll
        /// Approve every request and ask for the requester's presence in return.
        case approveAllAndSubscribe
        /// Deny every request.
        case denyAll
    }

    /// What to do with subscription requests.
    public let policy: SubscriptionPolicy
    private let state: NIOLockedValueBox<State>

    private struct State {
        weak var client: XMPPClient?
        var availability: Availability?
        var contacts: [JID: [JID: Presence]] = [:]
    }

    /// Creates the service.
    ///
    /// - Parameters:
    ///   - availability: The presence to send at each login; `nil` sends none (the client stays invisible to
    ///     contacts and receives no presence).
    ///   - policy: What to do with subscription requests.
    public init(availability: Availability? = .available, policy: SubscriptionPolicy = .ask) {
        self.policy = policy
        self.state = NIOLockedValueBox(State(availability: availability))
    }

    /// The client's presence. Setting it sends it at once when connected (and at each later login); `nil` sends
    /// unavailable presence.
    public var availability: Availability? {
        get { state.withLockedValue { $0.availability } }
        set {
            let client = state.withLockedValue { state -> XMPPClient? in
                state.availability = newValue
                return state.client
            }
            guard let client, client.boundJID != nil else { return }
            client.core.sendNow((newValue?.presence ?? Presence(type: .unavailable)).xmlElement())
        }
    }

    /// The current presence of each online resource of a contact.
    ///
    /// - Parameter jid: The contact (any resource of it).
    /// - Returns: Full JID to presence.
    public func presences(of jid: JID) -> [JID: Presence] {
        state.withLockedValue { $0.contacts[jid.bare] ?? [:] }
    }

    /// The contact's most available resource: the highest priority, then the most available show (chat,
    /// available, away, xa, dnd), then the most recent.
    ///
    /// - Parameter jid: The contact.
    /// - Returns: Its presence, or `nil` when no resource is online.
    public func mostAvailable(of jid: JID) -> Presence? {
        presences(of: jid).values.max { a, b in
            let (pa, pb) = (a.priority ?? 0, b.priority ?? 0)
            if pa != pb { return pa < pb }
            return Self.rank(a.show) < Self.rank(b.show)
        }
    }

    private static func rank(_ show: JabberClient.ShowValue?) -> Int {
        switch show {
        case .chat: 4
        case nil: 3
        case .away: 2
        case .xa: 1
        case .dnd: 0
        }
    }

    /// Tracks presence and handles subscription requests. Only for clients.
    public func attach<Endpoint: XMPPEndpoint>(to endpoint: Endpoint) throws {
        guard let client = endpoint as? XMPPClient else {
            throw XMPPClientError(.invalidConfiguration, "PresenceService works on an XMPPClient only")
        }
        state.withLockedValue { $0.client = client }
        client.onPresence(.availablePresence || .presence(.unavailable) || .presence(.error)) {
            [weak self] presence, client in
            guard let self, let from = presence.from, from != client.boundJID else { return }
            let online = presence.type == nil
            self.state.withLockedValue { state in
                if online {
                    state.contacts[from.bare, default: [:]][from] = presence
                } else if from.resourcepart == nil {
                    state.contacts[from.bare] = nil
                } else {
                    state.contacts[from.bare]?[from] = nil
                    if state.contacts[from.bare]?.isEmpty == true { state.contacts[from.bare] = nil }
                }
            }
            client.raise(PresenceChanged(from: from, presence: online ? presence : nil))
        }
        let policy = self.policy
        client.onPresence(.presence(.subscribe)) { presence, client in
            guard let from = presence.from?.bare else { return }
            switch policy {
            case .ask:
                client.raise(SubscriptionRequest(from: from, presence: presence))
            case .approveAll:
                try await client.approveSubscription(from: from)
            case .approveAllAndSubscribe:
                try await client.approveSubscription(from: from)
                try await client.subscribe(to: from)
            case .denyAll:
                try await client.denySubscription(from: from)
            }
        }
        client.observe(ConnectionEvent.self) { [weak self, weak client] event in
            switch event {
            case .disconnected where client?.core.isHolding != true, .bound:
                // The session is over (or a new one began): what contacts' presence was is unknown now. A
                // disconnection held for resumption keeps it, as the server does.
                self?.state.withLockedValue { $0.contacts = [:] }
            default:
                break
            }
        }
    }

    /// Sends the initial presence.
    public func endpointDidConnect<Endpoint: XMPPEndpoint>(_ endpoint: Endpoint) async {
        guard let availability = state.withLockedValue({ $0.availability }) else { return }
        do {
            try await endpoint.send(availability.presence)
        } catch {
            endpoint.core.logger.warning("initial presence failed", metadata: ["error": "\(error)"])
        }
    }
}

extension XMPPClient {
    /// The configured ``PresenceService``.
    ///
    /// - Precondition: The configuration's services include one.
    public var presence: PresenceService {
        guard let presence = service(PresenceService.self) else {
            preconditionFailure("add a PresenceService to the configuration's services to manage presence")
        }
        return presence
    }

    /// Asks to see a contact's presence (RFC 6121 §3.1.1).
    ///
    /// - Parameter jid: The contact.
    public func subscribe(to jid: JID) async throws {
        try await send(Presence(to: jid.bare, type: .subscribe))
    }

    /// Lets a contact see the client's presence: answers a request, or pre-approves one to come.
    ///
    /// - Parameter jid: The contact.
    public func approveSubscription(from jid: JID) async throws {
        try await send(Presence(to: jid.bare, type: .subscribed))
    }

    /// Refuses a subscription request, or cancels a subscription granted before (RFC 6121 §3.2).
    ///
    /// - Parameter jid: The contact.
    public func denySubscription(from jid: JID) async throws {
        try await send(Presence(to: jid.bare, type: .unsubscribed))
    }

    /// Approves a subscription before it is requested (RFC 6121 §3.4), when the server supports pre-approval.
    ///
    /// - Parameter jid: The contact.
    /// - Throws: ``XMPPClientError`` (`notSupported`) when the server does not announce pre-approval.
    public func preApproveSubscription(from jid: JID) async throws {
        let supported =
            streamFeatures?.firstChild(
                named: XMLName(namespace: "urn:xmpp:features:pre-approval", localName: "sub")) != nil
        guard supported else {
            throw XMPPClientError(.notSupported, "the server does not support subscription pre-approval")
        }
        try await approveSubscription(from: jid)
    }

    /// Stops seeing a contact's presence (RFC 6121 §3.3).
    ///
    /// - Parameter jid: The contact.
    public func unsubscribe(from jid: JID) async throws {
        try await send(Presence(to: jid.bare, type: .unsubscribe))
    }
}
