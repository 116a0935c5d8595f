internal import CLibXML2

/// The mutable state behind an ``XMLStreamParser``: the tree under construction, the limits, and what the
/// event handler asked for.
///
/// It lives at a stable address (`UnsafeMutablePointer`) because libxml2's callbacks reach it through their
/// user-data pointer; accessing it through that pointer also keeps Swift's dynamic exclusivity checks off the
/// hot path.
struct XMLStreamParserState {
    /// An element whose start tag has been seen and whose end tag has not.
    struct OpenElement {
        var name: XMLName
        var attributes: [XMLAttribute]
        /// Where this element's children begin in `nodes`.
        var firstChild: Int
    }

    let configuration: XMLStreamParser.Configuration
    /// How many open elements enclose a top-level element: 1 in a stream (the root), 0 in a document.
    let topDepth: Int

    var context: xmlParserCtxtPtr?
    var names: XMLNameTable

    /// The number of elements open now.
    var depth = 0
    var open: [OpenElement] = []
    /// The finished children of every open element, flattened: an element's children are `nodes[firstChild...]`.
    var nodes = XMLNodeStack()
    /// Character data of the innermost open element since its last child tag.
    var text: [UInt8] = []

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
        open.removeAll(keepingCapacity: true)
        nodes.removeAll()
        if text.capacity > 1 << 16 {
            text = []
        } else {
            text.removeAll(keepingCapacity: true)
        }
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
        guard let name = names.name(localName: localName, namespace: namespace, dictionary: context?.pointee.dict)
        else {
            return fail(
                .policyViolation, "an element or namespace name is longer than \(configuration.maxNameBytes) bytes")
        }
        if depth == 0 {
            checkDeclaredEncoding()
            if failure != nil { return }
            if case .stream(let expected) = configuration.root {
                return openStream(
                    name: name, expected: expected, prefix: prefix, namespaceCount: namespaceCount,
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
        if depth > topDepth {
            flushText()
        }
        guard let attributes = makeAttributes(count: attributeCount, attributes) else { return }
        open.append(OpenElement(name: name, attributes: attributes, firstChild: nodes.count))
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
        flushText()
        let element = open.removeLast()
        let children = nodes.popArray(from: element.firstChild)
        depth -= 1
        let finished = XMLElement(element.name, attributes: element.attributes, children: children)
        if depth == topDepth {
            elementStart = documentOffset
            emit(.element(finished))
        } else {
            nodes.append(.element(finished))
        }
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
        if text.count + count > configuration.maxTextBytes {
            return fail(.policyViolation, "character data longer than \(configuration.maxTextBytes) bytes")
        }
        text.append(contentsOf: UnsafeBufferPointer(start: bytes, count: count))
    }

    // MARK: - Building

    private mutating func flushText() {
        guard !text.isEmpty else { return }
        nodes.append(.text(String(decoding: text, as: UTF8.self)))
        text.removeAll(keepingCapacity: true)
    }

    /// Builds the attribute list from libxml2's array of (localname, prefix, URI, value start, value end).
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
            guard let name = names.name(localName: localName, namespace: base[2], dictionary: dictionary) else {
                fail(.policyViolation, "an attribute name is longer than \(configuration.maxNameBytes) bytes")
                return nil
            }
            result.append(XMLAttribute(name, Self.attributeValue(start, end)))
        }
        return result
    }

    /// An attribute value from libxml2.
    ///
    /// Without entity substitution, libxml2 hands over every `&` of an attribute value (from `&amp;` or
    /// `&#38;`) as the five characters `&#38;`, so that a later stage could tell it from an entity reference.
    /// No other `&` can occur in a parsed value, so turning each `&#38;` back into `&` is exact.
    private static func attributeValue(_ start: UnsafePointer<xmlChar>, _ end: UnsafePointer<xmlChar>) -> String {
        let bytes = UnsafeBufferPointer(start: start, count: end - start)
        guard bytes.contains(0x26) else {
            return String(decoding: bytes, as: UTF8.self)
        }
        var decoded: [UInt8] = []
        decoded.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            if bytes[index] == 0x26, index + 4 < bytes.count, bytes[index + 1] == 0x23, bytes[index + 2] == 0x33,
                bytes[index + 3] == 0x38, bytes[index + 4] == 0x3B
            {
                decoded.append(0x26)
                index += 5
            } else {
                decoded.append(bytes[index])
                index += 1
            }
        }
        return String(decoding: decoded, as: UTF8.self)
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
            guard let namespace = XMLNameTable.string(uri, limit: configuration.maxNameBytes) else {
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
