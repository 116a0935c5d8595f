// room-bot --jid JID --password-env VAR --room ROOM [--nick N] [--host H] [--port P] [--ca-file F]
// Joins the room and answers !ping and !recap there until SIGINT or SIGTERM, then closes its stream cleanly.

import Logging
import RoomBot
import ServiceLifecycle
import XMPPClient

#if canImport(Glibc)
import Glibc
#endif

let arguments = CommandLine.arguments
func option(_ name: String) -> String? {
    arguments.firstIndex(of: name).flatMap { $0 + 1 < arguments.count ? arguments[$0 + 1] : nil }
}

guard let jidText = option("--jid"), let jid = try? JID(parsing: jidText), let variable = option("--password-env"),
    let password = getenv(variable).map({ String(cString: $0) }), let room = option("--room").flatMap(JID.init)
else {
    print("usage: room-bot --jid JID --password-env VAR --room ROOM [--nick N] [--host H] [--port P] [--ca-file F]")
    exit(64)
}
var configuration = XMPPClient.Configuration(jid: jid, password: password)
configuration.host = option("--host")
configuration.port = option("--port").flatMap(Int.init)
if let caFile = option("--ca-file") { configuration.trust = .caFile(caFile) }

/// The bot as a service: it runs until the graceful shutdown that SIGINT or SIGTERM starts.
struct RoomBotService: Service {
    let bot: XMPPClient
    let room: JID
    let nick: String

    func run() async throws {
        try? await cancelWhenGracefulShutdown { try await RoomBot.run(bot, in: room, as: nick) }
        await bot.close()
    }
}

let logger = Logger(label: "room-bot")
do {
    let service = RoomBotService(
        bot: try RoomBot.makeClient(configuration), room: room, nick: option("--nick") ?? "roombot")
    let group = ServiceGroup(services: [service], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
    try await group.run()
} catch {
    print("room-bot: \(error)")
    exit(1)
}
