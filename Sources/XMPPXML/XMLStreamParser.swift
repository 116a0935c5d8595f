internal import CLibXML2
public import NIOCore

/// A streaming XML parser for XMPP: bytes in as they arrive, one ``XMLElement`` out per top-level child.
///
/// Feed it chunks of any size with ``parse(_:handler:)``. It reports the stream header
/// (``XMLStreamEvent/streamOpened(_:)``) as soon as the root's start tag is complete, every complete top-level
/// child of the root as an ``XMLStreamEvent/element(_:)``, and the root's end tag as
/// ``XMLStreamEvent/streamClosed``. Chunk boundaries may fall anywhere, inside a tag or inside a UTF-8 sequence.
///
/// The parser is libxml2's SAX2 push parser with a tree builder on top. It enforces:
/// - **Restricted XML** (RFC 6120 §11.1): a DTD, an entity declaration, an entity reference other than the five
///   predefined ones (character references are fine), a comment, or a processing instruction is an error with
///   condition ``XMLStreamError/Condition/restrictedXML``. No DTD is read and nothing is fetched from the network.
/// - **Well-formedness** of XML 1.0 and XML Namespaces, and valid UTF-8: otherwise
///   ``XMLStreamError/Condition/notWellFormed``. A stream in, or declaring, another encoding is
///   ``XMLStreamError/Condition/unsupportedEncoding``.
/// - **The root**: in stream mode its namespace must be the configured one
///   (``XMLStreamError/Condition/invalidNamespace``) and its local name too
///   (``XMLStreamError/Condition/badFormat``); only whitespace may appear between top-level elements.
/// - **Limits** from ``Configuration``: element size, tag size, depth, attribute count, text and name length,
///   each an ``XMLStreamError/Condition/policyViolation``.
///
/// It does not check what elements mean: the content namespace, stanza names and the `version` attribute are
/// the stream layer's business.
///
/// ### Stream restarts and STARTTLS
///
/// The handler decides after each event whether parsing goes on. Returning ``Action/stop`` (after `<success/>`
/// or `<proceed/>`) makes ``parse(_:handler:)`` return the number of bytes consumed up to the end of that
/// element; the rest of the chunk belongs to whatever comes next. For a restart, call ``reset()`` and parse the
/// rest: a new header in the same chunk as the element before it is handled exactly.
///
/// ```swift
/// let parser = XMLStreamParser()
/// var rest = buffer  // a ByteBuffer just read from the socket
/// while rest.readableBytes > 0 {
///     var restart = false
///     let consumed = try parser.parse(rest) { event in
///         if case .element(let element) = event, element.name == saslSuccess { restart = true }
///         return restart ? .stop : .continue
///     }
///     rest.moveReaderIndex(forwardBy: consumed)
///     if restart { parser.reset() }  // the rest of `rest` is the new stream
/// }
/// ```
///
/// An `XMLStreamParser` belongs to one connection and is not `Sendable`: use it from one thread (an event loop).
public final class XMLStreamParser {
    /// The limits and root this parser enforces.
    public let configuration: Configuration

    private let state: UnsafeMutablePointer<XMLStreamParserState>
    /// Whether `parse` is running: the handler must not re-enter the parser.
    private var isParsing = false
    /// The bytes given to the current libxml2 context: the document offset of the next byte.
    private var documentBytes = 0
    /// The document offset at the start of the last chunk in which libxml2 reported something.
    private var lastProgress = 0
    /// Whether the parser stopped on the handler's request and waits for a reset.
    private var stopped = false

    /// Input is handed to libxml2 at most this many bytes at a time, so limits are checked while a large read is
    /// being parsed rather than after it.
    private static let sliceSize = 16 << 10

    /// Creates a parser.
    ///
    /// - Parameter configuration: The root to expect and the limits to enforce; by default an XMPP stream with
    ///   safe limits.
    public init(configuration: Configuration = .xmppStream) {
        _ = libxml2Initialized
        self.configuration = configuration
        state = .allocate(capacity: 1)
        state.initialize(to: XMLStreamParserState(configuration: configuration))
        state.pointee.context = Self.makeContext(userData: state)
    }

    deinit {
        if let context = state.pointee.context {
            xmlFreeParserCtxt(context)
        }
        state.pointee.builder.deallocate()
        state.deinitialize(count: 1)
        state.deallocate()
    }

    /// Forgets the current document and expects a new one, as after an XMPP stream restart (RFC 6120 §4.3.3)
    /// or a TLS upgrade. Clears any error.
    public func reset() {
        precondition(!isParsing, "XMLStreamParser.reset() called from inside its own event handler")
        if let context = state.pointee.context {
            xmlFreeParserCtxt(context)
        }
        state.pointee.resetDocument()
        state.pointee.context = Self.makeContext(userData: state)
        documentBytes = 0
        lastProgress = 0
        stopped = false
    }

