/// The mechanism ``SASLMechanismSelector`` chose, with the channel-binding flag to use with it.
public struct SASLMechanismSelection: Sendable, Hashable {
    /// The mechanism to run.
    public var mechanism: SASLMechanismName
    /// The GS2 channel-binding flag: ``SASLChannelBindingFlag/bound(_:)`` for a `-PLUS` mechanism,
    /// ``SASLChannelBindingFlag/notOfferedByServer`` or ``SASLChannelBindingFlag/notSupported`` otherwise.
    public var channelBinding: SASLChannelBindingFlag

    /// Pairs a mechanism with a channel-binding flag.
    ///
    /// - Parameters:
    ///   - mechanism: The mechanism.
    ///   - channelBinding: The GS2 channel-binding flag.
    public init(mechanism: SASLMechanismName, channelBinding: SASLChannelBindingFlag = .notSupported) {
        self.mechanism = mechanism
        self.channelBinding = channelBinding
    }
}

/// Chooses the strongest acceptable mechanism among those a server offers.
///
/// With password credentials the order is `SCRAM-SHA-512-PLUS`, `SCRAM-SHA-256-PLUS`, `SCRAM-SHA-1-PLUS`,
/// `SCRAM-SHA-512`, `SCRAM-SHA-256`, `SCRAM-SHA-1`, then `PLAIN`:
/// - A `-PLUS` mechanism needs TLS and a channel binding the connection can provide and, when the server lists
///   its types (XEP-0440), one the server supports. Among those, `tls-exporter` comes first, then `tls-unique`,
///   then `tls-server-end-point`; other types are not used.
/// - Plain SCRAM gets the flag `y` (``SASLChannelBindingFlag/notOfferedByServer``) when the connection could bind
///   but the server offered no `-PLUS` mechanism at all, so that a server whose `-PLUS` offer was stripped by an
///   attacker fails the exchange. Otherwise it gets `n`: in particular when the server does offer `-PLUS` but the
///   client has no usable binding, because a server that supports channel binding must fail `y` (RFC 5802 §6).
/// - `PLAIN` is chosen only over TLS, unless ``insecureAllowPlainWithoutTLS`` is set.
///
/// With token credentials (``SASLCredentials/token(username:token:)``) the hashed-token mechanisms qualify, in
/// the order of ``SASLMechanismName/hashedTokenMechanisms``, each channel-binding one only when the connection has
/// its binding.
///
/// With ``requiresChannelBinding``, only mechanisms bound to the channel qualify (`-PLUS`, the channel-binding
/// `HT-` ones, and `EXTERNAL`, whose identity comes from the TLS layer): the choice fails closed when none is
/// possible.
///
/// `EXTERNAL` is chosen only for ``SASLCredentials/external(authorizationIdentity:)`` credentials, and
/// `ANONYMOUS` only for ``SASLCredentials/anonymous(trace:)``; neither is ever a fallback for passwords.
/// Offered names are compared case-insensitively.
public struct SASLMechanismSelector: Sendable {
    /// Mechanisms never to choose, for example `[.scramSHA1, .scramSHA1Plus]` to insist on SHA-2.
    public var excludedMechanisms: Set<SASLMechanismName>

    /// Allows `PLAIN` on a connection without TLS, which sends the password in clear text to anyone on the path.
    ///
    /// Leave it `false` (the default) outside tests against a local server.
    public var insecureAllowPlainWithoutTLS: Bool

    /// Refuses every mechanism that does not bind to the TLS channel, so that a man in the middle who holds a
    /// certificate the client trusts still cannot authenticate as the client. `false` by default, as many servers
    /// offer no channel binding on TLS 1.3 yet.
    public var requiresChannelBinding: Bool

    /// The channel-binding types in order of preference.
    static let channelBindingPreference: [SASLChannelBinding.Kind] = [.tlsExporter, .tlsUnique, .tlsServerEndPoint]

    static let passwordMechanisms: [SASLMechanismName] = [
        .scramSHA512Plus, .scramSHA256Plus, .scramSHA1Plus, .scramSHA512, .scramSHA256, .scramSHA1, .plain,
    ]

    /// Creates a selector.
    ///
    /// - Parameters:
    ///   - excludedMechanisms: Mechanisms never to choose.
    ///   - insecureAllowPlainWithoutTLS: Whether `PLAIN` may be chosen without TLS; keep it `false`.
    ///   - requiresChannelBinding: Whether only mechanisms bound to the channel may be chosen.
    public init(
        excludedMechanisms: Set<SASLMechanismName> = [],
        insecureAllowPlainWithoutTLS: Bool = false,
        requiresChannelBinding: Bool = false
    ) {
        self.excludedMechanisms = excludedMechanisms
        self.insecureAllowPlainWithoutTLS = insecureAllowPlainWithoutTLS
        self.requiresChannelBinding = requiresChannelBinding
    }

