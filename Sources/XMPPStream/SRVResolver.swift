internal import CResolv

/// Finds where a domain's XMPP client service runs, from DNS SRV records (RFC 6120 §3.2.1, XEP-0368).
///
/// ``clientTargets(for:)`` looks up `_xmpps-client._tcp.<domain>` (direct TLS) and `_xmpp-client._tcp.<domain>`
/// (STARTTLS) and orders both sets together by priority and weight, as one set (RFC 2782; XEP-0368 §3 mixes them).
/// The rules it applies:
/// - No SRV record at all (the names do not exist or have no SRV records): an empty list. The caller then falls back
///   to the domain itself on port 5222 (RFC 6120 §3.2.2).
/// - A set that is only the record with target `.` says that service is not offered (RFC 2782): direct TLS is then
///   left out, or STARTTLS; if that leaves nothing, ``SRVLookupError/Code/serviceNotAvailable`` is thrown, and the
///   caller must not fall back to the domain's address (RFC 6120 §3.2.1, XEP-0368 §5).
/// - A failed lookup (no answer, a server failure) of one name counts as no records when the other name's lookup
///   worked; when both fail, the first failure is thrown.
///
/// What it leaves to the caller: resolving each target's addresses and trying them in order (RFC 6120 §3.2.1 asks
/// to go on with the next target when a connection fails), TLS with the JID's domain (not the target) as the
/// name to verify and to send as SNI, and ALPN `xmpp-client` for direct TLS (XEP-0368). There is no DNSSEC
/// validation: the order is only as trustworthy as the resolver.
///
/// Lookups go through glibc's resolver (`res_nquery`, with the name servers of `/etc/resolv.conf` or the one
/// given) and block the calling thread for as long as DNS takes, up to the resolver's timeouts (by default 5 s per
/// attempt, two attempts per server): call them from a thread pool (such as NIO's `NIOThreadPool`), never on an
/// event loop or directly in a Swift concurrency task.
public struct SRVResolver: Sendable {
    /// One place to try, from an SRV record.
    public struct Target: Sendable, Hashable, CustomStringConvertible {
        /// The record it comes from.
        public var record: SRVRecord
        /// Whether TLS starts at once (from `_xmpps-client`, XEP-0368), rather than with STARTTLS.
        public var isDirectTLS: Bool

        /// Creates a target.
        ///
        /// - Parameters:
        ///   - record: The SRV record.
        ///   - isDirectTLS: Whether it came from `_xmpps-client`.
        public init(record: SRVRecord, isDirectTLS: Bool) {
            self.record = record
            self.isDirectTLS = isDirectTLS
        }

        /// The host to connect to.
        public var host: String { record.target }
        /// The port to connect to.
        public var port: Int { Int(record.port) }

        /// `host:port (direct TLS)` or `host:port (STARTTLS)`.
        public var description: String { "\(host):\(port) (\(isDirectTLS ? "direct TLS" : "STARTTLS"))" }
    }

    /// A name server to ask instead of those in `/etc/resolv.conf`.
    public struct Nameserver: Sendable, Hashable {
        /// Its IPv4 address, such as `127.0.0.1`.
        public var address: String
        /// Its UDP (and TCP) port.
        public var port: UInt16

        /// Creates a name server address.
        ///
        /// - Parameters:
        ///   - address: An IPv4 address.
        ///   - port: The port; 53 by default.
        public init(address: String, port: UInt16 = 53) {
            self.address = address
            self.port = port
        }
    }

    /// Asks DNS for the SRV records of a name: the answer message, or `nil` when the name has none.
    private let query: @Sendable (String) throws(SRVLookupError) -> [UInt8]?

    /// Creates a resolver.
    ///
    /// - Parameter nameserver: The name server to ask; those of `/etc/resolv.conf` when `nil` (the default).
    public init(nameserver: Nameserver? = nil) {
        self.query = { name throws(SRVLookupError) in try Self.querySRV(name, nameserver: nameserver) }
    }

    /// Creates a resolver that gets its DNS answers from `query` (for tests): the answer message for a name, or
    /// `nil` when the name has no SRV records.
    package init(query: @escaping @Sendable (String) throws(SRVLookupError) -> [UInt8]?) {
        self.query = query
    }

    // MARK: - Lookups

    /// The SRV records of a name, as DNS gives them (unordered).
    ///
    /// - Parameter name: The full name, such as `_xmpp-client._tcp.example.com`; taken as absolute (no search list).
    /// - Returns: The records; empty when the name does not exist or has no SRV records.
    /// - Throws: ``SRVLookupError`` when the lookup fails or its answer is malformed.
    public func records(named name: String) throws(SRVLookupError) -> [SRVRecord] {
        guard let answer = try query(name) else { return [] }
        return try Self.parseAnswer(answer)
    }

