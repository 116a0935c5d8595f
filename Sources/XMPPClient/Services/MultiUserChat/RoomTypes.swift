public import XMPPBaseExtensions
public import XMPPCore
public import XMPPExtensions

/// Someone in a room (XEP-0045 §5): a nickname, a role for this visit, an affiliation that lasts, and their presence.
public struct RoomOccupant: Sendable, Hashable {
    /// The nickname: the resource of the occupant's room JID.
    public var nick: String
    /// The occupant's real JID, when the room shows it to us (a non-anonymous room, or we moderate it).
    public var jid: JID?
    /// The role in the room now (`moderator`, `participant`, `visitor`).
    public var role: MUCUser.Role
    /// The long-lived affiliation (`owner`, `admin`, `member`, `outcast`, `none`).
    public var affiliation: MUCUser.Affiliation
    /// Their availability (`show`), if they said.
    public var show: JabberClient.ShowValue?
    /// Their status text, if any.
    public var status: String?

    /// Creates an occupant.
    public init(
        nick: String, jid: JID? = nil, role: MUCUser.Role = .participant, affiliation: MUCUser.Affiliation = .none,
        show: JabberClient.ShowValue? = nil, status: String? = nil
    ) {
        self.nick = nick
        self.jid = jid
        self.role = role
        self.affiliation = affiliation
        self.show = show
        self.status = status
    }
}

/// A message in a room, to everyone (`groupchat`) or privately to us from one occupant.
public struct RoomMessage: Sendable, Hashable {
    /// The room's bare JID.
    public var room: JID
    /// Who wrote it; `nil` for the room itself.
    public var nick: String?
    /// The message as received.
    public var message: Message
    /// When it was sent, for a message from the room's history (`<delay/>`).
    public var timestamp: XMLDateTime?
    /// The room's id for it (XEP-0359 `<stanza-id by='room'/>`), the cursor for reading its archive (MAM).
    public var stanzaID: String?
    /// Whether it came as history while joining, rather than live.
    public var isHistory: Bool

    /// Creates a room message.
    public init(
        room: JID, nick: String?, message: Message, timestamp: XMLDateTime? = nil, stanzaID: String? = nil,
        isHistory: Bool = false
    ) {
        self.room = room
        self.nick = nick
        self.message = message
        self.timestamp = timestamp
        self.stanzaID = stanzaID
        self.isHistory = isHistory
    }

    /// The text.
    public var body: String? { message.body }
}

/// Why an occupant (or we) left a room (XEP-0045 §16.6 status codes and `<destroy/>`).
public enum RoomDeparture: Sendable, Hashable {
    /// Left of their own accord, with their status text, if any.
    case left(status: String?)
    /// Kicked by a moderator (307).
    case kicked(by: String?, reason: String?)
    /// Banned by an admin (301).
    case banned(by: String?, reason: String?)
    /// Removed because their affiliation changed (321).
    case affiliationChanged
    /// Removed because the room became members-only and they are not a member (322).
    case membersOnly
    /// Removed because the service is shutting down (332).
    case shutdown
    /// Removed because of a technical problem in the service (333): a rejoin may work.
    case technicalProblem
    /// The room was destroyed, perhaps naming another room to go to.
    case destroyed(reason: String?, alternateVenue: JID?)
    /// The connection that held the occupancy was lost and the stream could not be resumed (ours only).
    case disconnected
}

/// Something that happened in a joined room; observed with `client.observe(RoomEvent.self)` or a room's
/// ``MUCRoom/events``.
public struct RoomEvent: Sendable, Hashable {
    /// What happened.
    public enum Kind: Sendable, Hashable {
        /// Someone came in.
        case joined(RoomOccupant)
        /// Someone left (not a nick change).
        case left(RoomOccupant, RoomDeparture)
        /// An occupant's role, affiliation or presence changed (ours too).
        case changed(RoomOccupant)
        /// An occupant (or we) took another nickname.
        case nickChanged(RoomOccupant, from: String)
        /// The subject was set (or read on joining), by the nick if the room says.
        case subject(String?, by: String?)
        /// A message to everyone.
        case message(RoomMessage)
        /// A private message from an occupant.
        case privateMessage(RoomMessage)
        /// A message we sent was refused (not allowed to speak, say), with the error.
        case messageRefused(StanzaError)
        /// We are no longer in the room.
        case removed(RoomDeparture)
        /// We are in the room again after a new session (the occupants are those of the rejoin).
        case rejoined
        /// Rejoining after a new session failed.
        case rejoinFailed(MUCError)
    }

