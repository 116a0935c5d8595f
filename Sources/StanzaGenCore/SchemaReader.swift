internal import CLibXML2

/// Reads one `.xsd` file into a ``SchemaDocument`` with libxml2's tree API.
///
/// References stay names here; ``SchemaSet`` resolves them across files. What the reader does not understand it
/// reports and skips. Nothing is fetched from the network, and entities are not expanded.
struct SchemaReader {
    static let xsdNamespace = "http://www.w3.org/2001/XMLSchema"

    let file: String
    let diagnostics: DiagnosticCollector
    private var document = SchemaDocument(file: "", fileName: "", targetNamespace: "")
    private var elementsQualified = false
    private var attributesQualified = false

    init(file: String, diagnostics: DiagnosticCollector) {
        self.file = file
        self.diagnostics = diagnostics
    }

    /// Reads the file.
    ///
    /// - Throws: ``StanzaGenError`` when the file cannot be read or is not a schema.
    mutating func read() throws -> SchemaDocument {
        let options = Int32(
            XML_PARSE_NONET.rawValue | XML_PARSE_NOCDATA.rawValue | XML_PARSE_NOWARNING.rawValue
                | XML_PARSE_NOERROR.rawValue)
        guard let xml = xmlReadFile(file, nil, options) else {
            let message = xmlGetLastError().map { String(cString: $0.pointee.message).trimmed } ?? "unreadable"
            throw StanzaGenError("\(file): not well-formed XML: \(message)")
        }
        defer { xmlFreeDoc(xml) }
        guard let root = xmlDocGetRootElement(xml), Node(root).isXSD("schema") else {
            throw StanzaGenError("\(file): the root element is not xs:schema")
        }
        let schema = Node(root)
        document = SchemaDocument(
            file: file,
            fileName: String(file.split(separator: "/").last ?? Substring(file)),
            targetNamespace: schema["targetNamespace"] ?? ""
        )
        elementsQualified = schema["elementFormDefault"] == "qualified"
        attributesQualified = schema["attributeFormDefault"] == "qualified"
        for child in schema.children {
            readTopLevel(child)
        }
        return document
    }

    // MARK: - Top level

    private mutating func readTopLevel(_ node: Node) {
        guard node.isXSDElement else { return }
        switch node.localName {
        case "annotation":
            if document.documentation == nil { document.documentation = documentation(ofAnnotation: node) }
        case "import":
            document.imports.append(node["namespace"] ?? "")
        case "include":
            if let location = node["schemaLocation"] { document.includes.append(location) }
        case "element":
            var element = readElement(node, global: true)
            element.occurs = .one
            guard document.elements[element.name.name] == nil else {
                return warn(node, "duplicate global element '\(element.name.name)' ignored")
            }
            document.elements[element.name.name] = element
            document.elementOrder.append(element.name.name)
        case "complexType":
            guard let name = node["name"] else { return warn(node, "global complexType without a name ignored") }
            document.complexTypes[name] = readComplexType(node, name: QName(document.targetNamespace, name))
            document.complexTypeOrder.append(name)
        case "simpleType":
            guard let name = node["name"] else { return warn(node, "global simpleType without a name ignored") }
            document.simpleTypes[name] = readSimpleType(node, name: QName(document.targetNamespace, name))
            document.simpleTypeOrder.append(name)
        case "group":
            guard let name = node["name"] else { return warn(node, "global group without a name ignored") }
            if let group = node.children.first(where: { $0.isXSDElement && $0.localName != "annotation" })
                .flatMap({ readModelGroup($0) })
            {
                document.groups[name] = group
            }
        case "attributeGroup":
            guard let name = node["name"] else { return warn(node, "global attributeGroup without a name ignored") }
            document.attributeGroups[name] = readAttributes(of: node)
        case "attribute":
            let attribute = readAttribute(node, global: true)
            document.attributes[attribute.name.name] = attribute
        case "notation", "redefine", "override":
            warn(node, "xs:\(node.localName) is not supported and is ignored")
        default:
            warn(node, "unexpected xs:\(node.localName) at the top level ignored")
        }
    }

    // MARK: - Elements and attributes

