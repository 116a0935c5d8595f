import Testing
import XMPPExtensions
import XMPPTesting

/// Publish-subscribe (XEP-0060) fixtures decoded and checked field by field.
@Suite struct PubSubPayloadTests {
    // MARK: pubsub

    @Test func publishWithOptions() throws {
        let pubsub = try PubSub.Pubsub(xml: load("pubsub/01-publish-with-options.xml"))
        let publish = try #require(pubsub.publish)
        #expect(publish.node == "princely_musings")
        #expect(publish.items.map(\.id) == ["ae890ac52d0df67ed7cfdf51b644e901"])
        #expect(publish.items[0].publisher == nil)
        let entry = try #require(publish.items[0].payloads.first)
        #expect(publish.items[0].payloads.count == 1)
        #expect(entry.name == XMLName(namespace: "http://www.w3.org/2005/Atom", localName: "entry"))
        #expect(entry.childText("title", namespace: "http://www.w3.org/2005/Atom") == "Soliloquy")
        #expect(entry.firstChild("link")?["href"] == "http://denmark.lit/2003/12/13/atom03")
        let form = try #require(pubsub.publishOptions?.x)
        #expect(form.type == .submit)
        #expect(form.fields.map(\.`var`) == ["FORM_TYPE", "pubsub#access_model"])
        #expect(form.fields[0].values == ["http://jabber.org/protocol/pubsub#publish-options"])
        #expect(form.fields[1].values == ["presence"])
        #expect(pubsub.create == nil)
        #expect(pubsub.items == nil)
        #expect(pubsub.retract == nil)
    }

    @Test func createAndConfigure() throws {
        let pubsub = try PubSub.Pubsub(xml: load("pubsub/02-create-and-configure.xml"))
        #expect(pubsub.create?.node == "princely_musings")
        #expect(pubsub.configures.count == 1)
        #expect(pubsub.configures[0].node == nil)
        let form = try #require(pubsub.configures[0].x)
        #expect(form.type == .submit)
        #expect(form.fields.map(\.`var`) == ["FORM_TYPE", "pubsub#title", "pubsub#max_items"])
        #expect(form.fields[1].values == ["Princely Musings (Atom) — Überlegungen"])
        #expect(form.fields[2].values == ["10"])
        #expect(pubsub.publish == nil)
    }