    /// The best hashed-token mechanism among those offered that this connection can run: the channel-binding ones
    /// first, when the connection has their binding; `nil` if none (or, with ``requiresChannelBinding``, none
    /// that binds). What a client asks a FAST token for, and what token credentials use.
    ///
    /// - Parameters:
    ///   - offered: The hashed-token mechanisms the server offered.
    ///   - isTLS: Whether the connection is protected by TLS.
    ///   - channelBindings: The channel bindings the TLS layer can provide.
    /// - Returns: The mechanism with its channel-binding flag.
    public func hashedTokenMechanism(
        from offered: [SASLMechanismName],
        isTLS: Bool,
        channelBindings: [SASLChannelBinding]
    ) -> SASLMechanismSelection? {
        let offered = Set(offered.map { SASLMechanismName(rawValue: $0.rawValue.uppercased()) })
            .subtracting(excludedMechanisms)
        let bindings = isTLS ? channelBindings : []
        for mechanism in SASLMechanismName.hashedTokenMechanisms where offered.contains(mechanism) {
            if let kind = mechanism.hashedTokenChannelBinding {
                guard let binding = bindings.first(where: { $0.kind == kind }) else { continue }
                return SASLMechanismSelection(mechanism: mechanism, channelBinding: .bound(binding))
            }
            if requiresChannelBinding { continue }
            return SASLMechanismSelection(mechanism: mechanism, channelBinding: .notSupported)
        }
        return nil
    }

    /// Chooses the mechanism to run.
    ///
    /// - Parameters:
    ///   - offered: The mechanisms the server offered, in any order.
    ///   - credentials: The credentials; their kind decides which mechanisms qualify.
    ///   - isTLS: Whether the connection is protected by TLS (after STARTTLS or direct TLS).
    ///   - channelBindings: The channel bindings the TLS layer can provide for this connection, with their data;
    ///     ignored without TLS.
    ///   - serverChannelBindingTypes: The types the server advertised (XEP-0440), or `nil` if it did not
    ///     advertise any, in which case every type is assumed to work.
    /// - Returns: The mechanism and the channel-binding flag, ready for ``SASLClient/init(selection:credentials:configuration:)``.
    /// - Throws: ``SASLError`` with code ``SASLError/Code/noAcceptableMechanism``, with the reason in its detail.
    public func select(
        from offered: [SASLMechanismName],
        credentials: SASLCredentials,
        isTLS: Bool,
        channelBindings: [SASLChannelBinding] = [],
        serverChannelBindingTypes: [SASLChannelBinding.Kind]? = nil
    ) throws(SASLError) -> SASLMechanismSelection {
        let allOffered = Set(offered.map { SASLMechanismName(rawValue: $0.rawValue.uppercased()) })
        // Whether the server supports channel binding at all, which decides between `y` and `n`.
        let serverOffersPlus = allOffered.contains { $0.isChannelBinding && $0.rawValue.hasPrefix("SCRAM-") }
        let offered = allOffered.subtracting(excludedMechanisms)
        let offeredList = offered.map(\.rawValue).sorted().joined(separator: ", ")
        let candidates: [SASLMechanismName]
        switch credentials.kind {
        case .external: candidates = [.external]
        case .anonymous: candidates = [.anonymous]
        case .password: candidates = Self.passwordMechanisms
        case .token:
            if let selection = hashedTokenMechanism(
                from: Array(offered), isTLS: isTLS, channelBindings: channelBindings)
            {
                return selection
            }
            var reasons = ["offered: \(offered.isEmpty ? "nothing" : offeredList)"]
            if requiresChannelBinding { reasons.append("channel binding is required") }
            reasons.append("usable with a token: the HT-SHA-256 mechanisms the connection can bind to")
            throw .noAcceptableMechanism(reasons.joined(separator: "; "))
        }
        let bindings = isTLS ? channelBindings : []
        let binding = Self.channelBindingPreference.lazy.compactMap { kind in
            bindings.first { $0.kind == kind && serverChannelBindingTypes?.contains(kind) ?? true }
        }.first
        var refusedPlain = false
        var refusedUnbound = false
        for mechanism in candidates where offered.contains(mechanism) {
            if requiresChannelBinding && !mechanism.isChannelBinding && mechanism != .external {
                refusedUnbound = true
                continue
            }
            if mechanism.isChannelBinding {
                guard let binding else { continue }
                return SASLMechanismSelection(mechanism: mechanism, channelBinding: .bound(binding))
            }
            if mechanism == .plain && !isTLS && !insecureAllowPlainWithoutTLS {
                refusedPlain = true
                continue
            }
            let canBind = !bindings.isEmpty && !serverOffersPlus && mechanism.rawValue.hasPrefix("SCRAM-")
            return SASLMechanismSelection(
                mechanism: mechanism, channelBinding: canBind ? .notOfferedByServer : .notSupported)
        }
        var reasons = ["offered: \(offered.isEmpty ? "nothing" : offeredList)"]
        if refusedPlain { reasons.append("PLAIN is refused without TLS") }
        if refusedUnbound || (requiresChannelBinding && binding == nil) {
            reasons.append("channel binding is required, and no mechanism both ends support binds to this connection")
        }
        if serverOffersPlus && binding == nil {
            reasons.append("-PLUS mechanisms need a channel binding that both ends support")
        }
        let wanted = candidates.map(\.rawValue).joined(separator: ", ")
        reasons.append("usable with these credentials: \(wanted)")
        throw .noAcceptableMechanism(reasons.joined(separator: "; "))
    }
}
