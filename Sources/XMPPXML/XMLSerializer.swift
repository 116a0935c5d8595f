public import NIOCore

/// Writes ``XMLElement``s and stream headers as XMPP expects them on the wire.
///
/// A serializer knows the namespaces already in scope where its elements go: for an XMPP stream, the default
/// namespace (`jabber:client`) and the `stream` prefix declared by the stream header. An element in the default
/// namespace is written without a declaration, so stanzas do not repeat `xmlns='jabber:client'`; an element in
/// another namespace gets a default-namespace declaration where its namespace changes, and one in a namespace
/// bound to a prefix in scope (`stream:features`) uses that prefix. Namespaced attributes get `xml:` for the XML
/// namespace and a generated prefix otherwise.
///
/// Escaping: `&`, `<` and `>` in text; those and both quotes in attribute values (written in single quotes);
/// tab, line feed and carriage return in attribute values, and carriage return in text, as character
/// references so that they survive XML's normalization. Characters that XML 1.0 cannot carry at all (C0
/// controls other than tab, line feed and carriage return; U+FFFE; U+FFFF) are written as U+FFFD: the
/// alternative is a stream the peer must close with `not-well-formed`.
///
/// The output is deterministic: attributes in the element's order, declarations before attributes.
public struct XMLSerializer: Sendable {
    /// The default namespace in scope where elements are written (`""` for none).
    public var defaultNamespace: String
    /// Prefixes in scope where elements are written, as (prefix, namespace) pairs.
    public var prefixes: [XMLNamespaceDeclaration]

    /// Creates a serializer for a place where these namespaces are in scope.
    ///
    /// - Parameters:
    ///   - defaultNamespace: The default namespace in scope; `""` for a standalone document.
    ///   - prefixes: Prefix declarations in scope; declarations without a prefix are ignored.
    public init(defaultNamespace: String = "", prefixes: [XMLNamespaceDeclaration] = []) {
        self.defaultNamespace = defaultNamespace
        self.prefixes = prefixes.filter { $0.prefix != nil }
    }

    /// Creates a serializer for the children of a stream opened with this header: its default namespace and
    /// prefixes are in scope.
    ///
    /// - Parameter header: The stream header the elements will follow.
    public init(scopeOf header: XMLStreamHeader) {
        self.init(defaultNamespace: header.defaultNamespace ?? "", prefixes: header.namespaces)
    }

    // MARK: - Elements

    /// Appends an element to a buffer.
    ///
    /// - Parameters:
    ///   - element: The element to write.
    ///   - buffer: The buffer to append to.
    public func write(_ element: XMLElement, into buffer: inout ByteBuffer) {
        var scope = Scope(defaultNamespace: defaultNamespace, prefixes: prefixes)
        write(element, scope: &scope, into: &buffer)
    }

