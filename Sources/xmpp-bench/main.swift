// xmpp-bench: the project's client in the peer benchmark harness (../shared/bench).
//
//   xmpp-bench ingest --host 127.0.0.1 --port PORT
//   xmpp-bench login  --host H --port P --jid J --password-env VAR --ca-file F [--count N]
//                     [--auth rfc6120|sasl2|fast] [--direct-tls | --websocket wss://H:P/PATH | --bosh https://H:P/PATH]
//     rfc6120: RFC 6120 SASL and bind; sasl2: SASL2 + Bind 2 with the password (falls back to RFC 6120 where the
//     server has no SASL2); fast: a FAST token from a first, unmeasured login, then token logins. Default: sasl2.
//   xmpp-bench roundtrip pingpong|window COUNT [WINDOW]   (RoundTrip.swift)
//
// Connects in plaintext (the harness's fake server speaks no TLS), SASL PLAIN, binds, sends initial presence,
// counts message, presence and iq stanzas through the public API (a stanza handler, as an application would
// register one), stops at <message id='end'>, and prints one line:
//   stanzas=N seconds=T cpu=C messages=.. presences=.. iqs=..
// T and C run from the first counted stanza to the end marker.
//
// No Foundation: the harness measures peak RSS, and loading Foundation alone costs about 11 MB.

import Logging
import NIOConcurrencyHelpers
import XMPPClient

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

func fail(_ message: String) -> Never {
    let line = Array("xmpp-bench: \(message)\n".utf8)
    _ = line.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
    exit(1)
}

/// User and system CPU time of the process so far.
func processCPUSeconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}

/// `value` rounded to `digits` decimals (at least one), written like printf's `%.Nf`.
func decimal(_ value: Double, digits: Int) -> String {
    if value < 0 { return "-" + decimal(-value, digits: digits) }
    var scale = 1
    for _ in 0..<digits { scale *= 10 }
    let scaled = Int((value * Double(scale)).rounded())
    let fraction = String(scaled % scale)
    return "\(scaled / scale)." + String(repeating: "0", count: digits - fraction.count) + fraction
}

let arguments = Array(CommandLine.arguments.dropFirst())

func value(_ flag: String) -> String? {
    arguments.firstIndex(of: flag).flatMap { $0 + 1 < arguments.count ? arguments[$0 + 1] : nil }
}

/// Sequential logins against a real server (STARTTLS, SCRAM, bind): connect-to-bound time and CPU per login.
nonisolated func logins() async {
    guard let host = value("--host"), let port = value("--port").flatMap(Int.init),
        let jid = value("--jid").flatMap(JID.init), let variable = value("--password-env"),
        let password = getenv(variable).map({ String(cString: $0) }), let caFile = value("--ca-file")
    else {
        fail(
            "usage: xmpp-bench login --host H --port P --jid J --password-env VAR --ca-file F [--count N]"
                + " [--auth rfc6120|sasl2|fast] [--direct-tls | --websocket URL | --bosh URL]")
    }
    let count = value("--count").flatMap(Int.init) ?? 20
    let auth = value("--auth") ?? "sasl2"
    var configuration = XMPPClient.Configuration(jid: jid, password: password)
    configuration.host = host
    configuration.port = port
    configuration.trust = .caFile(caFile)
    configuration.logger.logLevel = .warning
    if arguments.contains("--direct-tls") { configuration.security = .directTLS }
    if let text = value("--websocket") {
        guard let url = WebSocketURL(text) else { fail("--websocket takes a wss:// URL") }
        configuration.transport = .webSocket(url)
    }
    if let text = value("--bosh") {
        guard let url = BOSHURL(text) else { fail("--bosh takes an https:// URL") }
        configuration.transport = .bosh(url)
    }
    switch auth {
    case "rfc6120":
        configuration.usesSASL2 = false
        configuration.fastTokenStore = nil
    case "sasl2":
        configuration.fastTokenStore = nil
    case "fast":
        // One login with the password gets the token; the measured ones use it.
        do {
            let first = try XMPPClient(configuration: configuration)
            try await first.connect()
            await first.close()
        } catch {
            fail("\(error)")
        }
    default:
        fail("--auth is rfc6120, sasl2 or fast")
    }
    var times: [Double] = []
    var cpu = 0.0
    var mechanism = ""
    for _ in 0..<count {
        let client: XMPPClient
        do {
            client = try XMPPClient(configuration: configuration)
        } catch {
            fail("\(error)")
        }
        let events = client.events
        let cpuStart = processCPUSeconds()
        let start = ContinuousClock.now
        do {
            try await client.connect()
        } catch {
            fail("\(error)")
        }
        let elapsed = ContinuousClock.now - start
        cpu += processCPUSeconds() - cpuStart
        times.append(Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15)
        for await event in events {
            if case .authenticated(let used) = event {
                mechanism = used
                break
            }
        }
        await client.close()
    }
    times.sort()
    print(
        "logins=\(count) auth=\(auth) mechanism=\(mechanism) median_ms=\(decimal(times[count / 2], digits: 1)) "
            + "p90_ms=\(decimal(times[count * 9 / 10], digits: 1)) "
            + "cpu_ms_per_login=\(decimal(cpu * 1000 / Double(count), digits: 1))"
    )
}

