import RoomBot
import Synchronization
import Testing
import XMPPClient
import XMPPTesting

/// The RoomBot in a real room, on both servers: it answers `!ping`, and `!recap` with what was said before it came,
/// read from the room's archive.
@Suite("RoomBot", .enabled(if: LiveServer.enabled), .timeLimit(.minutes(2)))
struct RoomBotTests {
    @Test(arguments: LiveServer.names)
    func itAnswersPingAndRecapsTheArchive(_ name: String) async throws {
        let server = try LiveServer.require(name)
        let tag = String(UInt32.random(in: 0...UInt32.max), radix: 36)
        let roomJID = try JID(parsing: "recap-\(tag)@\(try #require(server.mucDomain))")
        var humanConfiguration = try server.clientConfiguration(account: "user13", resource: "roombot-\(name)")
        humanConfiguration.services = [MUCService()]
        let human = try XMPPClient(configuration: humanConfiguration)
        let said = Locked<[RoomMessage]>([])
        let arrived = Locked<[String]>([])
        human.observe(RoomEvent.self) { event in
            switch event.kind {
            case .message(let message): said.withLockedValue { $0.append(message) }
            case .joined(let occupant): arrived.withLockedValue { $0.append(occupant.nick) }
            default: break
            }
        }
        try await human.connect()
        let room = try await human.joinRoom(roomJID, nick: "capulet")
        for word in ["one", "two", "three"] { try await room.send("\(word) \(tag)") }
        try await waitUntil { said.withLockedValue { $0.count } == 3 }

        var botConfiguration = try server.clientConfiguration(account: "user14", resource: "roombot-\(name)")
        botConfiguration.logger.logLevel = .warning
        let bot = try RoomBot.makeClient(botConfiguration)
        let running = Task { try await RoomBot.run(bot, in: roomJID, as: "roombot") }
        try await waitUntil { arrived.withLockedValue { $0.contains("roombot") } }

        func answer(to command: String) async throws -> String? {
            let before = said.withLockedValue { $0.count }
            try await room.send(command)
            try await waitUntil {
                said.withLockedValue { $0.dropFirst(before).contains { $0.nick == "roombot" } }
            }
            return said.withLockedValue { $0.dropFirst(before).first { $0.nick == "roombot" }?.body }
        }
        #expect(try await answer(to: "!ping") == "pong")
        #expect(try await answer(to: "!recap 2") == "capulet: two \(tag)\ncapulet: three \(tag)")
        #expect(try await answer(to: "!recap") == "capulet: one \(tag)\ncapulet: two \(tag)\ncapulet: three \(tag)")

        running.cancel()
        await bot.close()
        _ = try? await running.value
        try await room.destroy()
        await human.close()
    }

    /// Waits (bounded) until a condition holds, and records an issue when it never does.
    func waitUntil(
        seconds: Int = 20, sourceLocation: SourceLocation = #_sourceLocation, _ condition: @Sendable () -> Bool
    ) async throws {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while !condition() {
            guard ContinuousClock.now < deadline else {
                Issue.record("the condition did not hold within \(seconds) s", sourceLocation: sourceLocation)
                throw CancellationError()
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }
}

/// A value behind a lock, for handlers to fill and the test to read.
final class Locked<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>

    init(_ value: Value) { mutex = Mutex(value) }

    func withLockedValue<Result: Sendable>(_ body: (inout sending Value) -> sending Result) -> Result {
        mutex.withLock { body(&$0) }
    }
}
