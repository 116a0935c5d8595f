public import SASL
public import XMPPCore

/// The client side of stream negotiation (RFC 6120 §4–§7) as a state machine: STARTTLS → SASL → restart →
/// resource binding → legacy session where the server still requires it.
///
/// It performs no I/O. Each input returns the actions the connection must take, in order; the connection
/// handler only switches on them. Decisions follow the secure defaults: TLS is required unless the settings
/// say otherwise, PLAIN is never chosen without TLS, -PLUS is chosen whenever the server offers it and the
/// connection has a channel binding, and the server's SCRAM signature must verify.
public struct ClientNegotiation: StreamNegotiating {
    /// How the connection is protected.
    public enum TransportSecurity: Sendable, Hashable {
        /// Upgrade with STARTTLS; refuse a server that does not offer it. The default.
        case startTLS
        /// TLS from the first byte (XEP-0368); no STARTTLS.
        case directTLS
        /// No TLS at all. For loopback tests against a server configured for it; never for real accounts.
        case insecurePlaintext
    }

    /// What negotiation needs to know.
    public struct Settings: Sendable {
        /// The account.
        public var jid: JID
        /// The credentials for SASL.
        public var credentials: SASLCredentials
        /// How the connection is protected.
        public var security: TransportSecurity
        /// Which mechanisms may be chosen.
        public var mechanismSelector: SASLMechanismSelector
        /// Settings for SCRAM (iteration bounds).
        public var saslConfiguration: SASLClient.Configuration
        /// Stream management (XEP-0198) to enable after binding, when the server offers it; `nil` for none.
        public var streamManagement: StreamManagement.Settings?
        /// A stream to resume instead of binding anew (XEP-0198 §5), when the server offers stream management.
        public var resumption: StreamManagement.Resumption?
        /// SASL2 (XEP-0388) with Bind 2 and FAST, preferred when the server offers it after TLS; `nil` for RFC 6120
        /// authentication only.
        public var sasl2: SASL2.Settings?

        /// Creates settings with secure defaults.
        public init(
            jid: JID,
            credentials: SASLCredentials,
            security: TransportSecurity = .startTLS,
            mechanismSelector: SASLMechanismSelector = SASLMechanismSelector(),
            saslConfiguration: SASLClient.Configuration = SASLClient.Configuration(),
            streamManagement: StreamManagement.Settings? = nil,
            resumption: StreamManagement.Resumption? = nil,
            sasl2: SASL2.Settings? = SASL2.Settings()
        ) {
            self.jid = jid
            self.credentials = credentials
            self.security = security
            self.mechanismSelector = mechanismSelector
            self.saslConfiguration = saslConfiguration
            self.streamManagement = streamManagement
            self.resumption = resumption
            self.sasl2 = sasl2
        }
    }

    /// What the connection must do.
    public enum Action: Sendable, Equatable {
        /// Open the stream (again): reset the parser and send this stream header.
        case openStream(XMLStreamHeader)
        /// Send an element.
        case send(XMLElement)
        /// Start TLS on the connection now, then call ``tlsEstablished(channelBindings:)``.
        case startTLS
        /// Stop showing the wire (SASL exchanges) or show it again.
        case maskWire(Bool)
        /// SASL succeeded with this mechanism (the server's signature verified, for SCRAM); the stream restarts and
        /// binding follows.
        case authenticated(SASLMechanismName)
        /// What became of stream management: enabled (with the server's `<enabled/>`), refused, resumed, not resumed,
        /// or not offered. Comes before ``established(boundJID:mechanism:)``.
        case streamManagement(StreamManagementOutcome)
        /// A stanza the server routed to us after binding and before it answered our `<enable/>` (or the session
        /// request): kept, and passed on once the stream is established, before what follows it. Not counted for
        /// stream management (the server counts from its `<enabled/>`).
        case stanzaBeforeEstablished(XMLElement)
        /// Negotiation succeeded: the stream is ready for stanzas.
        case established(boundJID: JID, mechanism: SASLMechanismName)
        /// Negotiation failed: close the stream and the connection.
        case fail(XMPPClientError)