    /// Where to connect for a domain's client service, in the order to try: see the type's documentation.
    ///
    /// - Parameters:
    ///   - domain: The JID's domain part, in its A-label (ASCII) form.
    ///   - generator: The randomness for weighted ordering.
    /// - Returns: The targets in order; empty when the domain has no SRV records (fall back to the domain, port 5222).
    /// - Throws: ``SRVLookupError``: the service is declared not available, or both lookups failed.
    public func clientTargets(
        for domain: String, using generator: inout some RandomNumberGenerator
    ) throws(SRVLookupError) -> [Target] {
        let domain = domain.hasSuffix(".") ? String(domain.dropLast()) : domain
        var failures: [SRVLookupError] = []
        func lookUp(_ service: String) -> [SRVRecord]? {
            do {
                return try records(named: "\(service)._tcp.\(domain).")
            } catch {
                failures.append(error)
                return nil
            }
        }
        let direct = lookUp("_xmpps-client")
        let startTLS = lookUp("_xmpp-client")
        if direct == nil, startTLS == nil, let failure = failures.first { throw failure }

        let declinedOnly = { (records: [SRVRecord]?) in
            records?.count == 1 && records?.first?.isServiceNotAvailable == true
        }
        let targets =
            (direct ?? []).filter { !$0.isServiceNotAvailable }.map { Target(record: $0, isDirectTLS: true) }
            + (startTLS ?? []).filter { !$0.isServiceNotAvailable }.map { Target(record: $0, isDirectTLS: false) }
        if targets.isEmpty && (declinedOnly(direct) || declinedOnly(startTLS)) {
            throw SRVLookupError(.serviceNotAvailable, "\(domain) declares that it offers no XMPP client service")
        }
        return orderedByPriorityAndWeight(targets, record: \.record) { Int.random(in: 0...$0, using: &generator) }
    }

    /// Where to connect for a domain's client service, ordered with the system's randomness; see
    /// ``clientTargets(for:using:)``.
    ///
    /// - Parameter domain: The JID's domain part, in its A-label (ASCII) form.
    /// - Returns: The targets in order; empty when the domain has no SRV records.
    /// - Throws: ``SRVLookupError``.
    public func clientTargets(for domain: String) throws(SRVLookupError) -> [Target] {
        var generator = SystemRandomNumberGenerator()
        return try clientTargets(for: domain, using: &generator)
    }

    // MARK: - DNS

    /// The SRV records (class IN) in the answer section of a DNS response message; other records are skipped.
    ///
    /// - Parameter message: The whole response, as a name server sent it.
    /// - Returns: The records, in the message's order.
    /// - Throws: ``SRVLookupError`` with ``SRVLookupError/Code/malformedAnswer`` when the message or a record in it
    ///   cannot be parsed.
    public static func parseAnswer(_ message: [UInt8]) throws(SRVLookupError) -> [SRVRecord] {
        let result: Result<[SRVRecord], SRVLookupError> = message.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress, buffer.count <= Int(Int32.max) else {
                return .failure(SRVLookupError(.malformedAnswer, "an empty DNS message"))
            }
            var handle = ns_msg()
            guard ns_initparse(base, Int32(buffer.count), &handle) == 0 else {
                return .failure(SRVLookupError(.malformedAnswer, "the DNS message is malformed"))
            }
            var records: [SRVRecord] = []
            for index in 0..<cresolv_msg_count(&handle, ns_s_an) {
                var record = ns_rr()
                guard ns_parserr(&handle, ns_s_an, index, &record) == 0 else {
                    return .failure(SRVLookupError(.malformedAnswer, "answer record \(index) is malformed"))
                }
                guard record.type == UInt16(ns_t_srv.rawValue), record.rr_class == UInt16(ns_c_in.rawValue) else {
                    continue
                }
                guard let rdata = record.rdata, record.rdlength >= 7 else {
                    return .failure(SRVLookupError(.malformedAnswer, "SRV record \(index) is too short"))
                }
                func uint16(at offset: Int) -> UInt16 { UInt16(rdata[offset]) << 8 | UInt16(rdata[offset + 1]) }
                var name = [CChar](repeating: 0, count: Int(NS_MAXDNAME) + 1)
                let used = cresolv_expand_name(base, base + buffer.count, rdata + 6, &name, Int32(name.count))
                guard used == Int32(record.rdlength) - 6 else {
                    return .failure(SRVLookupError(.malformedAnswer, "the target of SRV record \(index) is malformed"))
                }
                let target = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                records.append(
                    SRVRecord(
                        priority: uint16(at: 0), weight: uint16(at: 2), port: uint16(at: 4),
                        target: target.isEmpty ? "." : target))
            }
            return .success(records)
        }
        return try result.get()
    }

    /// Asks the resolver for the SRV records of `name`: the answer, or `nil` when the name has none.
    private static func querySRV(_ name: String, nameserver: Nameserver?) throws(SRVLookupError) -> [UInt8]? {
        var answer = [UInt8](repeating: 0, count: 65_535)
        var error: Int32 = 0
        let length = answer.withUnsafeMutableBufferPointer { buffer in
            if let nameserver {
                cresolv_query(
                    name, Int32(ns_t_srv.rawValue), buffer.baseAddress, Int32(buffer.count), nameserver.address,
                    nameserver.port, &error)
            } else {
                cresolv_query(name, Int32(ns_t_srv.rawValue), buffer.baseAddress, Int32(buffer.count), nil, 0, &error)
            }
        }
        guard length >= 0 else {
            switch error {
            case HOST_NOT_FOUND, NO_DATA: return nil
            case TRY_AGAIN: throw SRVLookupError(.lookupFailed, "no answer for \(name) (timeout or server failure)")
            case NO_RECOVERY: throw SRVLookupError(.lookupFailed, "the name server refused the query for \(name)")
            default: throw SRVLookupError(.lookupFailed, "the resolver failed for \(name) (h_errno \(error))")
            }
        }
        return Array(answer.prefix(Int(length)))
    }
}
