// xmpp-bench roundtrip pingpong|window COUNT [WINDOW]: message round trips through a real server, the contract of
// ../shared/bench/roundtrip/strophe_rt.c. user1 sends chat messages with an XEP-0184 <request/> to user2's full JID;
// user2 answers each with <received/> (DeliveryReceiptsService, as an application would configure it); user1 sends
// the next as receipts come back, at most WINDOW in flight (1 for pingpong). Both clients in one process, on the
// shared event loops. STARTTLS verified against $SERVER_DIR/certs/$XMPP_HOST.crt, SCRAM, no stream management (as
// strophe_rt, which disables it). One result line:
//   mode=.. count=.. window=.. seconds=.. msgs_per_s=.. lat_median_ms=.. lat_p99_ms=.. client_cpu_s=.. prosody_cpu_s=..
// (prosody_cpu_s is the server's CPU in the timed window, whichever server it is.)

import Logging
import NIOConcurrencyHelpers
import XMPPClient
import XMPPExtensions

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Monotonic seconds.
func monotonicSeconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}

/// User plus system CPU seconds of another process (the server), from /proc/PID/stat; 0 when unreadable.
func otherProcessCPUSeconds(_ pid: Int) -> Double {
    guard pid > 0, let file = fopen("/proc/\(pid)/stat", "r") else { return 0 }
    defer { fclose(file) }
    var buffer = [UInt8](repeating: 0, count: 1024)
    let read = fread(&buffer, 1, buffer.count - 1, file)
    let text = String(decoding: buffer[..<read], as: UTF8.self)
    // After "(comm) ": state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime ...
    guard let close = text.lastIndex(of: ")") else { return 0 }
    let fields = text[text.index(after: close)...].split(separator: " ")
    guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
    return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
}

func environment(_ key: String, _ fallback: String) -> String {
    guard let value = getenv(key).map({ String(cString: $0) }), !value.isEmpty else { return fallback }
    return value
}

/// The first number in a file (a PID file), or 0.
func firstNumber(inFile path: String) -> Int {
    guard let file = fopen(path, "r") else { return 0 }
    defer { fclose(file) }
    var value = 0
    while true {
        let character = fgetc(file)
        guard character >= 48, character <= 57 else { break }
        value = value * 10 + Int(character - 48)
    }
    return value
}

struct RoundTripState {
    var sentAt: [Double]
    var latencies: [Double] = []
    var sent = 0
    var inFlight = 0
}

nonisolated func roundTrips() async {
    let usage = "usage: xmpp-bench roundtrip pingpong|window COUNT [WINDOW]"
    guard arguments.count >= 3, arguments[1] == "pingpong" || arguments[1] == "window",
        let count = Int(arguments[2]), count > 0
    else { fail(usage) }
    let mode = arguments[1]
    let window = mode == "pingpong" ? 1 : (arguments.count > 3 ? Int(arguments[3]) ?? 1 : 1)
    let host = environment("XMPP_HOST", "localhost")
    guard let port = Int(environment("C2S_PORT", "5222")) else { fail("C2S_PORT is not a number") }
    let limit = Double(environment("RT_TIME_LIMIT", "120")) ?? 120
    let serverDirectory = environment("SERVER_DIR", environment("PROSODY_DIR", "/tmp/bench-prosody"))
    let pidFile = environment("SERVER_PID_FILE", serverDirectory + "/prosody.pid")
    let body =
        "round trip benchmark message with some text in it, about a hundred characters long... h\u{e9}llo \u{2713} end"

    func configuration(_ user: String) -> XMPPClient.Configuration {
        guard let jid = JID("\(user)@\(host)/rt") else { fail("bad host \(host)") }
        var configuration = XMPPClient.Configuration(jid: jid, password: "password")
        configuration.host = "127.0.0.1"
        configuration.port = port
        configuration.trust = .caFile("\(serverDirectory)/certs/\(host).crt")
        configuration.streamManagement = nil
        configuration.reconnection = .never
        configuration.logger.logLevel = .warning
        return configuration
    }
    var receiving = configuration("user2")
    receiving.services = [DeliveryReceiptsService(requestsReceipts: false)]
    let sender: XMPPClient
    let receiver: XMPPClient
    do {
        sender = try XMPPClient(configuration: configuration("user1"))
        receiver = try XMPPClient(configuration: receiving)
    } catch {
        fail("\(error)")
    }

    let state = NIOLockedValueBox(RoundTripState(sentAt: [Double](repeating: 0, count: count)))
    let (done, finished) = AsyncStream.makeStream(of: Void.self)
    @Sendable func message(_ index: Int, to: JID) -> Message {
        var message = Message.chat(to: to, body: body)
        message.id = "rt\(index)"
        message.payloads.append(Receipts.Request().xmlElement())
        return message
    }
    /// The messages to send now to keep `window` in flight; their send times are taken here.
    @Sendable func next() -> [Int] {
        state.withLockedValue { state in
            var indices: [Int] = []
            while state.sent < count, state.inFlight < window {
                state.sentAt[state.sent] = monotonicSeconds()
                indices.append(state.sent)
                state.sent += 1
                state.inFlight += 1
            }
            return indices
        }
    }

    do {
        try await receiver.connect()
        try await receiver.send(Presence())
        try await sender.connect()
        try await sender.send(Presence())
    } catch {
        fail("login failed: \(error)")
    }
    guard let to = receiver.boundJID else { fail("the receiver is not bound") }
    sender.onMessage(carrying: Receipts.Received.self) { _, received, client in
        guard received.id.hasPrefix("rt"), let index = Int(received.id.dropFirst(2)), index >= 0, index < count
        else { return }
        let arrived = monotonicSeconds()
        let complete = state.withLockedValue { state -> Bool in
            state.latencies.append(arrived - state.sentAt[index])
            state.inFlight -= 1
            return state.latencies.count == count
        }
        if complete {
            finished.yield()
            return
        }
        for index in next() { try await client.send(message(index, to: to)) }
    }
    try? await Task.sleep(for: .milliseconds(200))

    let serverPID = firstNumber(inFile: pidFile)
    let start = monotonicSeconds()
    let cpuStart = processCPUSeconds()
    let serverStart = otherProcessCPUSeconds(serverPID)
    do {
        for index in next() { try await sender.send(message(index, to: to)) }
    } catch {
        fail("\(error)")
    }
    let timer = Task {
        try await Task.sleep(for: .milliseconds(Int(limit * 1000)))
        finished.finish()
    }
    var completed = false
    for await _ in done {
        completed = true
        break
    }
    timer.cancel()
    let end = monotonicSeconds()
    let cpu = processCPUSeconds() - cpuStart
    let serverCPU = otherProcessCPUSeconds(serverPID) - serverStart
    var latencies = state.withLockedValue { $0.latencies }
    guard completed, latencies.count == count else {
        fail("TIMEOUT/failed: \(latencies.count)/\(count) receipts")
    }
    latencies.sort()
    let p99 = latencies[Int((0.99 * Double(count - 1)).rounded())]
    print(
        "mode=\(mode) count=\(count) window=\(window) seconds=\(decimal(end - start, digits: 3)) "
            + "msgs_per_s=\(Int((Double(count) / (end - start)).rounded())) "
            + "lat_median_ms=\(decimal(latencies[count / 2] * 1000, digits: 3)) "
            + "lat_p99_ms=\(decimal(p99 * 1000, digits: 3)) client_cpu_s=\(decimal(cpu, digits: 2)) "
            + "prosody_cpu_s=\(decimal(serverCPU, digits: 2))")
    await sender.close()
    await receiver.close()
}
