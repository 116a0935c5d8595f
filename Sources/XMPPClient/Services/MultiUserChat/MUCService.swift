import Logging
import NIOConcurrencyHelpers
import XMPPBaseExtensions
public import XMPPCore
import XMPPExtensions

/// Multi-user chat (XEP-0045 1.35.5): joining rooms, following who is in them and what is said, moderating them,
/// invitations (mediated, and direct per XEP-0249), self-ping (XEP-0410), and rejoining after a new session.
///
/// Everything from a room we are in (its presences, its messages, private messages through it) is taken off the
/// stream and raised as ``RoomEvent``s; invitations from anyone as ``RoomInvitation``s. A client service only.
///
/// ```swift
/// configuration.services = [MUCService()]
/// let client = try XMPPClient(configuration: configuration)
/// try await client.connect()
/// let room = try await client.joinRoom(try JID(parsing: "garden@rooms.example.com"), nick: "juliet")
/// ```
public final class MUCService: XMPPService {
    private let rooms = NIOLockedValueBox<[JID: MUCRoom]>([:])
    /// Whether a room our join created is given its default configuration at once (an instant room), so that others
    /// can come in; otherwise the room stays locked until ``MUCRoom/configure(_:)``.
    public let createsInstantRooms: Bool

    /// Creates the service.
    ///
    /// - Parameter createsInstantRooms: Accept the default configuration of rooms our joins create.
    public init(createsInstantRooms: Bool = true) {
        self.createsInstantRooms = createsInstantRooms
    }

    /// `http://jabber.org/protocol/muc` and direct invitations.
    public var features: [String] { [MUC.namespace, DirectMUCInvitations.namespace] }

    /// The rooms we are in or joining.
    public var joinedRooms: [MUCRoom] { rooms.withLockedValue { Array($0.values) } }

    /// The room with this JID, if we are in it or joining it.
    public func room(_ jid: JID) -> MUCRoom? { rooms.withLockedValue { $0[jid.bare] } }

    /// Takes the rooms' stanzas off the stream.
    public func attach<Endpoint: XMPPEndpoint>(to endpoint: Endpoint) throws {
        guard endpoint is XMPPClient else {
            throw XMPPClientError(.invalidConfiguration, "MUCService works on a client, not a \(Endpoint.self)")
        }
        endpoint.addInboundFilter { [weak self, weak endpoint] stanza in
            guard let self, let endpoint else { return stanza }
            return self.inbound(stanza, endpoint: endpoint)
        }
    }

    /// After a new session (not a resumed stream), joins again the rooms we were in: the old session's occupancy
    /// ended with it.
    public func endpointDidConnect<Endpoint: XMPPEndpoint>(_ endpoint: Endpoint) async {
        guard let client = endpoint as? XMPPClient else { return }
        let joined = rooms.withLockedValue { rooms in
            rooms.values.filter { $0.state.withLockedValue { $0.phase == .joined } }
        }
        for room in joined {
            Task { await self.rejoin(room, client: client) }
        }
    }

    func forget(_ room: MUCRoom) {
        rooms.withLockedValue { rooms in
            if rooms[room.jid] === room { rooms.removeValue(forKey: room.jid) }
        }
    }

    // MARK: - Joining

    func join(
        _ jid: JID, nick: String, password: String?, history: RoomHistory, timeout: Duration, client: XMPPClient
    ) async throws -> MUCRoom {
        let room = rooms.withLockedValue { rooms -> MUCRoom in
            if let room = rooms[jid.bare], room.state.withLockedValue({ $0.phase != .left }) { return room }
            let room = MUCRoom(jid: jid, nick: nick, password: password, client: client)
            rooms[jid.bare] = room
            return room
        }
        if room.isJoined { return room }
        do {
            try await enter(room, nick: nick, history: history, timeout: timeout, client: client)
        } catch {
            forget(room)
            throw error
        }
        if room.wasCreated, createsInstantRooms {
            try await room.acceptDefaultConfiguration()
        }
        return room
    }

