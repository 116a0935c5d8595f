extension JabberClient.IQ {
    /// A `get` request carrying one payload.
    ///
    /// - Parameters:
    ///   - payload: The query.
    ///   - to: The entity asked; `nil` asks the account's server.
    ///   - id: The id; the client assigns one when empty.
    public static func get(_ payload: some XMLElementCodable, to: JID? = nil, id: String = "") -> IQ {
        IQ(to: to, id: id, type: .get, payloads: [payload.xmlElement()])
    }

    /// A `set` request carrying one payload.
    ///
    /// - Parameters:
    ///   - payload: The payload.
    ///   - to: The entity asked; `nil` asks the account's server.
    ///   - id: The id; the client assigns one when empty.
    public static func set(_ payload: some XMLElementCodable, to: JID? = nil, id: String = "") -> IQ {
        IQ(to: to, id: id, type: .set, payloads: [payload.xmlElement()])
    }

    /// The `result` that answers this request: same id, addressed back to the requester.
    ///
    /// - Parameter payload: The answer's payload, or `nil` for an empty result.
    public func result(_ payload: (any XMLElementCodable)? = nil) -> IQ {
        IQ(from: to, to: from, id: id, type: .result, payloads: payload.map { [$0.xmlElement()] } ?? [])
    }

    /// The `error` that answers this request.
    ///
    /// - Parameter error: The stanza error.
    public func error(_ error: StanzaError) -> IQ {
        IQ(from: to, to: from, id: id, type: .error, error: error.element)
    }
}

extension JabberClient.Message {
    /// A chat message with a body.
    ///
    /// - Parameters:
    ///   - to: The recipient.
    ///   - body: The text.
    ///   - type: The message type; `chat` by default.
    public static func chat(to: JID, body: String, type: JabberClient.MessageType = .chat) -> Message {
        Message(to: to, type: type, bodies: [JabberClient.Body(value: body)])
    }

    /// The first body without a language or in the stanza's language, if any.
    public var body: String? {
        (bodies.first { $0.lang == nil || $0.lang == lang } ?? bodies.first)?.value
    }

    /// A reply: addressed back to the sender, same type and thread.
    ///
    /// - Parameter body: The reply's text.
    public func reply(body: String) -> Message {
        Message(from: to, to: from, type: type, bodies: [JabberClient.Body(value: body)], thread: thread)
    }
}

extension XMLElement {
    /// An error reply to this stanza (RFC 6120 §8.3): the same kind and id, addressed back to the sender, with
    /// type `error` and the error child. The original payload is not echoed.
    ///
    /// - Parameter error: The stanza error.
    public func errorReply(_ error: StanzaError) -> XMLElement {
        XMLElement(name, attributes: replyAttributes(type: "error"), children: [.element(error.element.xmlElement())])
    }

    /// The `result` that answers this IQ request: the same id, addressed back to the requester.
    ///
    /// - Parameter payload: The result's payload, or `nil` for an empty result.
    public func resultReply(_ payload: XMLElement?) -> XMLElement {
        XMLElement(name, attributes: replyAttributes(type: "result"), children: payload.map { [.element($0)] } ?? [])
    }

    /// `to` and `from` swapped, the same id, and the reply's type.
    private func replyAttributes(type: String) -> [XMLAttribute] {
        var attributes: [XMLAttribute] = []
        if let from = self["from"] { attributes.append(XMLAttribute("to", from)) }
        if let to = self["to"] { attributes.append(XMLAttribute("from", to)) }
        if let id = self["id"] { attributes.append(XMLAttribute("id", id)) }
        attributes.append(XMLAttribute("type", type))
        return attributes
    }
}
