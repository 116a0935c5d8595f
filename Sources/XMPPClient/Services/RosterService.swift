import Logging
import NIOConcurrencyHelpers
import XMPPBaseExtensions
public import XMPPCore
import XMPPStream

/// Where a roster is kept between logins, for roster versioning (RFC 6121 §2.6).
public protocol RosterStore: Sendable {
    /// The stored roster of an account: its version and items; `nil` when there is none.
    ///
    /// - Parameter account: The account's bare JID.
    func load(account: JID) async -> (version: String, items: [Roster.Item])?
    /// Stores an account's roster.
    ///
    /// - Parameters:
    ///   - account: The account's bare JID.
    ///   - version: The version the server gave it.
    ///   - items: The items.
    func save(account: JID, version: String, items: [Roster.Item]) async
}

/// A roster store in memory: share one instance between clients (or logins) to keep the roster between them.
public final class InMemoryRosterStore: RosterStore {
    private let rosters = NIOLockedValueBox([JID: (version: String, items: [Roster.Item])]())

    /// Creates an empty store.
    public init() {}

    /// See ``RosterStore``.
    public func load(account: JID) async -> (version: String, items: [Roster.Item])? {
        rosters.withLockedValue { $0[account] }
    }

    /// See ``RosterStore``.
    public func save(account: JID, version: String, items: [Roster.Item]) async {
        rosters.withLockedValue { $0[account] = (version, items) }
    }
}

/// A change to the roster.
public enum RosterEvent: Sendable, Hashable {
    /// The roster was fetched: `full` when the server sent it whole, not when it confirmed the stored version.
    case loaded(version: String?, full: Bool)
    /// A contact was added or changed.
    case updated(Roster.Item)
    /// A contact was removed.
    case removed(JID)
}

/// The roster (RFC 6121 §2): fetched at each login (with versioning when the server supports it and a store keeps
/// the previous copy), kept current by roster pushes, and edited with ``set(_:)`` and ``remove(_:)``.
///
/// Roster pushes are accepted only from the account itself (no `from`, or its bare JID) or its server; others are
/// refused with `service-unavailable` and logged, because accepting them would let anyone rewrite the roster
/// (RFC 6121 §2.1.6).
public final class RosterService: XMPPService {
    private let store: any RosterStore
    private let state = NIOLockedValueBox(State())

    private struct State {
        weak var client: XMPPClient?
        var items: [JID: Roster.Item] = [:]
        var order: [JID] = []
        var version: String?
    }

    /// Creates the service.
    ///
    /// - Parameter store: Where the roster is kept between logins; a new in-memory store by default.
    public init(store: any RosterStore = InMemoryRosterStore()) {
        self.store = store
    }

    /// The contacts, in the order the server listed them.
    public var items: [Roster.Item] {
        state.withLockedValue { state in state.order.compactMap { state.items[$0] } }
    }

    /// The roster version the client holds, if the server versions rosters.
    public var version: String? { state.withLockedValue { $0.version } }

    /// The item for a contact.
    ///
    /// - Parameter jid: The contact's bare JID.
    public func item(for jid: JID) -> Roster.Item? {
        state.withLockedValue { $0.items[jid.bare] }
    }

    /// Registers the roster-push responder. Only for clients.
    public func attach<Endpoint: XMPPEndpoint>(to endpoint: Endpoint) throws {
        guard let client = endpoint as? XMPPClient else {
            throw XMPPClientError(.invalidConfiguration, "RosterService works on an XMPPClient only")
        }
        state.withLockedValue { $0.client = client }
        client.respond(to: .set, Roster.Query.self) { [weak self] request, client in
            guard let self else { throw StanzaError.serviceUnavailable }
            try await self.push(request, client: client)
        }
    }

    /// Fetches the roster.
    public func endpointDidConnect<Endpoint: XMPPEndpoint>(_ endpoint: Endpoint) async {
        do {
            try await fetch()
        } catch {
            endpoint.core.logger.warning("roster fetch failed", metadata: ["error": "\(error)"])
        }
    }

