import Testing
import XMPPExtensions
import XMPPTesting

/// Service discovery (XEP-0030) and data forms (XEP-0004) fixtures decoded and checked field by field.
@Suite struct DiscoAndFormsPayloadTests {
    // MARK: disco#info

    @Test func discoInfoRequest() throws {
        let query = try DiscoInfo.Query(xml: load("disco-info/01-request.xml"))
        #expect(query.node == nil)
        #expect(query.identities.isEmpty)
        #expect(query.features.isEmpty)
        #expect(query.extensions.isEmpty)
        #expect(query.unknownChildren.isEmpty)
    }

    @Test func discoInfoNodeResult() throws {
        let query = try DiscoInfo.Query(xml: load("disco-info/03-node-result.xml"))
        #expect(query.node == "http://jabber.org/protocol/commands")
        #expect(query.identities.count == 1)
        #expect(query.identities[0].category == "automation")
        #expect(query.identities[0].type == "command-list")
        #expect(query.identities[0].name == nil)
        #expect(query.identities[0].lang == nil)
        #expect(query.features.map(\.`var`) == ["http://jabber.org/protocol/disco#info"])
    }

    @Test func discoInfoResultInFull() throws {
        let query = try DiscoInfo.Query(xml: load("disco-info/02-result.xml"))
        #expect(query.identities.map(\.category) == ["conference", "directory", "directory"])
        #expect(query.identities.map(\.type) == ["text", "chatroom", "chatroom"])
        #expect(query.identities.map(\.lang) == [nil, nil, "de"])
        #expect(query.identities[0].name == "Play-Specific Chatrooms")
        #expect(
            query.features.map(\.`var`) == [
                "http://jabber.org/protocol/disco#info", "http://jabber.org/protocol/disco#items",
                "http://jabber.org/protocol/muc", "jabber:iq:register", "jabber:iq:search", "jabber:iq:time",
                "jabber:iq:version",
            ])
    }

    @Test func discoInfoExtendedRoomInfoInFull() throws {
        let query = try DiscoInfo.Query(xml: load("disco-info/04-extended-room-info.xml"))
        #expect(query.identities.map(\.name) == ["A Dark Cave"])
        #expect(query.features.map(\.`var`) == ["http://jabber.org/protocol/muc", "jabber:iq:register"])
        #expect(query.extensions.map(\.type) == [.result, .result])
        let roomInfo = query.extensions[0]
        #expect(
            roomInfo.fields.map(\.`var`) == [
                "FORM_TYPE", "muc#roominfo_description", "muc#roominfo_subject", "muc#roominfo_occupants",
                "muc#roominfo_lang",
            ])
        #expect(
            roomInfo.fields.map(\.label) == [
                nil, "Description", "Subject", "Number of occupants", "Language of discussion",
            ])
        #expect(roomInfo.fields.map(\.type) == [.hidden, nil, nil, nil, nil])
        #expect(roomInfo.fields[1].values == ["The place for all good witches!"])
        #expect(roomInfo.fields[3].values == ["3"])
        let serverInfo = query.extensions[1]
        #expect(serverInfo.fields.map(\.`var`) == ["FORM_TYPE", "ip_version"])
        #expect(serverInfo.fields[0].values == ["http://jabber.org/network/serverinfo"])
    }

    // MARK: disco#items

    @Test func discoItemsRequest() throws {
        let query = try DiscoItems.Query(xml: load("disco-items/01-request.xml"))
        #expect(query.node == nil)
        #expect(query.items.isEmpty)
        #expect(query.set == nil)
    }

    @Test func discoItemsResult() throws {
        let query = try DiscoItems.Query(xml: load("disco-items/02-result.xml"))
        #expect(query.items.count == 5)
        #expect(
            query.items.map(\.jid)
                == [
                    "people.shakespeare.lit", "plays.shakespeare.lit", "mim.shakespeare.lit", "words.shakespeare.lit",
                    "en2fr.shakespeare.lit",
                ].map { JID($0) })
        #expect(query.items[0].name == "Directory of Characters")
        #expect(query.items[4].name == "Service de traduction française")
        #expect(query.items.allSatisfy { $0.node == nil && $0.payloads.isEmpty })
        #expect(query.set == nil)
    }

    @Test func discoItemsNodeResult() throws {
        let query = try DiscoItems.Query(xml: load("disco-items/03-node-result.xml"))
        #expect(query.node == "music")
        #expect(query.items.map(\.node) == ["music/A", "music/B", "music/D"])
        #expect(query.items.allSatisfy { $0.jid == JID("catalog.shakespeare.lit") })
        #expect(query.items.map(\.name) == [nil, nil, "Music from the time of Shakespeare"])
        #expect(query.items[0].payloads.isEmpty)
        #expect(query.items[2].payloads.map(\.name) == [XMLName(namespace: "urn:example:unknown", localName: "custom")])
        #expect(query.items[2].payloads.first?["a"] == "1")
        #expect(query.items[2].unknownChildren.isEmpty)
    }

    @Test func discoItemsPagedRequest() throws {
        let query = try DiscoItems.Query(xml: load("disco-items/04-rsm-request.xml"))
        #expect(query.items.isEmpty)
        let set = try #require(query.set)
        #expect(set.max == 20)
        #expect(set.after == nil)
        #expect(set.before == nil)
        #expect(set.count == nil)
    }

    @Test func discoItemsPagedResult() throws {
        let query = try DiscoItems.Query(xml: load("disco-items/05-rsm-result.xml"))
        #expect(
            query.items.map(\.jid.description) == [
                "12@conference.jabber.org", "adium@conference.jabber.org", "airhitch@conference.jabber.org",
            ])
        let set = try #require(query.set)
        #expect(set.first?.index == 0)
        #expect(set.first?.value == "acc3594e844c77696f7a7ba9367ae324b6b958ad")
        #expect(set.last == "4da91d4b330112f683dddaebf93180b1bd25e95f")
        #expect(set.count == 150)
        #expect(set.max == nil)
    }

    // MARK: Data forms

    @Test func dataForm() throws {
        let form = try DataForms.X(xml: load("data-forms/01-form.xml"))
        #expect(form.type == .form)
        #expect(form.title == "Bot Configuration")
        #expect(
            form.instructions == [
                "Fill out this form to configure your new bot!", "Fields marked as required must be filled in.",
            ])
        #expect(form.fields.count == 13)
        #expect(
            form.fields.map(\.type) == [
                .hidden, .fixed, .textSingle, .textMulti, .boolean, .textPrivate, .fixed, .listMulti, .fixed,
                .listSingle, .fixed, .jidMulti, .jidSingle,
            ])
        #expect(form.fields[0].`var` == "FORM_TYPE")
        #expect(form.fields[0].values == ["jabber:bot"])
        #expect(form.fields[1].`var` == nil)
        #expect(form.fields[1].values == ["Section 1: Bot Info"])
        #expect(form.fields[2].label == "The name of your bot")
        #expect(form.fields[2].values.isEmpty)
        #expect(
            form.fields.map(\.required) == [
                false, false, false, false, true, false, false, false, false, false, false, false, true,
            ])
        let features = form.fields[7]
        #expect(features.`var` == "features")
        #expect(features.values == ["news", "search"])
        #expect(features.options.map(\.label) == ["Contests", "News", "Polls", "Reminders", "Search"])
        #expect(features.options.map(\.value) == ["contests", "news", "polls", "reminders", "search"])
        let maxsubs = form.fields[9]
        #expect(maxsubs.values == ["20"])
        #expect(maxsubs.options.count == 6)
        #expect(maxsubs.options.last?.label == "None")
        #expect(maxsubs.options.last?.value == "none")
        #expect(form.fields[11].desc == "Tell all your friends about your new bot!")
        let owner = form.fields[12]
        #expect(owner.`var` == "owner")
        #expect(owner.label == "Bot owner")
        #expect(owner.desc == "The owner receives error reports & usage statistics.")
        #expect(owner.values == ["romeo@montague.net"])
        #expect(owner.payloads.map(\.name.localName) == ["validate"])
        #expect(owner.payloads.first?.name.namespace == "http://jabber.org/protocol/xdata-validate")
        #expect(owner.payloads.first?["datatype"] == "xs:string")
        #expect(form.reported == nil)
        #expect(form.items.isEmpty)
    }

    @Test func dataFormSubmit() throws {
        let form = try DataForms.X(xml: load("data-forms/02-submit.xml"))
        #expect(form.type == .submit)
        #expect(form.title == nil)
        #expect(form.instructions.isEmpty)
        #expect(
            form.fields.map(\.`var`) == [
                "FORM_TYPE", "botname", "description", "public", "password", "features", "maxsubs", "invitelist",
                "motto",
            ])
        #expect(
            form.fields.map(\.type) == [
                .hidden, .textSingle, .textMulti, .boolean, .textPrivate, .listMulti, .listSingle, .jidMulti, nil,
            ])
        #expect(form.fields[2].values.count == 4)
        #expect(form.fields[2].values[2] == "in your Jabber client. It' really cool!")
        #expect(form.fields[3].values == ["0"])
        #expect(form.fields[4].values == ["v3r0na"])
        #expect(form.fields[7].values == ["juliet@capulet.com", "benvolio@montague.net"])
        #expect(form.fields[8].values == ["Für Verona <3 — ヴェローナ"])
        #expect(form.fields.allSatisfy { $0.options.isEmpty && !$0.required && $0.label == nil })
    }

    @Test func dataFormSearchResult() throws {
        let form = try DataForms.X(xml: load("data-forms/03-search-result.xml"))
        #expect(form.type == .result)
        #expect(form.title == "Joogle Search: verona")
        #expect(form.fields.isEmpty)
        let reported = try #require(form.reported)
        #expect(reported.fields.map(\.`var`) == ["name", "url"])
        #expect(reported.fields.map(\.label) == ["Page title", "Address"])
        #expect(reported.fields.map(\.type) == [.textSingle, .textSingle])
        #expect(form.items.count == 3)
        #expect(form.items.allSatisfy { $0.fields.map(\.`var`) == ["name", "url"] })
        #expect(
            form.items.map { $0.fields[1].values } == [
                ["http://www.comune.verona.it/"], ["http://www.hellasverona.it/"], ["http://www.univr.it/"],
            ])
        #expect(form.items[2].fields[0].values == ["Università degli Studi di Verona - Home Page"])
        #expect(form.payloads.map(\.name) == [XMLName(namespace: "urn:example:unknown", localName: "custom")])
        #expect(form.unknownChildren.isEmpty)
    }

    @Test func dataFormCancel() throws {
        let form = try DataForms.X(xml: load("data-forms/04-cancel.xml"))
        #expect(form.type == .cancel)
        #expect(form.title == nil)
        #expect(form.fields.isEmpty)
        #expect(form.items.isEmpty)
        #expect(form.reported == nil)
        #expect(form.payloads.isEmpty)
    }
}