        /// See the type's documentation.
        public static func == (lhs: Action, rhs: Action) -> Bool {
            switch (lhs, rhs) {
            case (.openStream(let a), .openStream(let b)): a.attributes == b.attributes && a.name == b.name
            case (.send(let a), .send(let b)): a == b
            case (.startTLS, .startTLS): true
            case (.maskWire(let a), .maskWire(let b)): a == b
            case (.authenticated(let a), .authenticated(let b)): a == b
            case (.streamManagement(let a), .streamManagement(let b)): a == b
            case (.established(let a, let x), .established(let b, let y)): a == b && x == y
            case (.fail(let a), .fail(let b)): a.code == b.code
            default: false
            }
        }
    }

    enum State {
        case idle
        case awaitingHeader(afterTLS: Bool, afterSASL: Bool)
        case awaitingFeatures(afterTLS: Bool, afterSASL: Bool)
        case awaitingProceed
        case awaitingTLS
        case authenticating(SASLClient, SASLMechanismName)
        case authenticatingSASL2(SASLClient, SASLMechanismName, SASL2Request)
        case awaitingBind(id: String, mechanism: SASLMechanismName, sessionRequired: Bool)
        case awaitingSession(id: String, jid: JID, mechanism: SASLMechanismName)
        case awaitingResumed(mechanism: SASLMechanismName, features: XMLElement)
        case awaitingEnabled(jid: JID, mechanism: SASLMechanismName)
        case established
        case failed
    }

    /// What a SASL2 `<authenticate/>` asked for, to read its `<success/>`.
    struct SASL2Request {
        var usedToken: Bool
        var bind: Bool
        var resume: Bool
        var tokenMechanism: SASLMechanismName?
        var carbons = false
    }

    /// What a SASL2 `<success/>` settled that takes effect with the `<stream:features/>` after it.
    struct SASL2Settled {
        var boundJID: JID?
        var streamManagement: StreamManagementOutcome?
        /// A failed inline resumption, reported before what Bind 2 enabled on the new session.
        var failedResumption: StreamManagementOutcome?
    }

    /// See the type's documentation.
    public let settings: Settings
    var state = State.idle
    var sasl2Settled: SASL2Settled?
    /// What SASL2 settled, when the stream authenticated with it (read once established).
    public internal(set) var sasl2Outcome: SASL2.Outcome?
    var channelBindings: [SASLChannelBinding] = []
    var isTLS = false
    private var nextID = 0
    /// The header the server sent last.
    public private(set) var serverHeader: XMLStreamHeader?
    /// The `<stream:features/>` the server sent last: once established, those of the authenticated stream (roster
    /// versioning, subscription pre-approval, stream management...).
    public private(set) var streamFeatures: XMLElement?

    /// Creates a negotiation.
    ///
    /// - Parameter settings: The account and policy.
    public init(settings: Settings) {
        self.settings = settings
        self.isTLS = settings.security == .directTLS
    }

    /// How the connection is protected.
    public var security: TransportSecurity { settings.security }

    /// The connection is open (and, for direct TLS, secured with these channel bindings): open the stream.
    public mutating func start(channelBindings: [SASLChannelBinding] = []) -> [Action] {
        self.channelBindings = channelBindings
        state = .awaitingHeader(afterTLS: isTLS, afterSASL: false)
        return [.openStream(header)]
    }

    /// TLS was established after `<proceed/>`: restart the stream over it.
    public mutating func tlsEstablished(channelBindings: [SASLChannelBinding]) -> [Action] {
        guard case .awaitingTLS = state else { return fail(.tlsFailed, "TLS established at an unexpected time") }
        self.channelBindings = channelBindings
        isTLS = true
        state = .awaitingHeader(afterTLS: true, afterSASL: false)
        return [.openStream(header)]
    }

