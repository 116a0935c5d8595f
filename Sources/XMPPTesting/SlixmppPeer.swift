import Foundation
import NIOConcurrencyHelpers

/// A slixmpp client (a client nobody here wrote) driven through `Tests/Interop/slixmpp_peer.py`, for
/// interoperability tests. `scripts/test` makes its virtual environment and exports `XMPP_SLIXMPP_PYTHON` and
/// `XMPP_SLIXMPP_PEER`.
///
/// The peer prints one JSON object per line; each becomes an ``Event``. Commands go to it as JSON lines.
public final class SlixmppPeer: Sendable {
    /// One line the peer printed.
    public struct Event: Sendable, CustomStringConvertible {
        /// The `event` key: `ready`, `message`, `disco_info`, `done`, `error`...
        public let name: String
        /// The line as printed.
        public let line: String
        private let strings: [String: String]
        private let lists: [String: [String]]

        init?(line: String) {
            guard let data = line.data(using: .utf8),
                let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                let name = object["event"] as? String
            else { return nil }
            var strings: [String: String] = [:]
            var lists: [String: [String]] = [:]
            for (key, value) in object {
                switch value {
                case let text as String: strings[key] = text
                case let number as NSNumber: strings[key] = number.stringValue
                case let array as [Any]:
                    lists[key] = array.map { item in
                        if let text = item as? String { return text }
                        if let dictionary = item as? [String: Any] {
                            // An identity: category/type/name.
                            return ["category", "type", "name"].map { dictionary[$0].map { "\($0)" } ?? "" }
                                .joined(separator: "/")
                        }
                        return "\(item)"
                    }
                default: break
                }
            }
            self.name = name
            self.line = line
            self.strings = strings
            self.lists = lists
        }

        /// A string (or number, or boolean as `1`/`0`) field.
        public subscript(key: String) -> String? { strings[key] }

        /// A list field; identities read as `category/type/name`.
        ///
        /// - Parameter key: The key.
        public func list(_ key: String) -> [String] { lists[key] ?? [] }

        /// The line.
        public var description: String { line }
    }

    /// Whether the environment describes the peer.
    public static var available: Bool {
        ProcessInfo.processInfo.environment["XMPP_SLIXMPP_PYTHON"] != nil
            && ProcessInfo.processInfo.environment["XMPP_SLIXMPP_PEER"] != nil
    }

    /// A peer the environment does not describe.
    public struct Missing: Error, CustomStringConvertible {
        /// What to do about it.
        public var description: String { "no slixmpp peer in the environment (run scripts/test)" }
    }

    /// The peer did not print what was awaited in time.
    public struct Timeout: Error, CustomStringConvertible {
        /// What was awaited, and what came instead.
        public var description: String
    }

    private struct Inbox {
        var pending: [Event] = []
        var seen: [String] = []
        var finished = false
        var waiter: (id: Int, continuation: CheckedContinuation<Void, Never>)?
        var nextWaiter = 0
    }

    private let process: Process
    private let input: FileHandle
    private let inbox = NIOLockedValueBox(Inbox())