    private mutating func readElement(_ node: Node, global: Bool) -> ElementDeclaration {
        let location = self.location(node)
        let occurs = readOccurs(node)
        if let reference = node["ref"].flatMap({ node.resolve($0) }) {
            return ElementDeclaration(
                name: reference, reference: reference, type: .unspecified, occurs: occurs, defaultValue: nil,
                fixedValue: nil, isAbstract: false, documentation: documentation(of: node), location: location)
        }
        let localName = node["name"] ?? ""
        if localName.isEmpty { warn(node, "an element without a name or ref") }
        let qualified = global || (node["form"].map { $0 == "qualified" } ?? elementsQualified)
        var type = TypeReference.unspecified
        if let typeName = node["type"].flatMap({ node.resolve($0) }) {
            type = .named(typeName)
        } else if let complex = node.children.first(where: { $0.isXSD("complexType") }) {
            type = .complex(readComplexType(complex, name: nil))
        } else if let simple = node.children.first(where: { $0.isXSD("simpleType") }) {
            type = .simple(readSimpleType(simple, name: nil))
        }
        return ElementDeclaration(
            name: QName(qualified ? document.targetNamespace : "", localName),
            reference: nil,
            type: type,
            occurs: occurs,
            defaultValue: node["default"],
            fixedValue: node["fixed"],
            isAbstract: node["abstract"] == "true",
            documentation: documentation(of: node),
            location: location
        )
    }

    private mutating func readAttribute(_ node: Node, global: Bool) -> AttributeDeclaration {
        let use = AttributeDeclaration.Use(rawValue: node["use"] ?? "optional") ?? .optional
        if let reference = node["ref"].flatMap({ node.resolve($0) }) {
            return AttributeDeclaration(
                name: reference, reference: reference, type: .unspecified, use: use, defaultValue: node["default"],
                fixedValue: node["fixed"], documentation: documentation(of: node), location: location(node))
        }
        let qualified = global || (node["form"].map { $0 == "qualified" } ?? attributesQualified)
        var type = TypeReference.unspecified
        if let typeName = node["type"].flatMap({ node.resolve($0) }) {
            type = .named(typeName)
        } else if let simple = node.children.first(where: { $0.isXSD("simpleType") }) {
            type = .simple(readSimpleType(simple, name: nil))
        }
        return AttributeDeclaration(
            name: QName(qualified ? document.targetNamespace : "", node["name"] ?? ""),
            reference: nil, type: type, use: use, defaultValue: node["default"], fixedValue: node["fixed"],
            documentation: documentation(of: node), location: location(node))
    }

    /// The attributes, attribute group references and `anyAttribute` among a node's children.
    private mutating func readAttributes(of node: Node) -> AttributeGroupContent {
        var content = AttributeGroupContent()
        for child in node.children where child.isXSDElement {
            switch child.localName {
            case "attribute":
                let attribute = readAttribute(child, global: false)
                if attribute.use != .prohibited { content.attributes.append(attribute) }
            case "attributeGroup":
                if let reference = child["ref"].flatMap({ child.resolve($0) }) {
                    content.groupReferences.append(reference)
                }
            case "anyAttribute":
                content.anyAttribute = true
            default:
                break
            }
        }
        return content
    }

    // MARK: - Types

    private mutating func readComplexType(_ node: Node, name: QName?) -> ComplexType {
        var type = ComplexType(
            name: name, content: .empty, base: nil, isExtension: false, isMixed: node["mixed"] == "true",
            isAbstract: node["abstract"] == "true", attributes: readAttributes(of: node),
            documentation: documentation(of: node), location: location(node))
        for child in node.children where child.isXSDElement {
            switch child.localName {
            case "sequence", "choice", "all":
                if let group = readModelGroup(child) { type.content = .elements(group) }
            case "group":
                if let reference = child["ref"].flatMap({ child.resolve($0) }) {
                    let group = ModelGroup(
                        compositor: .sequence,
                        particles: [.groupReference(reference, .one, location(child))],
                        occurs: readOccurs(child), location: location(child))
                    type.content = .elements(group)
                }
            case "simpleContent":
                readDerivation(child, into: &type, simple: true)
            case "complexContent":
                if child["mixed"] == "true" { type.isMixed = true }
                readDerivation(child, into: &type, simple: false)
            default:
                break
            }
        }
        return type
    }