    /// The room's bare JID.
    public var room: JID
    /// What happened.
    public var kind: Kind

    /// Creates an event.
    public init(room: JID, kind: Kind) {
        self.room = room
        self.kind = kind
    }
}

/// An invitation to a room: mediated by the room (XEP-0045 §7.8.2) or sent directly (XEP-0249).
public struct RoomInvitation: Sendable, Hashable {
    /// The room.
    public var room: JID
    /// Who invites.
    public var from: JID?
    /// Why, in their words.
    public var reason: String?
    /// The room's password, if the invitation gives it.
    public var password: String?
    /// Whether the room forwarded it (mediated) rather than the inviter sending it directly.
    public var isMediated: Bool

    /// Creates an invitation.
    public init(room: JID, from: JID?, reason: String? = nil, password: String? = nil, isMediated: Bool) {
        self.room = room
        self.from = from
        self.reason = reason
        self.password = password
        self.isMediated = isMediated
    }
}

/// A room operation that failed: joining (with the room's reason, XEP-0045 §7.2), a nick change, a timeout.
public struct MUCError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong.
    public enum Code: Sendable, Hashable {
        /// The nickname is taken by someone else (`conflict`).
        case nickInUse
        /// The room needs a password, or the one given is wrong (`not-authorized`).
        case passwordRequired
        /// We are banned from the room (`forbidden`).
        case banned
        /// The room is members-only and we are not a member (`registration-required`).
        case membersOnly
        /// The room does not exist and may not be created by us (`item-not-found`, `not-allowed`).
        case roomNotFound
        /// The room is full (`service-unavailable`).
        case roomFull
        /// The nickname is locked down or not acceptable to the room (`not-acceptable`, `jid-malformed`).
        case nickNotAcceptable
        /// The room answered with another error.
        case refused
        /// No answer came in time.
        case timeout
        /// We are not in the room (left, removed, or not joined yet).
        case notJoined
    }

    /// What went wrong.
    public var code: Code
    /// The room's error, when it sent one.
    public var stanzaError: StanzaError?
    /// The room.
    public var room: JID

    /// Creates an error.
    public init(_ code: Code, room: JID, stanzaError: StanzaError? = nil) {
        self.code = code
        self.room = room
        self.stanzaError = stanzaError
    }

    /// The error a room's refusal to let us in means.
    static func joining(_ room: JID, refused error: StanzaError) -> MUCError {
        let code: Code =
            switch error.condition {
            case .conflict: .nickInUse
            case .notAuthorized: .passwordRequired
            case .forbidden: .banned
            case .registrationRequired: .membersOnly
            case .itemNotFound, .notAllowed: .roomNotFound
            case .serviceUnavailable: .roomFull
            case .notAcceptable, .jidMalformed: .nickNotAcceptable
            default: .refused
            }
        return MUCError(code, room: room, stanzaError: error)
    }

    /// A readable form.
    public var description: String {
        "room \(room): \(code)" + (stanzaError.map { " (\($0))" } ?? "")
    }
}

/// How much of the room's history to ask for on joining (XEP-0045 §7.2.13).
public struct RoomHistory: Sendable, Hashable {
    /// At most this many messages.
    public var maximumMessages: Int?
    /// Only messages of the last so many seconds.
    public var seconds: Int?
    /// Only messages since this time.
    public var since: XMLDateTime?

    /// Creates a history request.
    public init(maximumMessages: Int? = nil, seconds: Int? = nil, since: XMLDateTime? = nil) {
        self.maximumMessages = maximumMessages
        self.seconds = seconds
        self.since = since
    }

    /// None: only what is said from now on.
    public static let none = RoomHistory(maximumMessages: 0)
    /// The room's default.
    public static let roomDefault = RoomHistory()

    /// The last messages, at most `count`.
    public static func last(_ count: Int) -> RoomHistory { RoomHistory(maximumMessages: count) }

    var element: MUC.History? {
        guard maximumMessages != nil || seconds != nil || since != nil else { return nil }
        return MUC.History(
            maxstanzas: maximumMessages.map { Int32(clamping: $0) }, seconds: seconds.map { Int32(clamping: $0) },
            since: since)
    }
}