if arguments.first == "roundtrip" {
    await roundTrips()
    exit(0)
}

if arguments.first == "login" {
    await logins()
    exit(0)
}

guard arguments.first == "ingest", let hostIndex = arguments.firstIndex(of: "--host"),
    let portIndex = arguments.firstIndex(of: "--port"), hostIndex + 1 < arguments.count,
    portIndex + 1 < arguments.count, let port = Int(arguments[portIndex + 1])
else { fail("usage: xmpp-bench ingest --host HOST --port PORT") }

guard let jid = JID("bench@localhost/blast") else { fail("invalid JID") }
var configuration = XMPPClient.Configuration(jid: jid, password: "bench")
configuration.host = arguments[hostIndex + 1]
configuration.port = port
// The harness's fake server has no TLS: both relaxations are explicit, as they must be.
configuration.security = .insecurePlaintext
configuration.mechanismSelector = SASLMechanismSelector(insecureAllowPlainWithoutTLS: true)
configuration.logger.logLevel = .warning

configuration.services = []

/// What the handler counts. Handlers run one at a time on the client's dispatcher, so the lock is never contended;
/// the ingest loop reads it once, at the end.
struct Tally: Sendable {
    var messages = 0
    var presences = 0
    var iqs = 0
    var start: ContinuousClock.Instant?
    var startCPU = 0.0
}

let tally = NIOLockedValueBox(Tally())
let (endMarker, endReached) = AsyncStream.makeStream(of: Void.self)
let client: XMPPClient
do {
    client = try XMPPClient(configuration: configuration)
} catch {
    fail("\(error)")
}
let messageName = Message.qualifiedName
let presenceName = Presence.qualifiedName
let iqName = IQ.qualifiedName
client.on(.any) { stanza, _ in
    tally.withLockedValue { tally in
        if tally.start == nil {
            tally.start = .now
            tally.startCPU = processCPUSeconds()
        }
        switch stanza.name {
        case messageName:
            if stanza["id"] == "end" {
                endReached.yield()
                endReached.finish()
            } else {
                tally.messages += 1
            }
        case presenceName: tally.presences += 1
        case iqName: tally.iqs += 1
        default: break
        }
    }
}
client.observe(ConnectionEvent.self) { event in
    if case .disconnected = event { endReached.finish() }
}
do {
    try await client.connect()
    try await client.send(Presence())
} catch {
    fail("\(error)")
}

var ended = false
for await _ in endMarker {
    ended = true
    break
}
let result = tally.withLockedValue { $0 }
guard ended, let start = result.start else { fail("the stream ended before the end marker") }
let elapsed = ContinuousClock.now - start
let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
let cpu = processCPUSeconds() - result.startCPU
let total = result.messages + result.presences + result.iqs
print(
    "stanzas=\(total) seconds=\(decimal(seconds, digits: 3)) cpu=\(decimal(cpu, digits: 3)) "
        + "messages=\(result.messages) presences=\(result.presences) iqs=\(result.iqs)")
await client.close()