    private mutating func readDerivation(_ node: Node, into type: inout ComplexType, simple: Bool) {
        guard let derivation = node.children.first(where: { $0.isXSD("extension") || $0.isXSD("restriction") })
        else { return }
        let base = derivation["base"].flatMap { derivation.resolve($0) }
        type.isExtension = derivation.localName == "extension"
        let own = readAttributes(of: derivation)
        type.attributes.attributes += own.attributes
        type.attributes.groupReferences += own.groupReferences
        type.attributes.anyAttribute = type.attributes.anyAttribute || own.anyAttribute
        if simple {
            if let base {
                type.content = .simple(.named(base))
                type.base = base
            } else if let inline = derivation.children.first(where: { $0.isXSD("simpleType") }) {
                type.content = .simple(.simple(readSimpleType(inline, name: nil)))
            }
            return
        }
        type.base = base
        for child in derivation.children where child.isXSDElement {
            switch child.localName {
            case "sequence", "choice", "all":
                if let group = readModelGroup(child) { type.content = .elements(group) }
            case "group":
                if let reference = child["ref"].flatMap({ child.resolve($0) }) {
                    type.content = .elements(
                        ModelGroup(
                            compositor: .sequence,
                            particles: [.groupReference(reference, readOccurs(child), location(child))],
                            occurs: .one, location: location(child)))
                }
            default:
                break
            }
        }
    }

    private mutating func readModelGroup(_ node: Node) -> ModelGroup? {
        guard let compositor = ModelGroup.Compositor(rawValue: node.localName) else {
            if node.localName == "group", let reference = node["ref"].flatMap({ node.resolve($0) }) {
                return ModelGroup(
                    compositor: .sequence, particles: [.groupReference(reference, readOccurs(node), location(node))],
                    occurs: .one, location: location(node))
            }
            return nil
        }
        var particles: [Particle] = []
        for child in node.children where child.isXSDElement {
            switch child.localName {
            case "element":
                particles.append(.element(readElement(child, global: false)))
            case "sequence", "choice", "all":
                if let group = readModelGroup(child) { particles.append(.group(group)) }
            case "group":
                if let reference = child["ref"].flatMap({ child.resolve($0) }) {
                    particles.append(.groupReference(reference, readOccurs(child), location(child)))
                }
            case "any":
                particles.append(.any(readWildcard(child)))
            case "annotation":
                break
            default:
                warn(child, "xs:\(child.localName) inside xs:\(node.localName) ignored")
            }
        }
        return ModelGroup(
            compositor: compositor, particles: particles, occurs: readOccurs(node), location: location(node))
    }

    private func readWildcard(_ node: Node) -> Wildcard {
        let namespaces: NamespaceConstraint
        switch node["namespace"] ?? "##any" {
        case "##any": namespaces = .any
        case "##other": namespaces = .other
        case let list:
            namespaces = .list(
                list.split(separator: " ").map { token in
                    switch token {
                    case "##local": ""
                    case "##targetNamespace": document.targetNamespace
                    default: String(token)
                    }
                })
        }
        return Wildcard(
            namespaces: namespaces, targetNamespace: document.targetNamespace, occurs: readOccurs(node),
            documentation: documentation(of: node), location: location(node))
    }

    private mutating func readSimpleType(_ node: Node, name: QName?) -> SimpleType {
        var variety = SimpleType.Variety.restriction(base: .named(QName(Self.xsdNamespace, "string")), enumeration: [])
        for child in node.children where child.isXSDElement {
            switch child.localName {
            case "restriction":
                var base = TypeReference.named(QName(Self.xsdNamespace, "string"))
                if let baseName = child["base"].flatMap({ child.resolve($0) }) {
                    base = .named(baseName)
                } else if let inline = child.children.first(where: { $0.isXSD("simpleType") }) {
                    base = .simple(readSimpleType(inline, name: nil))
                }
                let values = child.children.filter { $0.isXSD("enumeration") }.map {
                    SimpleType.EnumerationValue(value: $0["value"] ?? "", documentation: documentation(of: $0))
                }
                variety = .restriction(base: base, enumeration: values)
            case "list":
                if let item = child["itemType"].flatMap({ child.resolve($0) }) {
                    variety = .list(item: .named(item))
                } else if let inline = child.children.first(where: { $0.isXSD("simpleType") }) {
                    variety = .list(item: .simple(readSimpleType(inline, name: nil)))
                }
            case "union":
                var members: [TypeReference] = (child["memberTypes"] ?? "").split(separator: " ").compactMap {
                    child.resolve(String($0)).map(TypeReference.named)
                }
                for inline in child.children where inline.isXSD("simpleType") {
                    members.append(.simple(readSimpleType(inline, name: nil)))
                }
                variety = .union(members: members)
            default:
                break
            }
        }
        return SimpleType(
            name: name, variety: variety, documentation: documentation(of: node), location: location(node))
    }