    /// Handles what the server sent.
    public mutating func received(_ event: XMLStreamEvent) -> [Action] {
        switch event {
        case .streamOpened(let header):
            guard case .awaitingHeader(let afterTLS, let afterSASL) = state else {
                return fail(.badInput, "unexpected stream header")
            }
            serverHeader = header
            guard header.version.map({ $0.hasPrefix("1.") }) ?? false else {
                return fail(.badInput, "the server does not speak XMPP 1.0 (version '\(header.version ?? "")')")
            }
            state = .awaitingFeatures(afterTLS: afterTLS, afterSASL: afterSASL)
            return []
        case .streamClosed:
            return fail(.connectionClosed, "the server closed the stream during negotiation")
        case .element(let element):
            if element.name == Streams.Error.qualifiedName {
                state = .failed
                return [.fail(Self.streamError(element))]
            }
            return receivedElement(element)
        }
    }

    private mutating func receivedElement(_ element: XMLElement) -> [Action] {
        switch state {
        case .awaitingFeatures(let afterTLS, let afterSASL):
            guard element.name == Streams.Features.qualifiedName else {
                return fail(.badInput, "expected <stream:features/>, got \(element.name)")
            }
            return features(element, afterTLS: afterTLS, afterSASL: afterSASL)
        case .awaitingProceed:
            if element.name == StartTLS.Proceed.qualifiedName {
                state = .awaitingTLS
                return [.startTLS]
            }
            return fail(.tlsFailed, "the server refused STARTTLS")
        case .authenticating(var client, let mechanism):
            return authenticate(element, client: &client, mechanism: mechanism)
        case .authenticatingSASL2(var client, let mechanism, let request):
            return authenticateSASL2(element, client: &client, mechanism: mechanism, request: request)
        case .awaitingBind(let id, let mechanism, let sessionRequired):
            guard element.name == IQ.qualifiedName, element["id"] == id else {
                return fail(.badInput, "expected the bind result, got \(element.name)")
            }
            guard element["type"] == "result" else {
                return fail(.bindFailed, "the server refused to bind a resource: \(Self.errorCondition(element))")
            }
            guard let bind = element.firstChild(named: Bind.Bind.qualifiedName),
                case .jid(let text)? = try? Bind.Bind(xml: bind).choice,
                let jid = try? JID(parsing: text.value)
            else { return fail(.bindFailed, "the bind result carries no valid JID") }
            if sessionRequired {
                let id = makeID()
                state = .awaitingSession(id: id, jid: jid, mechanism: mechanism)
                return [.send(IQ(id: id, type: .set, payloads: [Session.Session().xmlElement()]).xmlElement())]
            }
            return bound(jid, mechanism: mechanism)
        case .awaitingSession(let id, let jid, let mechanism):
            if Self.isStanza(element), element["id"] != id { return [.stanzaBeforeEstablished(element)] }
            guard element.name == IQ.qualifiedName, element["id"] == id else {
                return fail(.badInput, "expected the session result, got \(element.name)")
            }
            guard element["type"] == "result" else {
                return fail(.bindFailed, "the server refused the session: \(Self.errorCondition(element))")
            }
            return bound(jid, mechanism: mechanism)
        case .awaitingResumed(let mechanism, let features):
            return resumeAnswered(element, mechanism: mechanism, features: features)
        case .awaitingEnabled(let jid, let mechanism):
            switch element.name {
            case StreamManagement.name("enabled"):
                state = .established
                return [.streamManagement(.enabled(element)), .established(boundJID: jid, mechanism: mechanism)]
            case StreamManagement.name("failed"):
                state = .established
                return [
                    .streamManagement(.enableFailed(condition: Self.failedCondition(element))),
                    .established(boundJID: jid, mechanism: mechanism),
                ]
            default:
                // Bound, the resource is reachable: a server may route a stanza to it before it reads <enable/>.
                if Self.isStanza(element) { return [.stanzaBeforeEstablished(element)] }
                return fail(.badInput, "expected <enabled/> or <failed/>, got \(element.name)")
            }
        case .idle, .awaitingHeader, .awaitingTLS, .established, .failed:
            return fail(.badInput, "unexpected \(element.name) during negotiation")
        }
    }

