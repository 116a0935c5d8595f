extension XMLStreamParser {
    /// What the parser accepts: the shape of the document and the limits that keep hostile input bounded.
    ///
    /// Every limit is checked while parsing, before the offending input is buffered whole, so memory stays
    /// bounded by roughly the largest limit plus one read. Crossing a limit is an ``XMLStreamError`` with
    /// condition ``XMLStreamError/Condition/policyViolation``.
    public struct Configuration: Hashable, Sendable {
        /// What the parser expects at the top of the document.
        public enum Root: Hashable, Sendable {
            /// An XML stream: the root element must have this name; its start tag is reported as
            /// ``XMLStreamEvent/streamOpened(_:)``, each child as ``XMLStreamEvent/element(_:)``, and its end tag
            /// as ``XMLStreamEvent/streamClosed``.
            case stream(XMLName)
            /// A standalone document: the root element itself is reported as one ``XMLStreamEvent/element(_:)``.
            case document
        }

        /// The root the parser expects. Default: an XMPP stream, `{http://etherx.jabber.org/streams}stream`.
        public var root: Root

        /// The largest top-level element (a stanza), in bytes of input from its start tag to its end tag.
        ///
        /// Default 1 MiB. RFC 6120 §13.12 requires at least 10,000 bytes; servers commonly allow 256 KiB to
        /// 10 MiB. Bytes between top-level elements (whitespace keep-alives) do not count. At most 1 GiB: a parsed
        /// element's storage addresses its contents with 32-bit offsets.
        public var maxElementBytes: Int

        /// The largest single tag (a start tag with its attributes, or an end tag), in bytes.
        ///
        /// Default 64 KiB. libxml2 buffers a start tag whole before reporting it, and checks its attributes for
        /// duplicates in time quadratic in their number; this limit bounds both.
        public var maxTagBytes: Int

        /// The deepest nesting of elements inside a top-level element, counting that element as depth 1.
        /// Default 64.
        public var maxDepth: Int

        /// The most attributes on one element, namespace declarations not counted. Default 128.
        public var maxAttributes: Int

        /// The longest run of character data in one element between two child tags, in bytes of UTF-8.
        /// Default 1 MiB.
        public var maxTextBytes: Int

        /// The longest element or attribute name (prefix and local name), or namespace name, in bytes.
        /// Default 1024.
        public var maxNameBytes: Int

        /// The configuration for an XMPP stream with safe defaults.
        ///
        /// - Parameters:
        ///   - root: The expected root; default `{http://etherx.jabber.org/streams}stream`.
        ///   - maxElementBytes: The largest top-level element in bytes; default 1 MiB.
        ///   - maxTagBytes: The largest single tag in bytes; default 64 KiB.
        ///   - maxDepth: The deepest nesting within a top-level element; default 64.
        ///   - maxAttributes: The most attributes on one element; default 128.
        ///   - maxTextBytes: The longest run of character data in bytes; default 1 MiB.
        ///   - maxNameBytes: The longest name in bytes; default 1024.
        public init(
            root: Root = .stream(XMLName(namespace: "http://etherx.jabber.org/streams", localName: "stream")),
            maxElementBytes: Int = 1 << 20,
            maxTagBytes: Int = 64 << 10,
            maxDepth: Int = 64,
            maxAttributes: Int = 128,
            maxTextBytes: Int = 1 << 20,
            maxNameBytes: Int = 1024
        ) {
            precondition(maxElementBytes > 0 && maxTagBytes > 0 && maxDepth > 0, "limits must be positive")
            precondition(maxElementBytes <= 1 << 30, "maxElementBytes must be at most 1 GiB")
            precondition(maxAttributes >= 0 && maxTextBytes >= 0 && maxNameBytes > 0, "limits must be positive")
            self.root = root
            self.maxElementBytes = maxElementBytes
            self.maxTagBytes = maxTagBytes
            self.maxDepth = maxDepth
            self.maxAttributes = maxAttributes
            self.maxTextBytes = maxTextBytes
            self.maxNameBytes = maxNameBytes
        }

        /// An XMPP stream with the default limits.
        public static var xmppStream: Configuration { Configuration() }

        /// A standalone document (one root element) with the default limits.
        public static var document: Configuration { Configuration(root: .document) }
    }

    /// What the event handler asks of the parser after each event.
    public enum Action: Sendable {
        /// Go on parsing the input.
        case `continue`
        /// Stop right after this event and return; the rest of the input is not parsed.
        ///
        /// ``XMLStreamParser/parse(_:handler:)`` returns how many bytes it consumed, so the caller can hand the
        /// rest to whatever comes next: a TLS handshake after `<proceed/>`, or a fresh stream after
        /// ``XMLStreamParser/reset()`` (an XMPP stream restart).
        case stop
    }
}
