import Foundation
import NIOConcurrencyHelpers
import Testing
import XMPPClient
import XMPPExtensions
import XMPPTesting

/// Message archives and delivery receipts against the real servers (Prosody's mod_mam, ejabberd's mod_mam).
@Suite("Archives and receipts against live servers", .enabled(if: LiveServer.enabled), .timeLimit(.minutes(2)))
struct LiveArchiveTests {
    @Test(arguments: LiveServer.names)
    func theArchivePagesBothWaysAndReceiptsConfirmDelivery(_ name: String) async throws {
        let server = try LiveServer.require(name)
        var senderConfiguration = try server.clientConfiguration(account: "user9", resource: "archive-\(name)")
        let receipts = DeliveryReceiptsService()
        senderConfiguration.services = [receipts]
        var receiverConfiguration = try server.clientConfiguration(account: "user10", resource: "archive-\(name)")
        receiverConfiguration.services = [DeliveryReceiptsService(requestsReceipts: false)]
        let sender = try XMPPClient(configuration: senderConfiguration)
        let receiver = try XMPPClient(configuration: receiverConfiguration)
        let confirmed = NIOLockedValueBox<Set<String>>([])
        sender.observe(DeliveryReceipt.self) { receipt in _ = confirmed.withLockedValue { $0.insert(receipt.id) } }
        try await receiver.connect()
        try await sender.connect()
        let to = try #require(receiver.boundJID)

        // Seven messages of this run (the archive keeps earlier runs' too: they are told apart by the tag, and the
        // oldest-first read starts a little before this run, so that a server reused across many runs, its archive
        // grown to thousands, is not paged through three at a time).
        let tag = String(UInt32.random(in: 0...UInt32.max), radix: 36)
        let start = try XMLDateTime(xmlValue: Date(timeIntervalSinceNow: -60).ISO8601Format())
        let ids = (1...7).map { "a\(tag)-\($0)" }
        for id in ids { try await sender.send(Message.chat(to: to, body: "archived \(id)").withID(id)) }
        let deadline = ContinuousClock.now + .seconds(20)
        while confirmed.withLockedValue({ $0.count }) < ids.count, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(confirmed.withLockedValue { $0 } == Set(ids))
        #expect(receipts.unconfirmed.isEmpty)

        // Read back three at a time, oldest first and newest first.
        let with = try #require(sender.boundJID).bare
        var oldestFirst: [ArchivedMessage] = []
        for try await entry in receiver.archivedMessages(matching: ArchiveQuery(with: with, start: start, pageSize: 3))
        where entry.message.id?.hasPrefix("a\(tag)-") == true {
            oldestFirst.append(entry)
        }
        #expect(oldestFirst.map { $0.message.id } == ids)
        #expect(oldestFirst.allSatisfy { $0.archive == to.bare && $0.timestamp != nil && !$0.id.isEmpty })
        #expect(oldestFirst.first?.message.body == "archived \(ids[0])")

        // Newest first, from the end: the last seven of the archive are this run's (nothing else talks to user10).
        var newestFirst: [String] = []
        for try await entry in receiver.archivedMessages(matching: ArchiveQuery(order: .newestFirst, pageSize: 3)) {
            guard let id = entry.message.id, id.hasPrefix("a\(tag)-") else { continue }
            newestFirst.append(id)
            if newestFirst.count == ids.count { break }
        }
        #expect(newestFirst == ids.reversed())

        // Paging on from where a read stopped: after the fourth, the last three.
        let fourth = try #require(oldestFirst.dropFirst(3).first).id
        var rest: [String] = []
        for try await entry in receiver.archivedMessages(matching: ArchiveQuery(with: with, after: fourth)) {
            if let id = entry.message.id, id.hasPrefix("a\(tag)-") { rest.append(id) }
        }
        #expect(rest == Array(ids.suffix(3)))

        await sender.close()
        await receiver.close()
    }
}
