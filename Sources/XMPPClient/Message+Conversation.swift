public import XMPPCore
import XMPPExtensions

/// A chat state (XEP-0085 2.1): whether the other side is typing, has paused, or is away from the conversation.
public enum ChatState: Sendable, Hashable, CaseIterable {
    /// Taking part in the conversation.
    case active
    /// Typing a message.
    case composing
    /// Was typing, and stopped.
    case paused
    /// Not looking at the conversation for a while.
    case inactive
    /// Left the conversation.
    case gone
}

extension Message {
    // MARK: - Chat states (XEP-0085)

    /// The chat state the message carries, if any.
    public var chatState: ChatState? {
        for element in payloads where element.name.namespace == ChatStates.namespace {
            switch element.name {
            case ChatStates.Active.qualifiedName: return .active
            case ChatStates.Composing.qualifiedName: return .composing
            case ChatStates.Paused.qualifiedName: return .paused
            case ChatStates.Inactive.qualifiedName: return .inactive
            case ChatStates.Gone.qualifiedName: return .gone
            default: continue
            }
        }
        return nil
    }

    /// This message with a chat state (in place of any it had): `active` goes with a message one writes.
    public func withChatState(_ state: ChatState) -> Message {
        var message = self
        message.payloads.removeAll { $0.name.namespace == ChatStates.namespace }
        let element =
            switch state {
            case .active: ChatStates.Active().xmlElement()
            case .composing: ChatStates.Composing().xmlElement()
            case .paused: ChatStates.Paused().xmlElement()
            case .inactive: ChatStates.Inactive().xmlElement()
            case .gone: ChatStates.Gone().xmlElement()
            }
        message.payloads.append(element)
        return message
    }

    /// A chat state on its own ("typing..."), not to be archived or kept for offline delivery (XEP-0334
    /// `<no-store/>`).
    public static func chatState(_ state: ChatState, to: JID, type: JabberClient.MessageType = .chat) -> Message {
        var message = Message(to: to, type: type).withChatState(state)
        message.payloads.append(ProcessingHints.NoStore().xmlElement())
        return message
    }

    // MARK: - Displayed markers (XEP-0333)

    /// This message, asking the recipient to say when it has been displayed (it needs an id).
    public func markable() -> Message {
        var message = self
        if !hasPayload(ChatMarkers.Markable.self) { message.payloads.append(ChatMarkers.Markable().xmlElement()) }
        return message
    }

    /// Whether the sender asks to know when the message is displayed.
    public var isMarkable: Bool { hasPayload(ChatMarkers.Markable.self) }

    /// The id of the message that a displayed marker refers to, if this is one.
    public var displayedID: String? { (try? payload(ChatMarkers.Displayed.self))?.id }

    /// The marker that says this message was displayed: to its sender (a room, for a group chat message), with its id
    /// (a room's stanza-id for a group chat message, XEP-0333 §6). `nil` for a message that asks for none, has no
    /// usable id, or is itself a marker (markers are never answered with markers).
    public func displayedMarker() -> Message? {
        guard isMarkable, displayedID == nil, type != .error, let from else { return nil }
        let id: String?
        let to: JID
        if type == .groupchat {
            let room = from.bare
            id = (try? payloads(StanzaID.StanzaId.self))?.first { $0.by == room }?.id
            to = room
        } else {
            id = self.id
            to = from
        }
        guard let id, !id.isEmpty else { return nil }
        var marker = Message(to: to, type: type == .groupchat ? .groupchat : .chat)
        marker.payloads = [
            ChatMarkers.Displayed(id: id).xmlElement(), ProcessingHints.Store().xmlElement(),
        ]
        return marker
    }

    // MARK: - Corrections (XEP-0308) and retractions (XEP-0424)

    /// This message as a correction of an earlier one: it replaces the payloads of the message with that id (the
    /// first message's id, also when correcting again). Give it a new id of its own.
    public func correcting(_ originalID: String) -> Message {
        var message = self
        message.payloads.removeAll { $0.name == MessageCorrection.Replace.qualifiedName }
        message.payloads.append(MessageCorrection.Replace(id: originalID).xmlElement())
        return message
    }

    /// The id of the message this one corrects, if it is a correction.
    public var replacedID: String? { (try? payload(MessageCorrection.Replace.self))?.id }

    /// A retraction of an earlier message: the recipients remove it. It carries a fallback body for clients without
    /// retraction, marked so (XEP-0428), and a `<store/>` hint so that archives keep it.
    ///
    /// - Parameters:
    ///   - id: The retracted message's id (in a group chat, the room's stanza-id of it).
    ///   - to: Where the original went (the room, for a group chat).
    ///   - type: The original's type.
    public static func retraction(of id: String, to: JID, type: JabberClient.MessageType = .chat) -> Message {
        var message = Message.chat(
            to: to, body: "(a message was taken back; this client does not show retractions)",
            type: type)
        message.payloads = [
            MessageRetraction.Retract(id: id).xmlElement(),
            FallbackIndication.Fallback(for: MessageRetraction.namespace).xmlElement(),
            ProcessingHints.Store().xmlElement(),
        ]
        return message
    }

    /// The id of the message this one retracts, if it is a retraction.
    public var retractedID: String? { (try? payload(MessageRetraction.Retract.self))?.id }

    /// Whether this correction or retraction may change `original`: it names the original's id (the room's stanza-id
    /// for a retraction in a room) and comes from the same sender: the same bare JID in a direct conversation, the
    /// same full JID (occupant) in a room or a private message through one (XEP-0308 §4, XEP-0424 §5). Anything else
    /// is a spoof, to be ignored.
    ///
    /// - Parameters:
    ///   - original: The message to be changed.
    ///   - inRoom: Whether the conversation is through a room; by default, when the original is a group chat message.
    public func mayChange(_ original: Message, inRoom: Bool? = nil) -> Bool {
        guard let from, let originalFrom = original.from, type != .error else { return false }
        let room = inRoom ?? (original.type == .groupchat)
        guard room ? from == originalFrom : from.bare == originalFrom.bare else { return false }
        if let replaced = replacedID { return replaced == original.id }
        if let retracted = retractedID {
            if retracted == original.id { return true }
            let roomID = (try? original.payloads(StanzaID.StanzaId.self))?.first { $0.by == originalFrom.bare }?.id
            return room && retracted == roomID
        }
        return false
    }
}