    /// Parses the next bytes of the stream, calling `handler` for each event as it completes.
    ///
    /// - Parameters:
    ///   - bytes: The next bytes of the stream, any amount.
    ///   - handler: Called synchronously for every event, in order. It returns ``Action/continue`` to go on or
    ///     ``Action/stop`` to stop right after this event. It must not call back into the parser.
    /// - Returns: How many of `bytes` were consumed: all of them, unless the handler returned ``Action/stop``.
    /// - Throws: ``XMLStreamError`` when the input is malformed, restricted or over a limit; after that the
    ///   parser accepts no more input until ``reset()``. An error thrown by `handler` is rethrown as is; the
    ///   parser has stopped then too, and must be reset before it is used again.
    @discardableResult
    public func parse(
        _ bytes: UnsafeRawBufferPointer,
        handler: (XMLStreamEvent) throws -> Action
    ) throws -> Int {
        precondition(!isParsing, "XMLStreamParser.parse called from inside its own event handler")
        precondition(!stopped, "XMLStreamParser.parse called after the handler stopped it, without reset()")
        if let failure = state.pointee.failure { throw failure }
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return 0 }
        isParsing = true
        defer { isParsing = false }
        return try withoutActuallyEscaping(handler) { handler in
            state.pointee.handler = handler
            defer { state.pointee.handler = nil }
            let startOffset = documentBytes
            var offset = 0
            while offset < bytes.count {
                let count = min(bytes.count - offset, Self.sliceSize)
                let chunk = UnsafeRawBufferPointer(start: base + offset, count: count)
                if documentBytes < 2 {
                    try sniffEncoding(chunk)
                }
                state.pointee.madeProgress = false
                let chunkStart = documentBytes
                _ = chunk.withMemoryRebound(to: CChar.self) { chunk in
                    xmlParseChunk(state.pointee.context, chunk.baseAddress, Int32(count), 0)
                }
                documentBytes += count
                offset += count
                if let error = state.pointee.handlerError {
                    state.pointee.handlerError = nil
                    stopped = true
                    throw error
                }
                if let failure = state.pointee.failure { throw failure }
                if let stopOffset = state.pointee.stopOffset {
                    stopped = true
                    return stopOffset - startOffset
                }
                if state.pointee.madeProgress { lastProgress = chunkStart }
                try checkBufferedLimits()
            }
            return bytes.count
        }
    }

    /// Parses the next bytes of the stream and returns the events they complete.
    ///
    /// - Parameter bytes: The next bytes of the stream.
    /// - Returns: The events, in order.
    /// - Throws: ``XMLStreamError`` when the input is malformed, restricted or over a limit.
    public func parse(_ bytes: UnsafeRawBufferPointer) throws -> [XMLStreamEvent] {
        var events: [XMLStreamEvent] = []
        try parse(bytes) { event in
            events.append(event)
            return .continue
        }
        return events
    }

    /// Parses the readable bytes of a buffer, without consuming them, calling `handler` for each event.
    ///
    /// - Parameters:
    ///   - buffer: The next bytes of the stream.
    ///   - handler: Called for every event; see ``parse(_:handler:)-(UnsafeRawBufferPointer,_)``.
    /// - Returns: How many bytes were consumed.
    /// - Throws: ``XMLStreamError`` or what `handler` throws.
    @discardableResult
    public func parse(_ buffer: ByteBuffer, handler: (XMLStreamEvent) throws -> Action) throws -> Int {
        try buffer.withUnsafeReadableBytes { try parse($0, handler: handler) }
    }

    /// Parses a collection of bytes (a `String`'s UTF-8 view, an array, a slice) and returns the events.
    ///
    /// - Parameter bytes: The next bytes of the stream.
    /// - Returns: The events they complete, in order.
    /// - Throws: ``XMLStreamError`` when the input is malformed, restricted or over a limit.
    public func parse(_ bytes: some Collection<UInt8>) throws -> [XMLStreamEvent] {
        if let events = try bytes.withContiguousStorageIfAvailable({ try parse(UnsafeRawBufferPointer($0)) }) {
            return events
        }
        return try Array(bytes).withUnsafeBytes { try parse($0) }
    }

    // MARK: - Limits on what libxml2 buffers

    /// Checks what libxml2 holds but has not reported: a top-level element still open, or a tag not yet closed.
    private func checkBufferedLimits() throws {
        let pending = documentBytes - state.pointee.elementStart
        if pending > configuration.maxElementBytes {
            state.pointee.fail(
                .policyViolation,
                "a top-level element is larger than \(configuration.maxElementBytes) bytes"
            )
        } else if documentBytes - lastProgress > configuration.maxTagBytes + Self.sliceSize {
            state.pointee.fail(.policyViolation, "a tag is larger than \(configuration.maxTagBytes) bytes")
        }
        if let failure = state.pointee.failure { throw failure }
    }

    /// Refuses UTF-16 and UTF-32 before libxml2 switches to them: in every such encoding one of the first two
    /// bytes is 0x00, 0xFE or 0xFF, none of which can start a UTF-8 XML document.
    private func sniffEncoding(_ chunk: UnsafeRawBufferPointer) throws {
        let seen = documentBytes
        for (index, byte) in chunk.prefix(2 - seen).enumerated() {
            if byte == 0x00 || byte == 0xFE || byte == 0xFF {
                let error = XMLStreamError(
                    .unsupportedEncoding,
                    "the stream is not UTF-8 (it starts like UTF-16 or UTF-32)",
                    offset: seen + index
                )
                state.pointee.failure = error
                throw error
            }
        }
    }

    // MARK: - libxml2 contexts

    private static func makeContext(userData: UnsafeMutablePointer<XMLStreamParserState>) -> xmlParserCtxtPtr? {
        var handler = XMLStreamParserState.makeSAXHandler()
        guard let context = xmlCreatePushParserCtxt(&handler, userData, nil, 0, nil) else {
            return nil
        }
        // No entity substitution, no DTD loading, no network; libxml2's own hard limits stay on.
        let options = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOCDATA.rawValue)
        xmlCtxtUseOptions(context, options)
        return context
    }
}

@available(*, unavailable)
extension XMLStreamParser: Sendable {}

/// libxml2's global initialisation, done once before the first parser is created.
private let libxml2Initialized: Void = xmlInitParser()