    /// Fetches the roster (done at each login): with the stored version when the server supports versioning, so an
    /// unchanged roster costs an empty result.
    ///
    /// - Throws: ``StanzaError`` or ``XMPPClientError``.
    public func fetch() async throws {
        let client = try connectedClient()
        guard let account = client.boundJID?.bare else { throw XMPPClientError(.connectionClosed, "not connected") }
        let versioning = client.streamFeatures?.firstChild(named: RosterVersioning.Ver.qualifiedName) != nil
        let stored = versioning ? await store.load(account: account) : nil
        let query = Roster.Query(ver: versioning ? (stored?.version ?? "") : nil)
        let result = try await client.request(.get(query))
        if let answer = try result.payload(Roster.Query.self) {
            replace(with: answer.items, version: answer.ver)
            if let version = answer.ver { await store.save(account: account, version: version, items: answer.items) }
            client.raise(RosterEvent.loaded(version: answer.ver, full: true))
        } else {
            // An empty result: the stored version is current (RFC 6121 §2.6.3); pushes bring any change.
            replace(with: stored?.items ?? [], version: stored?.version)
            client.raise(RosterEvent.loaded(version: stored?.version, full: false))
        }
    }

    /// Adds a contact or changes one (name, groups). The roster changes when the server's push arrives.
    ///
    /// - Parameter item: The item; its subscription state is the server's to set and is not sent.
    /// - Throws: ``StanzaError`` or ``XMPPClientError``.
    public func set(_ item: Roster.Item) async throws {
        var item = item
        item.subscription = nil
        item.ask = nil
        item.approved = nil
        _ = try await connectedClient().request(.set(Roster.Query(items: [item])))
    }

    /// Removes a contact (and cancels the subscriptions both ways, RFC 6121 §2.5).
    ///
    /// - Parameter jid: The contact.
    /// - Throws: ``StanzaError`` or ``XMPPClientError``.
    public func remove(_ jid: JID) async throws {
        let item = Roster.Item(jid: jid.bare, subscription: .remove)
        _ = try await connectedClient().request(.set(Roster.Query(items: [item])))
    }

    private func connectedClient() throws -> XMPPClient {
        guard let client = state.withLockedValue({ $0.client }) else {
            throw XMPPClientError(.connectionClosed, "the client is gone")
        }
        return client
    }

    private func replace(with items: [Roster.Item], version: String?) {
        state.withLockedValue { state in
            state.items = [:]
            state.order = []
            for item in items {
                if state.items.updateValue(item, forKey: item.jid.bare) == nil { state.order.append(item.jid.bare) }
            }
            state.version = version
        }
    }

    private func push(_ request: IQRequest<Roster.Query>, client: XMPPClient) async throws {
        guard let account = client.boundJID?.bare else { throw StanzaError.serviceUnavailable }
        if let from = request.from, from != account, from.description != account.domainpart {
            client.core.logger.warning(
                "ignored a roster push from another entity (possible spoofing)", metadata: ["from": "\(from)"])
            throw StanzaError.serviceUnavailable
        }
        guard request.payload.items.count == 1, let item = request.payload.items.first else {
            throw StanzaError(.badRequest, text: "a roster push carries exactly one item")
        }
        let jid = item.jid.bare
        let snapshot = state.withLockedValue { state -> [Roster.Item] in
            if item.subscription == .remove {
                state.items[jid] = nil
                state.order.removeAll { $0 == jid }
            } else if state.items.updateValue(item, forKey: jid) == nil {
                state.order.append(jid)
            }
            if let version = request.payload.ver { state.version = version }
            return state.order.compactMap { state.items[$0] }
        }
        if let version = request.payload.ver {
            await store.save(account: account, version: version, items: snapshot)
        }
        client.raise(item.subscription == .remove ? RosterEvent.removed(jid) : RosterEvent.updated(item))
    }
}

extension XMPPClient {
    /// The configured ``RosterService``.
    ///
    /// - Precondition: The configuration's services include one.
    public var roster: RosterService {
        guard let roster = service(RosterService.self) else {
            preconditionFailure("add a RosterService to the configuration's services to use the roster")
        }
        return roster
    }
}
