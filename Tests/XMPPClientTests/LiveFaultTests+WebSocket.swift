import NIOConcurrencyHelpers
import Testing
import XMPPClient
import XMPPStream
import XMPPTesting

extension LiveFaultTests {
    /// A sender over `wss://` through the proxy (the TLS and WebSocket bytes pass through it untouched), cut five
    /// times, FIN and reset in turn: each time it reconnects over WebSocket and resumes the stream, and every
    /// message reaches the receiver (on TCP) once.
    @Test(arguments: LiveServer.names)
    func aWebSocketCutFiveTimesResumesWithNothingLost(_ name: String) async throws {
        let server = try LiveServer.require(name)
        let url = try #require(server.webSocketURL)
        let pair = try await Pair.start(on: server, tag: "ws-\(name)", port: url.port) { proxy in
            .webSocket(try #require(WebSocketURL("wss://\(url.host):\(proxy.port)\(url.resource)")))
        }
        let (proxy, sender, senderLog, receiverLog, to) = (
            pair.proxy, pair.sender, pair.senderLog, pair.receiverLog, pair.to
        )

        for round in 0..<5 {
            try await senderLog.wait(for: 15, "the stream to come back before cut \(round + 1)") {
                sender.boundJID != nil
            }
            for n in (round * 20 + 1)...(round * 20 + 20) {
                try await sender.send(Message.chat(to: to, body: "over ws \(n)").withID("w\(n)"))
            }
            proxy.cutAll(with: round.isMultiple(of: 2) ? .fin : .reset)
            try await senderLog.wait(for: 15, "cut \(round + 1) to be seen") {
                senderLog.count { if case .reconnecting = $0 { true } else { false } } > round
            }
        }
        try await senderLog.wait(for: 30, "every message to be acknowledged") {
            sender.boundJID != nil && sender.unacknowledgedCount == 0
        }
        try await receiverLog.wait(for: 15, "the messages to arrive") {
            receiverLog.state.withLockedValue { $0.received.count } == 100
        }
        let received = receiverLog.state.withLockedValue { $0.received }
        #expect(Set(received.keys) == Set((1...100).map { "w\($0)" }))
        #expect(senderLog.count { if case .resumed = $0 { true } else { false } } == 5)
        #expect(senderLog.count { if case .reboundWithoutResumption = $0 { true } else { false } } == 0)
        let duplicates = received.values.reduce(0) { $0 + $1 - 1 }
        if name == "ejabberd" {
            withKnownIssue("ejabberd under-reports 'h' on resumption", isIntermittent: true) {
                #expect(duplicates == 0)
            }
        } else {
            #expect(duplicates == 0)
        }
        let times = senderLog.reconnectToResumed.sorted()
        print(
            "[figures] \(name) WebSocket cuts: \(proxy.cuts), reconnect→resumed median "
                + "\(Int(times.isEmpty ? 0 : times[times.count / 2])) ms")
        await pair.stop()
    }
}
