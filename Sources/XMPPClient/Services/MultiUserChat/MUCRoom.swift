import NIOConcurrencyHelpers
public import XMPPBaseExtensions
public import XMPPCore
public import XMPPExtensions

/// A room we are in (XEP-0045): who is there, the subject, what was said while joining, and what we can do in it.
///
/// Obtained from ``XMPPClient/joinRoom(_:nick:password:history:timeout:)``; its state follows the room's presences
/// and messages, and what happens is raised as ``RoomEvent`` (see ``events``). After a new session (a reconnection
/// that could not resume the stream) the room is joined again, asking for the history since the last message seen.
///
/// ```swift
/// let room = try await client.joinRoom(try JID(parsing: "garden@rooms.example.com"), nick: "juliet")
/// try await room.send("Good morrow")
/// for await event in room.events { if case .message(let message) = event.kind { print(message.body ?? "") } }
/// ```
public final class MUCRoom: Sendable {
    enum Phase: Sendable, Equatable {
        case joining
        case joined
        case left
    }

    struct State {
        weak var client: XMPPClient?
        var phase = Phase.joining
        var nick: String
        var password: String?
        var occupants: [String: RoomOccupant] = [:]
        var subject: String?
        var history: [RoomMessage] = []
        var created = false
        var selfPresenceSeen = false
        /// New nicks announced by a 303, whose available presence is a rename, not an arrival.
        var renaming: Set<String> = []
        var lastMessageTime: XMLDateTime?
        var join: CheckedContinuation<Void, any Error>?
        var nickChange: (nick: String, continuation: CheckedContinuation<Void, any Error>)?
        var leave: CheckedContinuation<Void, Never>?
    }

    /// The room's bare JID.
    public let jid: JID
    let state: NIOLockedValueBox<State>

    init(jid: JID, nick: String, password: String?, client: XMPPClient) {
        self.jid = jid.bare
        self.state = NIOLockedValueBox(State(client: client, nick: nick, password: password))
    }

    /// Our nickname in the room (the room may have changed the one asked for).
    public var nick: String { state.withLockedValue { $0.nick } }
    /// Our full JID in the room: the room's JID with our nickname.
    public var occupantJID: JID { (try? jid.withResource(nick)) ?? jid }
    /// Who is in the room, ourselves included, by nickname.
    public var occupants: [String: RoomOccupant] { state.withLockedValue { $0.occupants } }
    /// Ourselves, as the room sees us (role and affiliation).
    public var selfOccupant: RoomOccupant? { state.withLockedValue { $0.occupants[$0.nick] } }
    /// The subject, if one is set.
    public var subject: String? { state.withLockedValue { $0.subject } }
    /// The messages the room sent as history while we joined, oldest first.
    public var history: [RoomMessage] { state.withLockedValue { $0.history } }
    /// Whether our join created the room (status 201).
    public var wasCreated: Bool { state.withLockedValue { $0.created } }
    /// Whether we are in the room.
    public var isJoined: Bool { state.withLockedValue { $0.phase == .joined } }

