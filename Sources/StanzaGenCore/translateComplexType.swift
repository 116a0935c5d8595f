/// One thing a complex type's content holds, after model groups are flattened.
private enum ContentItem {
    case element(ElementDeclaration, Occurs)
    case choice([ElementDeclaration], Occurs)
    case wildcard(Wildcard)
}

extension SchemaTranslator {
    /// Fills a struct with the attributes and content of a complex type (and of the types it derives from).
    func fill(_ model: StructModel, with type: ComplexType, context: String) {
        var taken = SwiftNames.reservedMembers
        var typeNames: Set<String> = set.globalTypeNames(in: namespace).union([model.name])
        for attribute in attributes(of: type, depth: 0) {
            addAttribute(attribute, to: model, taken: &taken, typeNames: &typeNames, context: context)
        }
        switch set.effectiveContent(of: type) {
        case .empty:
            break
        case .simple(let valueType):
            var nested: [DeclarationModel] = []
            let value = self.valueType(
                of: valueType, nestedName: SwiftNames.unique("Value", in: typeNames), scope: model.path,
                closedKey: "\(namespace)#\(context)", into: &nested)
            model.nested += nested
            let swiftType: String =
                switch value {
                case .single(let type): type
                case .list: "String"
                }
            if !isEmptyValue(valueType) {
                model.properties.append(
                    PropertyModel(
                        name: SwiftNames.unique("value", in: taken), kind: .text(valueType: swiftType),
                        documentation: "The element's text."))
            }
        case .elements(let group):
            if type.isMixed || hasMixedBase(type, depth: 0) {
                warn(type.location, "mixed content is kept as raw nodes in `content`")
                model.properties.append(
                    PropertyModel(
                        name: SwiftNames.unique("content", in: taken), kind: .content,
                        documentation: "The element's mixed content, as it is."))
                model.keepsUnknownChildren = false
                return
            }
            var items: [ContentItem] = []
            flatten(group, outer: .one, into: &items, depth: 0)
            addContent(items, to: model, taken: &taken, typeNames: &typeNames)
        }
    }

    // MARK: - Attributes

    private func attributes(of type: ComplexType, depth: Int) -> [AttributeDeclaration] {
        var result: [AttributeDeclaration] = []
        if let base = type.base, depth < 16, let baseType = set.complexType(base) {
            result = attributes(of: baseType, depth: depth + 1)
        }
        var own = type.attributes.attributes
        own += attributeGroups(type.attributes.groupReferences, depth: 0)
        for attribute in own {
            let resolved = resolve(attribute)
            if let index = result.firstIndex(where: { resolve($0).name == resolved.name }) {
                result[index] = attribute  // a restriction restates an inherited attribute
            } else {
                result.append(attribute)
            }
        }
        return result
    }

    private func attributeGroups(_ references: [QName], depth: Int) -> [AttributeDeclaration] {
        guard depth < 16 else { return [] }
        var result: [AttributeDeclaration] = []
        for reference in references {
            guard let group = set.attributeGroup(reference) else {
                diagnostics.warning(document.fileName, 0, "unknown attribute group \(reference) ignored")
                continue
            }
            result += group.attributes
            result += attributeGroups(group.groupReferences, depth: depth + 1)
        }
        return result
    }

    private func resolve(_ attribute: AttributeDeclaration) -> AttributeDeclaration {
        guard let reference = attribute.reference else { return attribute }
        guard var global = set.attribute(reference) else {
            warn(attribute.location, "unknown attribute \(reference); read as text")
            var copy = attribute
            copy.type = .unspecified
            return copy
        }
        global.use = attribute.use
        global.defaultValue = attribute.defaultValue ?? global.defaultValue
        global.fixedValue = attribute.fixedValue ?? global.fixedValue
        global.documentation = attribute.documentation ?? global.documentation
        return global
    }

