/// The client side of one SASL exchange (RFC 4422), as a state machine that turns server challenges into
/// responses.
///
/// It knows nothing of the protocol around it: the caller sends the mechanism name and ``initialResponse()``,
/// passes each challenge to ``respond(to:)`` and sends back the result, and on the server's success passes its
/// additional data, if any, to ``complete(additionalData:)``. A server's failure ends the exchange without a
/// call. Encoding the bytes (base64 in XMPP, with `=` for an empty response) is the caller's job too.
///
/// ```swift
/// var client = try SASLClient(
///     mechanism: .scramSHA256,
///     credentials: .password(username: "user", password: "pencil"))
/// send(auth: client.mechanism, initialResponse: try client.initialResponse())
/// // <challenge/>:  send(response: try client.respond(to: challengeBytes))
/// // <success/>:    try client.complete(additionalData: successBytes)  // verifies the server signature
/// ```
///
/// Mechanisms and what they enforce:
/// - `PLAIN` (RFC 4616) sends `authzid NUL username NUL password` in UTF-8, leaving SASLprep to the server. The
///   strings must not contain NUL.
/// - `SCRAM-SHA-1`, `SCRAM-SHA-256`, `SCRAM-SHA-512` and their `-PLUS` variants (RFC 5802, RFC 7677): see
///   ``Configuration``; the username and password go through ``SASLprep``, the authorization identity is only
///   escaped. The server nonce must extend the client nonce, the salt must be non-empty canonical base64, the
///   iteration count must be within bounds, `m=` (mandatory extensions) is refused, `e=` becomes
///   ``SASLError/Code/serverError``, and success counts only once `v=` has been checked in constant time.
/// - `EXTERNAL` (RFC 4422 Appendix A) sends the authorization identity or nothing.
/// - `ANONYMOUS` (RFC 4505) sends the trace or nothing.
/// - `HT-SHA-256-NONE`, `-UNIQ`, `-EXPR` and `-ENDP` (draft-schmaus-kitten-sasl-ht, the mechanisms of XEP-0484
///   FAST) send `username NUL HMAC-SHA-256(token, "Initiator" || channel-binding data)`, and success counts only
///   once the server's `HMAC-SHA-256(token, "Responder" || channel-binding data)` has been checked in constant
///   time. They take ``SASLCredentials/token(username:token:)`` credentials, and the channel-binding variants the
///   matching ``SASLChannelBindingFlag/bound(_:)`` flag.
///
/// After a thrown error the exchange is over and every further call throws
/// ``SASLError/Code/unexpectedChallenge``; the caller should abort the exchange (in XMPP, send `<abort/>`).
public struct SASLClient: Sendable {
    /// Limits that SCRAM applies to what the server asks for.
    public struct Configuration: Sendable, Hashable {
        /// The smallest iteration count accepted; 4096 by default, the minimum RFC 7677 §4 asks servers to use.
        ///
        /// Lower it only for servers that cannot be fixed: a low count makes a stolen exchange cheap to attack.
        public var minimumIterationCount: Int
        /// The largest iteration count accepted; 10,000,000 by default, about a few seconds of PBKDF2, so that a
        /// hostile server cannot keep the client busy for long.
        public var maximumIterationCount: Int
        /// Whether SASLprep lets through code points unassigned in Unicode 3.2; `true` by default. See
        /// ``SASLprep``.
        public var allowsUnassignedCodePoints: Bool
        /// What the server advertised, for SCRAM downgrade protection (XEP-0474): when set and the server's
        /// server-first message carries its hash (`h=`), the exchange fails with ``SASLError/Code/downgradeDetected``
        /// unless the hash matches. The XMPP negotiation sets it for each exchange.
        public var advertised: Advertised?

        /// The SASL mechanisms a server advertised, and the channel-binding types (XEP-0440) if it listed any, as
        /// XEP-0474 hashes them.
        public struct Advertised: Sendable, Hashable {
            /// The mechanism names, as the server sent them.
            public var mechanisms: [String]
            /// The channel-binding types, or `nil` when the server did not list them.
            public var channelBindingTypes: [String]?

            /// Creates the list.
            public init(mechanisms: [String], channelBindingTypes: [String]?) {
                self.mechanisms = mechanisms
                self.channelBindingTypes = channelBindingTypes
            }