    /// What happens in this room, from now on.
    public var events: AsyncStream<RoomEvent> {
        guard let client = state.withLockedValue({ $0.client }) else { return AsyncStream { $0.finish() } }
        let source = client.events(of: RoomEvent.self)
        let room = jid
        return AsyncStream { continuation in
            let task = Task {
                for await event in source where event.room == room { continuation.yield(event) }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    // MARK: - Talking

    /// Sends a message to everyone in the room.
    ///
    /// - Parameter text: The body.
    /// - Returns: The message's id (the room reflects the message back with it, XEP-0045 §7.4).
    /// - Throws: ``MUCError`` (`notJoined`), or an error of sending.
    @discardableResult
    public func send(_ text: String) async throws -> String {
        try await send(Message.chat(to: jid, body: text, type: .groupchat))
    }

    /// Sends a message to everyone in the room: addressed to the room, type `groupchat`, an id given if it has none.
    ///
    /// - Parameter message: The message (payloads and all).
    /// - Returns: The message's id.
    /// - Throws: ``MUCError`` (`notJoined`), or an error of sending.
    @discardableResult
    public func send(_ message: Message) async throws -> String {
        var message = message
        message.to = jid
        message.type = .groupchat
        let client = try connectedClient()
        let id = message.id ?? client.core.makeID()
        message.id = id
        try await client.send(message)
        return id
    }

    /// Sends a private message to one occupant, through the room (XEP-0045 §7.5).
    ///
    /// - Parameters:
    ///   - text: The body.
    ///   - nick: The occupant's nickname.
    /// - Throws: ``MUCError`` (`notJoined`), or an error of sending.
    public func sendPrivate(_ text: String, to nick: String) async throws {
        let client = try connectedClient()
        var message = Message.chat(to: try jid.withResource(nick), body: text)
        message.id = client.core.makeID()
        message.payloads.append(MUCUser.X().xmlElement())
        try await client.send(message)
    }

    /// Sets the room's subject (a moderator's right, or every participant's when the room allows it).
    ///
    /// - Parameter subject: The new subject; empty clears it.
    /// - Throws: ``MUCError`` (`notJoined`), or an error of sending. A refusal comes as a
    ///   ``RoomEvent/Kind/messageRefused(_:)`` event.
    public func setSubject(_ subject: String) async throws {
        let message = Message(to: jid, type: .groupchat, subjects: [JabberClient.Subject(value: subject)])
        try await connectedClient().send(message)
    }

    // MARK: - Our presence in the room

    /// Takes another nickname (XEP-0045 §7.6).
    ///
    /// - Parameters:
    ///   - newNick: The nickname.
    ///   - timeout: How long to wait for the room's answer.
    /// - Throws: ``MUCError``: `nickInUse` when someone has it, `nickNotAcceptable`, `timeout`, `notJoined`.
    public func changeNick(to newNick: String, timeout: Duration = .seconds(30)) async throws {
        let client = try connectedClient()
        let target = try jid.withResource(newNick)
        let presence = Presence(to: target)
        try await waiting(
            timeout: timeout, onTimeout: { self.finishNickChange(.failure(MUCError(.timeout, room: self.jid))) }
        ) {
            continuation in
            let accepted = state.withLockedValue { state -> Bool in
                guard state.phase == .joined, state.nickChange == nil else { return false }
                state.nickChange = (newNick, continuation)
                return true
            }
            guard accepted else {
                continuation.resume(throwing: MUCError(.notJoined, room: jid))
                return
            }
            Task {
                do { try await client.send(presence) } catch { self.finishNickChange(.failure(error)) }
            }
        }
    }

    /// Leaves the room (XEP-0045 §7.14), waiting (bounded) for the room to confirm.
    ///
    /// - Parameters:
    ///   - status: A parting status text, if any.
    ///   - timeout: How long to wait for the room's confirmation; the room counts as left after it either way.
    public func leave(status: String? = nil, timeout: Duration = .seconds(5)) async {
        let client = state.withLockedValue { $0.client }
        guard let client, isJoined else {
            state.withLockedValue { $0.phase = .left }
            client?.service(MUCService.self)?.forget(self)
            return
        }
        let presence = Presence(
            to: occupantJID, type: .unavailable, statuses: status.map { [JabberClient.Status(value: $0)] } ?? [])
        let timer = NIOLockedValueBox<Task<Void, Never>?>(nil)
        await withCheckedContinuation { continuation in
            state.withLockedValue { $0.leave = continuation }
            let task = Task {
                try? await Task.sleep(for: timeout)
                if !Task.isCancelled { self.finishLeave() }
            }
            timer.withLockedValue { $0 = task }
            Task {
                do { try await client.send(presence) } catch { self.finishLeave() }
            }
        }
        timer.withLockedValue { $0?.cancel() }
        state.withLockedValue { $0.phase = .left }
        client.service(MUCService.self)?.forget(self)
    }

    /// Asks the room whether we are still in it (XEP-0410 self-ping): a silent drop (the room restarted, or lost
    /// us) shows only so.
    ///
    /// - Parameter timeout: How long to wait.
    /// - Returns: `true` when we are in, `false` when the room says we are not, `nil` when it cannot be told
    ///   (no answer, the room's server unreachable).
    public func isStillJoined(timeout: Duration = .seconds(30)) async -> Bool? {
        guard let client = state.withLockedValue({ $0.client }) else { return nil }
        do {
            _ = try await client.request(.get(Ping.Ping(), to: occupantJID), timeout: timeout)
            return true
        } catch let error as StanzaError {
            switch error.condition {
            // Joined, but the client answering for our nick does not do pings, or our nick just changed.
            case .serviceUnavailable, .featureNotImplemented, .itemNotFound: return true
            case .remoteServerNotFound, .remoteServerTimeout: return nil
            default: return false
            }
        } catch {
            return nil
        }
    }

    // MARK: - Moderation and administration

    /// Kicks an occupant out (XEP-0045 §8.2: role `none`).
    public func kick(_ nick: String, reason: String? = nil) async throws {
        try await setRole(.none, of: nick, reason: reason)
    }

    /// Gives an occupant a role for this visit: `moderator`, `participant` (voice), `visitor` (no voice), `none`.
    ///
    /// - Throws: ``StanzaError`` (`not-allowed`, `forbidden`) when we may not, ``MUCError`` (`notJoined`).
    public func setRole(_ role: MUCAdmin.Role, of nick: String, reason: String? = nil) async throws {
        try await admin([MUCAdmin.Item(role: role, nick: nick, reason: reason)])
    }

    /// Bans a user by their bare JID (XEP-0045 §9.1: affiliation `outcast`).
    public func ban(_ user: JID, reason: String? = nil) async throws {
        try await setAffiliation(.outcast, of: user, reason: reason)
    }

    /// Gives a user a lasting affiliation: `owner`, `admin`, `member`, `outcast` (banned), `none`.
    ///
    /// - Throws: ``StanzaError`` when we may not, ``MUCError`` (`notJoined`).
    public func setAffiliation(_ affiliation: MUCAdmin.Affiliation, of user: JID, reason: String? = nil) async throws {
        try await admin([MUCAdmin.Item(affiliation: affiliation, jid: user.bare, reason: reason)])
    }

    /// The users with an affiliation (the member list, the ban list...).
    ///
    /// - Returns: The items: each one's JID, nick when registered, and reason.
    public func users(with affiliation: MUCAdmin.Affiliation) async throws -> [MUCAdmin.Item] {
        let answer = try await connectedClient().query(
            MUCAdmin.Query(items: [MUCAdmin.Item(affiliation: affiliation)]), to: jid,
            expecting: MUCAdmin.Query.self)
        return answer.items
    }

    private func admin(_ items: [MUCAdmin.Item]) async throws {
        _ = try await connectedClient().request(.set(MUCAdmin.Query(items: items), to: jid))
    }

    /// The room's configuration form (XEP-0045 §10.2), for an owner.
    public func configurationForm() async throws -> DataForms.X {
        let answer = try await connectedClient().query(MUCOwner.Query(), to: jid, expecting: MUCOwner.Query.self)
        guard case .x(let form) = answer.choice else {
            throw XMLDecodingError(
                path: [MUCOwner.Query.qualifiedName], expected: "a data form", found: "a query without one")
        }
        return form
    }

    /// Submits a configuration: the form's fields with the values given (by `var`), the others as they were.
    ///
    /// - Parameter values: New values by field name, such as `["muc#roomconfig_roomname": ["Garden"]]`.
    public func configure(_ values: [String: [String]]) async throws {
        let form = try await configurationForm()
        var submission = DataForms.X(type: .submit)
        for field in form.fields {
            guard let name = field.var, field.type != .fixed else { continue }
            submission.fields.append(DataForms.Field(var: name, type: field.type, values: values[name] ?? field.values))
        }
        _ = try await connectedClient().request(.set(MUCOwner.Query(choice: .x(submission)), to: jid))
    }

    /// Accepts the default configuration of a room our join created (an instant room, XEP-0045 §10.1.2): until an
    /// owner configures it, the room is locked to everyone else.
    public func acceptDefaultConfiguration() async throws {
        let submission = DataForms.X(type: .submit)
        _ = try await connectedClient().request(.set(MUCOwner.Query(choice: .x(submission)), to: jid))
    }

    /// Destroys the room (XEP-0045 §10.9), for an owner; the occupants are told, with the reason and another room.
    public func destroy(reason: String? = nil, alternateVenue: JID? = nil) async throws {
        let destroy = MUCOwner.Destroy(jid: alternateVenue, reason: reason)
        _ = try await connectedClient().request(.set(MUCOwner.Query(choice: .destroy(destroy)), to: jid))
    }

    // MARK: - Invitations

    /// Invites a user through the room (XEP-0045 §7.8.2): the room forwards it, and may add them to the member
    /// list of a members-only room.
    public func invite(_ user: JID, reason: String? = nil) async throws {
        var message = Message(to: jid)
        message.payloads.append(MUCUser.X(invites: [MUCUser.Invite(to: user, reason: reason)]).xmlElement())
        try await connectedClient().send(message)
    }

    /// Invites a user directly (XEP-0249): a message from us to them, with the room's JID (and password).
    public func inviteDirectly(_ user: JID, reason: String? = nil) async throws {
        let password = state.withLockedValue { $0.password }
        var message = Message(to: user)
        message.payloads.append(
            DirectMUCInvitations.X(jid: jid.description, password: password, reason: reason).xmlElement())
        try await connectedClient().send(message)
    }

    // MARK: - Internals

    private func connectedClient() throws -> XMPPClient {
        let (client, phase) = state.withLockedValue { ($0.client, $0.phase) }
        guard let client, phase == .joined else { throw MUCError(.notJoined, room: jid) }
        return client
    }

    /// Runs `body` with a continuation, failing it through `onTimeout` when nothing resumed it in time.
    func waiting(
        timeout: Duration,
        onTimeout: @escaping @Sendable () -> Void,
        _ body: (CheckedContinuation<Void, any Error>) -> Void
    ) async throws {
        // The timer starts once the continuation is stored, so that even a zero timeout finds it.
        let timer = NIOLockedValueBox<Task<Void, Never>?>(nil)
        defer { timer.withLockedValue { $0?.cancel() } }
        try await withCheckedThrowingContinuation { continuation in
            body(continuation)
            let task = Task {
                try? await Task.sleep(for: timeout)
                if !Task.isCancelled { onTimeout() }
            }
            timer.withLockedValue { $0 = task }
        }
    }

    func finishJoin(_ result: Result<Void, any Error>) {
        let continuation = state.withLockedValue { state -> CheckedContinuation<Void, any Error>? in
            defer { state.join = nil }
            switch result {
            case .success: state.phase = .joined
            case .failure: state.phase = .left
            }
            return state.join
        }
        continuation?.resume(with: result)
    }

    func finishNickChange(_ result: Result<Void, any Error>) {
        let continuation = state.withLockedValue { state -> CheckedContinuation<Void, any Error>? in
            defer { state.nickChange = nil }
            return state.nickChange?.continuation
        }
        continuation?.resume(with: result)
    }

    func finishLeave() {
        let continuation = state.withLockedValue { state -> CheckedContinuation<Void, Never>? in
            defer { state.leave = nil }
            return state.leave
        }
        continuation?.resume()
    }
}
