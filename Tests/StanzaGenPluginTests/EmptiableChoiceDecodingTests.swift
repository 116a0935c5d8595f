import Testing
import XMPPTesting
import XMPPXML

/// Decoding with the types the build plugin generates from this target's schemas: a choice that can match nothing
/// decodes when none of its elements is there, one that cannot still says what it expected.
///
/// `Schemas/xep-0078-iq-auth.xsd` is the XSF's schema as published (copied from the corpus unchanged; its enum,
/// `NonSASLAuth`, comes from the table of well-known namespaces, since `stanzagen.json` does not name it);
/// `Schemas/emptiable-choices.xsd` holds the other shapes.
@Suite struct EmptiableChoiceDecodingTests {
    func element(_ xml: String) throws -> XMLElement {
        try XMLElement(parsing: xml)
    }

    @Test func theEmptyIQAuthGetRequestDecodes() throws {
        // XEP-0078 §3.1: the client asks which fields the server needs with an empty query.
        let query = try NonSASLAuth.Query(xml: element("<query xmlns='jabber:iq:auth'/>"))
        #expect(query.username == nil)
        #expect(query.choice == nil)
        #expect(query.resource == nil)
        #expect(query.xmlElement().isEquivalent(to: try element("<query xmlns='jabber:iq:auth'/>")))
    }

    @Test func theIQAuthFieldsDecodeAsBefore() throws {
        let fields = try NonSASLAuth.Query(
            xml: element(
                "<query xmlns='jabber:iq:auth'><username>bill</username><resource>globe</resource></query>"))
        #expect(fields.username == "bill")
        #expect(fields.choice == nil)
        #expect(fields.resource == "globe")
        let digest = try NonSASLAuth.Query(
            xml: element("<query xmlns='jabber:iq:auth'><username>bill</username><digest>48fc78be</digest></query>"))
        #expect(digest.choice == .digest(XMLValueElement("48fc78be")))
        #expect(NonSASLAuth.Query(choice: .password(XMLValueElement("Calli0pe"))).choice != nil)
    }

    @Test func anAbsentEmptiableChoiceIsNil() throws {
        #expect(try Emptiable.Either(xml: element("<either xmlns='urn:example:emptiable'/>")).choice == nil)
        let right = try Emptiable.Either(
            xml: element("<either xmlns='urn:example:emptiable'><right>r</right></either>"))
        #expect(right.choice == .right(XMLValueElement("r")))
    }

    @Test func anAbsentChoiceFromAGroupIsNil() throws {
        let grouped = try Emptiable.Grouped(
            xml: element("<grouped xmlns='urn:example:emptiable'><note>n</note></grouped>"))
        #expect(grouped.choice == nil)
        #expect(grouped.note == "n")
    }

    @Test func anAbsentChoiceAddedByAnExtensionIsNil() throws {
        let derived = try Emptiable.Derived(xml: element("<derived xmlns='urn:example:emptiable'><id>7</id></derived>"))
        #expect(derived.id == "7")
        #expect(derived.choice == nil)
        let empty = try Emptiable.Derived(xml: element("<derived xmlns='urn:example:emptiable'/>"))
        #expect(empty == Emptiable.Derived())
    }

    @Test func aChoiceHoldingAnEmptiableSequenceDecodesEmpty() throws {
        let nested = try Emptiable.Nested(xml: element("<nested xmlns='urn:example:emptiable'/>"))
        #expect(nested.left == nil && nested.up == nil && nested.down == nil)
    }

    @Test func aRepeatedChoiceDecodesNoneAsEmpty() throws {
        #expect(try Emptiable.Repeated(xml: element("<repeated xmlns='urn:example:emptiable'/>")).choices.isEmpty)
    }

    @Test func aChoiceThatCannotMatchNothingStillFails() throws {
        let error = #expect(throws: XMLDecodingError.self) {
            try Emptiable.Strict(xml: element("<strict xmlns='urn:example:emptiable'/>"))
        }
        #expect(error?.found == "none")
        #expect(error?.expected.contains("{urn:example:emptiable}left") == true)
        // Inside an emptiable choice, the strict element's own choice is still required.
        #expect(throws: XMLDecodingError.self) {
            try Emptiable.Derived(xml: element("<derived xmlns='urn:example:emptiable'><strict/></derived>"))
        }
    }
}
