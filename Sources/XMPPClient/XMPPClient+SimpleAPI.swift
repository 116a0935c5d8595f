import XMPPBaseExtensions
public import XMPPCore

extension XMPPClient {
    /// Sends one message to one JID and returns once the server has it; for the small jobs (a notification from a
    /// script) where a session is more than needed.
    ///
    /// It connects with the given settings, sends the message, then waits for the answer to a ping to the server:
    /// the server handles a stream's stanzas in order, so the answer means it has taken the message. Then it closes.
    ///
    /// ```swift
    /// try await XMPPClient.sendMessage("Backup done", to: JID("admin@example.com")!,
    ///                                  as: JID("robot@example.com")!, password: password)
    /// ```
    ///
    /// - Parameters:
    ///   - body: The text.
    ///   - recipient: Who receives it.
    ///   - jid: The sending account.
    ///   - password: Its password.
    ///   - configure: Changes to the default configuration (host, port, trust...).
    /// - Throws: ``XMPPClientError`` or ``StanzaError``, saying what failed.
    public static func sendMessage(
        _ body: String,
        to recipient: JID,
        as jid: JID,
        password: String,
        configure: (inout Configuration) -> Void = { _ in }
    ) async throws {
        var configuration = Configuration(jid: jid, password: password)
        configuration.services = []
        configure(&configuration)
        let client = try XMPPClient(configuration: configuration)
        try await client.withConnection { client in
            try await client.send(Message.chat(to: recipient, body: body))
            do {
                _ = try await client.ping(JID(parsing: jid.domainpart))
            } catch is StanzaError {
                // An error reply is an answer too: the server has handled what came before it.
            }
        }
    }
}
