import NIOConcurrencyHelpers
public import XMPPBaseExtensions
public import XMPPCore

/// Service discovery (XEP-0030): answers disco#info with the identities and features every configured service
/// declares, and disco#items with the items given to it; ``XMPPEndpoint/discoInfo(of:node:)`` queries others.
///
/// Other services can answer for nodes of their own (entity capabilities answers for `node#ver`).
public final class DiscoService: XMPPService {
    private let identity: DiscoInfo.Identity
    private let state = NIOLockedValueBox(State())

    private struct State {
        var extraFeatures: [String] = []
        var items: [DiscoItems.Item] = []
        var nodes: Set<String> = []
        var services: [any XMPPService] = []
    }

    /// Creates the service.
    ///
    /// - Parameters:
    ///   - identity: Who this entity is; a client (`client/pc`) by default. A component gives its own category.
    ///   - features: Features to announce besides those of the services.
    public init(
        identity: DiscoInfo.Identity = DiscoInfo.Identity(category: "client", type: "pc"),
        features: [String] = []
    ) {
        self.identity = identity
        state.withLockedValue { $0.extraFeatures = features }
    }

    /// Disco itself.
    public var features: [String] { [DiscoInfo.namespace, DiscoItems.namespace] }

    /// This entity's identity.
    public var identities: [DiscoInfo.Identity] { [identity] }

    /// Announces more features.
    ///
    /// - Parameter features: The feature names.
    public func addFeatures(_ features: [String]) {
        state.withLockedValue { $0.extraFeatures += features }
    }

    /// Sets the items disco#items returns (without a node).
    ///
    /// - Parameter items: The items.
    public func setItems(_ items: [DiscoItems.Item]) {
        state.withLockedValue { $0.items = items }
    }

    /// Answers disco#info for a node with the same information as without one (entity capabilities' `node#ver`).
    ///
    /// - Parameter node: The node.
    public func answerInfo(forNode node: String) {
        state.withLockedValue { _ = $0.nodes.insert(node) }
    }

    /// What this entity announces: every service's identities and features, sorted and without duplicates.
    public var info: DiscoInfo.Query {
        let (services, extra) = state.withLockedValue { ($0.services, $0.extraFeatures) }
        var identities: [DiscoInfo.Identity] = []
        for identity in services.flatMap(\.identities) where !identities.contains(identity) {
            identities.append(identity)
        }
        let features = Set(services.flatMap(\.features) + extra).sorted()
        return DiscoInfo.Query(identities: identities, features: features.map { DiscoInfo.Feature(var: $0) })
    }

    /// Registers the disco#info and disco#items responders.
    public func attach<Endpoint: XMPPEndpoint>(to endpoint: Endpoint) throws {
        state.withLockedValue { $0.services = endpoint.core.services }
        endpoint.respond(to: .get, DiscoInfo.Query.self) { [weak self] request, _ in
            guard let self else { throw StanzaError.serviceUnavailable }
            var info = self.info
            if let node = request.payload.node {
                guard self.state.withLockedValue({ $0.nodes.contains(node) }) else { throw StanzaError.itemNotFound }
                info.node = node
            }
            return info
        }
        endpoint.respond(to: .get, DiscoItems.Query.self) { [weak self] request, _ in
            guard let self else { throw StanzaError.serviceUnavailable }
            guard request.payload.node == nil else { throw StanzaError.itemNotFound }
            return DiscoItems.Query(items: self.state.withLockedValue { $0.items })
        }
    }
}

extension XMPPEndpoint {
    /// Asks an entity what it is and what it supports (XEP-0030 disco#info).
    ///
    /// - Parameters:
    ///   - jid: The entity; the account's server when `nil`.
    ///   - node: A node of it, if any.
    /// - Returns: Its identities, features and extended information.
    /// - Throws: ``StanzaError`` or ``XMPPClientError``.
    public func discoInfo(of jid: JID?, node: String? = nil) async throws -> DiscoInfo.Query {
        try await query(DiscoInfo.Query(node: node), to: jid, expecting: DiscoInfo.Query.self)
    }

    /// Asks an entity for its items (XEP-0030 disco#items).
    ///
    /// - Parameters:
    ///   - jid: The entity; the account's server when `nil`.
    ///   - node: A node of it, if any.
    /// - Returns: The items.
    /// - Throws: ``StanzaError`` or ``XMPPClientError``.
    public func discoItems(of jid: JID?, node: String? = nil) async throws -> [DiscoItems.Item] {
        try await query(DiscoItems.Query(node: node), to: jid, expecting: DiscoItems.Query.self).items
    }
}

extension XMPPEndpoint {
    /// The entities of the server that support a feature, found by a disco walk (XEP-0030): the server itself, then
    /// each of its items (components: rooms, upload, proxies...), with their information.
    ///
    /// - Parameter feature: The feature, such as `http://jabber.org/protocol/muc`.
    /// - Returns: The entities and their disco#info, the server first; an item that does not answer is skipped.
    public func services(supporting feature: String) async throws -> [(JID, DiscoInfo.Query)] {
        var found: [(JID, DiscoInfo.Query)] = []
        let server = try localJID.map { try JID(domainpart: $0.domainpart) }
        if let server, let info = try? await discoInfo(of: server), info.features.contains(where: { $0.var == feature })
        {
            found.append((server, info))
        }
        for item in try await discoItems(of: server) where item.node == nil {
            guard let info = try? await discoInfo(of: item.jid) else { continue }
            if info.features.contains(where: { $0.var == feature }) { found.append((item.jid, info)) }
        }
        return found
    }
}