    private func addAttribute(
        _ declaration: AttributeDeclaration,
        to model: StructModel,
        taken: inout Set<String>,
        typeNames: inout Set<String>,
        context: String
    ) {
        let attribute = resolve(declaration)
        guard !attribute.name.name.isEmpty,
            !model.properties.contains(where: {
                if case .attribute(let name, _, _) = $0.kind { return name == attribute.name }
                if case .listAttribute(let name, _, _) = $0.kind { return name == attribute.name }
                return false
            })
        else { return }
        let name = SwiftNames.unique(renamed(SwiftNames.memberName(attribute.name.name), in: model), in: taken)
        taken.insert(name)
        var nested: [DeclarationModel] = []
        let nestedName = SwiftNames.unique(SwiftNames.typeName(attribute.name.name), in: typeNames)
        let value = valueType(
            of: attribute.type, nestedName: nestedName, scope: model.path,
            closedKey: "\(namespace)#\(context)@\(attribute.name.name)",
            into: &nested, location: attribute.location)
        if !nested.isEmpty { typeNames.insert(nestedName) }
        model.nested += nested
        var documentation = attribute.documentation
        if let defaultValue = attribute.defaultValue {
            documentation = (documentation.map { $0 + "\n\n" } ?? "") + "Default when absent: `\(defaultValue)`."
        }
        let required = attribute.use == .required
        let mapped = mappedType(of: name, in: model)
        let kind: PropertyModel.Kind =
            switch value {
            case .single(let type): .attribute(attribute.name, valueType: mapped ?? type, required: required)
            case .list(let item): .listAttribute(attribute.name, itemType: mapped ?? item, required: required)
            }
        model.properties.append(PropertyModel(name: name, kind: kind, documentation: documentation))
    }

    // MARK: - Content

    private func hasMixedBase(_ type: ComplexType, depth: Int) -> Bool {
        guard let base = type.base, depth < 16, let baseType = set.complexType(base) else { return false }
        return baseType.isMixed || hasMixedBase(baseType, depth: depth + 1)
    }

    private func flatten(_ group: ModelGroup, outer: Occurs, into items: inout [ContentItem], depth: Int) {
        guard depth < 32 else {
            warn(group.location, "model groups nested too deeply; the rest is kept as unknown children")
            return
        }
        let occurs = group.occurs.times(outer)
        switch group.compositor {
        case .sequence, .all:
            for particle in group.particles {
                flatten(particle, outer: occurs, into: &items, depth: depth + 1)
            }
        case .choice:
            let alternatives = group.particles.flatMap { expandGroupReferences($0, depth: depth) }
            if alternatives.count == 1 {
                flatten(alternatives[0], outer: occurs, into: &items, depth: depth + 1)
                return
            }
            var elements: [ElementDeclaration] = []
            var others: [Particle] = []
            for alternative in alternatives {
                if case .element(let element) = alternative, element.occurs.max == 1 {
                    elements.append(element)
                } else {
                    others.append(alternative)
                }
            }
            let optional = Occurs(min: 0, max: occurs.max)
            if others.isEmpty, elements.count > 1 {
                // A choice that can match nothing (an alternative with minOccurs='0') is optional, so that its
                // absence decodes; one that cannot keeps the occurrence it is given.
                items.append(.choice(elements, set.isEmptiable(group) ? optional : occurs))
                return
            }
            // Alternatives that are groups or repeated elements: each becomes optional on its own.
            for alternative in alternatives {
                flatten(alternative, outer: optional, into: &items, depth: depth + 1)
            }
        }
    }

    private func flatten(_ particle: Particle, outer: Occurs, into items: inout [ContentItem], depth: Int) {
        switch particle {
        case .element(let element):
            items.append(.element(element, element.occurs.times(outer)))
        case .group(let group):
            flatten(group, outer: outer, into: &items, depth: depth + 1)
        case .groupReference(let name, let occurs, let location):
            guard let group = set.group(name) else {
                return warn(location, "unknown group \(name); its elements are kept as unknown children")
            }
            var group2 = group
            group2.occurs = group.occurs.times(occurs)
            flatten(group2, outer: outer, into: &items, depth: depth + 1)
        case .any(var wildcard):
            wildcard.occurs = wildcard.occurs.times(outer)
            items.append(.wildcard(wildcard))
        }
    }

