import XMPPClient

/// A bot that accepts every subscription request, answers disco, ping and software version, and echoes every chat
/// message back to its sender.
public enum EchoBot {
    /// Makes the bot's client from an account's configuration.
    ///
    /// - Parameter configuration: The account, server and trust settings.
    /// - Returns: The client, ready to `serve()` (or to run in a `ServiceGroup`).
    public static func makeClient(_ configuration: XMPPClient.Configuration) throws -> XMPPClient {
        var configuration = configuration
        configuration.services = [
            DiscoService(identity: .init(category: "client", type: "bot", name: "EchoBot")),
            PingService(keepAliveInterval: .seconds(60)),
            SoftwareVersionService(name: "EchoBot", version: "1.0"),
            PresenceService(availability: .available, policy: .approveAllAndSubscribe),
        ]
        let bot = try XMPPClient(configuration: configuration)
        bot.onMessage(.message(.chat)) { message, bot in
            guard let body = message.body, !body.isEmpty else { return }  // chat states, receipts: nothing to echo
            try await bot.send(message.reply(body: body))
        }
        return bot
    }
}
