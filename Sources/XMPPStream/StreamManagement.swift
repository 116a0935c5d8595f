public import XMPPCore

/// XEP-0198 stream management as a value: the counters both ways, the queue of stanzas the server has not
/// acknowledged, and what resuming the stream needs. It performs no I/O and reads no clock; ``XMPPStreamHandler``
/// drives it on the event loop, and ``StreamManagementSession`` keeps it between connections.
///
/// Counters are 32-bit and wrap around (XEP-0198 §4: `h` is taken modulo 2^32); an acknowledgement is read as the
/// distance from the last one, so a count that has wrapped is still understood, and one that acknowledges more
/// than was sent is refused with ``Failure/handledCountTooHigh(h:sent:)``, never turned into a negative count.
public struct StreamManagement: Sendable {
    /// `urn:xmpp:sm:3`.
    public static let namespace = "urn:xmpp:sm:3"
    /// The longest resumption id accepted (XEP-0198 does not bound it; an id is opaque but a server's is short).
    public static let maximumIDLength = 1024

    /// The policy: whether to ask for resumption, for how long, and how often to ask for acknowledgements.
    public struct Settings: Sendable, Hashable {
        /// Ask the server to make the stream resumable (`<enable resume='true'/>`). On by default.
        public var resume: Bool
        /// The resumption time to ask for, in seconds (`max`); the server's default when `nil`.
        public var maximumResumptionTime: Int?
        /// Ask for an acknowledgement (`<r/>`) after this many stanzas sent since the last request.
        public var requestAfterStanzas: Int
        /// Ask for an acknowledgement this long after a stanza was sent without one, in milliseconds.
        public var requestAfterMilliseconds: Int
        /// The most stanzas held for the next connection while disconnected; sending more fails at once, so that a long
        /// outage cannot grow memory without bound.
        public var maximumHeld: Int

        /// Creates settings: resumable, an `<r/>` after 5 stanzas or 1 second, at most 10,000 stanzas held while
        /// disconnected.
        public init(
            resume: Bool = true,
            maximumResumptionTime: Int? = nil,
            requestAfterStanzas: Int = 5,
            requestAfterMilliseconds: Int = 1000,
            maximumHeld: Int = 10_000
        ) {
            self.resume = resume
            self.maximumResumptionTime = maximumResumptionTime
            self.requestAfterStanzas = max(1, requestAfterStanzas)
            self.requestAfterMilliseconds = max(1, requestAfterMilliseconds)
            self.maximumHeld = max(0, maximumHeld)
        }
    }

    /// What resuming a stream needs: its id, the count of stanzas received on it, and the address it was bound to.
    public struct Resumption: Sendable, Hashable {
        /// The id the server gave in `<enabled/>`.
        public var id: String
        /// The inbound count to send in `<resume h='…'/>`.
        public var handled: UInt32
        /// The full JID the stream was bound to; a resumed stream keeps it.
        public var boundJID: JID
        /// The server's preferred reconnection address (`location`), if it gave one.
        public var location: String?
    }

    /// A protocol violation by the server.
    public enum Failure: Error, Sendable, Hashable, CustomStringConvertible {
        /// An `<a h='…'/>` (or `<resumed h='…'/>`) that acknowledges more stanzas than were sent.
        case handledCountTooHigh(h: UInt32, sent: UInt32)
        /// An `h` that is not a 32-bit unsigned integer.
        case invalidCount(String)

        /// See the type's documentation.
        public var description: String {
            switch self {
            case .handledCountTooHigh(let h, let sent):
                "the server acknowledged \(h) stanzas, but only \(sent) were sent"
            case .invalidCount(let text):
                "the server sent an invalid stanza count '\(text.prefix(32))'"
            }
        }
    }

    /// The settings.
    public let settings: Settings
    /// Whether stream management is on for the current stream.
    public private(set) var isEnabled = false
    /// The resumption id, when the stream is resumable.
    public private(set) var id: String?
    /// The server's preferred reconnection address.
    public private(set) var location: String?
    /// The resumption time the server allows, in seconds, if it said.
    public private(set) var maximumResumptionTime: Int?
    /// The full JID of the managed stream.
    public private(set) var boundJID: JID?
    /// Stanzas received on the managed stream, modulo 2^32: the `h` we acknowledge.
    public private(set) var handled: UInt32 = 0
    /// The server's last acknowledgement, modulo 2^32.
    public private(set) var acknowledged: UInt32 = 0
    /// Stanzas sent since the last `<r/>`.
    private var sinceRequest = 0
    /// Stanzas sent (or waiting to be sent) that the server has not acknowledged, oldest first, from `head`.
    private var queue: [XMLElement] = []
    private var head = 0

