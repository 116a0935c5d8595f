public import XMPPCore

/// Which inbound stanzas a handler wants: by kind and type, payload, sender, id, a path of element names, or any
/// predicate, combined with `&&`, `||` and `!`.
///
/// Matchers test the stanza as received (an ``XMLElement``), before anything is decoded, so they are cheap.
///
/// ```swift
/// let composing: StanzaMatcher = .message(.chat) && .payload(ChatStates.Composing.self)
/// let fromRomeo: StanzaMatcher = .from(JID("romeo@example.net")!)    // any of his resources
/// let bodies: StanzaMatcher = .path("message/body")
/// ```
public struct StanzaMatcher: Sendable {
    private let test: @Sendable (XMLElement) -> Bool

    /// A matcher from a predicate.
    ///
    /// - Parameter predicate: Returns whether the stanza matches.
    public init(_ predicate: @escaping @Sendable (XMLElement) -> Bool) {
        self.test = predicate
    }

    /// Whether a stanza matches.
    ///
    /// - Parameter stanza: The stanza.
    public func matches(_ stanza: XMLElement) -> Bool {
        test(stanza)
    }

    /// Every stanza.
    public static var any: StanzaMatcher { StanzaMatcher { _ in true } }

    /// Messages, of one type when given. A message without a type attribute is `normal` (RFC 6121 §5.2.2).
    ///
    /// - Parameter type: The type, or `nil` for any message.
    public static func message(_ type: JabberClient.MessageType? = nil) -> StanzaMatcher {
        let wanted = type?.xmlValue
        return StanzaMatcher { stanza in
            guard stanza.name == Message.qualifiedName else { return false }
            guard let wanted else { return true }
            return (stanza["type"] ?? "normal") == wanted
        }
    }

    /// Presence stanzas, of one type when given.
    ///
    /// - Parameter type: The type (`subscribe`, `unavailable`...), or `nil` for any presence.
    public static func presence(_ type: JabberClient.PresenceType? = nil) -> StanzaMatcher {
        let wanted = type?.xmlValue
        return StanzaMatcher { stanza in
            guard stanza.name == Presence.qualifiedName else { return false }
            guard let wanted else { return true }
            return stanza["type"] == wanted
        }
    }

    /// Available presence: presence without a type attribute.
    public static var availablePresence: StanzaMatcher {
        StanzaMatcher { $0.name == Presence.qualifiedName && $0["type"] == nil }
    }

    /// IQs, of one type when given.
    ///
    /// - Parameter type: The type, or `nil` for any IQ.
    public static func iq(_ type: JabberClient.IQType? = nil) -> StanzaMatcher {
        let wanted = type?.xmlValue
        return StanzaMatcher { stanza in
            guard stanza.name == IQ.qualifiedName else { return false }
            guard let wanted else { return true }
            return stanza["type"] == wanted
        }
    }

    /// Stanzas carrying a payload of a generated type (a direct child with its qualified name).
    ///
    /// - Parameter type: The payload type, such as `ChatStates.Composing.self`.
    public static func payload<Payload: XMLElementCodable>(_ type: Payload.Type) -> StanzaMatcher {
        payload(named: Payload.qualifiedName)
    }

    /// Stanzas carrying a direct child with this qualified name.
    ///
    /// - Parameter name: The child's name.
    public static func payload(named name: XMLName) -> StanzaMatcher {
        StanzaMatcher { $0.firstChild(named: name) != nil }
    }

    /// Stanzas from an address. A bare JID matches the bare JID and every resource of it; a full JID only itself.
    ///
    /// - Parameter jid: The sender.
    public static func from(_ jid: JID) -> StanzaMatcher {
        StanzaMatcher { stanza in
            guard let text = stanza["from"], let from = try? JID(parsing: text) else { return false }
            return jid.resourcepart == nil ? from.bare == jid : from == jid
        }
    }

    /// Stanzas with this id.
    ///
    /// - Parameter id: The id.
    public static func id(_ id: String) -> StanzaMatcher {
        StanzaMatcher { $0["id"] == id }
    }

    /// Stanzas with a chain of descendants: `"message/body"`, `"iq/{jabber:iq:roster}query/item"`, `"message/*"`.
    ///
    /// Steps are separated by `/`. A step is a local name, optionally preceded by `{namespace}`, or `*` for any
    /// element. The first step names the stanza (in `jabber:client` unless a namespace is given); a later step
    /// without a namespace matches that local name in any namespace. Each step after the first matches some child
    /// of an element the previous step matched.
    ///
    /// - Parameter path: The path.
    public static func path(_ path: String) -> StanzaMatcher {
        let steps = Self.steps(of: path).map(PathStep.init)
        return StanzaMatcher { stanza in
            guard let first = steps.first else { return true }
            guard first.matches(stanza, defaultNamespace: JabberClient.namespace) else { return false }
            return Self.match(steps.dropFirst(), under: stanza)
        }
    }

    /// The path's steps: split at each `/` outside braces (namespace names have slashes of their own).
    private static func steps(of path: String) -> [String] {
        var steps: [String] = []
        var current = ""
        var inBraces = false
        for character in path {
            switch character {
            case "{": inBraces = true
            case "}": inBraces = false
            case "/" where !inBraces:
                if !current.isEmpty { steps.append(current) }
                current = ""
                continue
            default: break
            }
            current.append(character)
        }
        if !current.isEmpty { steps.append(current) }
        return steps
    }

    private static func match(_ steps: ArraySlice<PathStep>, under element: XMLElement) -> Bool {
        guard let step = steps.first else { return true }
        for child in element.elements where step.matches(child, defaultNamespace: nil) {
            if match(steps.dropFirst(), under: child) { return true }
        }
        return false
    }

    private struct PathStep: Sendable {
        let namespace: String?
        let localName: String?

        init(_ text: String) {
            var rest = Substring(text)
            if rest.hasPrefix("{"), let close = rest.firstIndex(of: "}") {
                namespace = String(rest[rest.index(after: rest.startIndex)..<close])
                rest = rest[rest.index(after: close)...]
            } else {
                namespace = nil
            }
            localName = rest == "*" ? nil : String(rest)
        }

        func matches(_ element: XMLElement, defaultNamespace: String?) -> Bool {
            if let localName, element.name.localName != localName { return false }
            if let namespace = namespace ?? (localName == nil ? nil : defaultNamespace) {
                return element.name.namespace == namespace
            }
            return true
        }
    }

    /// Both match.
    public static func && (lhs: StanzaMatcher, rhs: StanzaMatcher) -> StanzaMatcher {
        StanzaMatcher { lhs.test($0) && rhs.test($0) }
    }

    /// Either matches.
    public static func || (lhs: StanzaMatcher, rhs: StanzaMatcher) -> StanzaMatcher {
        StanzaMatcher { lhs.test($0) || rhs.test($0) }
    }

    /// The matcher does not match.
    public static prefix func ! (matcher: StanzaMatcher) -> StanzaMatcher {
        StanzaMatcher { !matcher.test($0) }
    }
}
