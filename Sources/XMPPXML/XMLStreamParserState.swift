internal import CLibXML2

/// The mutable state behind an ``XMLStreamParser``: the tree under construction, the limits, and what the
/// event handler asked for.
///
/// It lives at a stable address (`UnsafeMutablePointer`) because libxml2's callbacks reach it through their
/// user-data pointer; accessing it through that pointer also keeps Swift's dynamic exclusivity checks off the
/// hot path.
struct XMLStreamParserState {
    let configuration: XMLStreamParser.Configuration
    /// How many open elements enclose a top-level element: 1 in a stream (the root), 0 in a document.
    let topDepth: Int

    var context: xmlParserCtxtPtr?
    var names: XMLNameTable

    /// The number of elements open now.
    var depth = 0
    /// The top-level element being parsed.
    var builder = XMLTreeBuilder()

    /// Set while `parse` runs: where events go.
    var handler: ((XMLStreamEvent) throws -> XMLStreamParser.Action)?
    /// The first error in the input; parsing is over until a reset.
    var failure: XMLStreamError?
    /// An error thrown by the handler, to be rethrown by `parse`.
    var handlerError: (any Error)?
    /// The document offset just after the event at which the handler asked to stop.
    var stopOffset: Int?

    /// The document offset where the current top-level element may have started: after the previous top-level
    /// event or stream-level whitespace. Bytes from here on count against `maxElementBytes`.
    var elementStart = 0
    /// Whether libxml2 reported anything during the chunk being parsed (tags and text arrive as parsed).
    var madeProgress = false

    init(configuration: XMLStreamParser.Configuration) {
        self.configuration = configuration
        if case .stream = configuration.root {
            self.topDepth = 1
        } else {
            self.topDepth = 0
        }
        self.names = XMLNameTable(maxNameBytes: configuration.maxNameBytes)
    }

    /// Returns to the state of a new document.
    mutating func resetDocument() {
        names.removeAll()
        depth = 0
        builder.reset()
        failure = nil
        handlerError = nil
        stopOffset = nil
        elementStart = 0
        madeProgress = false
    }

    /// The number of bytes of the document that libxml2 has consumed.
    var documentOffset: Int {
        guard let context else { return 0 }
        return Int(xmlByteConsumed(context))
    }

    /// Records the first error and halts libxml2.
    mutating func fail(_ condition: XMLStreamError.Condition, _ message: String) {
        guard failure == nil else { return }
        failure = XMLStreamError(condition, message, offset: documentOffset)
        if let context { xmlStopParser(context) }
    }

    // MARK: - Events from libxml2

    mutating func startElement(
        localName: UnsafePointer<xmlChar>,
        prefix: UnsafePointer<xmlChar>?,
        namespace: UnsafePointer<xmlChar>?,
        namespaceCount: Int,
        namespaces: UnsafePointer<UnsafePointer<xmlChar>?>?,
        attributeCount: Int,
        attributes: UnsafePointer<UnsafePointer<xmlChar>?>?
    ) {
        madeProgress = true
        if depth == topDepth {
            names.makeRoomForElement()
        }
        guard let name = names.index(localName: localName, namespace: namespace, dictionary: context?.pointee.dict)
        else {
            return failOnName()
        }
        if depth == 0 {
            checkDeclaredEncoding()
            if failure != nil { return }
            if case .stream(let expected) = configuration.root {
                return openStream(
                    name: names.pool[name], expected: expected, prefix: prefix, namespaceCount: namespaceCount,
                    namespaces: namespaces, attributeCount: attributeCount, attributes: attributes
                )
            }
        }
        if depth - topDepth >= configuration.maxDepth {
            return fail(.policyViolation, "elements are nested deeper than \(configuration.maxDepth) levels")
        }
        if attributeCount > configuration.maxAttributes {
            return fail(.policyViolation, "an element has more than \(configuration.maxAttributes) attributes")
        }
        builder.startElement(name: name)
        let dictionary = context?.pointee.dict
        for index in 0..<attributeCount {
            guard let base = attributes.map({ $0 + index * 5 }), let attributeName = base[0], let start = base[3],
                let end = base[4]
            else { continue }
            guard let name = names.index(localName: attributeName, namespace: base[2], dictionary: dictionary) else {
                return failOnName()
            }
            builder.addAttribute(name: name, value: UnsafeBufferPointer(start: start, count: end - start))
        }
        depth += 1
    }

    mutating func endElement() {
        madeProgress = true
        if depth == topDepth {
            // Only a stream's root closes at the top depth; a document's root is an element like any other.
            depth = 0
            emit(.streamClosed)
            return
        }
        depth -= 1
        guard let tree = builder.endElement(pool: names.pool) else { return }
        // The parser checks what libxml2 still buffers between slices; a whole element within one slice is
        // measured here, when it ends.
        if documentOffset - elementStart > configuration.maxElementBytes {
            return fail(.policyViolation, "a top-level element is larger than \(configuration.maxElementBytes) bytes")
        }
        elementStart = documentOffset
        emit(.element(XMLElement(tree: tree)))
    }

