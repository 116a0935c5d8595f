import Testing
import XMPPClient
import XMPPExtensions
import XMPPTesting

/// vCards and last activity against the real servers (Prosody's vcard_legacy and lastactivity, ejabberd's mod_vcard
/// and mod_last).
@Suite("Profiles against live servers", .enabled(if: LiveServer.enabled), .timeLimit(.minutes(2)))
struct LiveProfileTests {
    @Test(arguments: LiveServer.names)
    func aVCardSetIsReadBackByItsOwnerAndAContact(_ name: String) async throws {
        let server = try LiveServer.require(name)
        let owner = try XMPPClient(
            configuration: try server.clientConfiguration(account: "user23", resource: "vcard-\(name)"))
        let reader = try XMPPClient(
            configuration: try server.clientConfiguration(account: "user22", resource: "vcard-\(name)"))
        try await owner.connect()
        try await reader.connect()
        let tag = String(UInt32.random(in: 0...UInt32.max), radix: 36)
        var card = VCardTemp.VCard()
        card.fullName = "Juliet \(tag)"
        card.nickname = "jules"
        let photo = (0..<1024).map { UInt8(truncatingIfNeeded: $0 * 7) }
        card.photo = VCardTemp.Image(type: "image/png", binval: photo)
        try await owner.setVCard(card)

        let own = try #require(try await owner.vCard())
        #expect(own.fullName == "Juliet \(tag)")
        #expect(own.nickname == "jules")
        #expect(own.photo?.binval == photo)
        let ownerJID = try #require(owner.boundJID)
        let theirs = try #require(try await reader.vCard(of: ownerJID))
        #expect(theirs.fullName == "Juliet \(tag)")
        #expect(theirs.photo?.type == "image/png")

        // The server's uptime (last activity of its domain).
        let uptime = try await reader.lastActivity(of: try JID(parsing: server.domain))
        print("[figures] \(name) last activity of the server: \(uptime.seconds) s")

        await reader.close()
        await owner.close()
    }
}
