/// Every schema the compiler can see — the inputs and what the search path holds — with lookups by qualified
/// name and the Swift names of their global components.
final class SchemaSet {
    private(set) var documents: [SchemaDocument] = []
    let config: GeneratorConfig
    let diagnostics: DiagnosticCollector
    private var namespaceEnums: [String: String] = [:]
    private var usedEnumNames: Set<String> = []
    /// Swift names of global types, by kind and qualified name, unique within their namespace enum.
    private var elementTypeNames: [QName: String] = [:]
    private var complexTypeNames: [QName: String] = [:]
    private var simpleTypeNames: [QName: String] = [:]
    private var takenTypeNames: [String: Set<String>] = [:]

    init(config: GeneratorConfig, diagnostics: DiagnosticCollector) {
        self.config = config
        self.diagnostics = diagnostics
        usedEnumNames = Set(config.namespaces.values).union(WellKnownNamespaces.names.values)
    }

    /// Namespaces of the schemas the run can see besides those added (on the search path and in the imported
    /// modules' folders): a namespace name made from a URI keeps its version when another version is among them.
    var visibleNamespaces: Set<String> = []

    /// The module of each namespace whose types come from another module.
    private var modules: [String: String] = [:]
    /// The namespaces of other files that the translated code refers to.
    private(set) var referencedNamespaces: Set<String> = []

    func add(_ document: SchemaDocument, module: String? = nil) {
        documents.append(document)
        let namespace = document.targetNamespace
        if let module { modules[namespace] = module }
        var taken = takenTypeNames[namespace] ?? []
        for name in document.elementOrder {
            let derived = SwiftNames.typeName(name)
            let preferred = config.renames["\(namespace)#\(derived)"] ?? derived
            let swiftName = SwiftNames.unique(preferred, in: taken.union(SwiftNames.reservedMembers))
            elementTypeNames[QName(namespace, name)] = swiftName
            taken.insert(swiftName)
        }
        for name in document.complexTypeOrder {
            var swiftName = SwiftNames.typeName(name)
            if taken.contains(swiftName) { swiftName += "Type" }
            swiftName = SwiftNames.unique(swiftName, in: taken.union(SwiftNames.reservedMembers))
            complexTypeNames[QName(namespace, name)] = swiftName
            taken.insert(swiftName)
        }
        for name in document.simpleTypeOrder {
            var swiftName = SwiftNames.typeName(name)
            if taken.contains(swiftName) { swiftName += "Value" }
            swiftName = SwiftNames.unique(swiftName, in: taken.union(SwiftNames.reservedMembers))
            simpleTypeNames[QName(namespace, name)] = swiftName
            taken.insert(swiftName)
        }
        takenTypeNames[namespace] = taken
    }

    /// The Swift type names already used for global types of a namespace.
    func globalTypeNames(in namespace: String) -> Set<String> {
        takenTypeNames[namespace] ?? []
    }

    // MARK: - Lookup

    func element(_ name: QName) -> ElementDeclaration? {
        documents.lazy.compactMap { $0.targetNamespace == name.namespace ? $0.elements[name.name] : nil }.first
    }

    func complexType(_ name: QName) -> ComplexType? {
        documents.lazy.compactMap { $0.targetNamespace == name.namespace ? $0.complexTypes[name.name] : nil }.first
    }

    func simpleType(_ name: QName) -> SimpleType? {
        documents.lazy.compactMap { $0.targetNamespace == name.namespace ? $0.simpleTypes[name.name] : nil }.first
    }

    func group(_ name: QName) -> ModelGroup? {
        documents.lazy.compactMap { $0.targetNamespace == name.namespace ? $0.groups[name.name] : nil }.first
    }

    func attributeGroup(_ name: QName) -> AttributeGroupContent? {
        documents.lazy.compactMap { $0.targetNamespace == name.namespace ? $0.attributeGroups[name.name] : nil }
            .first
    }

