/// Turns one schema document into Swift declarations (``FileModel``), resolving references through the
/// ``SchemaSet``. Anything it cannot map it reports and keeps as raw XML, so the output always compiles.
struct SchemaTranslator {
    let set: SchemaSet
    let document: SchemaDocument
    let diagnostics: DiagnosticCollector
    /// The module the code compiles into, used to qualify references that a type's name would shadow.
    let moduleName: String?

    var namespace: String { document.targetNamespace }

    /// How this file's namespace enum is written in references.
    var enumPath: String { qualifiedEnum(namespace) }

    func translate() -> FileModel {
        var file = FileModel(
            schemaFile: document.fileName, namespace: namespace, namespaceEnum: set.namespaceEnum(namespace),
            documentation: document.documentation)
        for name in document.elementOrder {
            guard let element = document.elements[name], let swiftName = set.swiftName(ofElement: element.name)
            else { continue }
            let model = elementStruct(element, swiftName: swiftName)
            file.declarations.append(.structure(model))
            file.payloadTypes.append(swiftName)
        }
        for name in document.complexTypeOrder {
            guard let type = document.complexTypes[name], let swiftName = set.swiftName(ofComplexType: type.name!)
            else { continue }
            let model = StructModel(
                name: swiftName, path: enumPath + "." + swiftName, documentation: type.documentation,
                remark: "Generated from \(document.fileName) complexType \(name)", qualifiedName: nil)
            fill(model, with: type, context: swiftName)
            file.declarations.append(.structure(model))
        }
        for name in document.simpleTypeOrder {
            guard let type = document.simpleTypes[name], let swiftName = set.swiftName(ofSimpleType: type.name!)
            else { continue }
            let remark = "Generated from \(document.fileName) simpleType \(name)"
            var nested: [DeclarationModel] = []
            let value = valueType(
                of: .simple(type), nestedName: swiftName, scope: enumPath, closedKey: "\(namespace)#\(name)",
                into: &nested)
            if let first = nested.first, nested.count == 1, case .valueEnum(var enumeration) = first {
                enumeration.remark = remark
                file.declarations.append(.valueEnum(enumeration))
            } else {
                file.declarations += nested
                let target: String =
                    switch value {
                    case .single(let type): type
                    case .list(let item): "[\(item)]"
                    }
                if target != enumPath + "." + swiftName {
                    file.declarations.append(
                        .alias(name: swiftName, target: target, documentation: type.documentation, remark: remark))
                }
            }
        }
        file.imports = set.referencedModules
        return file
    }

    /// The struct for a global element.
    private func elementStruct(_ element: ElementDeclaration, swiftName: String) -> StructModel {
        let model = StructModel(
            name: swiftName, path: enumPath + "." + swiftName, documentation: element.documentation,
            remark: "Generated from \(document.fileName) <\(element.name.name)/>", qualifiedName: element.name)
        switch element.type {
        case .complex(let type):
            fill(model, with: type, context: swiftName)
        case .named(let typeName):
            if let type = set.complexType(typeName) {
                fill(model, with: type, context: swiftName)
            } else {
                addValue(
                    to: model, type: .named(typeName), closedKey: "\(namespace)#\(element.name.name)",
                    location: element.location)
            }
        case .simple:
            addValue(
                to: model, type: element.type, closedKey: "\(namespace)#\(element.name.name)",
                location: element.location)
        case .unspecified:
            model.properties.append(
                PropertyModel(name: "content", kind: .content, documentation: "The element's content (xs:anyType)."))
            model.keepsUnknownChildren = false
        }
        return model
    }

    /// Adds a `value` property for simple content.
    func addValue(to model: StructModel, type: TypeReference, closedKey: String, location: SourceLocation) {
        if isEmptyValue(type) { return }
        var nested: [DeclarationModel] = []
        let value = valueType(
            of: type, nestedName: "Value", scope: model.path, closedKey: closedKey, into: &nested, location: location)
        model.nested += nested
        switch value {
        case .single(let swiftType):
            model.properties.append(
                PropertyModel(name: "value", kind: .text(valueType: swiftType), documentation: "The element's text."))
        case .list:
            model.properties.append(
                PropertyModel(name: "value", kind: .text(valueType: "String"), documentation: "The element's text."))
        }
    }

    func warn(_ location: SourceLocation, _ message: String) {
        diagnostics.warning(location.file, location.line, message)
    }

    /// How a reference to a global type of namespace `other` is written from this file: always from the
    /// namespace enum down, so that it means the same in declarations and in conformance extensions.
    func reference(_ swiftName: String, in other: String) -> String {
        set.noteReference(to: other)
        return qualifiedEnum(other) + "." + swiftName
    }

    /// The configured name for a member or nested type of `model`, or `name` itself.
    func renamed(_ name: String, in model: StructModel) -> String {
        set.config.renames[configurationKey(name, in: model)] ?? name
    }

    /// The configured Swift type for a member of `model`, if any.
    func mappedType(of member: String, in model: StructModel) -> String? {
        set.config.types[configurationKey(member, in: model)]
    }

    /// `namespace#Type.member`, with the type's path below its namespace enum.
    private func configurationKey(_ member: String, in model: StructModel) -> String {
        let relative = model.path.split(separator: ".").drop { $0 != Substring(set.namespaceEnum(namespace)) }
            .dropFirst().joined(separator: ".")
        return "\(namespace)#\(relative).\(member)"
    }

    /// A namespace enum's name, module-qualified when one of its own types has the same name (`Ping.Ping`)
    /// and would shadow it inside the enum.
    func qualifiedEnum(_ namespace: String) -> String {
        let name = set.namespaceEnum(namespace)
        if let moduleName, namespace == self.namespace, set.globalTypeNames(in: namespace).contains(name) {
            return moduleName + "." + name
        }
        return name
    }
}