    /// Creates a state for a stream on which stream management is not yet enabled.
    ///
    /// - Parameter settings: The policy.
    public init(settings: Settings = Settings()) {
        self.settings = settings
    }

    // MARK: - The elements

    /// `<enable/>`, as the settings ask.
    public var enableElement: XMLElement {
        var attributes: [XMLAttribute] = []
        if settings.resume { attributes.append(XMLAttribute("resume", "true")) }
        if let max = settings.maximumResumptionTime { attributes.append(XMLAttribute("max", String(max))) }
        return XMLElement(Self.name("enable"), attributes: attributes)
    }

    /// `<r/>`.
    public static let requestElement = XMLElement(name("r"))

    /// `<a h='…'/>` for the current inbound count.
    public var answerElement: XMLElement {
        XMLElement(Self.name("a"), attributes: [XMLAttribute("h", String(handled))])
    }

    /// `<resume previd='…' h='…'/>`.
    public static func resumeElement(_ resumption: Resumption) -> XMLElement {
        XMLElement(
            name("resume"),
            attributes: [XMLAttribute("previd", resumption.id), XMLAttribute("h", String(resumption.handled))])
    }

    /// A name in `urn:xmpp:sm:3`.
    public static func name(_ localName: String) -> XMLName {
        XMLName(namespace: namespace, localName: localName)
    }

    /// Whether an element is a stanza (counted), as opposed to a nonza such as `<r/>` or `<a/>` (not counted).
    public static func isStanza(_ element: XMLElement) -> Bool {
        guard element.name.namespace == JabberClient.namespace else { return false }
        switch element.name.localName {
        case "message", "presence", "iq": return true
        default: return false
        }
    }

    /// Reads the `h` of an `<a/>`, `<resumed/>` or `<failed/>`.
    public static func count(in element: XMLElement) throws(Failure) -> UInt32? {
        guard let text = element["h"] else { return nil }
        guard let value = UInt32(text) else { throw .invalidCount(text) }
        return value
    }

    // MARK: - Enabling and resuming

    /// The resumption this state allows, if the stream was resumable.
    public var resumption: Resumption? {
        guard let id, let boundJID else { return nil }
        return Resumption(id: id, handled: handled, boundJID: boundJID, location: location)
    }

    /// Takes the stanzas that wait in the queue before stream management is enabled on a new stream: they were held
    /// while reconnecting and have not been written on this stream, so the server's counting will not include them.
    public mutating func takeQueuedBeforeEnabling() -> [XMLElement] {
        let queued = Array(queue[head...])
        queue = []
        head = 0
        return queued
    }

    /// The server answered `<enabled/>` on a new stream bound to `jid`: counting starts from zero both ways.
    ///
    /// - Returns: Whether the stream is resumable; a resumption id longer than ``maximumIDLength`` is refused (the
    ///   stream stays managed but is not resumable).
    @discardableResult
    public mutating func enabled(_ element: XMLElement, boundJID jid: JID) -> Bool {
        isEnabled = true
        boundJID = jid
        handled = 0
        acknowledged = 0
        sinceRequest = 0
        location = element["location"].flatMap { $0.utf8.count <= 1024 ? $0 : nil }
        maximumResumptionTime = element["max"].flatMap { Int($0) }
        let resumable = element["resume"] == "true" || element["resume"] == "1"
        if resumable, let id = element["id"], !id.isEmpty, id.utf8.count <= Self.maximumIDLength {
            self.id = id
            return true
        }
        self.id = nil
        return false
    }

    /// The server resumed the stream (`<resumed h='…'/>`): the stanzas it acknowledged leave the queue, and the
    /// others are to be sent again, in order. They stay in the queue until acknowledged.
    ///
    /// - Returns: The stanzas to send again.
    /// - Throws: ``Failure`` when `h` acknowledges more than was sent.
    public mutating func resumed(handledByServer h: UInt32) throws(Failure) -> [XMLElement] {
        try acknowledge(h)
        isEnabled = true
        sinceRequest = 0
        return Array(queue[head...])
    }