    func attribute(_ name: QName) -> AttributeDeclaration? {
        if let found = documents.lazy.compactMap({
            $0.targetNamespace == name.namespace ? $0.attributes[name.name] : nil
        }).first {
            return found
        }
        if name.namespace == xmlNamespace {
            // The XML namespace's attributes are known without its schema.
            let type: TypeReference = .named(QName(SchemaReader.xsdNamespace, "string"))
            return AttributeDeclaration(
                name: name, reference: nil, type: type, use: .optional, defaultValue: nil, fixedValue: nil,
                documentation: nil, location: SourceLocation(file: "xml.xsd", line: 0))
        }
        return nil
    }

    let xmlNamespace = "http://www.w3.org/XML/1998/namespace"

    /// Notes that generated code refers to a type of this namespace.
    func noteReference(to namespace: String) {
        referencedNamespaces.insert(namespace)
    }

    /// The modules the referenced namespaces' types live in.
    var referencedModules: [String] {
        Set(referencedNamespaces.compactMap { modules[$0] }).sorted()
    }

    // MARK: - Swift names

    func swiftName(ofElement name: QName) -> String? { elementTypeNames[name] }
    func swiftName(ofComplexType name: QName) -> String? { complexTypeNames[name] }
    func swiftName(ofSimpleType name: QName) -> String? { simpleTypeNames[name] }

    /// The enum that holds a namespace's types: from the configuration, else from the table of well-known
    /// namespaces (``WellKnownNamespaces``), else made from the URI.
    ///
    /// A well-known name that the configuration gives to another namespace gets a number; a name made from a URI
    /// never takes a configured or well-known one, and leaves out the namespace's version (`urn:example:foo:1` →
    /// `ExampleFoo`) unless another version of it is in sight.
    func namespaceEnum(_ namespace: String) -> String {
        if let name = config.namespaces[namespace] ?? namespaceEnums[namespace] { return name }
        var name: String
        if let wellKnown = WellKnownNamespaces.names[namespace] {
            let configured = Set(config.namespaces.values)
            name = configured.contains(wellKnown) ? SwiftNames.unique(wellKnown, in: usedEnumNames) : wellKnown
        } else {
            name = SwiftNames.unique(derivedEnumName(namespace), in: usedEnumNames)
        }
        usedEnumNames.insert(name)
        namespaceEnums[namespace] = name
        return name
    }

    private func derivedEnumName(_ namespace: String) -> String {
        var uri = namespace
        if let stem = Self.versionStem(namespace) {
            let others = visibleNamespaces.union(documents.map(\.targetNamespace)).union(config.namespaces.keys)
                .union(WellKnownNamespaces.names.keys)
            if !others.contains(where: { $0 != namespace && Self.versionStem($0) == stem }) { uri = stem }
        }
        let skipped: Set<String> = [
            "http", "https", "urn", "www", "org", "com", "net", "protocol", "ns", "xmlns", "xmpp",
        ]
        var words = SwiftNames.words(uri).filter { !skipped.contains($0.lowercased()) }
        if words.first?.lowercased() == "jabber" && words.count > 1 { words.removeFirst() }
        var name = SwiftNames.typeName(words.joined(separator: "-"))
        if namespace.isEmpty || name == "_" { name = "NoNamespace" }
        if name.first?.isLetter != true { name = "NS" + name }
        return name
    }

    /// A versioned namespace without its version (`urn:xmpp:foo:1` → `urn:xmpp:foo`), or `nil` when it ends in no
    /// version number.
    static func versionStem(_ namespace: String) -> String? {
        guard let separator = namespace.lastIndex(where: { $0 == ":" || $0 == "/" }) else { return nil }
        let version = namespace[namespace.index(after: separator)...]
        guard !version.isEmpty, version.allSatisfy({ $0.isASCII && $0.isNumber }), separator > namespace.startIndex
        else { return nil }
        return String(namespace[..<separator])
    }
}