    private mutating func features(_ element: XMLElement, afterTLS: Bool, afterSASL: Bool) -> [Action] {
        streamFeatures = element
        let starttls = element.firstChild(named: StartTLS.Starttls.qualifiedName)
        if !isTLS {
            switch settings.security {
            case .startTLS:
                guard starttls != nil else {
                    return fail(.tlsNotOffered, "the server does not offer STARTTLS, and TLS is required")
                }
                state = .awaitingProceed
                return [.send(StartTLS.Starttls().xmlElement())]
            case .directTLS:
                return fail(.tlsFailed, "direct TLS was requested but the connection is not secured")
            case .insecurePlaintext:
                break
            }
        }
        if !afterSASL {
            if let actions = startSASL2(element) { return actions }
            guard let mechanismsElement = element.firstChild(named: SASL.Mechanisms.qualifiedName),
                let offered = try? SASL.Mechanisms(xml: mechanismsElement)
            else { return fail(.authenticationFailed, "the server offers no SASL mechanisms") }
            let serverTypes = Self.channelBindingTypes(in: element)
            do {
                let selection = try settings.mechanismSelector.select(
                    from: offered.mechanisms.map { SASLMechanismName(rawValue: $0) },
                    credentials: settings.credentials, isTLS: isTLS, channelBindings: channelBindings,
                    serverChannelBindingTypes: serverTypes)
                var client = try SASLClient(
                    selection: selection, credentials: settings.credentials,
                    configuration: saslConfiguration(offered: offered.mechanisms, features: element))
                let initial = try client.initialResponse()
                state = .authenticating(client, selection.mechanism)
                let auth = SASL.Auth(
                    mechanism: selection.mechanism.rawValue, value: initial.map(\.xmlValue) ?? "=")
                return [.maskWire(true), .send(auth.xmlElement())]
            } catch {
                return fail(.authenticationFailed, "\(error)")
            }
        }
        guard case .authenticated(let mechanism) = authenticatedMechanism else {
            return fail(.bindFailed, "binding before authentication")
        }
        if let settled = sasl2Settled {
            // The features that follow a SASL2 <success/> (no restart): what it settled takes effect now.
            sasl2Settled = nil
            let failedResumption = settled.failedResumption.map { [Action.streamManagement($0)] } ?? []
            switch (settled.streamManagement ?? settled.failedResumption, settled.boundJID, settings.resumption) {
            case (let outcome?, _, let resumption?) where outcome.isResumed:
                state = .established
                return [.streamManagement(outcome), .established(boundJID: resumption.boundJID, mechanism: mechanism)]
            case (let outcome?, let jid?, _) where outcome.isEnabledOrRefused:
                // Enabled (or refused) inline by Bind 2: no second <enable/>.
                state = .established
                return failedResumption + [
                    .streamManagement(outcome), .established(boundJID: jid, mechanism: mechanism),
                ]
            case (let outcome?, let jid?, _):
                return [.streamManagement(outcome)] + bound(jid, mechanism: mechanism)
            case (nil, let jid?, _):
                return bound(jid, mechanism: mechanism)
            case (let outcome?, nil, _):
                // Resumption failed inline and nothing was bound: bind the RFC 6120 way.
                return [.streamManagement(outcome)] + bind(element, mechanism: mechanism)
            case (nil, nil, _):
                break  // RFC 6120 binding (or XEP-0198 resumption) follows
            }
        }
        if let resumption = settings.resumption {
            guard element.firstChild(named: StreamManagement.name("sm")) != nil else {
                return [.streamManagement(.resumeFailed(condition: "not-offered", handled: nil))]
                    + bind(element, mechanism: mechanism)
            }
            state = .awaitingResumed(mechanism: mechanism, features: element)
            return [.send(StreamManagement.resumeElement(resumption))]
        }
        return bind(element, mechanism: mechanism)
    }

