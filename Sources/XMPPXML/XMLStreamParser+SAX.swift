internal import CLibXML2

// The libxml2 SAX2 callbacks. Each reaches the parser state through libxml2's user-data pointer. Everything
// that RFC 6120 §11.1 forbids (DTDs, entity declarations and references, comments, processing instructions)
// halts the parser with `restricted-xml` before libxml2 acts on it; nothing is ever loaded from anywhere.

extension XMLStreamParserState {
    /// The state behind a callback's user-data pointer.
    @inline(__always)
    static func from(_ pointer: UnsafeMutableRawPointer?) -> UnsafeMutablePointer<XMLStreamParserState> {
        pointer.unsafelyUnwrapped.assumingMemoryBound(to: XMLStreamParserState.self)
    }

    /// The SAX2 handler that every parser context is created with (libxml2 copies it into the context).
    static func makeSAXHandler() -> xmlSAXHandler {
        var handler = xmlSAXHandler()
        handler.initialized = UInt32(XML_SAX2_MAGIC)
        handler.startElementNs = {
            user, localName, prefix, uri, namespaceCount, namespaces, attributeCount, _, attributes in
            guard let localName else { return }
            XMLStreamParserState.from(user).pointee.startElement(
                localName: localName,
                prefix: prefix,
                namespace: uri,
                namespaceCount: Int(namespaceCount),
                namespaces: UnsafePointer(namespaces),
                attributeCount: Int(attributeCount),
                attributes: UnsafePointer(attributes)
            )
        }
        handler.endElementNs = { user, _, _, _ in
            XMLStreamParserState.from(user).pointee.endElement()
        }
        handler.characters = { user, bytes, count in
            guard let bytes else { return }
            XMLStreamParserState.from(user).pointee.characters(bytes, count: Int(count))
        }
        handler.ignorableWhitespace = handler.characters
        // CDATA sections are not restricted in XMPP: they are character data.
        handler.cdataBlock = handler.characters
        handler.internalSubset = { user, _, _, _ in
            XMLStreamParserState.from(user).pointee.fail(
                .restrictedXML, "a document type declaration (DTD) is not allowed")
        }
        handler.externalSubset = { user, _, _, _ in
            XMLStreamParserState.from(user).pointee.fail(.restrictedXML, "an external DTD subset is not allowed")
        }
        handler.entityDecl = { user, _, _, _, _, _ in
            XMLStreamParserState.from(user).pointee.fail(.restrictedXML, "an entity declaration is not allowed")
        }
        handler.unparsedEntityDecl = { user, _, _, _, _ in
            XMLStreamParserState.from(user).pointee.fail(.restrictedXML, "an entity declaration is not allowed")
        }
        handler.getEntity = { user, name in
            // Called for every entity reference except the five predefined ones.
            let entity = name.map { String(cString: $0) } ?? ""
            XMLStreamParserState.from(user).pointee.fail(
                .restrictedXML, "the entity reference '&\(entity);' is not allowed")
            return nil
        }
        handler.getParameterEntity = { user, _ in
            XMLStreamParserState.from(user).pointee.fail(.restrictedXML, "a parameter entity reference is not allowed")
            return nil
        }
        handler.resolveEntity = { user, _, _ in
            XMLStreamParserState.from(user).pointee.fail(.restrictedXML, "an external entity is not allowed")
            return nil
        }
        handler.reference = { user, _ in
            XMLStreamParserState.from(user).pointee.fail(.restrictedXML, "an entity reference is not allowed")
        }
        handler.comment = { user, _ in
            XMLStreamParserState.from(user).pointee.fail(.restrictedXML, "a comment is not allowed")
        }
        handler.processingInstruction = { user, _, _ in
            XMLStreamParserState.from(user).pointee.fail(.restrictedXML, "a processing instruction is not allowed")
        }
        handler.serror = { user, error in
            guard let user, let error else { return }
            XMLStreamParserState.from(user).pointee.libxml2Error(error.pointee)
        }
        return handler
    }

    /// Maps a libxml2 error to a stream error. Warnings are ignored; every error halts the parser.
    mutating func libxml2Error(_ error: xmlError) {
        guard error.level.rawValue >= XML_ERR_ERROR.rawValue, failure == nil else { return }
        let code = xmlParserErrors(rawValue: UInt32(error.code))
        let detail = error.message.map { String(cString: $0) }.map { $0.trimmingWhitespace() } ?? "error \(error.code)"
        let condition: XMLStreamError.Condition
        switch code {
        case XML_ERR_UNSUPPORTED_ENCODING, XML_ERR_UNKNOWN_ENCODING:
            condition = .unsupportedEncoding
        case XML_ERR_UNDECLARED_ENTITY, XML_WAR_UNDECLARED_ENTITY, XML_ERR_ENTITY_LOOP,
            XML_ERR_ENTITY_BOUNDARY, XML_ERR_EXT_ENTITY_STANDALONE:
            condition = .restrictedXML
        default:
            condition = .notWellFormed
        }
        let prefix: String
        switch code {
        case XML_ERR_INVALID_CHAR, XML_ERR_INVALID_ENCODING:
            prefix = "invalid character or UTF-8 sequence: "
        case XML_NS_ERR_UNDEFINED_NAMESPACE:
            prefix = "undeclared namespace prefix: "
        default:
            prefix = ""
        }
        fail(condition, prefix + detail)
    }
}

extension String {
    fileprivate func trimmingWhitespace() -> String {
        var scalars = Substring(self)
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        return String(scalars)
    }
}
