import Foundation
import Testing
import XMPPCore
import XMPPExtensions
import XSFPayloads

/// The dropped-in XSF schemas, used by the names of the toolkit's table of well-known namespaces, in a file that
/// imports Foundation, XMPPCore and XMPPExtensions beside the generated module.

func parse(_ xml: String) throws -> XMLElement {
    let parser = XMLStreamParser(configuration: .document)
    var root: XMLElement?
    for event in try parser.parse(Array(xml.utf8)) {
        if case .element(let element) = event { root = element }
    }
    return try #require(root)
}

func wire(_ element: XMLElement) -> String {
    XMLSerializer().string(for: element)
}

@Test func theChatMarkersSchemaUsesTheToolkitsTypeToo() throws {
    // Since the toolkit ships chat markers (XMPPExtensions, from its own schema), xep-0333-chat-markers-0.xsd
    // generates nothing here either (the plugin warns): the application's code keeps compiling, on the one type.
    var message = Message(to: JID("juliet@example.com"), type: .chat)
    message.addPayload(ChatMarkers.Displayed(id: "message-1"))
    let arrived = try Message(xml: parse(wire(message.xmlElement())))
    let displayed = try #require(try arrived.payload(ChatMarkers.Displayed.self))
    #expect(displayed.id == "message-1")
    #expect(ChatMarkers.namespace == "urn:xmpp:chat-markers:0")
    #expect(ChatMarkers.payloadTypes.map { $0.qualifiedName.localName } == ["markable", "displayed"])
}

@Test func anAvatarIsPublishedAsDataAndMetadata() throws {
    let image = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])  // Foundation's Data, unshadowed
    let data = AvatarData.Data(image: image)
    let metadata = AvatarMetadata.Metadata(infos: [AvatarMetadata.Info(image: image, sha1: "111f4b3c")])
    let decodedData = try AvatarData.Data(xml: parse(wire(data.xmlElement())))
    #expect(decodedData.image == image)
    #expect(wire(data.xmlElement()) == "<data xmlns='urn:xmpp:avatar:data'>iVBORw0KGgo=</data>")
    let decoded = try AvatarMetadata.Metadata(xml: parse(wire(metadata.xmlElement())))
    #expect(decoded.infos.first?.bytes == 8)
    #expect(decoded.infos.first?.type == "image/png")
    #expect(!decoded.stop)
}

@Test func aComponentErrorKeepsItsStanzaErrorText() throws {
    // jabber:component:accept refers to the stanza error namespace, which XMPPCore generates.
    let error = try ComponentAccept.Error(
        xml: parse(
            """
            <error xmlns='jabber:component:accept' type='cancel'>\
            <text xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'>no such component</text></error>
            """))
    #expect(error.type == .cancel)
    let text: StanzaErrors.Text? = error.text
    #expect(text?.value == "no such component")
    let handshake = ComponentAccept.Handshake(value: "aaee83c26aeeafcbabeabfcbcd50df997e0a2a1e")
    #expect(wire(handshake.xmlElement()).hasPrefix("<handshake xmlns='jabber:component:accept'>"))
}

@Test func theChatStatesSchemaUsesTheToolkitsType() throws {
    // xep-0085-chatstates.xsd generated nothing in XSFPayloads (the plugin warned): `ChatStates` is
    // XMPPExtensions' one type, so this compiles without ambiguity.
    var message = Message(to: JID("juliet@example.com"), type: .chat)
    message.addPayload(ChatStates.Composing())
    let arrived = try Message(xml: parse(wire(message.xmlElement())))
    #expect(try arrived.payload(ChatStates.Composing.self) != nil)
    #expect(ChatStates.namespace == "http://jabber.org/protocol/chatstates")
}

@Test func namesThatAreAlsoSwiftsAndFoundationsLiveInTheirEnum() throws {
    let date = shadowsDate(Date(timeIntervalSince1970: 86_400 * 365))
    #expect(date.value == "1971-01-01")
    let url: ExampleShadows.URL = ExampleShadows.URL(value: "https://example.org/")
    let foundationURL = try #require(URL(string: url.value))
    #expect(foundationURL.host == "example.org")
    let error = ExampleShadows.Error(code: 7, data: Array("x".utf8), date: date.value, url: url.value)
    let decoded = try ExampleShadows.Error(xml: parse(wire(error.xmlElement())))
    #expect(decoded == error)
    struct Failure: Error {}  // Swift's Error, unshadowed
    let thrown: any Error = Failure()
    #expect(thrown is Failure)
    #expect(ExampleShadows.TypeValue(value: "t").value == "t")
    #expect(ExampleShadows.Data(value: [1]).value == [1])
}