    /// Binds a resource on the authenticated stream whose features these are.
    private mutating func bind(_ element: XMLElement, mechanism: SASLMechanismName) -> [Action] {
        guard element.firstChild(named: Bind.Bind.qualifiedName) != nil else {
            return fail(.bindFailed, "the server does not offer resource binding")
        }
        let sessionRequired =
            element.firstChild(named: Session.Session.qualifiedName).map {
                (try? Session.Session(xml: $0))?.optional == false
            }
            ?? false
        let id = makeID()
        state = .awaitingBind(id: id, mechanism: mechanism, sessionRequired: sessionRequired)
        var bind = Bind.Bind()
        if let resource = settings.jid.resourcepart {
            bind.choice = .resource(XMLValueElement(resource))
        }
        return [.send(IQ(id: id, type: .set, payloads: [bind.xmlElement()]).xmlElement())]
    }

    /// Bound (and the legacy session done): stream management is enabled if asked for and offered.
    private mutating func bound(_ jid: JID, mechanism: SASLMechanismName) -> [Action] {
        if let sm = settings.streamManagement {
            if streamFeatures?.firstChild(named: StreamManagement.name("sm")) != nil {
                state = .awaitingEnabled(jid: jid, mechanism: mechanism)
                return [.send(StreamManagement(settings: sm).enableElement)]
            }
            state = .established
            return [.streamManagement(.notOffered), .established(boundJID: jid, mechanism: mechanism)]
        }
        state = .established
        return [.established(boundJID: jid, mechanism: mechanism)]
    }

    /// The server's answer to `<resume/>`: resumed, or failed (then bind anew and enable again).
    private mutating func resumeAnswered(
        _ element: XMLElement,
        mechanism: SASLMechanismName,
        features: XMLElement
    ) -> [Action] {
        guard let resumption = settings.resumption else { return fail(.badInput, "no resumption was asked for") }
        let handled: UInt32?
        do {
            handled = try StreamManagement.count(in: element)
        } catch {
            return fail(.badInput, "\(error)", condition: "undefined-condition")
        }
        switch element.name {
        case StreamManagement.name("resumed"):
            guard let handled else { return fail(.badInput, "<resumed/> without 'h'") }
            state = .established
            return [
                .streamManagement(.resumed(handled: handled)),
                .established(boundJID: resumption.boundJID, mechanism: mechanism),
            ]
        case StreamManagement.name("failed"):
            return [.streamManagement(.resumeFailed(condition: Self.failedCondition(element), handled: handled))]
                + bind(features, mechanism: mechanism)
        default:
            return fail(.badInput, "expected <resumed/> or <failed/>, got \(element.name)")
        }
    }

    static func failedCondition(_ failed: XMLElement) -> String {
        failed.elements.first { $0.name.namespace == StanzaErrors.namespace }?.name.localName ?? "undefined-condition"
    }

    enum Authenticated { case none, authenticated(SASLMechanismName) }
    var authenticatedMechanism = Authenticated.none

    private mutating func authenticate(
        _ element: XMLElement,
        client: inout SASLClient,
        mechanism: SASLMechanismName
    ) -> [Action] {
        do {
            switch element.name {
            case SASL.Challenge.qualifiedName:
                let challenge = try Self.decodeBase64(element.text)
                let response = try client.respond(to: challenge)
                state = .authenticating(client, mechanism)
                return [.send(SASL.Response(value: response.isEmpty ? "" : response.xmlValue).xmlElement())]
            case SASL.Success.qualifiedName:
                let text = element.text
                try client.complete(additionalData: text.isEmpty || text == "=" ? nil : try Self.decodeBase64(text))
                authenticatedMechanism = .authenticated(mechanism)
                state = .awaitingHeader(afterTLS: isTLS, afterSASL: true)
                return [.maskWire(false), .authenticated(mechanism), .openStream(header)]
            case SASL.Failure.qualifiedName:
                let condition = element.elements.first(where: { _ in true })?.name.localName ?? "failure"
                let text = element.childText("text", namespace: SASL.namespace).map { ": \(Self.sanitized($0))" } ?? ""
                return [.maskWire(false)]
                    + fail(
                        .authenticationFailed, "the server refused \(mechanism) (\(condition))\(text)",
                        condition: condition)
            default:
                return [.maskWire(false)] + fail(.badInput, "unexpected \(element.name) during SASL")
            }
        } catch let error as SASLError {
            return [.maskWire(false)] + fail(.saslProtocolError, "\(error)")
        } catch {
            return [.maskWire(false)] + fail(.saslProtocolError, "\(error)")
        }
    }

