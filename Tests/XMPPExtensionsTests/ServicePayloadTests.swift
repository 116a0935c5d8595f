import Testing
import XMPPExtensions
import XMPPTesting

/// The element name of a vCard property, to check the order of the properties.
func propertyName(_ choice: VCardTemp.VCard.Choice) -> String {
    switch choice {
    case .version: "VERSION"
    case .fn: "FN"
    case .n: "N"
    case .nickname: "NICKNAME"
    case .photo: "PHOTO"
    case .bday: "BDAY"
    case .adr: "ADR"
    case .label: "LABEL"
    case .tel: "TEL"
    case .email: "EMAIL"
    case .jabberid: "JABBERID"
    case .mailer: "MAILER"
    case .tz: "TZ"
    case .geo: "GEO"
    case .title: "TITLE"
    case .role: "ROLE"
    case .logo: "LOGO"
    case .agent: "AGENT"
    case .org: "ORG"
    case .categories: "CATEGORIES"
    case .note: "NOTE"
    case .prodid: "PRODID"
    case .rev: "REV"
    case .sortString: "SORT-STRING"
    case .sound: "SOUND"
    case .uid: "UID"
    case .url: "URL"
    case .class: "CLASS"
    case .key: "KEY"
    case .desc: "DESC"
    case .unknown(let element): "unknown:" + element.name.localName
    }
}

extension VCardTemp.VCard {
    var names: [VCardTemp.Name] {
        choices.compactMap { choice in
            guard case .n(let value) = choice else { return nil }
            return value
        }
    }
    var telephones: [VCardTemp.Telephone] {
        choices.compactMap { choice in
            guard case .tel(let value) = choice else { return nil }
            return value
        }
    }
    var addresses: [VCardTemp.Address] {
        choices.compactMap { choice in
            guard case .adr(let value) = choice else { return nil }
            return value
        }
    }
    var emails: [VCardTemp.Email] {
        choices.compactMap { choice in
            guard case .email(let value) = choice else { return nil }
            return value
        }
    }
    var sounds: [VCardTemp.Sound.Choice] {
        choices.compactMap { choice in
            guard case .sound(let value) = choice else { return nil }
            return value.choice
        }
    }
    var classes: [VCardTemp.Classification.Choice] {
        choices.compactMap { choice in
            guard case .class(let value) = choice else { return nil }
            return value.choice
        }
    }
    var agents: [VCardTemp.Agent.Choice] {
        choices.compactMap { choice in
            guard case .agent(let value) = choice else { return nil }
            return value.choice
        }
    }
    var keys: [VCardTemp.Key] {
        choices.compactMap { choice in
            guard case .key(let value) = choice else { return nil }
            return value
        }
    }
}

/// Service extensions decoded and checked field by field: vCard (XEP-0054), version (XEP-0092), time (XEP-0202),
/// last activity (XEP-0012), ping (XEP-0199), blocking (XEP-0191), HTTP upload (XEP-0363), bookmarks (XEP-0402),
/// caps (XEP-0115), CSI (XEP-0352), stream management (XEP-0198) and result set management (XEP-0059).
@Suite struct ServicePayloadTests {
    // MARK: vCard

    @Test func vCardRequest() throws {
        let vCard = try VCardTemp.VCard(xml: load("vcard-temp/01-request.xml"))
        #expect(vCard.version == nil)
        #expect(vCard.choices.isEmpty)
        #expect(vCard.unknownChildren.isEmpty)
    }

