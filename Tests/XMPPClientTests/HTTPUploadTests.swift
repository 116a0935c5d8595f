import NIOCore
import Testing
import XMPPClient
import XMPPExtensions
import XMPPHTTPUpload
import XMPPTesting

/// HTTP file upload (XEP-0363) on the wire: the service found by a disco walk, the slot's headers kept to those the
/// XEP allows, a file too large refused on both sides, a plain-HTTP slot refused by default.
@Suite("HTTP upload", .timeLimit(.minutes(1)))
struct HTTPUploadTests {
    let upload = "urn:xmpp:http:upload:0"
    let service = UploadService(jid: JID("upload.example.com")!, maximumFileSize: 1000)

    func answer(_ server: ScriptedServer, _ payload: String, from: String? = nil) async throws -> IQ {
        let request = try IQ(xml: try await server.nextSent())
        let fromAttribute = from.map { " from='\($0)'" } ?? ""
        try await server.deliver("<iq type='result' id='\(request.id)'\(fromAttribute)>\(payload)</iq>")
        return request
    }

    @Test func theServiceIsFoundByADiscoWalkWithItsLimit() async throws {
        let (client, server) = try await scriptedClient()
        async let found = client.findUploadService()
        let info = "http://jabber.org/protocol/disco#info"
        let serverInfo = try await answer(
            server, "<query xmlns='\(info)'><feature var='jabber:iq:version'/></query>", from: "example.com")
        #expect(serverInfo.to?.description == "example.com")
        _ = try await answer(
            server,
            """
            <query xmlns='http://jabber.org/protocol/disco#items'><item jid='rooms.example.com'/>\
            <item jid='upload.example.com'/></query>
            """, from: "example.com")
        _ = try await answer(
            server, "<query xmlns='\(info)'><feature var='http://jabber.org/protocol/muc'/></query>",
            from: "rooms.example.com")
        let uploadInfo = try await answer(
            server,
            """
            <query xmlns='\(info)'><identity category='store' type='file'/><feature var='\(upload)'/>\
            <x xmlns='jabber:x:data' type='result'><field var='FORM_TYPE' type='hidden'><value>\(upload)</value></field>\
            <field var='max-file-size'><value>1000</value></field></x></query>
            """, from: "upload.example.com")
        #expect(uploadInfo.to?.description == "upload.example.com")
        #expect(try await found == service)
    }

    @Test func theSlotKeepsOnlyTheHeadersTheXEPAllows() async throws {
        let (client, server) = try await scriptedClient()
        async let slot = client.requestUploadSlot(
            filename: "rose.jpg", size: 200, contentType: "image/jpeg", from: service)
        let request = try await answer(
            server,
            """
            <slot xmlns='\(upload)'><put url='https://upload.example.com/put/rose.jpg'>\
            <header name='Authorization'>Basic Zm9vOmJhcg==</header>\
            <header name='Cookie'>a=1&#10;Evil: yes</header>\
            <header name='X-Tracking'>123</header></put>\
            <get url='https://upload.example.com/get/rose.jpg'/></slot>
            """, from: "upload.example.com")
        let asked = try #require(try request.payload(HTTPUpload.Request.self))
        #expect(asked.filename == "rose.jpg" && asked.size == 200 && asked.contentType == "image/jpeg")
        let given = try await slot
        #expect(given.headers == ["Authorization": "Basic Zm9vOmJhcg=="])
        #expect(given.getURL == "https://upload.example.com/get/rose.jpg")
    }

    @Test func aFileTooLargeIsRefusedByUsOrByTheService() async throws {
        let (client, server) = try await scriptedClient()
        let ours = await #expect(throws: UploadError.self) {
            _ = try await client.requestUploadSlot(filename: "big", size: 1001, contentType: nil, from: service)
        }
        #expect(ours?.code == .fileTooLarge(maximum: 1000))
        let unlimited = UploadService(jid: service.jid)
        let refused = Task {
            try await client.requestUploadSlot(filename: "big", size: 5000, contentType: nil, from: unlimited)
        }
        let request = try IQ(xml: try await server.nextSent())
        try await server.deliver(
            """
            <iq type='error' id='\(request.id)' from='upload.example.com'><error type='modify'>\
            <not-acceptable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>\
            <file-too-large xmlns='\(upload)'><max-file-size>4096</max-file-size></file-too-large></error></iq>
            """)
        let theirs = await #expect(throws: UploadError.self) { try await refused.value }
        #expect(theirs?.code == .fileTooLarge(maximum: 4096))
    }

    @Test func aPlainHTTPSlotIsRefusedUnlessAllowed() async throws {
        let (client, server) = try await scriptedClient()
        let uploading = Task {
            try await client.upload(ByteBuffer(string: "roses"), filename: "rose.txt", to: service)
        }
        _ = try await answer(
            server,
            """
            <slot xmlns='\(upload)'><put url='http://upload.example.com/put/rose.txt'/>\
            <get url='http://upload.example.com/get/rose.txt'/></slot>
            """, from: "upload.example.com")
        let error = await #expect(throws: UploadError.self) { try await uploading.value }
        #expect(error?.code == .insecureURL)
    }
}
