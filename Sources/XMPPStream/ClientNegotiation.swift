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

    private enum State {
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
    private struct SASL2Request {
        var usedToken: Bool
        var bind: Bool
        var resume: Bool
        var tokenMechanism: SASLMechanismName?
        var carbons = false
    }

    /// What a SASL2 `<success/>` settled that takes effect with the `<stream:features/>` after it.
    private struct SASL2Settled {
        var boundJID: JID?
        var streamManagement: StreamManagementOutcome?
        /// A failed inline resumption, reported before what Bind 2 enabled on the new session.
        var failedResumption: StreamManagementOutcome?
    }

    /// See the type's documentation.
    public let settings: Settings
    private var state = State.idle
    private var sasl2Settled: SASL2Settled?
    /// What SASL2 settled, when the stream authenticated with it (read once established).
    public private(set) var sasl2Outcome: SASL2.Outcome?
    private var channelBindings: [SASLChannelBinding] = []
    private var isTLS = false
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

    private static func failedCondition(_ failed: XMLElement) -> String {
        failed.elements.first { $0.name.namespace == StanzaErrors.namespace }?.name.localName ?? "undefined-condition"
    }

    private enum Authenticated { case none, authenticated(SASLMechanismName) }
    private var authenticatedMechanism = Authenticated.none

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

    // MARK: - SASL2, Bind 2 and FAST

    /// Starts SASL2 when the server offers it and the settings allow it; `nil` to authenticate the RFC 6120 way
    /// instead: SASL2 not offered, no mechanism acceptable in it, or RFC 6120 SASL can bind to the channel where
    /// SASL2 cannot (channel binding beats a round trip).
    private mutating func startSASL2(_ features: XMLElement) -> [Action]? {
        guard let sasl2 = settings.sasl2, isTLS,
            let authentication = features.firstChild(named: SASL2.name("authentication"))
        else { return nil }
        let offered = authentication.elements.filter { $0.name == SASL2.name("mechanism") }
            .map { SASLMechanismName(rawValue: Self.trimmed($0.text)) }
        let inline = authentication.firstChild(named: SASL2.name("inline"))
        let bindOffer = inline?.firstChild(named: XMLName(namespace: SASL2.bindNamespace, localName: "bind"))
        let fastOffer = inline?.firstChild(named: XMLName(namespace: SASL2.fastNamespace, localName: "fast"))
        let fastMechanisms = Self.children(of: fastOffer).filter { $0.name.localName == "mechanism" }
            .map { SASLMechanismName(rawValue: Self.trimmed($0.text)) }
        let selector = settings.mechanismSelector
        let username = settings.credentials.username ?? settings.jid.localpart ?? ""

        // A FAST token first, with the mechanism it was issued for, when the server offers it and this connection
        // can run it (its channel binding).
        var selection: SASLMechanismSelection?
        var credentials = settings.credentials
        var agentID = sasl2.userAgent.id
        if let token = sasl2.fastToken, fastMechanisms.contains(token.mechanism), !username.isEmpty,
            let chosen = selector.hashedTokenMechanism(
                from: [token.mechanism], isTLS: true, channelBindings: channelBindings)
        {
            selection = chosen
            credentials = .token(username: username, token: token.secret)
            agentID = token.clientID
        }
        let usedToken = selection != nil
        if selection == nil {
            guard
                let chosen = try? selector.select(
                    from: offered, credentials: settings.credentials, isTLS: true, channelBindings: channelBindings,
                    serverChannelBindingTypes: Self.channelBindingTypes(in: features))
            else { return nil }
            if !chosen.mechanism.isChannelBinding,
                let legacy = features.firstChild(named: SASL.Mechanisms.qualifiedName)
                    .flatMap({ try? SASL.Mechanisms(xml: $0) }),
                let legacyChoice = try? selector.select(
                    from: legacy.mechanisms.map { SASLMechanismName(rawValue: $0) }, credentials: settings.credentials,
                    isTLS: true, channelBindings: channelBindings,
                    serverChannelBindingTypes: Self.channelBindingTypes(in: features)),
                legacyChoice.mechanism.isChannelBinding
            {
                return nil
            }
            selection = chosen
        }
        guard let selection else { return nil }
        var children: [XMLNode] = []
        let mechanism = selection.mechanism
        var client: SASLClient
        do {
            client = try SASLClient(
                selection: selection, credentials: credentials,
                configuration: saslConfiguration(offered: offered.map(\.rawValue), features: features))
            if let initial = try client.initialResponse() {
                children.append(
                    .element(XMLElement(SASL2.name("initial-response"), children: [.text(initial.xmlValue)])))
            }
        } catch {
            return fail(.authenticationFailed, "\(error)")
        }
        var agent: [XMLNode] = []
        if let software = sasl2.userAgent.software {
            agent.append(.element(XMLElement(SASL2.name("software"), children: [.text(software)])))
        }
        if let device = sasl2.userAgent.device {
            agent.append(.element(XMLElement(SASL2.name("device"), children: [.text(device)])))
        }
        children.append(
            .element(XMLElement(SASL2.name("user-agent"), attributes: [XMLAttribute("id", agentID)], children: agent)))

        var request = SASL2Request(usedToken: usedToken, bind: false, resume: false, tokenMechanism: nil)
        // Resume inline when the server offers it (XEP-0198 in SASL2's <inline/>); else bind with Bind 2 (not for a
        // configured resource, which Bind 2 cannot ask for) and enable inline what it offers and we want.
        if let resumption = settings.resumption, inline?.firstChild(named: StreamManagement.name("sm")) != nil {
            children.append(.element(StreamManagement.resumeElement(resumption)))
            request.resume = true
        }
        // A stream to resume that SASL2 cannot resume inline is resumed the XEP-0198 way after <success/>, so
        // Bind 2 must not bind a new session meanwhile.
        if let bindOffer, settings.jid.resourcepart == nil, settings.resumption == nil || request.resume {
            let offeredInline = Set(
                Self.children(
                    of: bindOffer.firstChild(named: XMLName(namespace: SASL2.bindNamespace, localName: "inline"))
                )
                .compactMap { $0["var"] })
            var bind: [XMLNode] = [
                .element(
                    XMLElement(
                        XMLName(namespace: SASL2.bindNamespace, localName: "tag"), children: [.text(sasl2.bindTag)]))
            ]
            if sasl2.enablesCarbons, offeredInline.contains(SASL2.carbonsNamespace) {
                bind.append(.element(XMLElement(XMLName(namespace: SASL2.carbonsNamespace, localName: "enable"))))
                request.carbons = true
            }
            if let sm = settings.streamManagement, offeredInline.contains(StreamManagement.namespace) {
                bind.append(.element(StreamManagement(settings: sm).enableElement))
            }
            children.append(
                .element(XMLElement(XMLName(namespace: SASL2.bindNamespace, localName: "bind"), children: bind)))
            request.bind = true
        }
        if usedToken {
            children.append(.element(XMLElement(XMLName(namespace: SASL2.fastNamespace, localName: "fast"))))
        } else if sasl2.requestsFASTToken,
            let tokenMechanism = selector.hashedTokenMechanism(
                from: fastMechanisms, isTLS: true, channelBindings: channelBindings)?.mechanism
        {
            children.append(
                .element(
                    XMLElement(
                        XMLName(namespace: SASL2.fastNamespace, localName: "request-token"),
                        attributes: [XMLAttribute("mechanism", tokenMechanism.rawValue)])))
            request.tokenMechanism = tokenMechanism
        }
        state = .authenticatingSASL2(client, mechanism, request)
        return [
            .maskWire(true),
            .send(
                XMLElement(
                    SASL2.name("authenticate"), attributes: [XMLAttribute("mechanism", mechanism.rawValue)],
                    children: children)),
        ]
    }

    /// The server's answer during SASL2: a challenge, success (with what was bound and enabled inline, and a FAST
    /// token), or failure (nothing of the request took effect; a rejected token is reported as such).
    private mutating func authenticateSASL2(
        _ element: XMLElement,
        client: inout SASLClient,
        mechanism: SASLMechanismName,
        request: SASL2Request
    ) -> [Action] {
        do {
            switch element.name {
            case SASL2.name("challenge"):
                let response = try client.respond(to: try Self.decodeBase64(Self.trimmed(element.text)))
                state = .authenticatingSASL2(client, mechanism, request)
                return [.send(XMLElement(SASL2.name("response"), children: [.text(response.xmlValue)]))]
            case SASL2.name("success"):
                let data = element.firstChild(named: SASL2.name("additional-data")).map { Self.trimmed($0.text) }
                try client.complete(additionalData: try data.map { try Self.decodeBase64($0) })
                return sasl2Succeeded(element, mechanism: mechanism, request: request)
            case SASL2.name("failure"):
                let condition =
                    element.elements.first { $0.name.namespace == SASL.namespace }?.name.localName ?? "failure"
                let text = element.childText("text", namespace: SASL2.namespace).map { ": \(Self.sanitized($0))" } ?? ""
                let what = request.usedToken ? "the FAST token" : "\(mechanism)"
                return [.maskWire(false)]
                    + fail(
                        request.usedToken ? .fastTokenRejected : .authenticationFailed,
                        "the server refused \(what) (\(condition))\(text)", condition: condition)
            case SASL2.name("continue"):
                // Tasks (a second factor, a password change) are for an interactive application.
                let tasks = Self.children(of: element.firstChild(named: SASL2.name("tasks"))).map {
                    Self.sanitized($0.text)
                }
                return [.maskWire(false)]
                    + fail(
                        .authenticationFailed,
                        "the server asks for further tasks, which this client does not perform: "
                            + tasks.joined(separator: ", "), condition: "continue")
            default:
                return [.maskWire(false)] + fail(.badInput, "unexpected \(element.name) during SASL2")
            }
        } catch let error as XMPPClientError {
            return [.maskWire(false)] + fail(error.code, error.message)
        } catch {
            return [.maskWire(false)] + fail(.saslProtocolError, "\(error)")
        }
    }

    /// SASL2 succeeded (the server proved itself where the mechanism can): read what it bound, resumed, enabled
    /// and issued; the `<stream:features/>` that follow (no restart) complete the stream.
    private mutating func sasl2Succeeded(
        _ success: XMLElement,
        mechanism: SASLMechanismName,
        request: SASL2Request
    ) -> [Action] {
        let identifier = success.childText("authorization-identifier", namespace: SASL2.namespace)
            .flatMap { try? JID(parsing: Self.trimmedEnds($0)) }
        var settled = SASL2Settled()
        var outcome = SASL2.Outcome(
            mechanism: mechanism, authorizationIdentifier: identifier, boundInline: false,
            usedFASTToken: request.usedToken, issuedToken: nil, enabledInline: [])
        do throws(StreamManagement.Failure) {
            if request.resume {
                if let resumed = success.firstChild(named: StreamManagement.name("resumed")) {
                    guard let h = try StreamManagement.count(in: resumed) else {
                        return [.maskWire(false)] + fail(.badInput, "<resumed/> without 'h'")
                    }
                    settled.streamManagement = .resumed(handled: h)
                } else if let failed = success.firstChild(named: StreamManagement.name("failed")) {
                    settled.failedResumption = .resumeFailed(
                        condition: Self.failedCondition(failed), handled: try StreamManagement.count(in: failed))
                }
            }
        } catch {
            return [.maskWire(false)] + fail(.badInput, "\(error)", condition: "undefined-condition")
        }
        if let failed = success.firstChild(named: XMLName(namespace: SASL2.bindNamespace, localName: "failed")) {
            return [.maskWire(false)]
                + fail(.bindFailed, "the server refused to bind a resource: \(Self.errorCondition(failed))")
        }
        if request.bind,
            let bound = success.firstChild(named: XMLName(namespace: SASL2.bindNamespace, localName: "bound"))
        {
            if case .resumed = settled.streamManagement {
                // A resumed stream keeps its resource; a <bound/> beside <resumed/> is ignored.
            } else {
                guard let jid = identifier, jid.resourcepart != nil else {
                    return [.maskWire(false)]
                        + fail(.bindFailed, "Bind 2 bound a resource but the server named no full JID")
                }
                settled.boundJID = jid
                outcome.boundInline = true
                if let enabled = bound.firstChild(named: StreamManagement.name("enabled")) {
                    settled.streamManagement = .enabled(enabled)
                    outcome.enabledInline.insert(StreamManagement.namespace)
                } else if let failed = bound.firstChild(named: StreamManagement.name("failed")) {
                    settled.streamManagement = .enableFailed(condition: Self.failedCondition(failed))
                }
                // Carbons enabled inline need no answer (XEP-0386 §3.2): asked for, they are on.
                if request.carbons { outcome.enabledInline.insert(SASL2.carbonsNamespace) }
            }
        }
        if let token = success.firstChild(named: XMLName(namespace: SASL2.fastNamespace, localName: "token")),
            let secret = token["token"], !secret.isEmpty
        {
            let tokenMechanism =
                request.tokenMechanism ?? (request.usedToken ? settings.sasl2?.fastToken?.mechanism : nil)
            if let tokenMechanism {
                let clientID =
                    request.usedToken
                    ? (settings.sasl2?.fastToken?.clientID ?? "") : (settings.sasl2?.userAgent.id ?? "")
                outcome.issuedToken = FASTToken(
                    mechanism: tokenMechanism, secret: secret, expiry: token["expiry"] ?? "", clientID: clientID)
            }
        }
        authenticatedMechanism = .authenticated(mechanism)
        sasl2Settled = settled
        sasl2Outcome = outcome
        state = .awaitingFeatures(afterTLS: true, afterSASL: true)
        return [.maskWire(false), .authenticated(mechanism)]
    }

    /// The channel-binding types the server lists (XEP-0440); without the list, RFC 5802's default (tls-unique) is
    /// the only one a client may assume. A TLS 1.3 connection has no tls-unique, so -PLUS is then not used (with
    /// the 'n' flag, as the server offers no type the client has).
    private static func channelBindingTypes(in features: XMLElement) -> [SASLChannelBinding.Kind] {
        let advertised = features.firstChild(
            named: XMLName(namespace: "urn:xmpp:sasl-cb:0", localName: "sasl-channel-binding"))
        return advertised.map { list in
            list.elements.compactMap { $0["type"].map { SASLChannelBinding.Kind(rawValue: $0) } }
        } ?? [.tlsUnique]
    }

    /// The SASL settings for one exchange, with what the server advertised for XEP-0474 downgrade protection: the
    /// mechanisms of the profile in use (RFC 6120 or SASL2) and the XEP-0440 channel-binding types.
    private func saslConfiguration(offered: [String], features: XMLElement) -> SASLClient.Configuration {
        var configuration = settings.saslConfiguration
        let listed = features.firstChild(
            named: XMLName(namespace: "urn:xmpp:sasl-cb:0", localName: "sasl-channel-binding"))
        configuration.advertised = SASLClient.Configuration.Advertised(
            mechanisms: offered, channelBindingTypes: listed.map { Self.children(of: $0).compactMap { $0["type"] } })
        return configuration
    }

    private static func children(of element: XMLElement?) -> [XMLElement] {
        element.map { Array($0.elements) } ?? []
    }

    private static func trimmedEnds(_ text: String) -> String {
        let space: (Character) -> Bool = { " \t\r\n".contains($0) }
        return String(text.drop(while: space).reversed().drop(while: space).reversed())
    }

    private static func trimmed(_ text: String) -> String {
        String(text.unicodeScalars.filter { !" \t\r\n".unicodeScalars.contains($0) })
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

    private mutating func fail(_ code: XMPPClientError.Code, _ message: String, condition: String? = nil) -> [Action] {
        state = .failed
        return [.fail(XMPPClientError(code, message, condition: condition))]
    }

    /// The longest server text an error carries; the rest is cut (it is shown in logs and on one line of the tool).
    public static let maximumServerTextLength = 200

    /// What a `<stream:error/>` says, as an ``XMPPClientError`` (`streamError`) whose ``XMPPClientError/condition``
    /// is the stream error's condition and whose message carries the server's text: cut to
    /// ``maximumServerTextLength`` characters, on one line, without control characters.
    public static func streamError(_ element: XMLElement) -> XMPPClientError {
        let condition =
            element.elements.first { $0.name.namespace == StreamErrors.namespace && $0.name.localName != "text" }?
            .name.localName ?? "undefined-condition"
        let text = element.childText("text", namespace: StreamErrors.namespace).map { ": \(sanitized($0))" } ?? ""
        return XMPPClientError(
            .streamError, "the server sent a stream error (\(condition))\(text)", condition: condition)
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

    private static func errorCondition(_ iq: XMLElement) -> String {
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