            /// XEP-0474's string: the mechanisms sorted by octet and joined by U+001E, then, when channel-binding
            /// types were listed, U+001F and the types sorted and joined the same way.
            var downgradeProtectionInput: [UInt8] {
                func sortedJoined(_ names: [String]) -> [UInt8] {
                    let sorted = names.map { Array($0.utf8) }.sorted { $0.lexicographicallyPrecedes($1) }
                    return Array(sorted.joined(separator: [0x1E]))
                }
                var bytes = sortedJoined(mechanisms)
                if let channelBindingTypes { bytes += [0x1F] + sortedJoined(channelBindingTypes) }
                return bytes
            }
        }

        /// Creates a configuration.
        ///
        /// - Parameters:
        ///   - minimumIterationCount: The smallest SCRAM iteration count accepted; at least 1.
        ///   - maximumIterationCount: The largest SCRAM iteration count accepted; at least the minimum and at
        ///     most `Int32.max` (libcrypto's limit).
        ///   - allowsUnassignedCodePoints: Whether SASLprep accepts code points unassigned in Unicode 3.2.
        public init(
            minimumIterationCount: Int = 4096,
            maximumIterationCount: Int = 10_000_000,
            allowsUnassignedCodePoints: Bool = true
        ) {
            precondition(minimumIterationCount >= 1, "the minimum iteration count must be positive")
            precondition(
                (minimumIterationCount...Int(Int32.max)).contains(maximumIterationCount),
                "the maximum iteration count must be between the minimum and Int32.max")
            self.minimumIterationCount = minimumIterationCount
            self.maximumIterationCount = maximumIterationCount
            self.allowsUnassignedCodePoints = allowsUnassignedCodePoints
        }
    }

    private enum State: Sendable {
        /// The initial response has not been sent yet.
        case initial(first: [UInt8], next: State.AfterInitial)
        /// SCRAM: waiting for the server-first message.
        case awaitingServerFirst(SCRAMClient)
        /// SCRAM: waiting for the server-final message, which must carry this signature.
        case awaitingServerFinal(SCRAMClient, serverSignature: [UInt8])
        /// Waiting for the outcome; the server has nothing left to prove.
        case awaitingOutcome
        /// Waiting for a hashed-token mechanism's success, which must carry this responder proof.
        case awaitingTokenProof([UInt8])
        case completed
        case failed

        enum AfterInitial: Sendable {
            case scram(SCRAMClient)
            case outcome
            /// A hashed-token mechanism: success must carry this proof that the server knows the token.
            case tokenProof([UInt8])
        }
    }

    /// The mechanism this exchange runs.
    public let mechanism: SASLMechanismName

    private var state: State

    /// Prepares an exchange with the mechanism and channel binding that ``SASLMechanismSelector`` chose.
    ///
    /// - Parameters:
    ///   - selection: The mechanism and the channel-binding flag.
    ///   - credentials: What to authenticate with; the kind must suit the mechanism.
    ///   - configuration: The limits SCRAM applies.
    /// - Throws: See ``init(mechanism:credentials:channelBinding:configuration:)``.
    public init(
        selection: SASLMechanismSelection,
        credentials: SASLCredentials,
        configuration: Configuration = Configuration()
    ) throws(SASLError) {
        try self.init(
            mechanism: selection.mechanism, credentials: credentials, channelBinding: selection.channelBinding,
            configuration: configuration)
    }

    /// Prepares an exchange: checks the credentials, applies SASLprep and, for SCRAM, picks the client nonce.
    ///
    /// - Parameters:
    ///   - mechanism: One of the mechanisms of ``SASLMechanismName`` (PLAIN, SCRAM-*, EXTERNAL, ANONYMOUS, HT-SHA-256-*).
    ///   - credentials: What to authenticate with: passwords for PLAIN and SCRAM, ``SASLCredentials/external(authorizationIdentity:)``
    ///     for EXTERNAL, ``SASLCredentials/anonymous(trace:)`` for ANONYMOUS.
    ///   - channelBinding: The GS2 flag: ``SASLChannelBindingFlag/bound(_:)`` for a `-PLUS` mechanism, and
    ///     ``SASLChannelBindingFlag/notOfferedByServer`` for plain SCRAM when the connection could bind but the
    ///     server offered no `-PLUS` mechanism. Ignored by PLAIN, EXTERNAL and ANONYMOUS.
    ///   - configuration: The limits SCRAM applies.
    /// - Throws: ``SASLError`` with code ``SASLError/Code/mechanismNotSupported`` for another mechanism or
    ///   credentials of the wrong kind, ``SASLError/Code/channelBindingRequired`` for a `-PLUS` mechanism without
    ///   a binding, ``SASLError/Code/channelBindingNotSupported`` for a binding without `-PLUS`, and
    ///   ``SASLError/Code/invalidCredentials`` for strings SASLprep or the mechanism refuses.
    public init(
        mechanism: SASLMechanismName,
        credentials: SASLCredentials,
        channelBinding: SASLChannelBindingFlag = .notSupported,
        configuration: Configuration = Configuration()
    ) throws(SASLError) {
        try self.init(
            mechanism: mechanism, credentials: credentials, channelBinding: channelBinding,
            configuration: configuration, clientNonce: nil)
    }

