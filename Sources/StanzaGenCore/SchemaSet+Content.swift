/// What a complex type's children must match once derivation is taken into account, and whether a particle can
/// match nothing at all.
extension SchemaSet {
    /// The content of a type with that of the types it extends merged in: an extension's content is its base's
    /// followed by its own (a sequence of the two groups); a restriction restates the content it keeps.
    func effectiveContent(of type: ComplexType) -> ComplexType.Content {
        effectiveContent(of: type, depth: 0)
    }

    private func effectiveContent(of type: ComplexType, depth: Int) -> ComplexType.Content {
        guard let base = type.base, depth < 16, let baseType = complexType(base) else {
            if case .simple(let value) = type.content, case .named(let name) = value,
                let baseType = complexType(name)
            {
                // simpleContent extending a complex type with simple content: its value type.
                return depth < 16 ? effectiveContent(of: baseType, depth: depth + 1) : .simple(.unspecified)
            }
            return type.content
        }
        let inherited = effectiveContent(of: baseType, depth: depth + 1)
        if case .simple = type.content, case .simple = inherited, !type.isExtension {
            return type.content
        }
        guard type.isExtension else { return type.content }  // a restriction restates the content it keeps
        switch (inherited, type.content) {
        case (.empty, let own): return own
        case (let inherited, .empty): return inherited
        case (.simple, .simple): return inherited
        case (.elements(let base), .elements(let own)):
            return .elements(
                ModelGroup(
                    compositor: .sequence, particles: [.group(base), .group(own)], occurs: .one,
                    location: own.location))
        default: return type.content
        }
    }

    // MARK: - Emptiability

    /// Whether a particle can match no element at all ("Particle Emptiable", XSD 1.0 Part 1 §3.9.6): its
    /// `minOccurs` is 0, or its term is an emptiable model group.
    ///
    /// An element or a wildcard is emptiable only through its own `minOccurs`. A reference to a group that is
    /// not in the set counts as emptiable: the compiler cannot see what it requires, so it must not refuse input
    /// for it.
    func isEmptiable(_ particle: Particle) -> Bool {
        isEmptiable(particle, depth: 0)
    }

    /// Whether a model group can match nothing: its `minOccurs` is 0, or it is a sequence or an `all` whose
    /// particles are all emptiable, or a choice with an emptiable alternative (or with none: XSD 1.0 gives an
    /// empty choice an effective minimum of 0).
    func isEmptiable(_ group: ModelGroup) -> Bool {
        isEmptiable(group, depth: 0)
    }

    /// Whether a complex type's element content, with what it inherits, can be empty. Empty and simple content
    /// (no child elements at all) can.
    func isEmptiable(contentOf type: ComplexType) -> Bool {
        switch effectiveContent(of: type) {
        case .empty, .simple: true
        case .elements(let group): isEmptiable(group)
        }
    }

    private func isEmptiable(_ particle: Particle, depth: Int) -> Bool {
        switch particle {
        case .element(let element):
            return element.occurs.min == 0
        case .any(let wildcard):
            return wildcard.occurs.min == 0
        case .group(let group):
            return isEmptiable(group, depth: depth + 1)
        case .groupReference(let name, let occurs, _):
            // Group references cannot be circular (XSD 1.0 §3.8.6), so the depth limit only guards bad input.
            guard occurs.min > 0, depth < 32, let group = group(name) else { return true }
            return isEmptiable(group, depth: depth + 1)
        }
    }

    private func isEmptiable(_ group: ModelGroup, depth: Int) -> Bool {
        guard group.occurs.min > 0, depth < 32 else { return true }
        switch group.compositor {
        case .sequence, .all: return group.particles.allSatisfy { isEmptiable($0, depth: depth + 1) }
        case .choice: return group.particles.isEmpty || group.particles.contains { isEmptiable($0, depth: depth + 1) }
        }
    }
}
