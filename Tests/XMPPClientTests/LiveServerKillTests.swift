import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import Testing
import XMPPClient
import XMPPExtensions
import XMPPStream
import XMPPTesting

/// The server process itself killed (SIGKILL) and started again, under a client that is sending: a second private
/// instance of each server (`scripts/killable`), so that the suites running beside this one keep theirs.
///
/// A crash takes the server's stream management state with it, so neither client can resume: both bind anew, and the
/// sender sends again what the server had not acknowledged (and what it sent while the server was down). What the
/// server had acknowledged but neither delivered nor written down when it died is beyond stream management, which is
/// one hop: the sender asks for delivery receipts (XEP-0184) and its application sends again what has none, and the
/// test measures how much that was, and how much of what the receiver missed its archive (XEP-0313) still held.
///
/// Nested in ``LiveFaultTests`` so that it runs in series with the other fault tests: a server restarting beside the
/// proxy tests starves them of CPU on a small machine, and the figures are per fault kind.
extension LiveFaultTests {
    @Suite("A server killed and restarted")
    struct ServerKillTests {
        @Test(arguments: LiveServer.names)
        func aThousandMessagesAcrossFiveServerCrashes(_ name: String) async throws {
            let instance = try await KillableServer.start(name)
            do {
                try await Self.sendAcrossCrashes(instance, seed: name == "prosody" ? 0x6b11_0001 : 0x6b11_0002)
            } catch {
                await instance.stop()
                throw error
            }
            await instance.stop()
        }

        /// Waits until what `counts` reads has not changed for two seconds (at most 60).
        static func settle(_ counts: () -> (Int, Int)) async throws {
            var last = counts()
            for _ in 0..<30 {
                try await Task.sleep(for: .seconds(2))
                let now = counts()
                if now == last { return }
                last = now
            }
        }

        static func sendAcrossCrashes(_ instance: KillableServer, seed: UInt64) async throws {
            let server = instance.server
            let name = server.name
            let receiverLog = FaultLog()
            let senderLog = FaultLog()
            // The receiver is online as a real client is (available presence at each login): servers hold messages
            // for a resource that is not, and deliver what they stored offline once it is.
            var receiving = try LiveFaultTests.configuration(server, "user3", resource: "kill-receiver")
            receiving.services = [PresenceService(), DeliveryReceiptsService(requestsReceipts: false)]
            let receiver = try XMPPClient(configuration: receiving)
            // The sender asks for receipts: what a server acknowledged and then lost with its process is what stream
            // management cannot see, and an unconfirmed message is how the application does.
            let receipts = DeliveryReceiptsService()
            var sending = try LiveFaultTests.configuration(server, "user2", resource: "kill-sender")
            sending.services = [receipts]
            let sender = try XMPPClient(configuration: sending)
            receiverLog.watch(receiver)
            receiverLog.receive(on: receiver)
            senderLog.watch(sender)
            let receiverTask = try await LiveFaultTests.serve(receiver, log: receiverLog)
            let senderTask = try await LiveFaultTests.serve(sender, log: senderLog)
            let to = try #require(receiver.boundJID)

            // 5 rounds of 200 messages; in each, the server is killed after a random number of them, and started again
            // after a random down time while the sender goes on (what it sends meanwhile is held, then sent).
            var random = SplitMix64(seed: seed)
            for round in 0..<5 {
                try await senderLog.wait(for: 30, "both clients to be bound before crash \(round + 1)") {
                    sender.boundJID != nil && receiver.boundJID != nil
                }
                let killAt = Int.random(in: 20..<180, using: &random)
                let downFor = Duration.milliseconds(Int.random(in: 100..<1000, using: &random))
                var restarting: Task<Void, any Error>?
                for i in 0..<200 {
                    let n = round * 200 + i + 1
                    if i == killAt {
                        try await instance.kill()
                        restarting = Task {
                            try await Task.sleep(for: downFor)
                            try await instance.restart()
                        }
                    }
                    try await sender.send(Message.chat(to: to, body: "message \(n)").withID("k\(n)"))
                    if n.isMultiple(of: 5) { try await Task.sleep(for: .milliseconds(1)) }
                }
                try await restarting?.value
            }
            #expect(instance.kills == 5)

            // Everything acknowledged on a live connection; then what is going to arrive has arrived when nothing has
            // come for two seconds.
            try await senderLog.wait(for: 60, "every message to be acknowledged") {
                sender.boundJID != nil && sender.unacknowledgedCount == 0
            }
            try await Self.settle {
                (receiverLog.state.withLockedValue { $0.received.count }, receipts.unconfirmed.count)
            }
            let receivedFirst = receiverLog.state.withLockedValue { $0.received }
            let undeliverable = Set(senderLog.state.withLockedValue { $0.undeliverable })
            let all = Set((1...1000).map { "k\($0)" })
            let missed = all.subtracting(receivedFirst.keys).subtracting(undeliverable)

            // What the receiver missed may be in its archive, if the server had written it down before it died: a client
            // that binds anew reads what it missed from there (XEP-0313). Counted, for the figures.
            var archived: Set<String> = []
            var archivedCount = 0
            let senderJID = try #require(sender.boundJID).bare
            for try await entry in receiver.archivedMessages(matching: ArchiveQuery(with: senderJID, pageSize: 250)) {
                archivedCount += 1
                if let id = entry.message.id { archived.insert(id) }
            }

            // The sender's application sends again what has no receipt (the receiver's counts the duplicates).
            let unconfirmedAfterCrashes = receipts.unconfirmed
            for message in unconfirmedAfterCrashes { try await sender.send(message) }
            try await Self.settle {
                (receiverLog.state.withLockedValue { $0.received.count }, receipts.unconfirmed.count)
            }

            let received = receiverLog.state.withLockedValue { $0.received }
            let duplicates = received.values.reduce(0) { $0 + $1 - 1 }
            let lost = all.subtracting(received.keys).subtracting(undeliverable)
            let resent = senderLog.state.withLockedValue { state in
                state.events.compactMap { event -> Int? in
                    if case .reboundWithoutResumption(let resent, _) = event.1 { resent.count } else { nil }
                }
            }
            func sample(_ ids: Set<String>) -> String {
                ids.sorted { $0.count == $1.count ? $0 < $1 : $0.count < $1.count }.prefix(12).joined(separator: " ")
            }
            print(
                "[figures] \(name) killed \(instance.kills)×: sender rebound \(resent.count)× (resent unacknowledged "
                    + "\(resent)); after the crashes: received \(receivedFirst.count), missed \(missed.count) "
                    + "[\(sample(missed))] of which in the receiver's archive \(missed.intersection(archived).count) "
                    + "(archive holds \(archived.count) of 1000), unconfirmed \(unconfirmedAfterCrashes.count); "
                    + "after resending the unconfirmed: received \(received.count), duplicates \(duplicates), "
                    + "lost \(lost.count), undeliverable \(undeliverable.count), still unconfirmed \(receipts.unconfirmed.count)"
            )
            #expect(resent.count == 5)
            // Every message reached the receiver, or the sender was told it could not be delivered: the two sets add
            // up to the thousand.
            #expect(Set(received.keys).union(undeliverable).count == all.count)
            #expect(lost.count == 0)
            #expect(receipts.unconfirmed.isEmpty)

            for task in [senderTask, receiverTask] { task.cancel() }
            for task in [senderTask, receiverTask] { _ = try? await task.value }
        }
    }
}
