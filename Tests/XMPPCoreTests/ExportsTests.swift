import Testing
import XMPPCore

@Test func xmppCoreReexportsTheXMLLayer() {
    // XMPPCore users get XMLElement without importing XMPPXML themselves.
    let element = XMLElement("ping", namespace: "urn:xmpp:ping")
    #expect(element.name == XMLName(namespace: "urn:xmpp:ping", localName: "ping"))
}