    private func expandGroupReferences(_ particle: Particle, depth: Int) -> [Particle] {
        guard case .groupReference(let name, let occurs, let location) = particle, depth < 16 else {
            return [particle]
        }
        guard var group = set.group(name) else {
            warn(location, "unknown group \(name) ignored")
            return []
        }
        group.occurs = group.occurs.times(occurs)
        if group.compositor == .choice && group.occurs == .one {
            return group.particles.flatMap { expandGroupReferences($0, depth: depth + 1) }
        }
        return [.group(group)]
    }

    /// The element a declaration stands for: itself, or the global element it refers to.
    private func resolve(_ element: ElementDeclaration) -> (declaration: ElementDeclaration, isGlobal: Bool)? {
        guard let reference = element.reference else { return (element, false) }
        guard let global = set.element(reference) else {
            warn(element.location, "unknown element \(reference); kept as unknown children")
            return nil
        }
        return (global, true)
    }

    /// Whether an element has no attributes and no content, so that its presence is all it says.
    private func isEmptyElement(_ element: ElementDeclaration) -> Bool {
        switch element.type {
        case .complex(let type):
            return isEmpty(type)
        case .named(let name):
            if let type = set.complexType(name) { return isEmpty(type) }
            return isEmptyValue(element.type)
        case .simple:
            return isEmptyValue(element.type)
        case .unspecified:
            return false
        }
    }

    /// Whether an element's type is a simple type (no attributes, no children).
    private func hasSimpleType(_ element: ElementDeclaration) -> Bool {
        switch element.type {
        case .simple: return true
        case .named(let name): return set.complexType(name) == nil
        default: return false
        }
    }

    private func isEmpty(_ type: ComplexType) -> Bool {
        guard attributes(of: type, depth: 0).isEmpty, !type.attributes.anyAttribute else { return false }
        switch set.effectiveContent(of: type) {
        case .empty: return true
        case .simple(let value): return isEmptyValue(value)
        case .elements(let group): return group.particles.isEmpty && !type.isMixed
        }
    }

    private func addContent(
        _ items: [ContentItem],
        to model: StructModel,
        taken: inout Set<String>,
        typeNames: inout Set<String>
    ) {
        // The same element twice in the content (e.g. a sequence a, b, a) is one array property.
        var counts: [QName: Int] = [:]
        for case .element(let element, _) in items {
            if let resolved = resolve(element) { counts[resolved.declaration.name, default: 0] += 1 }
        }
        var done: Set<QName> = []
        var wildcardProperty: Int?
        for item in items {
            switch item {
            case .element(let element, var occurs):
                guard let (declaration, isGlobal) = resolve(element), done.insert(declaration.name).inserted else {
                    continue
                }
                if counts[declaration.name, default: 0] > 1 { occurs = Occurs(min: 0, max: nil) }
                addElement(
                    declaration, isGlobal: isGlobal, occurs: occurs, documentation: element.documentation,
                    to: model, taken: &taken, typeNames: &typeNames)
            case .choice(let alternatives, let occurs):
                addChoice(alternatives, occurs: occurs, to: model, taken: &taken, typeNames: &typeNames, done: &done)
            case .wildcard(let wildcard):
                if wildcardProperty != nil { continue }  // one property takes every wildcard's elements
                let expression: String =
                    switch wildcard.namespaces {
                    case .any: ".any"
                    case .other: ".other(targetNamespace: \(SwiftNames.literal(wildcard.targetNamespace)))"
                    case .list(let namespaces):
                        ".list([\(namespaces.map(SwiftNames.literal).joined(separator: ", "))])"
                    }
                let name = SwiftNames.unique("payloads", in: taken)
                taken.insert(name)
                wildcardProperty = model.properties.count
                model.properties.append(
                    PropertyModel(
                        name: name, kind: .wildcard(expression),
                        documentation: wildcard.documentation ?? "Elements from other namespaces (xs:any)."))
            }
        }
    }

