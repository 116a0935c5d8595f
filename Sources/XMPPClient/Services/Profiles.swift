public import XMPPBaseExtensions
public import XMPPCore
public import XMPPExtensions

/// How long an entity has been idle or away (XEP-0012 2.0): for an account's bare JID, the time since it was last
/// online and its last status; for a full JID, the time since the user did something; for a server, its uptime.
public struct LastActivityReport: Sendable, Hashable {
    /// The seconds.
    public var seconds: UInt
    /// The status text given on going offline, if any.
    public var status: String?

    /// Creates a value.
    public init(seconds: UInt, status: String? = nil) {
        self.seconds = seconds
        self.status = status
    }
}

extension XMPPEndpoint {
    // MARK: - vCard (XEP-0054)

    /// An entity's vCard (XEP-0054 1.3.0 `vcard-temp`): a contact's (their bare JID), or the account's own when
    /// `nil`.
    ///
    /// - Returns: The vCard; `nil` when the entity has none (an empty answer, or `item-not-found`).
    /// - Throws: ``StanzaError`` for other refusals, or ``XMPPClientError``.
    public func vCard(of jid: JID? = nil) async throws -> VCardTemp.VCard? {
        do {
            let answer = try await request(.get(VCardTemp.VCard(), to: jid?.bare))
            guard let card = try answer.payload(VCardTemp.VCard.self), !card.choices.isEmpty else { return nil }
            return card
        } catch let error as StanzaError where error.condition == .itemNotFound {
            return nil
        }
    }

    /// Replaces the account's vCard (XEP-0054 §3.2): the whole card, not a change to it.
    public func setVCard(_ card: VCardTemp.VCard) async throws {
        _ = try await request(.set(card, to: nil))
    }

    // MARK: - Last activity (XEP-0012)

    /// How long an entity has been idle or offline (XEP-0012 2.0); the server's uptime for its domain.
    ///
    /// - Parameter jid: A contact's bare JID (offline time: the server answers, for a subscribed contact), a full
    ///   JID (idle time: the client answers), or a server.
    /// - Throws: ``StanzaError`` (`forbidden` without a subscription, `service-unavailable`...).
    public func lastActivity(of jid: JID) async throws -> LastActivityReport {
        let answer = try await query(LastActivity.Query(value: ""), to: jid, expecting: LastActivity.Query.self)
        return LastActivityReport(seconds: answer.seconds ?? 0, status: answer.value.isEmpty ? nil : answer.value)
    }
}

extension VCardTemp.VCard {
    /// The formatted name (`FN`).
    public var fullName: String? {
        get { choices.lazy.compactMap { if case .fn(let value) = $0 { value.value } else { nil } }.first }
        set { replace({ if case .fn = $0 { true } else { false } }, with: newValue.map { .fn(XMLValueElement($0)) }) }
    }

    /// The nickname (`NICKNAME`).
    public var nickname: String? {
        get { choices.lazy.compactMap { if case .nickname(let value) = $0 { value.value } else { nil } }.first }
        set {
            replace(
                { if case .nickname = $0 { true } else { false } },
                with: newValue.map { .nickname(XMLValueElement($0)) })
        }
    }

    /// The photo (`PHOTO`): its type and bytes, or an external URL.
    public var photo: VCardTemp.Image? {
        get { choices.lazy.compactMap { if case .photo(let value) = $0 { value } else { nil } }.first }
        set { replace({ if case .photo = $0 { true } else { false } }, with: newValue.map { .photo($0) }) }
    }

    private mutating func replace(_ matches: (Choice) -> Bool, with choice: Choice?) {
        // The first of its kind takes the new value (in its place); any others of that kind go.
        guard let index = choices.firstIndex(where: matches) else {
            if let choice { choices.append(choice) }
            return
        }
        var kept = Array(choices[..<index].filter { !matches($0) })
        if let choice { kept.append(choice) }
        kept += choices[(index + 1)...].filter { !matches($0) }
        choices = kept
    }
}

extension Message {
    /// The action of a `/me` message (XEP-0245 1.0): "/me waves" is "waves", to show as "* juliet waves".
    public var meAction: String? {
        guard let body, body.hasPrefix("/me ") else { return nil }
        return String(body.dropFirst(4))
    }
}

extension XMPPEndpoint {
    /// Publishes private data to the account's PEP service (XEP-0223 1.1.1): persistent and readable by the account
    /// only (`pubsub#access_model` whitelist), the way to keep settings on the server.
    ///
    /// - Parameters:
    ///   - payload: The data.
    ///   - node: The node (by custom, the data's namespace).
    ///   - itemID: The item's id (`current` by custom, for one value per node).
    @discardableResult
    public func publishPrivately(
        _ payload: some XMLElementCodable, to node: String, itemID: String = "current"
    ) async throws -> String? {
        try await publish(
            payload, to: node, itemID: itemID,
            options: ["pubsub#persist_items": ["true"], "pubsub#access_model": ["whitelist"]])
    }
}