    /// The designated initializer, with a fixed SCRAM client nonce for tests (`nil` for a random one).
    package init(
        mechanism: SASLMechanismName,
        credentials: SASLCredentials,
        channelBinding: SASLChannelBindingFlag,
        configuration: Configuration = Configuration(),
        clientNonce: String?
    ) throws(SASLError) {
        self.mechanism = mechanism
        let authzid = credentials.authorizationIdentity
        switch (mechanism, credentials.kind) {
        case (.plain, .password(let username, let password)):
            let fields = [authzid ?? "", username, password]
            guard !fields.contains(where: { $0.unicodeScalars.contains("\0") }) else {
                throw .invalidCredentials("a PLAIN field contains NUL, which PLAIN uses as a separator")
            }
            state = .initial(first: Array(fields.joined(separator: "\0").utf8), next: .outcome)
        case (.external, .external):
            state = .initial(first: Array((authzid ?? "").utf8), next: .outcome)
        case (.anonymous, .anonymous(let trace)):
            state = .initial(first: Array((trace ?? "").utf8), next: .outcome)
        case (_, .password(let username, let password)):
            guard let hash = Self.scramHash(mechanism) else {
                throw .mechanismNotSupported("\(mechanism) with a username and password")
            }
            switch channelBinding {
            case .bound where !mechanism.isChannelBinding:
                throw SASLError(.channelBindingNotSupported, "\(mechanism) cannot carry channel-binding data")
            case .notSupported where mechanism.isChannelBinding, .notOfferedByServer where mechanism.isChannelBinding:
                throw SASLError(.channelBindingRequired, "\(mechanism) was chosen without channel-binding data")
            default:
                break
            }
            let scram = try SCRAMClient(
                hash: hash, username: username, password: password, authorizationIdentity: authzid,
                channelBinding: channelBinding, configuration: configuration, clientNonce: clientNonce)
            state = .initial(first: Array(scram.clientFirst.utf8), next: .scram(scram))
        case (_, .token(let username, let token)):
            guard mechanism.isHashedToken, mechanism.rawValue.hasPrefix("HT-SHA-256-") else {
                throw .mechanismNotSupported("\(mechanism) with a token")
            }
            let bindingData: [UInt8]
            switch (mechanism.hashedTokenChannelBinding, channelBinding) {
            case (nil, .bound):
                throw SASLError(.channelBindingNotSupported, "\(mechanism) cannot carry channel-binding data")
            case (nil, _):
                bindingData = []
            case (let kind?, .bound(let binding)) where binding.kind == kind:
                bindingData = binding.data
            case (let kind?, _):
                throw SASLError(.channelBindingRequired, "\(mechanism) needs \(kind) channel-binding data")
            }
            guard !username.isEmpty, !username.unicodeScalars.contains("\0") else {
                throw .invalidCredentials("the username of a hashed-token mechanism must be non-empty and without NUL")
            }
            // draft-schmaus-kitten-sasl-ht: authcid NUL HMAC(token, "Initiator" || cb-data); the server answers
            // with HMAC(token, "Responder" || cb-data).
            let key = Array(token.utf8)
            let initiator = try SCRAMHash.sha256.hmac(key: key, Array("Initiator".utf8) + bindingData)
            let responder = try SCRAMHash.sha256.hmac(key: key, Array("Responder".utf8) + bindingData)
            state = .initial(first: Array(username.utf8) + [0] + initiator, next: .tokenProof(responder))
        case (_, .external), (_, .anonymous):
            throw .mechanismNotSupported(
                "\(mechanism) with \(credentials.hasPassword ? "a password" : "these credentials")")
        }
    }

    private static func scramHash(_ mechanism: SASLMechanismName) -> SCRAMHash? {
        switch mechanism {
        case .scramSHA1, .scramSHA1Plus: .sha1
        case .scramSHA256, .scramSHA256Plus: .sha256
        case .scramSHA512, .scramSHA512Plus: .sha512
        default: nil
        }
    }

    /// Whether the exchange finished successfully through ``complete(additionalData:)``.
    public var isComplete: Bool {
        if case .completed = state { return true }
        return false
    }