    mutating func characters(_ bytes: UnsafePointer<xmlChar>, count: Int) {
        madeProgress = true
        if depth <= topDepth {
            // Between top-level elements only whitespace (keep-alives) may appear.
            let buffer = UnsafeBufferPointer(start: bytes, count: count)
            if buffer.contains(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D }) {
                return fail(.badFormat, "character data at the top level of the stream")
            }
            elementStart = documentOffset
            return
        }
        if builder.currentTextLength + count > configuration.maxTextBytes {
            return fail(.policyViolation, "character data longer than \(configuration.maxTextBytes) bytes")
        }
        builder.characters(UnsafeBufferPointer(start: bytes, count: count))
    }

    // MARK: - Building

    /// Fails for a name the table refused: too long, or one name too many for the pool.
    private mutating func failOnName() {
        if names.pool.hasRoom(for: 1) {
            fail(
                .policyViolation,
                "an element, attribute or namespace name is longer than \(configuration.maxNameBytes) bytes")
        } else {
            fail(
                .policyViolation,
                "a top-level element uses too many distinct names (at least \(XMLNamePool.capacity / 2) are allowed)")
        }
    }

    /// Builds the stream header's attribute list from libxml2's array of (localname, prefix, URI, value start, value end).
    private mutating func makeAttributes(
        count: Int,
        _ attributes: UnsafePointer<UnsafePointer<xmlChar>?>?
    ) -> [XMLAttribute]? {
        guard count > 0, let attributes else { return [] }
        var result: [XMLAttribute] = []
        result.reserveCapacity(count)
        let dictionary = context?.pointee.dict
        for index in 0..<count {
            let base = attributes + index * 5
            guard let localName = base[0], let start = base[3], let end = base[4] else { continue }
            guard let name = names.index(localName: localName, namespace: base[2], dictionary: dictionary) else {
                failOnName()
                return nil
            }
            result.append(XMLAttribute(names.pool[name], Self.attributeValue(start, end)))
        }
        return result
    }

    /// An attribute value of the stream header (see ``XMLTreeBuilder/addAttribute(name:value:)`` on `&#38;`).
    private static func attributeValue(_ start: UnsafePointer<xmlChar>, _ end: UnsafePointer<xmlChar>) -> String {
        let value = String(decoding: UnsafeBufferPointer(start: start, count: end - start), as: UTF8.self)
        return value.contains("&") ? value.replacing("&#38;", with: "&") : value
    }

    private mutating func openStream(
        name: XMLName,
        expected: XMLName,
        prefix: UnsafePointer<xmlChar>?,
        namespaceCount: Int,
        namespaces: UnsafePointer<UnsafePointer<xmlChar>?>?,
        attributeCount: Int,
        attributes: UnsafePointer<UnsafePointer<xmlChar>?>?
    ) {
        guard name.namespace == expected.namespace else {
            return fail(
                .invalidNamespace,
                "the stream root is in namespace '\(name.namespace)', expected '\(expected.namespace)'"
            )
        }
        guard name.localName == expected.localName else {
            return fail(.badFormat, "the root element is '\(name.localName)', expected '\(expected.localName)'")
        }
        if attributeCount > configuration.maxAttributes {
            return fail(.policyViolation, "the stream header has more than \(configuration.maxAttributes) attributes")
        }
        guard let attributes = makeAttributes(count: attributeCount, attributes) else { return }
        var declarations: [XMLNamespaceDeclaration] = []
        for index in 0..<namespaceCount {
            guard let uri = namespaces?[index * 2 + 1] else { continue }
            let declaredPrefix = namespaces?[index * 2].flatMap {
                XMLNameTable.string($0, limit: configuration.maxNameBytes)
            }
            guard let namespace = XMLNameTable.namespaceString(uri, limit: configuration.maxNameBytes) else {
                return fail(.policyViolation, "a namespace name is longer than \(configuration.maxNameBytes) bytes")
            }
            declarations.append(XMLNamespaceDeclaration(prefix: declaredPrefix, namespace: namespace))
        }
        let header = XMLStreamHeader(
            name: name,
            prefix: prefix.flatMap { XMLNameTable.string($0, limit: configuration.maxNameBytes) },
            attributes: attributes,
            namespaces: declarations
        )
        depth = 1
        elementStart = documentOffset
        emit(.streamOpened(header))
    }

    /// XMPP streams are UTF-8 (RFC 6120 §11.6); a declaration naming another encoding is refused.
    private mutating func checkDeclaredEncoding() {
        guard let declared = context?.pointee.encoding else { return }
        let name = String(
            decoding: UnsafeBufferPointer(start: declared, count: Int(xmlStrlen(declared))), as: UTF8.self)
        let normalized = name.uppercased()
        if normalized != "UTF-8" && normalized != "UTF8" {
            fail(.unsupportedEncoding, "the stream declares encoding '\(name)'; XMPP requires UTF-8")
        }
    }

    // MARK: - Delivering events

    private mutating func emit(_ event: XMLStreamEvent) {
        guard let handler else { return }
        do {
            if try handler(event) == .stop {
                stopOffset = documentOffset
                if let context { xmlStopParser(context) }
            }
        } catch {
            handlerError = error
            if let context { xmlStopParser(context) }
        }
    }
}
