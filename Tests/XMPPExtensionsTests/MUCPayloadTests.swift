import Testing
import XMPPExtensions
import XMPPTesting

/// Multi-user chat (XEP-0045) fixtures decoded and checked field by field.
@Suite struct MUCPayloadTests {
    // MARK: muc

    @Test func enter() throws {
        let x = try MUC.X(xml: load("muc/01-enter.xml"))
        #expect(x.history == nil)
        #expect(x.password == nil)
        #expect(x.unknownChildren.isEmpty)
    }

    @Test func enterWithPassword() throws {
        let x = try MUC.X(xml: load("muc/02-enter-password.xml"))
        #expect(x.password == "cauldronburn")
        #expect(x.history == nil)
    }

    @Test func enterWithoutHistory() throws {
        let x = try MUC.X(xml: load("muc/03-history-no-history.xml"))
        let history = try #require(x.history)
        #expect(history.maxchars == 0)
        #expect(history.maxstanzas == nil)
        #expect(history.seconds == nil)
        #expect(history.since == nil)
        #expect(x.password == nil)
    }

    @Test func enterWithHistoryLimits() throws {
        let x = try MUC.X(xml: load("muc/04-history-limits.xml"))
        let history = try #require(x.history)
        #expect(history.maxchars == nil)
        #expect(history.maxstanzas == 20)
        #expect(history.seconds == 180)
        #expect(
            history.since
                == XMLDateTime(
                    year: 1970, month: 1, day: 1, hour: 0, minute: 0, second: 0, fraction: "", offsetMinutes: 0))
        #expect(history.since?.xmlValue == "1970-01-01T00:00:00Z")
        #expect(x.password == "Zauberkessel-brennt-ß")
    }

    // MARK: muc#user

    @Test func roomCreated() throws {
        let x = try MUCUser.X(xml: load("muc-user/01-room-created.xml"))
        #expect(x.items.count == 1)
        #expect(x.items[0].affiliation == .owner)
        #expect(x.items[0].role == .moderator)
        #expect(x.items[0].jid == nil)
        #expect(x.items[0].nick == nil)
        #expect(x.statuses.map(\.code) == [110, 201])
        #expect(x.invites.isEmpty)
        #expect(x.decline == nil)
        #expect(x.destroy == nil)
        #expect(x.password == nil)
    }

    @Test func ban() throws {
        let x = try MUCUser.X(xml: load("muc-user/02-ban.xml"))
        let item = try #require(x.items.first)
        #expect(item.affiliation == .outcast)
        #expect(item.role == MUCUser.Role.none)
        #expect(item.actor?.nick == "The ♚")
        #expect(item.actor?.jid == nil)
        #expect(item.reason == "Treason")
        #expect(x.statuses.map(\.code) == [301])
    }

    @Test func nickChange() throws {
        let x = try MUCUser.X(xml: load("muc-user/03-nick-change.xml"))
        let item = try #require(x.items.first)
        #expect(item.affiliation == .member)
        #expect(item.role == .participant)
        #expect(item.jid == JID("hag66@shakespeare.lit/pda"))
        #expect(item.nick == "oldhag")
        #expect(item.actor == nil)
        #expect(item.reason == nil)
        #expect(x.statuses.map(\.code) == [303, 110])
    }

    @Test func kickedVisitor() throws {
        let x = try MUCUser.X(xml: load("muc-user/04-kicked-visitor.xml"))
        let item = try #require(x.items.first)
        #expect(item.affiliation == MUCUser.Affiliation.none)
        #expect(item.role == .visitor)
        #expect(item.jid == JID("hag66@shakespeare.lit/pda"))
        #expect(item.actor?.jid == JID("crone1@shakespeare.lit/desktop"))
        #expect(item.actor?.nick == "Fluellen")
        #expect(item.reason == "Avaunt, you cullion!")
        #expect(x.statuses.map(\.code) == [307])
    }

    @Test func invitations() throws {
        let x = try MUCUser.X(xml: load("muc-user/05-invitations.xml"))
        #expect(x.invites.count == 2)
        #expect(x.invites[0].to == JID("wiccarocks@shakespeare.lit/laptop"))
        #expect(x.invites[0].from == nil)
        #expect(x.invites[0].reason == "This coven needs both wiccarocks and hag66.")
        #expect(x.invites[0].continue?.thread == "e0ffe42b28561960c6b12b944a092794b9683a38")
        #expect(x.invites[1].from == JID("crone1@shakespeare.lit/desktop"))
        #expect(x.invites[1].to == nil)
        #expect(x.invites[1].reason == "\n      Hey Hecate, this is the place for all good witches!\n    ")
        #expect(x.invites[1].continue == nil)
        #expect(x.password == "cauldronburn")
        #expect(x.items.isEmpty)
        #expect(x.statuses.isEmpty)
    }

    @Test func decline() throws {
        let x = try MUCUser.X(xml: load("muc-user/06-decline.xml"))
        let decline = try #require(x.decline)
        #expect(decline.from == JID("hecate@shakespeare.lit"))
        #expect(decline.to == JID("crone1@shakespeare.lit"))
        #expect(decline.reason == "\n      Sorry, I'm too busy right now.\n    ")
        #expect(x.invites.isEmpty)
    }

    @Test func destroyNotice() throws {
        let x = try MUCUser.X(xml: load("muc-user/07-destroy.xml"))
        #expect(x.items.map(\.affiliation) == [.admin])
        #expect(x.items.map(\.role) == [MUCUser.Role.none])
        let destroy = try #require(x.destroy)
        #expect(destroy.jid == JID("coven@chat.shakespeare.lit"))
        #expect(destroy.password == "cauldronburn")
        #expect(destroy.reason == "Macbeth doth come.")
        #expect(x.password == nil)
    }

    // MARK: muc#admin

    @Test func kick() throws {
        let query = try MUCAdmin.Query(xml: load("muc-admin/01-kick.xml"))
        #expect(query.items.count == 1)
        let item = query.items[0]
        #expect(item.nick == "pistol")
        #expect(item.role == MUCAdmin.Role.none)
        #expect(item.affiliation == nil)
        #expect(item.jid == nil)
        #expect(item.reason == "Avaunt, you cullion!")
        #expect(item.actor == nil)
    }

    @Test func voiceListResult() throws {
        let query = try MUCAdmin.Query(xml: load("muc-admin/02-voice-list-result.xml"))
        #expect(query.items.map(\.affiliation) == [MUCAdmin.Affiliation.none, MUCAdmin.Affiliation.none, .member])
        #expect(
            query.items.map(\.jid) == [
                JID("polonius@hamlet/castle"), JID("horatio@hamlet/castle"), JID("hecate@shakespeare.lit/broom"),
            ])
        #expect(query.items.map(\.nick) == ["Polo", "horotoro", "Hécate"])
        #expect(query.items.map(\.role) == [.participant, .participant, .participant])
    }

    @Test func banListRequest() throws {
        let query = try MUCAdmin.Query(xml: load("muc-admin/03-ban-list-request.xml"))
        #expect(query.items.count == 1)
        #expect(query.items[0].affiliation == .outcast)
        #expect(query.items[0].role == nil)
        #expect(query.items[0].jid == nil)
        #expect(query.items[0].nick == nil)
    }

    @Test func modifyBanList() throws {
        let query = try MUCAdmin.Query(xml: load("muc-admin/04-modify-ban-list.xml"))
        #expect(query.items.map(\.affiliation) == [.outcast, .outcast])
        #expect(query.items.map(\.jid) == [JID("lordscroop@shakespeare.lit"), JID("sirthomasgrey@shakespeare.lit")])
        #expect(query.items.map(\.reason) == ["Treason", "Treason"])
        #expect(query.items[0].actor == nil)
        #expect(query.items[1].actor?.jid == JID("kinghenryv@shakespeare.lit/throne"))
        #expect(query.items[1].actor?.nick == "Harry")
    }

    @Test func modifyRoles() throws {
        let query = try MUCAdmin.Query(xml: load("muc-admin/05-modify-roles.xml"))
        #expect(query.items.map(\.nick) == ["thirdwitch", "Hecate"])
        #expect(query.items.map(\.role) == [.moderator, .visitor])
        #expect(query.items.allSatisfy { $0.affiliation == nil && $0.jid == nil })
    }

    @Test func modifyAffiliations() throws {
        let query = try MUCAdmin.Query(xml: load("muc-admin/06-modify-affiliations.xml"))
        #expect(query.items.map(\.affiliation) == [.owner, .admin, .member, MUCAdmin.Affiliation.none])
        #expect(
            query.items.map(\.jid) == [
                JID("hecate@shakespeare.lit"), JID("wiccarocks@shakespeare.lit"), JID("hag66@shakespeare.lit"),
                JID("crone1@shakespeare.lit"),
            ])
        #expect(query.items.map(\.nick) == [nil, nil, "thirdwitch", nil])
        #expect(query.items.allSatisfy { $0.role == nil })
    }

    // MARK: muc#owner

    @Test func configRequest() throws {
        let query = try MUCOwner.Query(xml: load("muc-owner/01-config-request.xml"))
        #expect(query.choice == nil)
        #expect(query.unknownChildren.isEmpty)
    }

    @Test func instantRoom() throws {
        let query = try MUCOwner.Query(xml: load("muc-owner/02-instant-room.xml"))
        guard case .x(let form) = query.choice else {
            Issue.record("choice is \(String(describing: query.choice))")
            return
        }
        #expect(form.type == .submit)
        #expect(form.fields.isEmpty)
    }

    @Test func configForm() throws {
        let query = try MUCOwner.Query(xml: load("muc-owner/03-config-form.xml"))
        guard case .x(let form) = query.choice else {
            Issue.record("choice is \(String(describing: query.choice))")
            return
        }
        #expect(form.type == .form)
        #expect(form.title == "Configuration for \"coven\" Room")
        #expect(form.instructions.count == 1)
        #expect(form.instructions.first?.contains("Your room coven@macbeth has been created!") == true)
        #expect(form.instructions.first?.contains("        - Up to 20 occupants\n") == true)
        #expect(
            form.fields.map(\.`var`) == [
                "FORM_TYPE", "muc#roomconfig_roomname", "muc#roomconfig_persistentroom",
                "muc#roomconfig_presencebroadcast",
            ])
        #expect(form.fields.map(\.type) == [.hidden, .textSingle, .boolean, .listMulti])
        #expect(form.fields[0].values == ["http://jabber.org/protocol/muc#roomconfig"])
        #expect(form.fields[1].label == "Natural-Language Room Name")
        #expect(form.fields[1].values.isEmpty)
        #expect(form.fields[2].values == ["0"])
        #expect(form.fields[3].values == ["moderator", "participant", "visitor"])
        #expect(form.fields[3].options.map(\.label) == ["Moderator", "Participant", "Visitor"])
        #expect(form.fields[3].options.map(\.value) == ["moderator", "participant", "visitor"])
    }

    @Test func configSubmit() throws {
        let query = try MUCOwner.Query(xml: load("muc-owner/04-config-submit.xml"))
        guard case .x(let form) = query.choice else {
            Issue.record("choice is \(String(describing: query.choice))")
            return
        }
        #expect(form.type == .submit)
        #expect(form.fields.map(\.`var`) == ["FORM_TYPE", "muc#roomconfig_roomname", "muc#roomconfig_roomowners"])
        #expect(form.fields.allSatisfy { $0.type == nil })
        #expect(form.fields[1].values == ["A Dark Cave — Höhle der Hexen"])
        #expect(form.fields[2].values == ["wiccarocks@shakespeare.lit", "hecate@shakespeare.lit"])
    }

    @Test func destroyRequest() throws {
        let query = try MUCOwner.Query(xml: load("muc-owner/05-destroy.xml"))
        guard case .destroy(let destroy) = query.choice else {
            Issue.record("choice is \(String(describing: query.choice))")
            return
        }
        #expect(destroy.jid == JID("coven@chat.shakespeare.lit"))
        #expect(destroy.password == "cauldronburn")
        #expect(destroy.reason == "Macbeth doth come.")
    }
}
