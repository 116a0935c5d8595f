import NIOCore
import XMPPCore

extension XMPPStreamHandler {
    /// How the stream's XML is cut into what the transport carries.
    public enum Framing: Sendable, Hashable {
        /// One XML document for the whole stream, as over TCP (RFC 6120 §4): `<stream:stream>`, the elements in
        /// its scope, `</stream:stream>`; writes may hold more than one element.
        case xmlStream
        /// One complete element per transport message, as over WebSocket (RFC 7395 §3.3): `<open/>` and `<close/>`
        /// in the framing namespace instead of the stream's header and footer, each element with its namespaces
        /// declared, and every write exactly one element (a write of only whitespace is a keepalive, which the
        /// transport sends its own way).
        case elementPerMessage
    }
}

/// The RFC 7395 framing elements and how they map onto the stream model the negotiation works with.
enum StreamFraming {
    static let namespace = "urn:ietf:params:xml:ns:xmpp-framing"
    static let open = XMLName(namespace: namespace, localName: "open")
    static let close = XMLName(namespace: namespace, localName: "close")
    private static let streamsNamespace = "http://etherx.jabber.org/streams"

    /// Our `<open/>` for a stream header: its attributes (`to`, `version`, `xml:lang`...) on the framing element.
    static func openElement(for header: XMLStreamHeader) -> XMLElement {
        XMLElement(open, attributes: header.attributes)
    }

    /// The stream header a server's `<open/>` stands for, in the content namespace the negotiation expects.
    static func header(for open: XMLElement, contentNamespace: String) -> XMLStreamHeader {
        XMLStreamHeader(
            name: XMLName(namespace: streamsNamespace, localName: "stream"), prefix: "stream",
            attributes: open.attributes,
            namespaces: [
                XMLNamespaceDeclaration(prefix: nil, namespace: contentNamespace),
                XMLNamespaceDeclaration(prefix: "stream", namespace: streamsNamespace),
            ])
    }

    /// What a server's `<close/>` means: the end of the stream, or, with `see-other-uri` (RFC 7395 §3.6.1), a
    /// `<see-other-host/>` stream error naming the URI, so that it fails the stream the way a redirect over TCP does.
    static func event(for close: XMLElement) -> XMLStreamEvent {
        guard let uri = close["see-other-uri"] else { return .streamClosed }
        let condition = XMLElement(
            "see-other-host", namespace: "urn:ietf:params:xml:ns:xmpp-streams", children: [.text(uri)])
        return .element(
            XMLElement(XMLName(namespace: streamsNamespace, localName: "error"), children: [.element(condition)]))
    }

    /// The root the parser is primed with before each `<open/>`: the messages that follow are parsed as the
    /// elements of one stream, so that an element which leaves out its namespace still gets the content namespace.
    static func syntheticRoot(contentNamespace: String, allocator: ByteBufferAllocator) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: 128)
        buffer.writeStaticString("<stream:stream xmlns='")
        buffer.writeString(contentNamespace)
        buffer.writeStaticString("' xmlns:stream='http://etherx.jabber.org/streams'>")
        return buffer
    }
}
