import Logging
import NIOConcurrencyHelpers
import SASL
public import XMPPBaseExtensions
public import XMPPCore

/// The capabilities an entity advertised were checked: `matched` when its disco#info hashed to the `ver` it
/// advertised (and is now cached), not when the query failed or the hash differed.
public struct CapabilitiesVerified: Sendable, Hashable {
    /// The entity.
    public var jid: JID
    /// The `ver` it advertised.
    public var ver: String
    /// Whether its information hashed to it.
    public var matched: Bool
}

/// Entity capabilities (XEP-0115): advertises this entity's disco#info as a hash in every available presence,
/// answers disco#info for `node#ver`, and learns what others advertise: it queries an unknown `ver` once, checks
/// that the answer hashes to it, and caches it.
public final class EntityCapabilitiesService: XMPPService {
    /// Disco answers the `node#ver` queries and provides the information hashed.
    public static var dependencies: [any XMPPService.Type] { [DiscoService.self] }

    /// The URI that identifies this software, such as its project page.
    public let node: String
    /// How many verified `ver`s are kept.
    static let cacheLimit = 1000
    /// How many unknown `ver`s may be queried at once.
    static let pendingLimit = 32
    private let state = NIOLockedValueBox(State())

    private struct State {
        var disco: DiscoService?
        var verified: [String: DiscoInfo.Query] = [:]
        var pending: Set<String> = []
        var advertised: [JID: String] = [:]
    }

    /// Creates the service.
    ///
    /// - Parameter node: The URI that identifies this software.
    public init(node: String) {
        self.node = node
    }

    /// Caps itself.
    public var features: [String] { [EntityCapabilities.namespace] }

    /// The `ver` string of this entity's disco#info.
    public var ver: String {
        let info = state.withLockedValue { $0.disco }?.info ?? DiscoInfo.Query()
        return Self.ver(of: info)
    }

    /// What an entity's advertised capabilities say, once verified.
    ///
    /// - Parameter jid: The full JID that sent the presence.
    /// - Returns: Its disco#info, or `nil` when it advertised none or it is not verified (yet).
    public func capabilities(of jid: JID) -> DiscoInfo.Query? {
        state.withLockedValue { state in state.advertised[jid].flatMap { state.verified[$0] } }
    }

    /// Adds `<c/>` to available presence, answers `node#ver`, and verifies what others advertise.
    public func attach<Endpoint: XMPPEndpoint>(to endpoint: Endpoint) throws {
        guard let disco = endpoint.service(DiscoService.self) else { return }
        state.withLockedValue { $0.disco = disco }
        endpoint.addOutboundFilter { [weak self] stanza in
            guard let self, stanza.name == Presence.qualifiedName, stanza["type"] == nil,
                stanza.firstChild(named: EntityCapabilities.C.qualifiedName) == nil
            else { return stanza }
            let ver = self.ver
            disco.answerInfo(forNode: "\(self.node)#\(ver)")
            var stanza = stanza
            stanza.children.append(
                .element(EntityCapabilities.C(hash2: "sha-1", node: self.node, ver: ver).xmlElement()))
            return stanza
        }
        endpoint.on(.availablePresence && .payload(EntityCapabilities.C.self)) { [weak self] stanza, endpoint in
            guard let self, let from = stanza["from"].flatMap({ try? JID(parsing: $0) }),
                let c = stanza.firstChild(named: EntityCapabilities.C.qualifiedName).flatMap({
                    try? EntityCapabilities.C(xml: $0)
                }),
                c.hash2 == "sha-1"
            else { return }
            self.received(c, from: from, endpoint: endpoint)
        }
        endpoint.onPresence(.presence(.unavailable)) { [weak self] presence, _ in
            guard let self, let from = presence.from else { return }
            _ = self.state.withLockedValue { $0.advertised.removeValue(forKey: from) }
        }
    }

    private func received<Endpoint: XMPPEndpoint>(_ c: EntityCapabilities.C, from: JID, endpoint: Endpoint) {
        let ver = c.ver
        let query = state.withLockedValue { state -> Bool in
            state.advertised[from] = ver
            guard state.verified[ver] == nil, !state.pending.contains(ver) else { return false }
            // Bounded: a flood of made-up `ver`s costs queries and memory only up to these limits.
            guard state.verified.count < Self.cacheLimit, state.pending.count < Self.pendingLimit else { return false }
            state.pending.insert(ver)
            return true
        }
        guard query else { return }
        // In a task: the handler must not hold up the stanzas behind it while the query is out.
        Task { [weak self] in
            let info = try? await endpoint.discoInfo(of: from, node: "\(c.node)#\(ver)")
            guard let self else { return }
            self.state.withLockedValue { state in
                state.pending.remove(ver)
                if let info, Self.ver(of: info) == ver {
                    state.verified[ver] = info
                }
            }
            let matched = info.map { Self.ver(of: $0) == ver } ?? false
            if info != nil && !matched {
                endpoint.core.logger.warning(
                    "capabilities do not match their hash; not cached", metadata: ["from": "\(from)", "ver": "\(ver)"])
            }
            endpoint.raise(CapabilitiesVerified(jid: from, ver: ver, matched: matched))
        }
    }

    /// The verification string of XEP-0115 §5.1: identities, features and extended information (XEP-0128 forms)
    /// sorted and joined with `<`, hashed with SHA-1 and encoded in base64.
    ///
    /// - Parameter info: The disco#info.
    /// - Returns: The `ver`.
    public static func ver(of info: DiscoInfo.Query) -> String {
        let digest = (try? SCRAMHash.sha1.hash(Array(verificationString(of: info).utf8))) ?? []
        return Base64.encode(digest)
    }

    /// The string that is hashed (XEP-0115 §5.1 steps 1–8), for tests and diagnostics.
    ///
    /// - Parameter info: The disco#info.
    public static func verificationString(of info: DiscoInfo.Query) -> String {
        // "i;octet" order (RFC 4790): byte-wise, key by key.
        func precedes(_ lhs: [String?], _ rhs: [String?]) -> Bool {
            for (a, b) in zip(lhs, rhs) where a != b {
                return (a ?? "").utf8.lexicographicallyPrecedes((b ?? "").utf8)
            }
            return false
        }
        var s = ""
        let identities = info.identities.sorted {
            precedes([$0.category, $0.type, $0.lang, $0.name], [$1.category, $1.type, $1.lang, $1.name])
        }
        for identity in identities {
            s += "\(identity.category)/\(identity.type)/\(identity.lang ?? "")/\(identity.name ?? "")<"
        }
        for feature in info.features.map(\.var).sorted(by: { precedes([$0], [$1]) }) {
            s += feature + "<"
        }
        let forms = info.extensions.compactMap { form -> (String, DataForms.X)? in
            guard let type = form.fields.first(where: { $0.var == "FORM_TYPE" })?.values.first else { return nil }
            return (type, form)
        }
        for (type, form) in forms.sorted(by: { precedes([$0.0], [$1.0]) }) {
            s += type + "<"
            let fields = form.fields.filter { $0.var != "FORM_TYPE" }.sorted { precedes([$0.var], [$1.var]) }
            for field in fields {
                s += (field.var ?? "") + "<"
                for value in field.values.sorted(by: { precedes([$0], [$1]) }) {
                    s += value + "<"
                }
            }
        }
        return s
    }
}
