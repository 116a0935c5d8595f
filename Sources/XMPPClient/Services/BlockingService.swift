import Logging
import NIOConcurrencyHelpers
import XMPPBaseExtensions
public import XMPPCore
import XMPPExtensions

/// The blocklist changed: by us or by another client of the account (a push, XEP-0191 §3.3, §3.4).
public struct BlocklistChanged: Sendable, Hashable {
    /// JIDs now blocked.
    public var blocked: [JID]
    /// JIDs no longer blocked (empty when ``unblockedAll`` is set).
    public var unblocked: [JID]
    /// Whether everything was unblocked.
    public var unblockedAll: Bool

    /// Creates the event.
    public init(blocked: [JID] = [], unblocked: [JID] = [], unblockedAll: Bool = false) {
        self.blocked = blocked
        self.unblocked = unblocked
        self.unblockedAll = unblockedAll
    }
}

/// Blocking (XEP-0191 1.3): the account's blocklist, kept by the server, which then drops what the blocked send us
/// and hides our presence from them.
///
/// The list is read after each new session and kept up to date by the server's pushes (a change made by another
/// client of the account arrives as ``BlocklistChanged``); pushes from anyone but the account are refused.
///
/// ```swift
/// let blocking = BlockingService()
/// configuration.services = [blocking]
/// try await client.block([try JID(parsing: "spam@example.org")])
/// print(blocking.blocklist)
/// ```
public final class BlockingService: XMPPService {
    private let state = NIOLockedValueBox((list: Set<JID>(), fetched: false))

    /// Creates the service.
    public init() {}

    /// The JIDs blocked, as last read or pushed.
    public var blocklist: Set<JID> { state.withLockedValue { $0.list } }
    /// Whether the list was read on this session (the server has blocking, and will push changes).
    public var isAvailable: Bool { state.withLockedValue { $0.fetched } }

    /// Answers the server's pushes.
    public func attach<Endpoint: XMPPEndpoint>(to endpoint: Endpoint) throws {
        endpoint.respond(to: .set, Blocking.Block.self) { [weak self] request, endpoint in
            try Self.checkPush(from: request.from, endpoint: endpoint)
            let jids = request.payload.items.map(\.jid)
            self?.state.withLockedValue { $0.list.formUnion(jids) }
            endpoint.raise(BlocklistChanged(blocked: jids))
        }
        endpoint.respond(to: .set, Blocking.Unblock.self) { [weak self] request, endpoint in
            try Self.checkPush(from: request.from, endpoint: endpoint)
            let jids = request.payload.items.map(\.jid)
            self?.state.withLockedValue { state in
                if jids.isEmpty { state.list = [] } else { state.list.subtract(jids) }
            }
            endpoint.raise(BlocklistChanged(unblocked: jids, unblockedAll: jids.isEmpty))
        }
    }

    /// Reads the blocklist on each new session.
    public func endpointDidConnect<Endpoint: XMPPEndpoint>(_ endpoint: Endpoint) async {
        state.withLockedValue { $0.fetched = false }
        do {
            _ = try await endpoint.fetchBlocklist()
        } catch {
            endpoint.core.logger.info("no blocklist", metadata: ["error": "\(error)"])
        }
    }

    fileprivate func replace(with list: [JID]) {
        state.withLockedValue { $0 = (Set(list), true) }
    }

    fileprivate func update(blocking: [JID] = [], unblocking: [JID]? = nil) {
        state.withLockedValue { state in
            state.list.formUnion(blocking)
            if let unblocking {
                if unblocking.isEmpty { state.list = [] } else { state.list.subtract(unblocking) }
            }
        }
    }

    /// A push comes from the account (its bare JID) or the server on its behalf (no `from`).
    private static func checkPush<Endpoint: XMPPEndpoint>(from: JID?, endpoint: Endpoint) throws {
        guard let from else { return }
        guard let account = endpoint.localJID?.bare, from == account else {
            endpoint.core.logger.warning(
                "refused a blocklist push from another entity (possible spoofing)", metadata: ["from": "\(from)"])
            throw StanzaError(.forbidden)
        }
    }
}

extension XMPPEndpoint {
    /// Reads the account's blocklist (XEP-0191 §3.2).
    ///
    /// - Returns: The blocked JIDs.
    /// - Throws: ``StanzaError`` (`service-unavailable` where the server has no blocking) or ``XMPPClientError``.
    @discardableResult
    public func fetchBlocklist() async throws -> [JID] {
        let list = try await query(Blocking.Blocklist(), to: nil, expecting: Blocking.Blocklist.self)
        let jids = list.items.map(\.jid)
        service(BlockingService.self)?.replace(with: jids)
        return jids
    }

    /// Blocks JIDs: a bare JID blocks the account and all its resources, a domain the whole domain (§3.3).
    ///
    /// - Parameter jids: At least one JID.
    public func block(_ jids: [JID]) async throws {
        guard !jids.isEmpty else { throw XMPPClientError(.invalidConfiguration, "blocking needs at least one JID") }
        _ = try await request(.set(Blocking.Block(items: jids.map { Blocking.Item(jid: $0) }), to: nil))
        service(BlockingService.self)?.update(blocking: jids)
    }

    /// Unblocks JIDs (§3.4).
    ///
    /// - Parameter jids: At least one JID; see ``unblockAll()`` for the whole list.
    public func unblock(_ jids: [JID]) async throws {
        guard !jids.isEmpty else {
            throw XMPPClientError(.invalidConfiguration, "unblocking needs at least one JID (or unblockAll())")
        }
        _ = try await request(.set(Blocking.Unblock(items: jids.map { Blocking.Item(jid: $0) }), to: nil))
        service(BlockingService.self)?.update(unblocking: jids)
    }

    /// Empties the blocklist (§3.5).
    public func unblockAll() async throws {
        _ = try await request(.set(Blocking.Unblock(), to: nil))
        service(BlockingService.self)?.update(unblocking: [])
    }
}