    // MARK: - Helpers

    /// The client's stream header: to the account's domain, from the bare JID once TLS protects it.
    private var header: XMLStreamHeader {
        var attributes = [XMLAttribute("to", settings.jid.domainpart), XMLAttribute("version", "1.0")]
        if isTLS { attributes.insert(XMLAttribute("from", settings.jid.bare.description), at: 0) }
        attributes.append(XMLAttribute(.xmlLang, "en"))
        return XMLStreamHeader(
            name: XMLName(namespace: "http://etherx.jabber.org/streams", localName: "stream"), prefix: "stream",
            attributes: attributes,
            namespaces: [
                XMLNamespaceDeclaration(prefix: nil, namespace: JabberClient.namespace),
                XMLNamespaceDeclaration(prefix: "stream", namespace: "http://etherx.jabber.org/streams"),
            ])
    }

    private mutating func makeID() -> String {
        nextID += 1
        return "negotiation-\(nextID)"
    }

    mutating func fail(_ code: XMPPClientError.Code, _ message: String, condition: String? = nil) -> [Action] {
        state = .failed
        return [.fail(XMPPClientError(code, message, condition: condition))]
    }

    /// The longest server text an error carries; the rest is cut (it is shown in logs and on one line of the tool).
    public static let maximumServerTextLength = 200

    /// What a `<stream:error/>` says, as an ``XMPPClientError`` (`streamError`) whose ``XMPPClientError/condition``
    /// is the stream error's condition and whose message carries the server's text: cut to
    /// ``maximumServerTextLength`` characters, on one line, without control characters.
    public static func streamError(_ element: XMLElement) -> XMPPClientError {
        let conditionElement = element.elements.first {
            $0.name.namespace == StreamErrors.namespace && $0.name.localName != "text"
        }
        let condition = conditionElement?.name.localName ?? "undefined-condition"
        // RFC 6120 §4.9.3.19 (and RFC 7395 §3.6.1's see-other-uri): where the server sends us instead.
        let target =
            conditionElement.flatMap { condition == "see-other-host" && !$0.text.isEmpty ? $0.text : nil }
            .map { " to \(sanitized($0))" } ?? ""
        let text = element.childText("text", namespace: StreamErrors.namespace).map { ": \(sanitized($0))" } ?? ""
        return XMPPClientError(
            .streamError, "the server sent a stream error (\(condition))\(target)\(text)", condition: condition)
    }

    /// A server's text made safe to print: control characters become spaces, and it is cut to `limit` characters
    /// (``maximumServerTextLength`` by default), with an ellipsis.
    public static func sanitized(_ text: String, limit: Int = maximumServerTextLength) -> String {
        var result = ""
        var count = 0
        for scalar in text.unicodeScalars {
            if count == limit {
                result += "…"
                break
            }
            let isControl =
                scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
                || scalar.properties.generalCategory == .lineSeparator
                || scalar.properties.generalCategory == .paragraphSeparator
                || scalar.properties.generalCategory == .format
            result.unicodeScalars.append(isControl ? " " : scalar)
            count += 1
        }
        return result
    }

    /// Whether an element is a message, presence or IQ of the client namespace.
    private static func isStanza(_ element: XMLElement) -> Bool {
        element.name == Message.qualifiedName || element.name == Presence.qualifiedName
            || element.name == IQ.qualifiedName
    }

    static func errorCondition(_ iq: XMLElement) -> String {
        iq.firstChild("error")?.elements.first(where: { $0.name.namespace == StanzaErrors.namespace })?.name.localName
            ?? "no condition"
    }

    static func decodeBase64(_ text: String) throws -> [UInt8] {
        if text.isEmpty || text == "=" { return [] }
        do {
            return try [UInt8](xmlValue: text)
        } catch {
            throw XMPPClientError(.saslProtocolError, "the server sent invalid base64 in SASL")
        }
    }
}