    /// The client's first message, to send along with the mechanism name.
    ///
    /// Every mechanism here is client-first, so this returns bytes, possibly none: EXTERNAL without an
    /// authorization identity sends an empty response (in XMPP, `=`). `nil` is reserved for server-first
    /// mechanisms. If the protocol cannot carry an initial response, don't call this: the server then sends an
    /// empty challenge, and ``respond(to:)`` answers it with the same bytes (RFC 4422 §5).
    ///
    /// - Returns: The initial response.
    /// - Throws: ``SASLError/Code/unexpectedChallenge`` if the initial response was already produced.
    public mutating func initialResponse() throws(SASLError) -> [UInt8]? {
        guard case .initial(let first, let next) = state else {
            state = .failed
            throw .unexpectedChallenge("the initial response was already sent")
        }
        advance(after: next)
        return first
    }

    private mutating func advance(after next: State.AfterInitial) {
        switch next {
        case .scram(let scram): state = .awaitingServerFirst(scram)
        case .outcome: state = .awaitingOutcome
        case .tokenProof(let proof): state = .awaitingTokenProof(proof)
        }
    }

    /// Answers a challenge from the server.
    ///
    /// - Parameter challenge: The challenge bytes, already decoded from the protocol's encoding.
    /// - Returns: The response to send, possibly empty (SCRAM answers the server-final message, when the server
    ///   sends it as a challenge rather than with success, with an empty response).
    /// - Throws: ``SASLError`` with code ``SASLError/Code/invalidChallenge``, ``SASLError/Code/serverError``,
    ///   ``SASLError/Code/iterationCountOutOfBounds``, ``SASLError/Code/serverSignatureMismatch`` or
    ///   ``SASLError/Code/unexpectedChallenge``; the exchange is then over.
    public mutating func respond(to challenge: [UInt8]) throws(SASLError) -> [UInt8] {
        let current = state
        state = .failed
        switch current {
        case .initial(let first, let next) where challenge.isEmpty:
            advance(after: next)
            return first
        case .initial:
            throw .invalidChallenge("the first challenge of a client-first mechanism must be empty")
        case .awaitingServerFirst(let scram):
            let (message, signature) = try scram.clientFinal(serverFirst: challenge)
            state = .awaitingServerFinal(scram, serverSignature: signature)
            return Array(message.utf8)
        case .awaitingServerFinal(let scram, let signature):
            try scram.verify(serverFinal: challenge, expectedSignature: signature)
            state = .awaitingOutcome
            return []
        case .awaitingOutcome, .awaitingTokenProof:
            throw .unexpectedChallenge("\(mechanism) expects no further challenge")
        case .completed, .failed:
            throw .unexpectedChallenge("the exchange is already over")
        }
    }

    /// Accepts the server's success, checking what comes with it.
    ///
    /// For SCRAM, success counts only if the server proved that it knows the password: `additionalData` must be
    /// the server-final message with the right `v=`, unless an earlier challenge already carried it. For the other
    /// mechanisms there must be no additional data.
    ///
    /// - Parameter additionalData: The additional data sent with success, or `nil` (or empty) if there was none.
    /// - Throws: ``SASLError`` with code ``SASLError/Code/serverSignatureMissing``,
    ///   ``SASLError/Code/serverSignatureMismatch``, ``SASLError/Code/serverError``,
    ///   ``SASLError/Code/invalidChallenge`` or ``SASLError/Code/unexpectedChallenge``.
    public mutating func complete(additionalData: [UInt8]?) throws(SASLError) {
        let current = state
        state = .failed
        let data = additionalData ?? []
        switch current {
        case .awaitingServerFinal(let scram, let signature):
            guard !data.isEmpty else { throw .serverSignatureMissing }
            try scram.verify(serverFinal: data, expectedSignature: signature)
        case .awaitingTokenProof(let proof):
            guard !data.isEmpty else { throw .serverSignatureMissing }
            guard constantTimeEqual(data, proof) else { throw .serverSignatureMismatch }
        case .awaitingOutcome where data.isEmpty:
            break
        case .awaitingOutcome:
            throw .unexpectedChallenge("\(mechanism) expects no additional data with success")
        case .initial(_, .scram), .initial(_, .tokenProof), .awaitingServerFirst:
            throw .serverSignatureMissing
        case .initial:
            throw .unexpectedChallenge("the server reported success before the initial response")
        case .completed, .failed:
            throw .unexpectedChallenge("the exchange is already over")
        }
        state = .completed
    }
}