    // MARK: - Small parts

    private func readOccurs(_ node: Node) -> Occurs {
        let min = node["minOccurs"].flatMap { Int($0.trimmed) } ?? 1
        let max: Int?
        switch node["maxOccurs"]?.trimmed {
        case nil: max = 1
        case "unbounded": max = nil
        case let text?: max = Int(text) ?? 1
        }
        return Occurs(min: min, max: max)
    }

    private func documentation(of node: Node) -> String? {
        guard let annotation = node.children.first(where: { $0.isXSD("annotation") }) else { return nil }
        return documentation(ofAnnotation: annotation)
    }

    private func documentation(ofAnnotation annotation: Node) -> String? {
        let texts = annotation.children.filter { $0.isXSD("documentation") }.map { $0.text.trimmed }
        let text = texts.filter { !$0.isEmpty }.joined(separator: "\n\n")
        return text.isEmpty ? nil : text
    }

    private func location(_ node: Node) -> SourceLocation {
        SourceLocation(file: document.fileName, line: node.line)
    }

    private func warn(_ node: Node, _ message: String) {
        diagnostics.warning(document.fileName.isEmpty ? file : document.fileName, node.line, message)
    }
}

/// A libxml2 element node, read-only.
struct Node {
    let pointer: xmlNodePtr

    init(_ pointer: xmlNodePtr) {
        self.pointer = pointer
    }

    var isElement: Bool { pointer.pointee.type == XML_ELEMENT_NODE }

    var localName: String { String(cString: pointer.pointee.name) }

    var namespace: String? { pointer.pointee.ns.map { String(cString: $0.pointee.href) } }

    var isXSDElement: Bool { isElement && namespace == SchemaReader.xsdNamespace }

    func isXSD(_ name: String) -> Bool { isXSDElement && localName == name }

    var line: Int { Int(xmlGetLineNo(pointer)) }

    var children: [Node] {
        var result: [Node] = []
        var child = pointer.pointee.children
        while let current = child {
            if current.pointee.type == XML_ELEMENT_NODE { result.append(Node(current)) }
            child = current.pointee.next
        }
        return result
    }

    /// The value of an unqualified attribute.
    subscript(name: String) -> String? {
        guard let value = xmlGetNoNsProp(pointer, name) else { return nil }
        defer { clibxml2_free(value) }
        return String(cString: value)
    }

    /// All text inside the node, including its descendants' (for documentation, which may contain markup).
    var text: String {
        guard let content = xmlNodeGetContent(pointer) else { return "" }
        defer { clibxml2_free(content) }
        return String(cString: content)
    }

    /// Resolves a QName written in an attribute value against the namespaces in scope here.
    func resolve(_ qname: String) -> QName? {
        let trimmed = qname.trimmed
        guard !trimmed.isEmpty else { return nil }
        let parts = trimmed.split(separator: ":", maxSplits: 1)
        let prefix = parts.count == 2 ? String(parts[0]) : nil
        let local = String(parts.last!)
        let ns =
            prefix.map { xmlSearchNs(pointer.pointee.doc, pointer, $0) }
            ?? xmlSearchNs(pointer.pointee.doc, pointer, nil)
        if let ns {
            return QName(String(cString: ns.pointee.href), local)
        }
        if prefix == "xml" {
            return QName("http://www.w3.org/XML/1998/namespace", local)
        }
        return prefix == nil ? QName("", local) : nil
    }
}

extension String {
    var trimmed: String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}