    /// The server could not resume the stream (or it was not resumable): the state is cleared, and the stanzas it
    /// had not acknowledged are handed back for the application to decide on (send again, or report).
    ///
    /// - Parameter h: The count the server's `<failed h='…'/>` carried, if any: those stanzas did arrive.
    /// - Returns: The stanzas that may not have arrived, oldest first.
    public mutating func resumptionFailed(handledByServer h: UInt32? = nil) -> [XMLElement] {
        if let h { _ = try? acknowledge(h) }
        let orphans = Array(queue[head...])
        queue = []
        head = 0
        isEnabled = false
        id = nil
        location = nil
        boundJID = nil
        handled = 0
        acknowledged = 0
        sinceRequest = 0
        return orphans
    }

    // MARK: - Counting

    /// A stanza arrived on the managed stream.
    public mutating func receivedStanza() {
        handled &+= 1
    }

    /// A stanza goes out (or waits to go out, while disconnected): it is kept until acknowledged.
    ///
    /// - Returns: Whether to ask for an acknowledgement now (every ``Settings/requestAfterStanzas`` stanzas).
    public mutating func sending(_ stanza: XMLElement) -> Bool {
        queue.append(stanza)
        sinceRequest += 1
        guard isEnabled, sinceRequest >= settings.requestAfterStanzas else { return false }
        sinceRequest = 0
        return true
    }

    /// An `<r/>` goes out for a reason other than the count (a timer).
    public mutating func requested() {
        sinceRequest = 0
    }

    /// The server acknowledged stanzas up to `h`.
    ///
    /// - Returns: The stanzas newly acknowledged, oldest first.
    /// - Throws: ``Failure/handledCountTooHigh(h:sent:)`` when `h` acknowledges more than was sent.
    @discardableResult
    public mutating func acknowledge(_ h: UInt32) throws(Failure) -> ArraySlice<XMLElement> {
        let newly = Int(h &- acknowledged)
        guard newly <= queue.count - head else {
            throw .handledCountTooHigh(h: h, sent: acknowledged &+ UInt32(truncatingIfNeeded: queue.count - head))
        }
        let done = queue[head..<(head + newly)]
        head += newly
        acknowledged = h
        // Compact once the acknowledged prefix is most of the storage.
        if head > 64 && head * 2 > queue.count {
            queue.removeFirst(head)
            head = 0
        }
        return done
    }

    mutating func restore(
        id: String?, location: String?, maximumResumptionTime: Int?, boundJID: JID?, handled: UInt32,
        acknowledged: UInt32, queue: [XMLElement]
    ) {
        self.id = id
        self.location = location
        self.maximumResumptionTime = maximumResumptionTime
        self.boundJID = boundJID
        self.handled = handled
        self.acknowledged = acknowledged
        self.queue = queue
        self.head = 0
        self.isEnabled = false
    }

    /// The stanzas not acknowledged yet, oldest first.
    public var unacknowledged: ArraySlice<XMLElement> { queue[head...] }

    /// How many stanzas the server has not acknowledged.
    public var unacknowledgedCount: Int { queue.count - head }
}

/// What became of stream management during negotiation (``ClientNegotiation/Action/streamManagement(_:)``).
public enum StreamManagementOutcome: Sendable, Equatable {
    /// Enabled: the server's `<enabled/>` (id, resume, max, location).
    case enabled(XMLElement)
    /// The server refused to enable it (`<failed/>` with this stanza error condition); the stream goes on without.
    case enableFailed(condition: String)
    /// The previous stream was resumed; the server had handled this many of our stanzas.
    case resumed(handled: UInt32)
    /// The previous stream could not be resumed (`item-not-found` when it expired, `not-offered` when the server no
    /// longer offers stream management); a new resource is bound. `handled` is the count `<failed/>` carried, if any.
    case resumeFailed(condition: String, handled: UInt32?)
    /// Asked for, but the server does not offer it.
    case notOffered

    var isResumed: Bool {
        if case .resumed = self { true } else { false }
    }

    var isEnabledOrRefused: Bool {
        switch self {
        case .enabled, .enableFailed: true
        default: false
        }
    }
}