    private func rejoin(_ room: MUCRoom, client: XMPPClient) async {
        let (nick, since) = room.state.withLockedValue { ($0.nick, $0.lastMessageTime) }
        do {
            try await enter(
                room, nick: nick, history: since.map { RoomHistory(since: $0) } ?? .none, timeout: .seconds(30),
                client: client)
            client.raise(RoomEvent(room: room.jid, kind: .rejoined))
        } catch {
            forget(room)
            let failure = error as? MUCError ?? MUCError(.refused, room: room.jid)
            client.raise(RoomEvent(room: room.jid, kind: .rejoinFailed(failure)))
        }
    }

    /// Sends the join presence and waits for our own presence and the subject (the end of the history).
    private func enter(
        _ room: MUCRoom, nick: String, history: RoomHistory, timeout: Duration, client: XMPPClient
    ) async throws {
        let target = try room.jid.withResource(nick)
        let password = room.state.withLockedValue { $0.password }
        let presence = Presence(
            to: target, payloads: [MUC.X(history: history.element, password: password).xmlElement()])
        try await room.waiting(
            timeout: timeout,
            onTimeout: {
                // Our presence came but no subject: the room is joined all the same (it need not send one).
                let joined = room.state.withLockedValue { $0.selfPresenceSeen }
                room.finishJoin(joined ? .success(()) : .failure(MUCError(.timeout, room: room.jid)))
            }
        ) { continuation in
            room.state.withLockedValue { state in
                state.join?.resume(throwing: MUCError(.refused, room: room.jid))
                state.join = continuation
                state.phase = .joining
                state.nick = nick
                state.occupants = [:]
                state.history = []
                state.renaming = []
                state.selfPresenceSeen = false
                state.created = false
            }
            Task {
                do { try await client.send(presence) } catch { room.finishJoin(.failure(error)) }
            }
        }
    }

    // MARK: - Inbound

    private func inbound<Endpoint: XMPPEndpoint>(_ stanza: XMLElement, endpoint: Endpoint) -> XMLElement? {
        let kind = stanza.name.localName
        guard stanza.name.namespace == JabberClient.namespace, kind == "message" || kind == "presence",
            let from = stanza["from"].flatMap({ try? JID(parsing: $0) })
        else { return stanza }
        if kind == "message", let invitation = invitation(in: stanza, from: from) {
            endpoint.raise(invitation)
            return nil
        }
        guard let room = rooms.withLockedValue({ $0[from.bare] }) else { return stanza }
        do {
            let events: [RoomEvent.Kind]
            if kind == "presence" {
                events = try presence(Presence(xml: stanza), from: from, in: room)
            } else {
                guard let handled = try message(Message(xml: stanza), from: from, in: room) else { return stanza }
                events = handled
            }
            for event in events { endpoint.raise(RoomEvent(room: room.jid, kind: event)) }
        } catch {
            endpoint.core.logger.warning(
                "dropped a malformed stanza from a room", metadata: ["room": "\(room.jid)", "error": "\(error)"])
        }
        return nil
    }

    private func invitation(in stanza: XMLElement, from: JID) -> RoomInvitation? {
        guard let message = try? Message(xml: stanza), message.type != .error else { return nil }
        if let x = try? message.payload(MUCUser.X.self), let invite = x.invites.first {
            return RoomInvitation(
                room: from.bare, from: invite.from, reason: invite.reason, password: x.password, isMediated: true)
        }
        if let direct = try? message.payload(DirectMUCInvitations.X.self), let room = try? JID(parsing: direct.jid) {
            return RoomInvitation(
                room: room.bare, from: from, reason: direct.reason, password: direct.password, isMediated: false)
        }
        return nil
    }