    /// The element as bytes in a new buffer.
    ///
    /// - Parameters:
    ///   - element: The element to write.
    ///   - allocator: The allocator for the buffer.
    /// - Returns: The serialized element.
    public func buffer(for element: XMLElement, allocator: ByteBufferAllocator = ByteBufferAllocator()) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: 256)
        write(element, into: &buffer)
        return buffer
    }

    /// The element as a string.
    ///
    /// - Parameter element: The element to write.
    /// - Returns: The serialized element.
    public func string(for element: XMLElement) -> String {
        String(buffer: buffer(for: element))
    }

    /// The namespaces in scope at one point of the output.
    private struct Scope {
        var defaultNamespace: String
        var prefixes: [XMLNamespaceDeclaration]
        var generated = 0

        func prefix(for namespace: String) -> String? {
            // The innermost declaration wins: search from the end.
            for declaration in prefixes.reversed() where declaration.namespace == namespace {
                // A prefix re-bound further in to another namespace no longer means this one.
                if let prefix = declaration.prefix,
                    prefixes.last(where: { $0.prefix == prefix })?.namespace == namespace
                {
                    return prefix
                }
            }
            return nil
        }

        mutating func newPrefix() -> String {
            while true {
                let candidate = "ns\(generated)"
                generated += 1
                if !prefixes.contains(where: { $0.prefix == candidate }) { return candidate }
            }
        }
    }

    private func write(_ element: XMLElement, scope: inout Scope, into buffer: inout ByteBuffer) {
        let outerDefault = scope.defaultNamespace
        let outerPrefixCount = scope.prefixes.count
        defer {
            scope.defaultNamespace = outerDefault
            scope.prefixes.removeSubrange(outerPrefixCount...)
        }

        // The element's own name: default namespace, a prefix in scope, or a new default declaration.
        var elementPrefix: String?
        var declareDefault = false
        if element.name.namespace != scope.defaultNamespace {
            if !element.name.namespace.isEmpty, let prefix = scope.prefix(for: element.name.namespace) {
                elementPrefix = prefix
            } else {
                declareDefault = true
                scope.defaultNamespace = element.name.namespace
            }
        }

        buffer.writeInteger(UInt8(ascii: "<"))
        writeQualifiedName(prefix: elementPrefix, element.name.localName, into: &buffer)
        if declareDefault {
            buffer.writeStaticString(" xmlns='")
            Self.writeEscaped(element.name.namespace, attribute: true, into: &buffer)
            buffer.writeInteger(UInt8(ascii: "'"))
        }
        for attribute in element.attributes {
            var attributePrefix: String?
            let namespace = attribute.name.namespace
            if namespace == XMLName.xmlNamespace {
                attributePrefix = "xml"
            } else if !namespace.isEmpty {
                if let prefix = scope.prefix(for: namespace) {
                    attributePrefix = prefix
                } else {
                    let prefix = scope.newPrefix()
                    scope.prefixes.append(XMLNamespaceDeclaration(prefix: prefix, namespace: namespace))
                    buffer.writeStaticString(" xmlns:")
                    buffer.writeString(prefix)
                    buffer.writeStaticString("='")
                    Self.writeEscaped(namespace, attribute: true, into: &buffer)
                    buffer.writeInteger(UInt8(ascii: "'"))
                    attributePrefix = prefix
                }
            }
            buffer.writeInteger(UInt8(ascii: " "))
            writeQualifiedName(prefix: attributePrefix, attribute.name.localName, into: &buffer)
            buffer.writeStaticString("='")
            Self.writeEscaped(attribute.value, attribute: true, into: &buffer)
            buffer.writeInteger(UInt8(ascii: "'"))
        }
        if element.children.isEmpty {
            buffer.writeStaticString("/>")
            return
        }
        buffer.writeInteger(UInt8(ascii: ">"))
        for child in element.children {
            switch child {
            case .element(let child): write(child, scope: &scope, into: &buffer)
            case .text(let text): Self.writeEscaped(text, attribute: false, into: &buffer)
            }
        }
        buffer.writeStaticString("</")
        writeQualifiedName(prefix: elementPrefix, element.name.localName, into: &buffer)
        buffer.writeInteger(UInt8(ascii: ">"))
    }

    private func writeQualifiedName(prefix: String?, _ localName: String, into buffer: inout ByteBuffer) {
        if let prefix {
            buffer.writeString(prefix)
            buffer.writeInteger(UInt8(ascii: ":"))
        }
        buffer.writeString(localName)
    }

    // MARK: - Stream header and footer

    /// Appends an XML declaration and the stream's opening tag: `<?xml version='1.0'?><stream:stream ...>`.
    ///
    /// Namespace declarations come first, in the header's order, then the attributes in order.
    ///
    /// - Parameters:
    ///   - header: The header to write.
    ///   - buffer: The buffer to append to.
    public static func writeStreamHeader(_ header: XMLStreamHeader, into buffer: inout ByteBuffer) {
        buffer.writeStaticString("<?xml version='1.0'?><")
        if let prefix = header.prefix {
            buffer.writeString(prefix)
            buffer.writeInteger(UInt8(ascii: ":"))
        }
        buffer.writeString(header.name.localName)
        for declaration in header.namespaces {
            if let prefix = declaration.prefix {
                buffer.writeStaticString(" xmlns:")
                buffer.writeString(prefix)
            } else {
                buffer.writeStaticString(" xmlns")
            }
            buffer.writeStaticString("='")
            writeEscaped(declaration.namespace, attribute: true, into: &buffer)
            buffer.writeInteger(UInt8(ascii: "'"))
        }
        for attribute in header.attributes {
            buffer.writeInteger(UInt8(ascii: " "))
            if attribute.name.namespace == XMLName.xmlNamespace {
                buffer.writeStaticString("xml:")
            } else if let prefix = header.namespaces.last(where: { $0.namespace == attribute.name.namespace })?.prefix,
                !attribute.name.namespace.isEmpty
            {
                buffer.writeString(prefix)
                buffer.writeInteger(UInt8(ascii: ":"))
            }
            buffer.writeString(attribute.name.localName)
            buffer.writeStaticString("='")
            writeEscaped(attribute.value, attribute: true, into: &buffer)
            buffer.writeInteger(UInt8(ascii: "'"))
        }
        buffer.writeInteger(UInt8(ascii: ">"))
    }

    /// Appends the closing tag of a stream opened with this header: `</stream:stream>`.
    ///
    /// - Parameters:
    ///   - header: The header the stream was opened with.
    ///   - buffer: The buffer to append to.
    public static func writeStreamFooter(for header: XMLStreamHeader, into buffer: inout ByteBuffer) {
        buffer.writeStaticString("</")
        if let prefix = header.prefix {
            buffer.writeString(prefix)
            buffer.writeInteger(UInt8(ascii: ":"))
        }
        buffer.writeString(header.name.localName)
        buffer.writeInteger(UInt8(ascii: ">"))
    }

    // MARK: - Escaping

    /// Appends text or an attribute value with the escapes XML needs; see the type's documentation.
    static func writeEscaped(_ string: String, attribute: Bool, into buffer: inout ByteBuffer) {
        var string = string
        string.withUTF8 { bytes in
            var runStart = 0
            var index = 0
            while index < bytes.count {
                let byte = bytes[index]
                let replacement: StaticString?
                var length = 1
                switch byte {
                case UInt8(ascii: "&"): replacement = "&amp;"
                case UInt8(ascii: "<"): replacement = "&lt;"
                case UInt8(ascii: ">"): replacement = "&gt;"
                case UInt8(ascii: "'") where attribute: replacement = "&apos;"
                case UInt8(ascii: "\"") where attribute: replacement = "&quot;"
                case 0x0D: replacement = "&#13;"
                case 0x0A where attribute: replacement = "&#10;"
                case 0x09 where attribute: replacement = "&#9;"
                case 0x09, 0x0A: replacement = nil
                case 0x00..<0x20: replacement = "\u{FFFD}"
                case 0xEF where index + 2 < bytes.count && bytes[index + 1] == 0xBF && bytes[index + 2] >= 0xBE:
                    replacement = "\u{FFFD}"  // U+FFFE or U+FFFF
                    length = 3
                default: replacement = nil
                }
                if let replacement {
                    if runStart < index {
                        buffer.writeBytes(
                            UnsafeRawBufferPointer(start: bytes.baseAddress! + runStart, count: index - runStart))
                    }
                    buffer.writeStaticString(replacement)
                    index += length
                    runStart = index
                } else {
                    index += 1
                }
            }
            if runStart < bytes.count {
                buffer.writeBytes(
                    UnsafeRawBufferPointer(start: bytes.baseAddress! + runStart, count: bytes.count - runStart))
            }
        }
    }
}

extension XMLElement: CustomStringConvertible {
    /// The element as standalone XML, every namespace declared: for logs and tests.
    public var description: String {
        XMLSerializer().string(for: self)
    }
}
