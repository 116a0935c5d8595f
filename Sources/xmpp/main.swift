// xmpp: the command-line tool (first cut).
//
//   xmpp send  --jid J --password-env VAR --to JID --body TEXT [connection options]
//   xmpp ping  --jid J --password-env VAR [--target JID] [connection options]
//   xmpp disco --jid J --password-env VAR [--target JID] [connection options]
//   xmpp demo  --jid J --peer JID --password-env VAR [connection options]   (both accounts share the password)
//
// Connection options: --host H --port P --direct-tls --ca-file F --xml (print the XML console to standard error).
// Errors are one line on standard error and a non-zero exit.

import Foundation
import Logging
import XMPPClient

struct Options {
    var command = ""
    var values: [String: String] = [:]
    var flags: Set<String> = []
}

func fail(_ message: String, code: Int32 = 1) -> Never {
    FileHandle.standardError.write(Data("xmpp: \(message)\n".utf8))
    exit(code)
}

/// An error as one line: what servers said is already cut and cleaned (``ClientNegotiation/sanitized(_:)``); this
/// makes sure of it for every error, as a terminal must not be driven by a server's text.
func oneLine(_ error: any Error) -> String {
    ClientNegotiation.sanitized("\(error)", limit: 400)
}

func usage() -> Never {
    fail(
        """
        usage: xmpp send|ping|disco|demo --jid JID --password-env VAR [--to JID --body TEXT] [--target JID]
                    [--peer JID] [--host H] [--port P] [--direct-tls] [--ca-file F] [--xml]
        """, code: 64)
}

func parse(_ arguments: [String]) -> Options {
    guard let command = arguments.first, ["send", "ping", "disco", "demo"].contains(command) else { usage() }
    var options = Options(command: command)
    var iterator = arguments.dropFirst().makeIterator()
    while let argument = iterator.next() {
        switch argument {
        case "--direct-tls", "--xml": options.flags.insert(argument)
        case "--jid", "--password-env", "--to", "--body", "--target", "--host", "--port", "--ca-file", "--peer":
            guard let value = iterator.next() else { fail("\(argument) needs a value", code: 64) }
            options.values[argument] = value
        case "-h", "--help": usage()
        default: fail("unknown argument \(argument)", code: 64)
        }
    }
    return options
}

/// Writes the XML console to standard error, one line per chunk, with the direction.
struct ConsoleLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level = .trace
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let arrow = label.hasSuffix("inbound") ? "RECV" : label.hasSuffix("outbound") ? "SEND" : "INFO"
        FileHandle.standardError.write(Data("\(arrow): \(event.message)\n".utf8))
    }
}

let options = parse(Array(CommandLine.arguments.dropFirst()))
guard let jidText = options.values["--jid"] else { fail("--jid is required", code: 64) }
let jid: JID
do {
    jid = try JID(parsing: jidText)
} catch {
    fail("invalid --jid: \(error)", code: 64)
}
guard let variable = options.values["--password-env"], let password = ProcessInfo.processInfo.environment[variable]
else { fail("--password-env must name an environment variable that holds the password", code: 64) }

var configuration = XMPPClient.Configuration(jid: jid, password: password)
configuration.host = options.values["--host"]
if let port = options.values["--port"] {
    guard let number = Int(port) else { fail("invalid --port \(port)", code: 64) }
    configuration.port = number
}
if options.flags.contains("--direct-tls") { configuration.security = .directTLS }
if let caFile = options.values["--ca-file"] { configuration.trust = .caFile(caFile) }
configuration.logger.logLevel = .warning
if options.flags.contains("--xml") {
    configuration.wireInboundLogger = Logger(label: "xmpp.wire.inbound") { ConsoleLogHandler(label: $0) }
    configuration.wireOutboundLogger = Logger(label: "xmpp.wire.outbound") { ConsoleLogHandler(label: $0) }
}

/// Narration, written unbuffered so that it interleaves with the XML console in the order things happen.
@Sendable nonisolated func say(_ text: String) {
    FileHandle.standardOutput.write(Data("==> \(text)\n".utf8))
}

@MainActor func targetJID() -> JID? {
    guard let text = options.values["--target"] else { return nil }
    guard let target = try? JID(parsing: text) else { fail("invalid --target \(text)", code: 64) }
    return target
}