    @Test func subscribeAndConfigure() throws {
        let pubsub = try PubSub.Pubsub(xml: load("pubsub/03-subscribe-and-configure.xml"))
        let subscribe = try #require(pubsub.subscribe)
        #expect(subscribe.node == "princely_musings")
        #expect(subscribe.jid == JID("francisco@denmark.lit"))
        #expect(pubsub.options.count == 1)
        let options = pubsub.options[0]
        #expect(options.node == nil)
        #expect(options.jid == nil)
        #expect(options.subid == nil)
        #expect(options.x?.fields.map(\.`var`) == ["FORM_TYPE", "pubsub#deliver", "pubsub#digest"])
        #expect(
            options.x?.fields.map(\.values) == [
                ["http://jabber.org/protocol/pubsub#subscribe_options"], ["1"], ["0"],
            ])
    }

    @Test func subscriptionResult() throws {
        let pubsub = try PubSub.Pubsub(xml: load("pubsub/04-subscription-result.xml"))
        let subscription = try #require(pubsub.subscription)
        #expect(subscription.node == "princely_musings")
        #expect(subscription.jid == JID("francisco@denmark.lit"))
        #expect(subscription.subid == "ba49252aaa4f5d320c24d3766f0bdcade78c78d3")
        #expect(subscription.subscription == .unconfigured)
        #expect(subscription.subscribeOptions?.required == true)
    }

    @Test func itemsResultWithPaging() throws {
        let pubsub = try PubSub.Pubsub(xml: load("pubsub/05-items-result-rsm.xml"))
        let items = try #require(pubsub.items)
        #expect(items.node == "princely_musings")
        #expect(items.maxItems == nil)
        #expect(items.subid == nil)
        #expect(
            items.items.map(\.id) == [
                "368866411b877c30064a5f62b917cffe", "3300659945416e274474e469a1f0154c",
                "4e30f35051b7b8b42abe083742187228",
            ])
        #expect(items.items.map(\.publisher) == [JID("hamlet@denmark.lit"), nil, nil])
        #expect(items.items.map { localNames($0.payloads) } == [["entry"], ["custom"], []])
        #expect(items.items[0].payloads[0].childText("title") == "The Uses of This World")
        #expect(items.items[1].payloads[0].name.namespace == "urn:example:unknown")
        let set = try #require(pubsub.set)
        #expect(set.first?.index == 0)
        #expect(set.first?.value == "368866411b877c30064a5f62b917cffe")
        #expect(set.last == "4e30f35051b7b8b42abe083742187228")
        #expect(set.count == 19)
    }

    @Test func itemsRequest() throws {
        let pubsub = try PubSub.Pubsub(xml: load("pubsub/06-items-request.xml"))
        let items = try #require(pubsub.items)
        #expect(items.node == "princely_musings")
        #expect(items.maxItems == 2)
        #expect(items.subid == "004-yyy")
        #expect(items.items.isEmpty)
        #expect(pubsub.set == nil)
    }

    @Test func retract() throws {
        let pubsub = try PubSub.Pubsub(xml: load("pubsub/07-retract.xml"))
        let retract = try #require(pubsub.retract)
        #expect(retract.node == "princely_musings")
        #expect(retract.notify == true)
        #expect(retract.items.map(\.id) == ["ae890ac52d0df67ed7cfdf51b644e901"])
        #expect(retract.items[0].payloads.isEmpty)
    }

    @Test func subscriptionsResult() throws {
        let pubsub = try PubSub.Pubsub(xml: load("pubsub/08-subscriptions-result.xml"))
        let subscriptions = try #require(pubsub.subscriptions)
        #expect(subscriptions.node == nil)
        #expect(subscriptions.subscriptions.map(\.node) == ["node1", "node2", "node5", "node6", "node6", "node7"])
        #expect(subscriptions.subscriptions.allSatisfy { $0.jid == JID("francisco@denmark.lit") })
        #expect(
            subscriptions.subscriptions.map(\.subscription) == [
                .subscribed, .subscribed, .unconfigured, .subscribed, .pending, PubSub.SubscriptionState.none,
            ])
        #expect(subscriptions.subscriptions.map(\.subid) == [nil, nil, nil, "123-abc", "004-yyy", nil])
    }

    @Test func affiliationsResult() throws {
        let pubsub = try PubSub.Pubsub(xml: load("pubsub/09-affiliations-result.xml"))
        let affiliations = try #require(pubsub.affiliations)
        #expect(affiliations.node == nil)
        #expect(affiliations.affiliations.map(\.node) == ["node1", "node2", "node3", "node4", "node5", "node6"])
        #expect(
            affiliations.affiliations.map(\.affiliation) == [
                .owner, .publisher, .publishOnly, .member, .outcast, PubSub.AffiliationValue.none,
            ])
        #expect(affiliations.affiliations.map(\.jid) == [nil, nil, nil, nil, nil, JID("polonius@denmark.lit")])
    }

    @Test func unsubscribe() throws {
        let pubsub = try PubSub.Pubsub(xml: load("pubsub/10-unsubscribe.xml"))
        let unsubscribe = try #require(pubsub.unsubscribe)
        #expect(unsubscribe.node == "princely_musings")
        #expect(unsubscribe.jid == JID("francisco@denmark.lit"))
        #expect(unsubscribe.subid == "ba49252aaa4f5d320c24d3766f0bdcade78c78d3")
        #expect(pubsub.subscribe == nil)
    }

    @Test func defaultOptionsResult() throws {
        let pubsub = try PubSub.Pubsub(xml: load("pubsub/11-default-options-result.xml"))
        let defaults = try #require(pubsub.default)
        #expect(defaults.node == "princely_musings")
        let form = try #require(defaults.x)
        #expect(form.type == .form)
        #expect(form.fields.map(\.type) == [.hidden, .boolean])
        #expect(form.fields[1].label == "Enable delivery?")
        #expect(form.fields[1].values == ["1"])
    }

    @Test func optionsRequest() throws {
        let pubsub = try PubSub.Pubsub(xml: load("pubsub/12-options-request.xml"))
        #expect(pubsub.options.count == 1)
        let options = pubsub.options[0]
        #expect(options.node == "princely_musings")
        #expect(options.jid == JID("francisco@denmark.lit"))
        #expect(options.subid == "123-abc")
        #expect(options.x == nil)
    }

    // MARK: pubsub#event

    @Test func eventItems() throws {
        let event = try PubSubEvent.Event(xml: load("pubsub-event/01-items.xml"))
        guard case .items(let items) = event.choice else {
            Issue.record("choice is \(event.choice)")
            return
        }
        #expect(items.node == "princely_musings")
        #expect(
            items.items.map(\.id) == [
                "ae890ac52d0df67ed7cfdf51b644e901", "4e30f35051b7b8b42abe083742187228",
                "368866411b877c30064a5f62b917cffe",
            ])
        #expect(items.items.map(\.publisher) == [JID("hamlet@denmark.lit"), nil, nil])
        #expect(items.items.map { localNames($0.payloads) } == [["entry"], ["custom"], []])
        #expect(items.items[0].payloads[0].childText("id") == "tag:denmark.lit,2003:entry-32397")
        #expect(items.retracts.isEmpty)
    }

    @Test func eventRetract() throws {
        let event = try PubSubEvent.Event(xml: load("pubsub-event/02-retract.xml"))
        guard case .items(let items) = event.choice else {
            Issue.record("choice is \(event.choice)")
            return
        }
        #expect(items.node == "princely_musings")
        #expect(items.items.isEmpty)
        #expect(items.retracts.map(\.id) == ["ae890ac52d0df67ed7cfdf51b644e901", "368866411b877c30064a5f62b917cffe"])
    }

    @Test func eventConfiguration() throws {
        let event = try PubSubEvent.Event(xml: load("pubsub-event/03-configuration.xml"))
        guard case .configuration(let configuration) = event.choice else {
            Issue.record("choice is \(event.choice)")
            return
        }
        #expect(configuration.node == "princely_musings")
        let form = try #require(configuration.x)
        #expect(form.type == .result)
        #expect(form.fields.map(\.`var`) == ["FORM_TYPE", "pubsub#title", "pubsub#max_items"])
        #expect(form.fields[1].values == ["Princely Musings (Atom) — Prinzliche Grübeleien"])
    }

    @Test func eventDeleteWithRedirect() throws {
        let event = try PubSubEvent.Event(xml: load("pubsub-event/04-delete-with-redirect.xml"))
        guard case .delete(let delete) = event.choice else {
            Issue.record("choice is \(event.choice)")
            return
        }
        #expect(delete.node == "princely_musings")
        #expect(delete.redirect?.uri == "xmpp:hamlet@denmark.lit?;node=blog")
    }

    @Test func eventPurge() throws {
        let event = try PubSubEvent.Event(xml: load("pubsub-event/05-purge.xml"))
        guard case .purge(let purge) = event.choice else {
            Issue.record("choice is \(event.choice)")
            return
        }
        #expect(purge.node == "princely_musings")
    }

    @Test func eventSubscriptionLease() throws {
        let event = try PubSubEvent.Event(xml: load("pubsub-event/06-subscription-lease.xml"))
        guard case .subscription(let subscription) = event.choice else {
            Issue.record("choice is \(event.choice)")
            return
        }
        #expect(subscription.node == "princely_musings")
        #expect(subscription.jid == JID("francisco@denmark.lit"))
        #expect(subscription.subid == "ba49252aaa4f5d320c24d3766f0bdcade78c78d3")
        #expect(subscription.subscription == .subscribed)
        #expect(
            subscription.expiry
                == XMLDateTime(
                    year: 2006, month: 2, day: 28, hour: 23, minute: 59, second: 59, fraction: "", offsetMinutes: 0))
        #expect(subscription.expiry?.xmlValue == "2006-02-28T23:59:59Z")
    }

    @Test func eventSubscriptionCancelled() throws {
        let event = try PubSubEvent.Event(xml: load("pubsub-event/07-subscription-cancelled.xml"))
        guard case .subscription(let subscription) = event.choice else {
            Issue.record("choice is \(event.choice)")
            return
        }
        #expect(subscription.node == "princely_musings")
        #expect(subscription.jid == JID("polonius@denmark.lit"))
        #expect(subscription.subscription == PubSubEvent.SubscriptionState.none)
        #expect(subscription.subid == nil)
        #expect(subscription.expiry == nil)
    }

    // MARK: pubsub#owner

    @Test func ownerConfigureForm() throws {
        let pubsub = try PubSubOwner.Pubsub(xml: load("pubsub-owner/01-configure-form.xml"))
        guard case .configure(let configure) = pubsub.choice else {
            Issue.record("choice is \(pubsub.choice)")
            return
        }
        #expect(configure.node == "princely_musings")
        let form = try #require(configure.x)
        #expect(form.type == .form)
        #expect(form.fields.map(\.type) == [.hidden, .textSingle, .boolean, .listSingle])
        #expect(form.fields[1].label == "A friendly name for the node")
        #expect(form.fields[1].values.isEmpty)
        #expect(form.fields[2].values == ["true"])
        #expect(form.fields[3].values == ["open"])
        #expect(form.fields[3].options.map(\.value) == ["authorize", "open", "presence", "roster", "whitelist"])
        #expect(form.fields[3].options.allSatisfy { $0.label == nil })
    }

    @Test func ownerDefaultResult() throws {
        let pubsub = try PubSubOwner.Pubsub(xml: load("pubsub-owner/02-default-result.xml"))
        guard case .default(let defaults) = pubsub.choice else {
            Issue.record("choice is \(pubsub.choice)")
            return
        }
        #expect(defaults.type == nil)
        let form = try #require(defaults.x)
        #expect(form.fields.map(\.`var`) == ["FORM_TYPE", "pubsub#max_items"])
        #expect(form.fields[1].label == "Max # of items to persist")
        #expect(form.fields[1].values == ["10"])
    }

    @Test func ownerDefaultCollectionRequest() throws {
        let pubsub = try PubSubOwner.Pubsub(xml: load("pubsub-owner/03-default-collection-request.xml"))
        guard case .default(let defaults) = pubsub.choice else {
            Issue.record("choice is \(pubsub.choice)")
            return
        }
        #expect(defaults.type == .collection)
        #expect(defaults.x == nil)
    }

    @Test func ownerDeleteWithRedirect() throws {
        let pubsub = try PubSubOwner.Pubsub(xml: load("pubsub-owner/04-delete-with-redirect.xml"))
        guard case .delete(let delete) = pubsub.choice else {
            Issue.record("choice is \(pubsub.choice)")
            return
        }
        #expect(delete.node == "princely_musings")
        #expect(delete.redirect?.uri == "xmpp:hamlet@denmark.lit?;node=blog")
    }

    @Test func ownerPurge() throws {
        let pubsub = try PubSubOwner.Pubsub(xml: load("pubsub-owner/05-purge.xml"))
        guard case .purge(let purge) = pubsub.choice else {
            Issue.record("choice is \(pubsub.choice)")
            return
        }
        #expect(purge.node == "princely_musings")
    }

    @Test func ownerSubscriptions() throws {
        let pubsub = try PubSubOwner.Pubsub(xml: load("pubsub-owner/06-subscriptions.xml"))
        guard case .subscriptions(let subscriptions) = pubsub.choice else {
            Issue.record("choice is \(pubsub.choice)")
            return
        }
        #expect(subscriptions.node == "princely_musings")
        #expect(
            subscriptions.subscriptions.map(\.jid.description) == [
                "hamlet@denmark.lit", "polonius@denmark.lit", "bernardo@denmark.lit", "bernardo@denmark.lit",
                "bard@shakespeare.lit",
            ])
        #expect(
            subscriptions.subscriptions.map(\.subscription) == [
                .subscribed, .unconfigured, .subscribed, .pending, PubSubOwner.SubscriptionState.none,
            ])
        #expect(subscriptions.subscriptions.map(\.subid) == [nil, nil, "123-abc", "004-yyy", nil])
    }

    @Test func ownerAffiliations() throws {
        let pubsub = try PubSubOwner.Pubsub(xml: load("pubsub-owner/07-affiliations.xml"))
        guard case .affiliations(let affiliations) = pubsub.choice else {
            Issue.record("choice is \(pubsub.choice)")
            return
        }
        #expect(affiliations.node == "princely_musings")
        #expect(
            affiliations.affiliations.map(\.jid) == [
                JID("hamlet@denmark.lit"), JID("bard@shakespeare.lit"), JID("horatio@denmark.lit"),
                JID("ophélie@denmark.lit"), JID("polonius@denmark.lit"), JID("rosencrantz@denmark.lit"),
            ])
        #expect(affiliations.affiliations[3].jid.localpart == "ophélie")
        #expect(
            affiliations.affiliations.map(\.affiliation) == [
                .owner, .publisher, .publishOnly, .member, .outcast, PubSubOwner.AffiliationValue.none,
            ])
    }
}