    private func presence(_ presence: Presence, from: JID, in room: MUCRoom) throws -> [RoomEvent.Kind] {
        guard let nick = from.resourcepart else { return [] }
        if presence.type == .error {
            let error = StanzaError(presence.error ?? JabberClient.Error(type: .cancel, condition: .undefinedCondition))
            let (joining, renaming) = room.state.withLockedValue { ($0.phase == .joining, $0.nickChange?.nick == nick) }
            if joining {
                room.finishJoin(.failure(MUCError.joining(room.jid, refused: error)))
            } else if renaming {
                room.finishNickChange(.failure(MUCError.joining(room.jid, refused: error)))
            }
            return []
        }
        let x = try presence.payload(MUCUser.X.self)
        let codes = Set(x?.statuses.map(\.code) ?? [])
        let item = x?.items.first
        if presence.type == .unavailable {
            return departure(of: nick, presence: presence, x: x, codes: codes, in: room)
        }
        guard presence.type == nil else { return [] }
        let occupant = RoomOccupant(
            nick: nick, jid: item?.jid, role: item?.role ?? .participant, affiliation: item?.affiliation ?? .none,
            show: presence.show, status: presence.statuses.first?.value)
        enum Outcome { case joining, arrived, changed, renamed }
        let (outcome, completesJoin, completesNickChange) = room.state.withLockedValue {
            state -> (Outcome, Bool, Bool) in
            let isSelf = codes.contains(110)
            let existed = state.occupants.updateValue(occupant, forKey: nick) != nil
            let renamed = state.renaming.remove(nick) != nil
            if isSelf {
                state.nick = nick
                if state.phase == .joining {
                    state.selfPresenceSeen = true
                    state.created = state.created || codes.contains(201)
                    // A room our join created has no history and no subject to wait for.
                    return (.joining, codes.contains(201), false)
                }
                return (renamed ? .renamed : .changed, false, state.nickChange?.nick == nick)
            }
            if state.phase == .joining { return (.joining, false, false) }
            return (renamed ? .renamed : existed ? .changed : .arrived, false, false)
        }
        if completesJoin { room.finishJoin(.success(())) }
        if completesNickChange { room.finishNickChange(.success(())) }
        switch outcome {
        case .joining, .renamed: return []
        case .arrived: return [.joined(occupant)]
        case .changed: return [.changed(occupant)]
        }
    }

    private func departure(
        of nick: String, presence: Presence, x: MUCUser.X?, codes: Set<Int32>, in room: MUCRoom
    ) -> [RoomEvent.Kind] {
        let item = x?.items.first
        // Ours: marked 110, or from our nick (ejabberd leaves 110 out of a destroyed room's presence); and a destroyed
        // room is gone for everyone in it.
        let isSelf =
            codes.contains(110) || x?.destroy != nil || room.state.withLockedValue { $0.nick == nick }
        // A nick change (303): the occupant stays, under the new nick whose presence follows.
        if codes.contains(303), let newNick = item?.nick {
            let renamed = room.state.withLockedValue { state -> RoomOccupant? in
                guard var occupant = state.occupants.removeValue(forKey: nick) else { return nil }
                occupant.nick = newNick
                state.occupants[newNick] = occupant
                state.renaming.insert(newNick)
                if isSelf { state.nick = newNick }
                return occupant
            }
            return renamed.map { [.nickChanged($0, from: nick)] } ?? []
        }
        let reason: RoomDeparture =
            if let destroy = x?.destroy {
                .destroyed(reason: destroy.reason, alternateVenue: destroy.jid)
            } else if codes.contains(301) {
                .banned(by: item?.actor?.nick, reason: item?.reason)
            } else if codes.contains(307) {
                .kicked(by: item?.actor?.nick, reason: item?.reason)
            } else if codes.contains(321) {
                .affiliationChanged
            } else if codes.contains(322) {
                .membersOnly
            } else if codes.contains(332) {
                .shutdown
            } else if codes.contains(333) {
                .technicalProblem
            } else {
                .left(status: presence.statuses.first?.value)
            }
        let (occupant, leaving) = room.state.withLockedValue { state -> (RoomOccupant?, Bool) in
            let occupant = state.occupants.removeValue(forKey: nick)
            guard isSelf else { return (occupant, false) }
            let leaving = state.leave != nil
            state.phase = .left
            return (occupant, leaving)
        }
        guard isSelf else {
            return occupant.map { [.left($0, reason)] } ?? []
        }
        room.finishJoin(.failure(MUCError(.notJoined, room: room.jid)))
        room.finishNickChange(.failure(MUCError(.notJoined, room: room.jid)))
        room.finishLeave()
        forget(room)
        return leaving ? [.removed(.left(status: presence.statuses.first?.value))] : [.removed(reason)]
    }