    private func addElement(
        _ element: ElementDeclaration,
        isGlobal: Bool,
        occurs: Occurs,
        documentation: String?,
        to model: StructModel,
        taken: inout Set<String>,
        typeNames: inout Set<String>
    ) {
        let cardinality = Cardinality(occurs)
        var name = SwiftNames.memberName(element.name.name)
        if cardinality == .array { name = SwiftNames.plural(name) }
        name = SwiftNames.unique(renamed(name, in: model), in: taken)
        taken.insert(name)
        let documentation = documentation ?? element.documentation
        if isEmptyElement(element) && cardinality != .array {
            model.properties.append(PropertyModel(name: name, kind: .flag(element.name), documentation: documentation))
            return
        }
        if isGlobal, let swiftName = set.swiftName(ofElement: element.name), hasSimpleType(element) {
            // A global element that is just a value (`<priority>5</priority>`): the value itself.
            var ignored: [DeclarationModel] = []
            let value = valueType(
                of: element.type, nestedName: "Value", scope: reference(swiftName, in: element.name.namespace),
                closedKey: "\(element.name.namespace)#\(element.name.name)", into: &ignored)
            if case .single(let valueType) = value {
                model.properties.append(
                    PropertyModel(
                        name: name, kind: .childValue(element.name, valueType: valueType, cardinality),
                        documentation: documentation))
                return
            }
        }
        if isGlobal, let swiftName = set.swiftName(ofElement: element.name) {
            model.properties.append(
                PropertyModel(
                    name: name,
                    kind: .child(element.name, type: reference(swiftName, in: element.name.namespace), cardinality),
                    documentation: documentation))
            return
        }
        switch element.type {
        case .named(let typeName):
            if set.complexType(typeName) != nil, let swiftName = set.swiftName(ofComplexType: typeName) {
                model.properties.append(
                    PropertyModel(
                        name: name,
                        kind: .child(element.name, type: reference(swiftName, in: typeName.namespace), cardinality),
                        documentation: documentation))
                return
            }
            addChildValue(
                element, name: name, cardinality: cardinality, documentation: documentation, to: model,
                typeNames: &typeNames)
        case .simple:
            addChildValue(
                element, name: name, cardinality: cardinality, documentation: documentation, to: model,
                typeNames: &typeNames)
        case .unspecified:
            model.properties.append(
                PropertyModel(
                    name: name, kind: .child(element.name, type: "XMLElement", cardinality),
                    documentation: documentation))
        case .complex(let type):
            let nestedName = SwiftNames.unique(SwiftNames.typeName(element.name.name), in: typeNames)
            typeNames.insert(nestedName)
            let nested = StructModel(
                name: nestedName, path: model.path + "." + nestedName,
                documentation: type.documentation ?? element.documentation,
                remark:
                    "Generated from \(document.fileName) <\(element.name.name)/> in \(model.remark.split(separator: " ").last ?? "")",
                qualifiedName: element.name)
            fill(nested, with: type, context: "\(element.name.name)")
            model.nested.append(.structure(nested))
            model.properties.append(
                PropertyModel(
                    name: name, kind: .child(element.name, type: nested.path, cardinality),
                    documentation: documentation))
        }
    }

