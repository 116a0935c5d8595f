import XMPPClient

/// A group-chat bot: it joins a room and answers two commands there. `!ping` gets `pong`; `!recap [n]` gets the
/// room's last `n` messages (3 by default, at most 10), read from the room's archive (XEP-0313), so that it knows
/// what was said before it came in.
public enum RoomBot {
    /// Makes the bot's client: multi-user chat, disco and ping.
    public static func makeClient(_ configuration: XMPPClient.Configuration) throws -> XMPPClient {
        var configuration = configuration
        configuration.services = [
            DiscoService(identity: .init(category: "client", type: "bot", name: "RoomBot")),
            PingService(keepAliveInterval: .seconds(60)),
            MUCService(),
        ]
        return try XMPPClient(configuration: configuration)
    }

    /// Serves the client, joins the room once it is bound, and answers commands until cancelled (the room is
    /// joined again by the client after a reconnection).
    public static func run(_ bot: XMPPClient, in room: JID, as nick: String) async throws {
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { try await bot.serve() }
            _ = try await bot.next(ConnectionEvent.self, timeout: .seconds(60)) {
                if case .bound = $0 { true } else { false }
            }
            let joined = try await bot.joinRoom(room, nick: nick, history: .none)
            for await event in joined.events {
                guard case .message(let message) = event.kind, message.nick != joined.nick,
                    let body = message.body, let reply = try await answer(body, in: room, bot: bot)
                else { continue }
                try await joined.send(reply)
            }
        }
    }

    /// The answer to a message, or `nil` when it is not a command.
    static func answer(_ text: String, in room: JID, bot: XMPPClient) async throws -> String? {
        let words = text.split(separator: " ")
        switch words.first {
        case "!ping":
            return "pong"
        case "!recap":
            let count = min(10, max(1, words.dropFirst().first.flatMap { Int($0) } ?? 3))
            var lines: [String] = []
            // Newest first, skipping commands and the bot's own answers; then told oldest first.
            let query = ArchiveQuery(order: .newestFirst, pageSize: 20)
            for try await archived in bot.archivedMessages(in: room, matching: query) {
                guard let body = archived.message.body, !body.hasPrefix("!"),
                    let nick = archived.message.from?.resourcepart,
                    nick != bot.service(MUCService.self)?.room(room)?.nick
                else { continue }
                lines.append("\(nick): \(body)")
                if lines.count == count { break }
            }
            return lines.isEmpty ? "nothing archived yet" : lines.reversed().joined(separator: "\n")
        default:
            return nil
        }
    }
}