    /// A message from a room we are in; `nil` for one that is not the room's business (passed on).
    private func message(_ message: Message, from: JID, in room: MUCRoom) throws -> [RoomEvent.Kind]? {
        if message.type == .error {
            let error = StanzaError(message.error ?? JabberClient.Error(type: .cancel, condition: .undefinedCondition))
            return [.messageRefused(error)]
        }
        let stanzaID = try message.payloads(StanzaID.StanzaId.self).first { $0.by == room.jid }?.id
        let timestamp = try message.payload(Delay.Delay.self)?.stamp
        if message.type == .groupchat {
            // A subject change: a subject and no body (XEP-0045 §8.1). While joining, the end of the history.
            if message.bodies.isEmpty, let subject = message.subjects.first {
                let text = subject.value.isEmpty ? nil : subject.value
                let joining = room.state.withLockedValue { state -> Bool in
                    state.subject = text
                    return state.phase == .joining && state.selfPresenceSeen
                }
                if joining { room.finishJoin(.success(())) }
                return [.subject(text, by: from.resourcepart)]
            }
            let isHistory = room.state.withLockedValue { $0.phase == .joining }
            let entry = RoomMessage(
                room: room.jid, nick: from.resourcepart, message: message, timestamp: timestamp, stanzaID: stanzaID,
                isHistory: isHistory)
            room.state.withLockedValue { state in
                if isHistory { state.history.append(entry) }
                state.lastMessageTime = timestamp ?? EntityTimeService.systemNow().utc
            }
            return [.message(entry)]
        }
        // A private message through the room, from an occupant.
        guard from.resourcepart != nil, message.type == .chat || message.type == nil || message.type == .normal else {
            return nil
        }
        return [
            .privateMessage(
                RoomMessage(
                    room: room.jid, nick: from.resourcepart, message: message, timestamp: timestamp, stanzaID: stanzaID)
            )
        ]
    }
}

extension XMPPClient {
    /// Joins a room (XEP-0045 §7.2), or returns it when we are in it already.
    ///
    /// Returns once the room has sent our own presence and its subject (after the history asked for), or our own
    /// presence and no subject within the timeout; a room our join creates is given its default configuration
    /// (``MUCService/createsInstantRooms``).
    ///
    /// - Parameters:
    ///   - room: The room's bare JID.
    ///   - nick: The nickname to ask for (the room may give another, ``MUCRoom/nick``).
    ///   - password: The room's password, if it has one.
    ///   - history: How much history to ask for; the last 20 messages by default.
    ///   - timeout: How long to wait for the room.
    /// - Returns: The room.
    /// - Throws: ``MUCError`` with the room's reason (`nickInUse`, `passwordRequired`, `banned`, `membersOnly`,
    ///   `roomNotFound`, `roomFull`, `timeout`...); ``XMPPClientError`` when ``MUCService`` is not configured.
    public func joinRoom(
        _ room: JID, nick: String, password: String? = nil, history: RoomHistory = .last(20),
        timeout: Duration = .seconds(30)
    ) async throws -> MUCRoom {
        guard let service = service(MUCService.self) else {
            throw XMPPClientError(.invalidConfiguration, "joining a room needs MUCService in the configuration")
        }
        return try await service.join(
            room.bare, nick: nick, password: password, history: history, timeout: timeout, client: self)
    }
}
