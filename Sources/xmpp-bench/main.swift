// xmpp-bench: the project's client in the peer benchmark harness (../shared/bench).
//
//   xmpp-bench ingest --host 127.0.0.1 --port PORT
//   xmpp-bench login  --host H --port P --jid J --password-env VAR --ca-file F [--count N]
//
// Connects in plaintext (the harness's fake server speaks no TLS), SASL PLAIN, binds, sends initial presence,
// counts message, presence and iq stanzas through the public API (the client's `stanzas` sequence, as an
// application would read it), stops at <message id='end'>, and prints one line:
//   stanzas=N seconds=T cpu=C messages=.. presences=.. iqs=..
// T and C run from the first counted stanza to the end marker.
//
// No Foundation: the harness measures peak RSS, and loading Foundation alone costs about 11 MB.

import Logging
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
    else { fail("usage: xmpp-bench login --host H --port P --jid J --password-env VAR --ca-file F [--count N]") }
    let count = value("--count").flatMap(Int.init) ?? 20
    var configuration = XMPPClient.Configuration(jid: jid, password: password)
    configuration.host = host
    configuration.port = port
    configuration.trust = .caFile(caFile)
    configuration.logger.logLevel = .warning
    var times: [Double] = []
    var cpu = 0.0
    var mechanism = ""
    for _ in 0..<count {
        let client = XMPPClient(configuration: configuration)
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
        for await event in client.events {
            if case .bound(_, let used) = event {
                mechanism = used
                break
            }
        }
        await client.close()
    }
    times.sort()
    print(
        "logins=\(count) mechanism=\(mechanism) median_ms=\(decimal(times[count / 2], digits: 1)) "
            + "p90_ms=\(decimal(times[count * 9 / 10], digits: 1)) "
            + "cpu_ms_per_login=\(decimal(cpu * 1000 / Double(count), digits: 1))"
    )
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

let client = XMPPClient(configuration: configuration)
do {
    try await client.connect()
    try await client.send(Presence())
} catch {
    fail("\(error)")
}

/// Counts until the end marker, off the main actor (the loop would otherwise hop to it for every resumption).
nonisolated func count(
    _ stanzas: XMPPClient.Stanzas
) async -> (
    messages: Int, presences: Int, iqs: Int, start: ContinuousClock.Instant?, startCPU: Double, ended: Bool
) {
    let messageName = Message.qualifiedName
    let presenceName = Presence.qualifiedName
    let iqName = IQ.qualifiedName
    var messages = 0
    var presences = 0
    var iqs = 0
    var start: ContinuousClock.Instant?
    var startCPU = 0.0
    for await stanza in stanzas {
        if start == nil {
            start = .now
            startCPU = processCPUSeconds()
        }
        switch stanza.name {
        case messageName:
            if stanza["id"] == "end" { return (messages, presences, iqs, start, startCPU, true) }
            messages += 1
        case presenceName: presences += 1
        case iqName: iqs += 1
        default: break
        }
    }
    return (messages, presences, iqs, start, startCPU, false)
}

let (messages, presences, iqs, firstStanza, startCPU, ended) = await count(client.stanzas)
guard ended, let start = firstStanza else { fail("the stream ended before the end marker") }
let elapsed = ContinuousClock.now - start
let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
let cpu = processCPUSeconds() - startCPU
print(
    "stanzas=\(messages + presences + iqs) seconds=\(decimal(seconds, digits: 3)) cpu=\(decimal(cpu, digits: 3)) "
        + "messages=\(messages) presences=\(presences) iqs=\(iqs)")
await client.close()
