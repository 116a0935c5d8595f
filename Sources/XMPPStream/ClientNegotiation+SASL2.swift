import SASL
import XMPPCore

/// SASL2 (XEP-0388), Bind 2 (XEP-0386) and FAST (XEP-0484): how ``ClientNegotiation`` starts a SASL2 exchange
/// and reads its outcome; the RFC 6120 path is in ClientNegotiation.swift.
extension ClientNegotiation {
    /// Starts SASL2 when the server offers it and the settings allow it; `nil` to authenticate the RFC 6120 way
    /// instead: SASL2 not offered, no mechanism acceptable in it, or RFC 6120 SASL can bind to the channel where
    /// SASL2 cannot (channel binding beats a round trip).
    mutating func startSASL2(_ features: XMLElement) -> [Action]? {
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
    mutating func authenticateSASL2(
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
    static func channelBindingTypes(in features: XMLElement) -> [SASLChannelBinding.Kind] {
        let advertised = features.firstChild(
            named: XMLName(namespace: "urn:xmpp:sasl-cb:0", localName: "sasl-channel-binding"))
        return advertised.map { list in
            list.elements.compactMap { $0["type"].map { SASLChannelBinding.Kind(rawValue: $0) } }
        } ?? [.tlsUnique]
    }

    /// The SASL settings for one exchange, with what the server advertised for XEP-0474 downgrade protection: the
    /// mechanisms of the profile in use (RFC 6120 or SASL2) and the XEP-0440 channel-binding types.
    func saslConfiguration(offered: [String], features: XMLElement) -> SASLClient.Configuration {
        var configuration = settings.saslConfiguration
        let listed = features.firstChild(
            named: XMLName(namespace: "urn:xmpp:sasl-cb:0", localName: "sasl-channel-binding"))
        configuration.advertised = SASLClient.Configuration.Advertised(
            mechanisms: offered, channelBindingTypes: listed.map { Self.children(of: $0).compactMap { $0["type"] } })
        return configuration
    }

    static func children(of element: XMLElement?) -> [XMLElement] {
        element.map { Array($0.elements) } ?? []
    }

    private static func trimmedEnds(_ text: String) -> String {
        let space: (Character) -> Bool = { " \t\r\n".contains($0) }
        return String(text.drop(while: space).reversed().drop(while: space).reversed())
    }

    static func trimmed(_ text: String) -> String {
        String(text.unicodeScalars.filter { !" \t\r\n".unicodeScalars.contains($0) })
    }
}
