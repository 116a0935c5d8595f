import Synchronization
import Testing
import XMPPStream
import XMPPTesting

/// SRV answers parsed from canned DNS messages, RFC 2782 ordering, and the XEP-0368 merge of `_xmpps-client` and
/// `_xmpp-client`, with DNS replaced by a table of answers.
@Suite struct SRVResolverTests {
    // MARK: - Parsing

    @Test func parsesSRVRecordsWithCompressedTargets() throws {
        // The second target ends with a pointer to "example.com" in the question (offset 12 + 18).
        let message = DNSMessage(question: "_xmpp-client._tcp.example.com")
            .answer(srv: 10, 60, 5222, target: DNSMessage.name("xmpp1.example.com"))
            .answer(srv: 20, 0, 5223, target: DNSMessage.name(labels: ["xmpp2"], pointer: 12 + 18))
        let records = try SRVResolver.parseAnswer(message.bytes)
        #expect(
            records == [
                SRVRecord(priority: 10, weight: 60, port: 5222, target: "xmpp1.example.com"),
                SRVRecord(priority: 20, weight: 0, port: 5223, target: "xmpp2.example.com"),
            ])
    }

    @Test func theRootTargetMeansNotAvailableAndOtherTypesAreSkipped() throws {
        let message = DNSMessage(question: "_xmpps-client._tcp.example.com")
            .answer(type: 5, rdata: DNSMessage.name("alias.example.com"))  // a CNAME
            .answer(srv: 0, 0, 0, target: [0])
        let records = try SRVResolver.parseAnswer(message.bytes)
        #expect(records == [SRVRecord(priority: 0, weight: 0, port: 0, target: ".")])
        #expect(records.first?.isServiceNotAvailable == true)
    }

    /// Messages a hostile or broken name server might send.
    static let malformed: [(String, [UInt8])] = {
        let good = DNSMessage(question: "_xmpp-client._tcp.example.com")
            .answer(srv: 10, 0, 5222, target: DNSMessage.name("xmpp.example.com"))
        var countTooHigh = good.bytes
        countTooHigh[7] = 2  // two answers announced, one present
        return [
            ("truncated", Array(good.bytes.dropLast(3))),
            ("a header only, cut", Array(good.bytes.prefix(7))),
            ("more answers announced than present", countTooHigh),
            (
                "SRV data shorter than 7 bytes",
                DNSMessage(question: "x.example.com").answer(type: 33, rdata: [0, 1, 0]).bytes
            ),
            (
                "a target that points at itself",
                DNSMessage(question: "x.example.com").answer(type: 33, rdata: [0, 1, 0, 1, 0x14, 0x66, 0xC0, 49]).bytes
            ),
            (
                "a pointer past the end",
                DNSMessage(question: "x.example.com").answer(type: 33, rdata: [0, 1, 0, 1, 0x14, 0x66, 0xC0, 0xFF])
                    .bytes
            ),
            (
                "bytes after the target",
                DNSMessage(question: "x.example.com").answer(type: 33, rdata: [0, 1, 0, 1, 0x14, 0x66, 0, 0xAA]).bytes
            ),
        ]
    }()

    @Test(arguments: malformed)
    func malformedMessagesAreRefused(_ name: String, _ bytes: [UInt8]) {
        #expect(throws: SRVLookupError.self, "\(name)") {
            _ = try SRVResolver.parseAnswer(bytes)
        }
        do {
            _ = try SRVResolver.parseAnswer(bytes)
        } catch {
            #expect(error.code == .malformedAnswer, "\(name)")
        }
    }

    // MARK: - Ordering (RFC 2782)

    static func record(_ priority: UInt16, _ weight: UInt16, _ name: String) -> SRVRecord {
        SRVRecord(priority: priority, weight: weight, port: 5222, target: name)
    }

    @Test func lowerPriorityComesFirst() {
        let records = [Self.record(20, 0, "c"), Self.record(5, 100, "a"), Self.record(10, 0, "b")]
        #expect(SRVRecord.ordered(records, pick: { _ in 0 }).map(\.target) == ["a", "b", "c"])
    }

    @Test func withinAPriorityTheRunningSumOfWeightsDecides() {
        // Weights 60, 30, 10 (running sums 60, 90, 100): 75 picks the second, then among 60 and 10 (sums 60, 70)
        // 61 picks the last.
        let records = [Self.record(1, 60, "a"), Self.record(1, 30, "b"), Self.record(1, 10, "c")]
        var numbers = [75, 61, 0]
        let ordered = SRVRecord.ordered(records) { total in
            #expect(numbers.count == 3 ? total == 100 : numbers.count == 2 ? total == 70 : total == 60)
            return numbers.removeFirst()
        }
        #expect(ordered.map(\.target) == ["b", "c", "a"])
    }

    @Test func zeroWeightRecordsAreChosenOnlyByZero() {
        let records = [Self.record(1, 50, "weighted"), Self.record(1, 0, "zero")]
        #expect(SRVRecord.ordered(records, pick: { _ in 0 }).map(\.target) == ["zero", "weighted"])
        #expect(SRVRecord.ordered(records, pick: { _ in 1 }).map(\.target) == ["weighted", "zero"])
        // All of weight 0: the number is always 0, and the order is the answer's.
        let zeros = [Self.record(1, 0, "x"), Self.record(1, 0, "y")]
        #expect(SRVRecord.ordered(zeros, pick: { $0 }).map(\.target) == ["x", "y"])
    }

    @Test func weightsShareTheFirstPlaceInProportion() {
        let records = [Self.record(1, 60, "a"), Self.record(1, 30, "b"), Self.record(1, 10, "c")]
        var generator = SplitMix64(seed: 0x5EED)
        var first: [String: Int] = [:]
        let runs = 20_000
        for _ in 0..<runs {
            let ordered = SRVRecord.ordered(records, using: &generator)
            #expect(Set(ordered.map(\.target)) == ["a", "b", "c"])
            first[ordered[0].target, default: 0] += 1
        }
        // Shares of 60/101, 30/101, 10/101 (the number is drawn from 0...100, and 0 goes to the first record).
        #expect(abs(Double(first["a", default: 0]) / Double(runs) - 0.60) < 0.02)
        #expect(abs(Double(first["b", default: 0]) / Double(runs) - 0.30) < 0.02)
        #expect(abs(Double(first["c", default: 0]) / Double(runs) - 0.10) < 0.02)
    }

    // MARK: - XEP-0368: both services together

    /// A resolver whose DNS is a table; remembers the names asked for.
    static func resolver(_ table: [String: [SRVRecord]?], failing: Set<String> = []) -> (SRVResolver, AskedNames) {
        let asked = AskedNames()
        let answers = table.mapValues { records in
            records.map { records in
                records.reduce(DNSMessage(question: "q.example.com")) { message, record in
                    message.answer(
                        srv: record.priority, record.weight, record.port,
                        target: record.target == "." ? [0] : DNSMessage.name(record.target))
                }.bytes
            }
        }
        let resolver = SRVResolver { name throws(SRVLookupError) in
            asked.names.withLock { $0.append(name) }
            if failing.contains(name) { throw SRVLookupError(.lookupFailed, "no answer") }
            return answers[name] ?? nil
        }
        return (resolver, asked)
    }

    static let direct = "_xmpps-client._tcp.example.com."
    static let startTLS = "_xmpp-client._tcp.example.com."

    @Test func bothServicesAreAskedAndMixedByPriority() throws {
        let (resolver, asked) = Self.resolver([
            Self.direct: [SRVRecord(priority: 10, weight: 0, port: 443, target: "tls.example.com")],
            Self.startTLS: [
                SRVRecord(priority: 5, weight: 0, port: 5222, target: "a.example.com"),
                SRVRecord(priority: 20, weight: 0, port: 5222, target: "b.example.com"),
            ],
        ])
        var generator = SplitMix64(seed: 1)
        let targets = try resolver.clientTargets(for: "example.com", using: &generator)
        #expect(
            targets.map(\.description) == [
                "a.example.com:5222 (STARTTLS)", "tls.example.com:443 (direct TLS)", "b.example.com:5222 (STARTTLS)",
            ])
        #expect(asked.names.withLock { $0 } == [Self.direct, Self.startTLS])
    }

    @Test func noRecordsAtAllMeansFallBack() throws {
        let (resolver, _) = Self.resolver([:])
        #expect(try resolver.clientTargets(for: "example.com").isEmpty)
    }

    @Test func aDotForDirectTLSLeavesSTARTTLS() throws {
        let (resolver, _) = Self.resolver([
            Self.direct: [SRVRecord(priority: 0, weight: 0, port: 0, target: ".")],
            Self.startTLS: [SRVRecord(priority: 5, weight: 0, port: 5222, target: "a.example.com")],
        ])
        #expect(try resolver.clientTargets(for: "example.com").map(\.description) == ["a.example.com:5222 (STARTTLS)"])
    }

    @Test(arguments: [Self.direct, Self.startTLS])
    func aDotAndNothingElseMeansNoService(_ declining: String) {
        let (resolver, _) = Self.resolver([declining: [SRVRecord(priority: 0, weight: 0, port: 0, target: ".")]])
        do {
            let targets = try resolver.clientTargets(for: "example.com")
            Issue.record("expected no service, got \(targets)")
        } catch {
            #expect(error.code == .serviceNotAvailable)
        }
    }

    @Test func oneFailedLookupIsToleratedTwoAreNot() throws {
        let records = [SRVRecord(priority: 5, weight: 0, port: 5222, target: "a.example.com")]
        let (tolerant, _) = Self.resolver([Self.startTLS: records], failing: [Self.direct])
        #expect(try tolerant.clientTargets(for: "example.com").map(\.host) == ["a.example.com"])

        let (failing, _) = Self.resolver([:], failing: [Self.direct, Self.startTLS])
        do {
            _ = try failing.clientTargets(for: "example.com")
            Issue.record("two failed lookups gave targets")
        } catch {
            #expect(error.code == .lookupFailed)
        }
    }
}

