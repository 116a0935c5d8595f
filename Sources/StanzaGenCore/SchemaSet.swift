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
        usedEnumNames = Set(config.namespaces.values)
    }

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

    /// The enum that holds a namespace's types: from the configuration, or made from the URI.
    func namespaceEnum(_ namespace: String) -> String {
        if let name = config.namespaces[namespace] ?? namespaceEnums[namespace] { return name }
        let skipped: Set<String> = ["http", "https", "urn", "www", "org", "com", "net", "protocol", "ns", "xmlns"]
        var words = SwiftNames.words(namespace).filter { !skipped.contains($0.lowercased()) }
        if words.first?.lowercased() == "jabber" && words.count > 1 { words.removeFirst() }
        var name = SwiftNames.typeName(words.joined(separator: "-"))
        if namespace.isEmpty || name == "_" { name = "NoNamespace" }
        if name.first?.isLetter != true { name = "NS" + name }
        name = SwiftNames.unique(name, in: usedEnumNames)
        usedEnumNames.insert(name)
        namespaceEnums[namespace] = name
        return name
    }
}