    @Test func fullVCard() throws {
        let vCard = try VCardTemp.VCard(xml: load("vcard-temp/02-full-vcard.xml"))
        #expect(vCard.version == nil)
        #expect(
            vCard.choices.map(propertyName) == [
                "FN", "N", "NICKNAME", "URL", "BDAY", "ORG", "TITLE", "ROLE", "TEL", "TEL", "TEL", "ADR", "TEL", "TEL",
                "TEL", "ADR", "EMAIL", "JABBERID", "DESC",
            ])
        #expect(vCard.choices[0] == .fn(XMLValueElement("Peter Saint-Andre")))
        let name = try #require(vCard.names.first)
        #expect(name.family == "Saint-Andre")
        #expect(name.given == "Peter")
        #expect(name.middle == "")
        #expect(name.prefix == nil)
        #expect(name.suffix == nil)
        #expect(vCard.choices[2] == .nickname(XMLValueElement("stpeter")))
        #expect(vCard.choices[3] == .url(XMLValueElement("http://www.xmpp.org/xsf/people/stpeter.shtml")))
        #expect(vCard.choices[4] == .bday(XMLValueElement("1966-08-06")))
        guard case .org(let org) = vCard.choices[5] else {
            Issue.record("no ORG")
            return
        }
        #expect(org.orgname == "XMPP Standards Foundation")
        #expect(org.orgunits == [""])
        #expect(vCard.choices[6] == .title(XMLValueElement("Executive Director")))
        #expect(vCard.choices[7] == .role(XMLValueElement("Patron Saint")))
        let tels = vCard.telephones
        #expect(tels.map(\.number) == ["303-308-3282", "", "", "303-555-1212", "", ""])
        #expect(tels.map(\.work) == [true, true, true, false, false, false])
        #expect(tels.map(\.home) == [false, false, false, true, true, true])
        #expect(tels.map(\.voice) == [true, false, false, true, false, false])
        #expect(tels.map(\.fax) == [false, true, false, false, true, false])
        #expect(tels.map(\.msg) == [false, false, true, false, false, true])
        #expect(tels.allSatisfy { !$0.pref && !$0.cell })
        let addresses = vCard.addresses
        #expect(addresses.count == 2)
        #expect(addresses[0].work && !addresses[0].home)
        #expect(addresses[0].street == "1899 Wynkoop Street")
        #expect(addresses[0].locality == "Denver")
        #expect(addresses[0].region == "CO")
        #expect(addresses[0].pcode == "80202")
        #expect(addresses[0].ctry == "USA")
        #expect(addresses[0].pobox == nil)
        #expect(addresses[1].home && !addresses[1].work)
        #expect(addresses[1].street == "")
        #expect(addresses[1].pcode == "80209")
        let email = try #require(vCard.emails.first)
        #expect(email.internet && email.pref && !email.home && !email.work && !email.x400)
        #expect(email.userid == "stpeter@jabber.org")
        #expect(vCard.choices[17] == .jabberid(XMLValueElement("stpeter@jabber.org")))
        #expect(
            vCard.choices[18]
                == .desc(
                    XMLValueElement(
                        "\n    More information about me is located on my\n    personal website: http://www.saint-andre.com/\n  "
                    )))
    }

    /// An ADR without DOM or INTL: the optional (DOM | INTL) choice once took EXTADD as its unknown case (the
    /// generator now reads choices after every named child).
    @Test func fullVCardAddressesWithoutDomOrIntl() throws {
        let vCard = try VCardTemp.VCard(xml: load("vcard-temp/02-full-vcard.xml"))
        let addresses = vCard.addresses
        #expect(addresses.count == 2)
        #expect(addresses[0].choice == nil)
        #expect(addresses[0].extadd == "Suite 600")
        #expect(addresses[1].choice == nil)
        #expect(addresses[1].extadd == "")
    }

    @Test func vCardPhoto() throws {
        let vCard = try VCardTemp.VCard(xml: load("vcard-temp/03-photo.xml"))
        #expect(vCard.choices.map(propertyName) == ["FN", "N", "NICKNAME", "PHOTO", "EMAIL", "JABBERID"])
        #expect(vCard.choices[0] == .fn(XMLValueElement("Jérémie Miller")))
        #expect(vCard.names.first?.given == "Jérémie")
        #expect(vCard.names.first?.family == "Miller")
        guard case .photo(let photo) = vCard.choices[3] else {
            Issue.record("no PHOTO")
            return
        }
        #expect(photo.type == "image/png")
        #expect(photo.extval == nil)
        let bytes = try #require(photo.binval)
        // A 1×1 PNG: 70 bytes, with the base64 text wrapped over two lines.
        #expect(bytes.count == 70)
        #expect(Array(bytes.prefix(8)) == [137, 80, 78, 71, 13, 10, 26, 10])
        #expect(Array(bytes.suffix(4)) == [174, 66, 96, 130])
        #expect(vCard.emails.map(\.userid) == ["jeremie@jabber.org"])
        #expect(vCard.choices[5] == .jabberid(XMLValueElement("jer@jabber.org")))
    }

    @Test func vCardAllProperties() throws {
        let vCard = try VCardTemp.VCard(xml: load("vcard-temp/04-all-properties.xml"))
        #expect(vCard.version == "3.0")
        #expect(
            vCard.choices.map(propertyName) == [
                "VERSION", "FN", "N", "LOGO", "ADR", "ADR", "LABEL", "TEL", "EMAIL", "MAILER", "TZ", "GEO", "AGENT",
                "AGENT", "CATEGORIES", "NOTE", "PRODID", "REV", "SORT-STRING", "SOUND", "SOUND", "SOUND", "UID",
                "CLASS", "CLASS", "KEY", "KEY",
            ])
        #expect(vCard.choices[0] == .version(XMLValueElement("3.0")))
        #expect(vCard.choices[1] == .fn(XMLValueElement("Dr. Juliet Capulet, Jr.")))
        let name = try #require(vCard.names.first)
        #expect(
            [name.family, name.given, name.middle, name.prefix, name.suffix] == [
                "Capulet", "Juliet", "Maria", "Dr.", "Jr.",
            ])
        guard case .logo(let logo) = vCard.choices[3] else {
            Issue.record("no LOGO")
            return
        }
        #expect(logo.extval == "https://capulet.lit/logo.png")
        #expect(logo.binval == nil)
        #expect(logo.type == nil)
        let addresses = vCard.addresses
        #expect(addresses[0].postal && addresses[0].parcel && addresses[0].pref)
        #expect(!addresses[0].home && !addresses[0].work)
        #expect(addresses[0].choice == .intl)
        #expect(addresses[0].pobox == "PO Box 7")
        #expect(addresses[0].street == "Via Cappello 23")
        #expect(addresses[0].locality == "Verona")
        #expect(addresses[0].pcode == "37121")
        #expect(addresses[0].ctry == "Italia")
        #expect(addresses[0].region == nil)
        #expect(addresses[1].choice == .dom)
        #expect(addresses[1].locality == "Mantova")
        #expect(!addresses[1].postal)
        guard case .label(let label) = vCard.choices[6] else {
            Issue.record("no LABEL")
            return
        }
        #expect(label.home && label.work && label.postal && label.parcel && label.pref)
        #expect(label.choice == .dom)
        #expect(label.lines == ["Casa di Giulietta", "Via Cappello 23 & Cortile"])
        let tel = try #require(vCard.telephones.first)
        #expect(tel.pager && tel.cell && tel.video && tel.bbs && tel.modem && tel.isdn && tel.pcs && tel.pref)
        #expect(!tel.home && !tel.work && !tel.voice && !tel.fax && !tel.msg)
        #expect(tel.number == "+39 045 803 4303")
        let email = try #require(vCard.emails.first)
        #expect(email.home && email.work && email.x400 && !email.internet && !email.pref)
        #expect(email.userid == "juliet@capulet.lit")
        #expect(vCard.choices[9] == .mailer(XMLValueElement("Capulet Mail 1.0")))
        #expect(vCard.choices[10] == .tz(XMLValueElement("+01:00")))
        guard case .geo(let geo) = vCard.choices[11] else {
            Issue.record("no GEO")
            return
        }
        #expect(geo.lat == 45.441944)
        #expect(geo.lon == 10.998611)
        let agents = vCard.agents
        #expect(agents.count == 2)
        guard case .vCard(let nurse) = agents[0] else {
            Issue.record("first AGENT is not a vCard")
            return
        }
        #expect(nurse.choices.map(propertyName) == ["FN", "CLASS"])
        #expect(nurse.choices[0] == .fn(XMLValueElement("Nurse")))
        #expect(nurse.classes == [.private])
        #expect(agents[1] == .extval(XMLValueElement("xmpp:romeo@montague.lit?vcard")))
        guard case .categories(let categories) = vCard.choices[14] else {
            Issue.record("no CATEGORIES")
            return
        }
        #expect(categories.keywords == ["Capulet", "Verona"])
        #expect(vCard.choices[15] == .note(XMLValueElement("O Romeo, Romeo! wherefore art thou Romeo? — 罗密欧")))
        #expect(vCard.choices[16] == .prodid(XMLValueElement("-//Capulet//vCard 1.0//EN")))
        #expect(vCard.choices[17] == .rev(XMLValueElement("2024-06-27T10:00:00Z")))
        #expect(vCard.choices[18] == .sortString(XMLValueElement("Capulet")))
        #expect(
            vCard.sounds == [
                .phonetic(XMLValueElement("dʒuːliət")), .binval(XMLValueElement([0, 0, 0])),
                .extval(XMLValueElement("https://capulet.lit/juliet.ogg")),
            ])
        #expect(vCard.choices[22] == .uid(XMLValueElement("urn:uuid:2c0e9c6c-5f4b-4c28-9a1f-5a0e6d9b3f7e")))
        #expect(vCard.classes == [.public, .confidential])
        #expect(vCard.keys.map(\.type) == ["application/pgp-keys", nil])
        #expect(vCard.keys.map(\.cred) == ["mQENBF...", "ssh-ed25519 AAAAC3Nza"])
    }

    // MARK: Software version, entity time, last activity, ping

    @Test func softwareVersion() throws {
        let get = try SoftwareVersion.Query(xml: load("software-version/01-query-get.xml"))
        #expect(get.name == nil && get.version == nil && get.os == nil)
        let result = try SoftwareVersion.Query(xml: load("software-version/02-query-result.xml"))
        #expect(result.name == "Exodus")
        #expect(result.version == "0.7.0.4")
        #expect(result.os == "Windows-XP 5.01.2600")
        let noOS = try SoftwareVersion.Query(xml: load("software-version/03-query-result-no-os.xml"))
        #expect(noOS.name == "Gajim – Ünïcode & Co")
        #expect(noOS.version == "1.8.4")
        #expect(noOS.os == nil)
    }

    @Test func entityTime() throws {
        let get = try EntityTime.Time(xml: load("entity-time/01-time-get.xml"))
        #expect(get.tzo == nil)
        #expect(get.utc == nil)
        let result = try EntityTime.Time(xml: load("entity-time/02-time-result.xml"))
        #expect(result.tzo == "-06:00")
        #expect(result.utc == XMLDateTime(year: 2006, month: 12, day: 19, hour: 17, minute: 58, second: 35))
        let fractional = try EntityTime.Time(xml: load("entity-time/03-time-result-fractional.xml"))
        #expect(fractional.tzo == "Z")
        #expect(
            fractional.utc
                == XMLDateTime(year: 2006, month: 12, day: 19, hour: 17, minute: 58, second: 35, fraction: "123"))
        #expect(fractional.utc?.fraction == "123")
    }

    @Test func lastActivity() throws {
        let request = try LastActivity.Query(xml: load("last-activity/01-request.xml"))
        #expect(request.seconds == nil)
        #expect(request.value == "")
        let offline = try LastActivity.Query(xml: load("last-activity/02-offline-user.xml"))
        #expect(offline.seconds == 903)
        #expect(offline.value == "Heading Home — à bientôt & good night")
        let uptime = try LastActivity.Query(xml: load("last-activity/03-server-uptime.xml"))
        #expect(uptime.seconds == 123_456)
        #expect(uptime.value == "")
    }

    @Test func ping() throws {
        let ping = try Ping.Ping(xml: load("ping/01-ping.xml"))
        #expect(ping.unknownAttributes.isEmpty && ping.unknownChildren.isEmpty)
        let explicit = try Ping.Ping(xml: load("ping/02-ping-explicit-end-tag.xml"))
        #expect(explicit == ping)
        #expect(explicit.unknownChildren.isEmpty)
    }

    // MARK: Blocking

    @Test func blocklist() throws {
        let get = try Blocking.Blocklist(xml: load("blocking/01-blocklist-get.xml"))
        #expect(get.items.isEmpty)
        let result = try Blocking.Blocklist(xml: load("blocking/02-blocklist-result.xml"))
        #expect(result.items.map(\.jid) == [JID("romeo@montague.net"), JID("iago@shakespeare.lit")])
        #expect(result.items.allSatisfy { $0.payloads.isEmpty })
    }

    @Test func blockAndUnblock() throws {
        let block = try Blocking.Block(xml: load("blocking/03-block.xml"))
        #expect(block.items.map(\.jid) == [JID("romeo@montague.net")])
        let unblock = try Blocking.Unblock(xml: load("blocking/04-unblock.xml"))
        #expect(unblock.items.map(\.jid) == [JID("romeo@montague.net")])
        let unblockAll = try Blocking.Unblock(xml: load("blocking/05-unblock-all.xml"))
        #expect(unblockAll.items.isEmpty)
    }

    @Test func blockWithExtension() throws {
        let block = try Blocking.Block(xml: load("blocking/06-block-with-extension.xml"))
        #expect(block.items.count == 2)
        let spammer = block.items[0]
        #expect(spammer.jid == JID("spammer@ëxample.com/ressource"))
        #expect(spammer.jid.domainpart == "ëxample.com")
        #expect(spammer.jid.resourcepart == "ressource")
        #expect(spammer.payloads.map(\.name) == [XMLName(namespace: "urn:example:unknown", localName: "custom")])
        #expect(spammer.payloads.first?["a"] == "1")
        #expect(block.items[1].jid == JID("example.net"))
        #expect(block.items[1].payloads.isEmpty)
    }

    @Test func blockedError() throws {
        let blocked = try BlockingErrors.Blocked(xml: load("blocking-errors/01-blocked.xml"))
        #expect(blocked.unknownAttributes.isEmpty && blocked.unknownChildren.isEmpty)
        let explicit = try BlockingErrors.Blocked(xml: load("blocking-errors/02-blocked-explicit-end-tag.xml"))
        #expect(explicit == blocked)
    }

    // MARK: HTTP upload

    @Test func uploadRequest() throws {
        let request = try HTTPUpload.Request(xml: load("http-upload/01-request.xml"))
        #expect(request.filename == "très cool.jpg")
        #expect(request.size == 23456)
        #expect(request.contentType == "image/jpeg")
        #expect(request.payloads.isEmpty)
    }

    @Test func uploadRequestWithPurpose() throws {
        let request = try HTTPUpload.Request(xml: load("http-upload/02-request-with-purpose.xml"))
        #expect(request.filename == "eiffel-tower-status-picture.jpg")
        #expect(request.size == 100)
        #expect(request.contentType == nil)
        #expect(localNames(request.payloads) == ["ephemeral", "custom"])
        #expect(request.payloads[0].name.namespace == "urn:xmpp:http:upload:purpose:0")
        #expect(request.payloads[0]["expire-before"] == "2025-09-10T23:08:25Z")
        #expect(request.payloads[1].name.namespace == "urn:example:unknown")
    }

    @Test func uploadSlot() throws {
        let slot = try HTTPUpload.Slot(xml: load("http-upload/03-slot.xml"))
        #expect(
            slot.put.url
                == "https://upload.montague.tld/4a771ac1-f0b2-4a4a-9700-f2a26fa2bb67/tr%C3%A8s%20cool.jpg")
        #expect(slot.put.headers.map(\.name) == [.authorization, .cookie, .expires])
        #expect(
            slot.put.headers.map(\.value) == [
                "Basic Base64String==", "foo=bar; user=romeo", "Wed, 21 Oct 2015 07:28:00 GMT",
            ])
        #expect(
            slot.get.url
                == "https://download.montague.tld/4a771ac1-f0b2-4a4a-9700-f2a26fa2bb67/tr%C3%A8s%20cool.jpg")
    }

    @Test func uploadSlotWithoutHeaders() throws {
        let slot = try HTTPUpload.Slot(xml: load("http-upload/06-slot-no-headers.xml"))
        #expect(slot.put.url == "https://upload.montague.tld/abc/hi.jpg")
        #expect(slot.put.headers.isEmpty)
        #expect(slot.get.url == "https://download.montague.tld/abc/hi.jpg")
    }

    @Test func uploadErrors() throws {
        let tooLarge = try HTTPUpload.FileTooLarge(xml: load("http-upload/04-file-too-large.xml"))
        #expect(tooLarge.maxFileSize == 20000)
        let retry = try HTTPUpload.Retry(xml: load("http-upload/05-retry.xml"))
        #expect(retry.stamp == XMLDateTime(year: 2017, month: 12, day: 3, hour: 23, minute: 42, second: 5))
    }

    // MARK: Bookmarks

    @Test func bookmark() throws {
        let conference = try Bookmarks.Conference(xml: load("bookmarks/01-conference.xml"))
        #expect(conference.name == "Council of Oberon")
        #expect(conference.autojoin == true)
        #expect(conference.nick == "Puck")
        #expect(conference.password == nil)
        #expect(conference.extensions == nil)
    }

    @Test func bookmarkMinimal() throws {
        let conference = try Bookmarks.Conference(xml: load("bookmarks/02-conference-minimal.xml"))
        #expect(conference.name == nil)
        #expect(conference.autojoin == nil)
        #expect(conference.nick == nil)
        #expect(conference.password == nil)
        #expect(conference.extensions == nil)
    }

    @Test func bookmarkWithExtensions() throws {
        let conference = try Bookmarks.Conference(xml: load("bookmarks/03-conference-extensions.xml"))
        #expect(conference.name == "The Orchard")
        #expect(conference.autojoin == true)  // written as '1'
        #expect(conference.nick == "JC")
        #expect(conference.password == "Cauldron&Burn")
        let extensions = try #require(conference.extensions)
        #expect(localNames(extensions.payloads) == ["state", "custom"])
        #expect(extensions.payloads[0].name.namespace == "http://myclient.example/bookmark/state")
        #expect(extensions.payloads[0]["minimized"] == "true")
    }

    @Test func bookmarkNonASCII() throws {
        let conference = try Bookmarks.Conference(xml: load("bookmarks/04-conference-non-ascii.xml"))
        #expect(conference.name == "Café „Zum Hexenkessel“ ☕")
        #expect(conference.autojoin == false)
        #expect(conference.nick == "Jürgen")
    }

    // MARK: Entity capabilities

    @Test func capabilities() throws {
        let presence = try EntityCapabilities.C(xml: load("caps/01-presence-caps.xml"))
        #expect(presence.hash2 == "sha-1")
        #expect(presence.node == "http://code.google.com/p/exodus")
        #expect(presence.ver == "QgayPKawpkPSDYmwT/WM94uAlu0=")
        #expect(presence.ext == nil)
        let feature = try EntityCapabilities.C(xml: load("caps/02-stream-feature.xml"))
        #expect(feature.hash2 == "sha-1")
        #expect(feature.node == "http://jabberd.org")
        #expect(feature.ver == "ItBTI0XLDFvVxZ72NQElAzKS9sU=")
        let legacy = try EntityCapabilities.C(xml: load("caps/03-legacy.xml"))
        #expect(legacy.hash2 == nil)
        #expect(legacy.node == "http://exodus.jabberstudio.org/caps")
        #expect(legacy.ver == "0.9")
        #expect(legacy.ext == "jingle ftrans xhtml")
    }

    // MARK: Client state indication

    @Test func clientStateIndication() throws {
        let feature = try CSI.Csi(xml: load("csi/01-csi-feature.xml"))
        #expect(feature.unknownAttributes.isEmpty && feature.unknownChildren.isEmpty)
        let inactive = try CSI.Inactive(xml: load("csi/02-inactive.xml"))
        #expect(inactive.unknownAttributes.isEmpty && inactive.unknownChildren.isEmpty)
        let active = try CSI.Active(xml: load("csi/03-active.xml"))
        #expect(active.unknownAttributes.isEmpty && active.unknownChildren.isEmpty)
        #expect(throws: XMLDecodingError.self) { try CSI.Active(xml: load("csi/02-inactive.xml")) }
        // Not the chat-state elements of the same local names.
        #expect(throws: XMLDecodingError.self) { try ChatStates.Active(xml: load("csi/03-active.xml")) }
    }

    // MARK: Stream management

    @Test func streamManagementFeature() throws {
        let plain = try StreamManagement.Sm(xml: load("stream-management/01-sm-feature.xml"))
        #expect(plain.choice == nil)
        let optional = try StreamManagement.Sm(xml: load("stream-management/02-sm-feature-legacy-optional.xml"))
        #expect(optional.choice == .optional)
        let required = try StreamManagement.Sm(xml: load("stream-management/03-sm-feature-legacy-required.xml"))
        #expect(required.choice == .required)
    }

    @Test func streamManagementEnable() throws {
        let enable = try StreamManagement.Enable(xml: load("stream-management/04-enable.xml"))
        #expect(enable.resume == true)
        #expect(enable.max == 300)
        let enabled = try StreamManagement.Enabled(xml: load("stream-management/05-enabled.xml"))
        #expect(enabled.id == "some-long-sm-id")
        #expect(enabled.location == "[2001:41D0:1:A49b::1]:9222")
    }

    @Test func streamManagementFailed() throws {
        let failed = try StreamManagement.Failed(xml: load("stream-management/06-failed.xml"))
        #expect(failed.h == nil)
        #expect(failed.choice == .unexpectedRequest)
        let timedOut = try StreamManagement.Failed(xml: load("stream-management/07-failed-timed-out.xml"))
        #expect(timedOut.h == 42)
        #expect(timedOut.choice == .itemNotFound)
    }

    @Test func streamManagementResumption() throws {
        let resume = try StreamManagement.Resume(xml: load("stream-management/08-resume.xml"))
        #expect(resume.h == 17)
        #expect(resume.previd == "some-long-sm-id")
        let resumed = try StreamManagement.Resumed(xml: load("stream-management/09-resumed.xml"))
        #expect(resumed.h == UInt32.max)
        #expect(resumed.previd == "some-long-sm-id")
    }

    @Test func streamManagementAcks() throws {
        let request = try StreamManagement.R(xml: load("stream-management/10-r.xml"))
        #expect(request.unknownAttributes.isEmpty && request.unknownChildren.isEmpty)
        let answer = try StreamManagement.A(xml: load("stream-management/11-a.xml"))
        #expect(answer.h == 1)
        let tooHigh = try StreamManagement.HandledCountTooHigh(
            xml: load("stream-management/12-handled-count-too-high.xml"))
        #expect(tooHigh.h == 10)
        #expect(tooHigh.sendCount == 8)
    }

    // MARK: Result set management

    @Test func rsmRequests() throws {
        let limit = try RSM.Set(xml: load("rsm/01-request-limit.xml"))
        #expect(limit.max == 10)
        #expect(limit.after == nil && limit.before == nil && limit.index == nil)
        let next = try RSM.Set(xml: load("rsm/02-request-next-page.xml"))
        #expect(next.max == 10)
        #expect(next.after == "peterpan@neverland.lit")
        #expect(next.before == nil)
        let last = try RSM.Set(xml: load("rsm/03-request-last-page.xml"))
        #expect(last.max == 10)
        #expect(last.before == "")  // present and empty: the last page
        #expect(last.after == nil)
        let byIndex = try RSM.Set(xml: load("rsm/04-request-by-index.xml"))
        #expect(byIndex.max == 10)
        #expect(byIndex.index == 371)
    }

    @Test func rsmResponses() throws {
        let page = try RSM.Set(xml: load("rsm/05-response-page.xml"))
        #expect(page.first?.index == 10)
        #expect(page.first?.value == "peter@pixyland.org")
        #expect(page.last == "peter@rabbit.lit")
        #expect(page.count == 800)
        #expect(page.max == nil)
        let count = try RSM.Set(xml: load("rsm/06-response-count.xml"))
        #expect(count.count == 790)
        #expect(count.first == nil)
        #expect(count.last == nil)
    }
}