// MARK: - Helpers

/// A DNS response message written byte by byte (RFC 1035 §4): one question, then answer records.
struct DNSMessage {
    private(set) var bytes: [UInt8]

    /// A response (QR, RD, RA, NOERROR) with one question for SRV records of `question`.
    init(question: String) {
        bytes = [0x12, 0x34, 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0]
        bytes += Self.name(question) + [0, 33, 0, 1]
    }

    /// A name as labels, ending with the root or with a compression pointer.
    static func name(labels: [String], pointer: Int? = nil) -> [UInt8] {
        var bytes: [UInt8] = []
        for label in labels {
            bytes.append(UInt8(label.utf8.count))
            bytes += Array(label.utf8)
        }
        if let pointer {
            bytes += [0xC0 | UInt8(pointer >> 8), UInt8(pointer & 0xFF)]
        } else {
            bytes.append(0)
        }
        return bytes
    }

    /// A name as labels ending with the root.
    static func name(_ dotted: String) -> [UInt8] {
        name(labels: dotted.split(separator: ".").map(String.init))
    }

    /// Adds an answer record (owner: a pointer to the question's name, class IN, TTL 300) and counts it.
    func answer(type: UInt16, rdata: [UInt8]) -> DNSMessage {
        var message = self
        message.bytes += [0xC0, 12, UInt8(type >> 8), UInt8(type & 0xFF), 0, 1, 0, 0, 0x01, 0x2C]
        message.bytes += [UInt8(rdata.count >> 8), UInt8(rdata.count & 0xFF)] + rdata
        let count = (Int(message.bytes[6]) << 8 | Int(message.bytes[7])) + 1
        message.bytes[6] = UInt8(count >> 8)
        message.bytes[7] = UInt8(count & 0xFF)
        return message
    }

    /// Adds an SRV answer.
    func answer(srv priority: UInt16, _ weight: UInt16, _ port: UInt16, target: [UInt8]) -> DNSMessage {
        let fields = [priority, weight, port].flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
        return answer(type: 33, rdata: fields + target)
    }
}

/// The names a resolver was asked for.
final class AskedNames: Sendable {
    let names = Mutex<[String]>([])
}