    /// Starts the peer.
    ///
    /// - Parameter arguments: The subcommand and its options (`peer --jid ...`, `echo-load ...`).
    /// - Throws: ``Missing`` without the environment, or what starting the process throws.
    public init(_ arguments: [String]) throws {
        let environment = ProcessInfo.processInfo.environment
        guard let python = environment["XMPP_SLIXMPP_PYTHON"], let script = environment["XMPP_SLIXMPP_PEER"] else {
            throw Missing()
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [script] + arguments
        let stdin = Pipe()
        let stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = FileHandle.standardError
        let inbox = self.inbox
        let buffer = NIOLockedValueBox([UInt8]())
        stdout.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            if data.isEmpty {
                handle.readabilityHandler = nil
                Self.deliver([], finished: true, to: inbox)
                return
            }
            let lines = buffer.withLockedValue { buffer -> [String] in
                buffer += data
                var lines: [String] = []
                while let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                    lines.append(String(decoding: buffer[..<newline], as: UTF8.self))
                    buffer.removeSubrange(...newline)
                }
                return lines
            }
            Self.deliver(lines.compactMap(Event.init(line:)), finished: false, to: inbox)
        }
        try process.run()
        self.process = process
        self.input = stdin.fileHandleForWriting
    }

    private static func deliver(_ events: [Event], finished: Bool, to inbox: NIOLockedValueBox<Inbox>) {
        let waiter = inbox.withLockedValue { inbox -> CheckedContinuation<Void, Never>? in
            inbox.pending += events
            inbox.seen += events.map(\.line)
            inbox.finished = inbox.finished || finished
            defer { inbox.waiter = nil }
            return inbox.waiter?.continuation
        }
        waiter?.resume()
    }

    /// Sends a command line, such as `["cmd": "send", "to": jid, "body": "hi"]`.
    ///
    /// - Parameter command: The command's fields.
    /// - Throws: What writing to the peer throws.
    public func send(_ command: [String: String]) throws {
        var data = try JSONSerialization.data(withJSONObject: command, options: [.sortedKeys])
        data.append(UInt8(ascii: "\n"))
        try input.write(contentsOf: data)
    }

    /// Waits for the next event that satisfies a condition; the events before it are passed over (they stay in
    /// ``transcript``).
    ///
    /// - Parameters:
    ///   - timeout: How long to wait.
    ///   - predicate: The condition.
    /// - Returns: The event.
    /// - Throws: ``Timeout`` when none comes in time or the peer exits first.
    public func next(
        timeout: Duration = .seconds(30),
        where predicate: @escaping @Sendable (Event) -> Bool
    ) async throws -> Event {
        let deadline = ContinuousClock.now + timeout
        while true {
            let (found, finished) = inbox.withLockedValue { inbox -> (Event?, Bool) in
                while !inbox.pending.isEmpty {
                    let event = inbox.pending.removeFirst()
                    if predicate(event) { return (event, false) }
                }
                return (nil, inbox.finished)
            }
            if let found { return found }
            if finished || ContinuousClock.now >= deadline {
                throw Timeout(
                    description: "the slixmpp peer did not print the awaited event; it printed: \(transcript)")
            }
            await waitForLines(until: deadline)
        }
    }

    /// Returns when lines arrive, the peer's output ends, or the deadline passes.
    private func waitForLines(until deadline: ContinuousClock.Instant) async {
        let inbox = self.inbox
        let id = inbox.withLockedValue { inbox -> Int in
            inbox.nextWaiter += 1
            return inbox.nextWaiter
        }
        let timer = Task {
            try? await Task.sleep(until: deadline, clock: .continuous)
            let waiter = inbox.withLockedValue { inbox -> CheckedContinuation<Void, Never>? in
                guard inbox.waiter?.id == id else { return nil }
                defer { inbox.waiter = nil }
                return inbox.waiter?.continuation
            }
            waiter?.resume()
        }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let ready = inbox.withLockedValue { inbox -> Bool in
                if !inbox.pending.isEmpty || inbox.finished || ContinuousClock.now >= deadline { return true }
                inbox.waiter = (id, continuation)
                return false
            }
            if ready { continuation.resume() }
        }
        timer.cancel()
    }

    /// Every line read so far.
    public var transcript: [String] { inbox.withLockedValue { $0.seen } }

    /// Closes the peer's stdin (which makes `peer` quit) and waits for it to exit.
    ///
    /// - Returns: The exit status.
    @discardableResult
    public func finish() async -> Int32 {
        try? input.close()
        let process = self.process
        return await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                process.waitUntilExit()
                continuation.resume(returning: process.terminationStatus)
            }
        }
    }

    /// Stops the peer at once.
    public func terminate() {
        if process.isRunning { process.terminate() }
    }
}