    private func addChildValue(
        _ element: ElementDeclaration,
        name: String,
        cardinality: Cardinality,
        documentation: String?,
        to model: StructModel,
        typeNames: inout Set<String>
    ) {
        var nested: [DeclarationModel] = []
        let nestedName = SwiftNames.unique(SwiftNames.typeName(element.name.name), in: typeNames)
        let value = valueType(
            of: element.type, nestedName: nestedName, scope: model.path,
            closedKey: "\(namespace)#\(element.name.name)", into: &nested, location: element.location)
        if !nested.isEmpty { typeNames.insert(nestedName) }
        model.nested += nested
        let valueType: String =
            switch value {
            case .single(let type): type
            case .list: "String"
            }
        model.properties.append(
            PropertyModel(
                name: name,
                kind: .childValue(element.name, valueType: mappedType(of: name, in: model) ?? valueType, cardinality),
                documentation: documentation))
    }

    private func addChoice(
        _ alternatives: [ElementDeclaration],
        occurs: Occurs,
        to model: StructModel,
        taken: inout Set<String>,
        typeNames: inout Set<String>,
        done: inout Set<QName>
    ) {
        let enumName = SwiftNames.unique(renamed("Choice", in: model), in: typeNames)
        typeNames.insert(enumName)
        var cases: [ChoiceEnumModel.Case] = []
        var caseNames: Set<String> = ["unknown", "alternatives", "xmlElement"]
        var namespaces: [String] = []
        for alternative in alternatives {
            guard let (element, isGlobal) = resolve(alternative), done.insert(element.name).inserted else { continue }
            if !namespaces.contains(element.name.namespace) { namespaces.append(element.name.namespace) }
            let caseName = SwiftNames.unique(SwiftNames.memberName(element.name.name), in: caseNames)
            caseNames.insert(caseName)
            var payload: String?
            if !isEmptyElement(element) {
                if isGlobal, let swiftName = set.swiftName(ofElement: element.name) {
                    payload = reference(swiftName, in: element.name.namespace)
                } else {
                    switch element.type {
                    case .named(let typeName) where set.complexType(typeName) != nil:
                        payload = set.swiftName(ofComplexType: typeName).map { reference($0, in: typeName.namespace) }
                    case .complex(let type):
                        let nestedName = SwiftNames.unique(SwiftNames.typeName(element.name.name), in: typeNames)
                        typeNames.insert(nestedName)
                        let nested = StructModel(
                            name: nestedName, path: model.path + "." + nestedName,
                            documentation: type.documentation ?? element.documentation,
                            remark: "Generated from \(document.fileName) <\(element.name.name)/>",
                            qualifiedName: element.name)
                        fill(nested, with: type, context: element.name.name)
                        model.nested.append(.structure(nested))
                        payload = nested.path
                    case .unspecified:
                        payload = "XMLElement"
                    default:
                        // A simple-typed alternative: its text, wrapped as a value element.
                        var nested: [DeclarationModel] = []
                        let nestedName = SwiftNames.unique(SwiftNames.typeName(element.name.name), in: typeNames)
                        if case .single(let type) = valueType(
                            of: element.type, nestedName: nestedName, scope: model.path,
                            closedKey: "\(namespace)#\(element.name.name)",
                            into: &nested)
                        {
                            if !nested.isEmpty { typeNames.insert(nestedName) }
                            model.nested += nested
                            payload = "XMLValueElement<\(type)>"
                        } else {
                            payload = "XMLValueElement<String>"
                        }
                    }
                }
            }
            cases.append(
                ChoiceEnumModel.Case(
                    name: caseName, element: element.name, payloadType: payload,
                    documentation: alternative.documentation ?? element.documentation))
        }
        guard !cases.isEmpty else { return }
        model.nested.append(
            .choiceEnum(
                ChoiceEnumModel(name: enumName, remark: "Generated from \(document.fileName) xs:choice", cases: cases)))
        let cardinality = Cardinality(occurs)
        let name = SwiftNames.unique(renamed(cardinality == .array ? "choices" : "choice", in: model), in: taken)
        taken.insert(name)
        model.properties.append(
            PropertyModel(
                name: name,
                kind: .choice(type: model.path + "." + enumName, unknownNamespaces: namespaces, cardinality),
                documentation: "One of: " + cases.map { "`\($0.element.name)`" }.joined(separator: ", ") + "."))
    }
}