let client: XMPPClient
do {
    client = try XMPPClient(configuration: configuration)
} catch {
    fail(oneLine(error))
}
do {
    if options.command == "demo" {
        try await demo()
        exit(0)
    }
    try await client.connect()
    switch options.command {
    case "send":
        guard let to = options.values["--to"].flatMap({ try? JID(parsing: $0) }) else {
            fail("send needs a valid --to JID", code: 64)
        }
        guard let body = options.values["--body"] else { fail("send needs --body", code: 64) }
        try await client.send(Message(to: to, type: .chat, bodies: [.init(value: body)]))
        print("sent to \(to)")
    case "ping":
        let roundTrip = try await client.ping(targetJID())
        print("pong from \(targetJID()?.description ?? jid.domainpart) in \(roundTrip)")
    default:
        let target = try targetJID() ?? JID(parsing: jid.domainpart)
        let info = try await client.discoInfo(of: target)
        for identity in info.identities {
            print("identity \(identity.category)/\(identity.type)\(identity.name.map { " \($0)" } ?? "")")
        }
        for feature in info.features { print("feature \(feature.var)") }
    }
    await client.close()
} catch {
    await client.close()
    fail(oneLine(error))
}

/// A whole session with two accounts, narrated: TLS, SCRAM, bind, roster, a message each way, disco, version, ping.
@MainActor func demo() async throws {
    guard let peerText = options.values["--peer"], let peerJID = try? JID(parsing: peerText) else {
        fail("demo needs --peer JID (the second account)", code: 64)
    }
    let server = try JID(parsing: jid.domainpart)
    var aliceConfiguration = configuration
    aliceConfiguration.services = [DiscoService(), PingService(), RosterService(), PresenceService()]
    var peerConfiguration = aliceConfiguration
    peerConfiguration.jid = peerJID
    peerConfiguration.services = [
        DiscoService(), PingService(), RosterService(), PresenceService(),
        SoftwareVersionService(name: "xmpp demo", version: "0.3"),
    ]
    let alice = try XMPPClient(configuration: aliceConfiguration)
    let bob = try XMPPClient(configuration: peerConfiguration)

    say("\(jid): connecting to \(configuration.host ?? jid.domainpart) (TLS required and verified)")
    let me = jid
    alice.observe(ConnectionEvent.self) { event in
        switch event {
        case .secured(let version, let cipher, _): say("\(me): secured with \(version) (\(cipher))")
        case .authenticated(let mechanism): say("\(me): authenticated with \(mechanism)")
        case .bound(let bound): say("\(me): bound as \(bound)")
        default: break
        }
    }
    try await alice.connect()
    say("\(jid): roster has \(alice.roster.items.count) items (version \(alice.roster.version ?? "none"))")

    say("\(peerJID): connecting")
    // Bob answers the first chat message; Alice waits for it.
    bob.onMessage(.message(.chat), once: true) { message, bob in
        say("\(peerJID): received \"\(message.body ?? "")\" from \(message.from?.description ?? "?")")
        try await bob.send(message.reply(body: "And hello back"))
        say("\(peerJID): replied")
    }
    try await bob.connect()
    say("\(peerJID): bound as \(bob.boundJID?.description ?? "?")")

    let replies = alice.stanzas(matching: .message(.chat))
    try await alice.send(Message.chat(to: bob.boundJID ?? peerJID, body: "Hello from the Swift toolkit ☕"))
    say("\(jid): sent a message to \(bob.boundJID?.description ?? "?")")
    for await stanza in replies {
        let message = try Message(xml: stanza)
        say("\(jid): received \"\(message.body ?? "")\" from \(message.from?.description ?? "?")")
        break
    }

    let info = try await alice.discoInfo(of: server)
    let identities = info.identities.map { "\($0.category)/\($0.type)" }.joined(separator: ", ")
    say("\(jid): the server is \(identities) with \(info.features.count) features")
    if let bound = bob.boundJID {
        let version = try await alice.softwareVersion(of: bound)
        say("\(jid): \(bound) runs \(version.name ?? "?") \(version.version ?? "?")")
    }
    let roundTrip = try await alice.ping(server)
    say("\(jid): ping \(server) answered in \(roundTrip)")

    await alice.close()
    await bob.close()
    say("both streams closed")
}
