public import XMPPBaseExtensions
public import XMPPCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Entity time (XEP-0202): answers with the current UTC time and the local offset.
public final class EntityTimeService: XMPPService {
    private let now: @Sendable () -> (utc: XMLDateTime, offsetMinutes: Int)

    /// Creates the service answering with the system clock.
    public convenience init() {
        self.init(now: EntityTimeService.systemNow)
    }

    /// Creates the service answering with another clock (for tests).
    ///
    /// - Parameter now: Returns the current UTC time and the local offset from UTC in minutes.
    public init(now: @escaping @Sendable () -> (utc: XMLDateTime, offsetMinutes: Int)) {
        self.now = now
    }

    /// Entity time.
    public var features: [String] { [EntityTime.namespace] }

    /// Registers the responder.
    public func attach<Endpoint: XMPPEndpoint>(to endpoint: Endpoint) throws {
        let now = self.now
        endpoint.respond(to: .get, EntityTime.Time.self) { _, _ in
            let (utc, offset) = now()
            return EntityTime.Time(tzo: Self.tzo(offset), utc: utc)
        }
    }

    /// `+hh:mm` or `-hh:mm` (XEP-0082).
    static func tzo(_ minutes: Int) -> String {
        let sign = minutes < 0 ? "-" : "+"
        let hours = abs(minutes) / 60
        let rest = abs(minutes) % 60
        return sign + (hours < 10 ? "0" : "") + "\(hours):" + (rest < 10 ? "0" : "") + "\(rest)"
    }

    @Sendable static func systemNow() -> (utc: XMLDateTime, offsetMinutes: Int) {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        var seconds = spec.tv_sec
        var utc = tm()
        gmtime_r(&seconds, &utc)
        var local = tm()
        localtime_r(&seconds, &local)
        let millis = spec.tv_nsec / 1_000_000
        let fraction = (millis < 100 ? "0" : "") + (millis < 10 ? "0" : "") + "\(millis)"
        let time = XMLDateTime(
            year: Int(utc.tm_year) + 1900, month: Int(utc.tm_mon) + 1, day: Int(utc.tm_mday), hour: Int(utc.tm_hour),
            minute: Int(utc.tm_min), second: min(Int(utc.tm_sec), 60), fraction: fraction)
        return (time, Int(local.tm_gmtoff) / 60)
    }
}

extension XMPPEndpoint {
    /// Asks an entity for its time (XEP-0202).
    ///
    /// - Parameter jid: The entity (a full JID, for a client).
    /// - Returns: Its UTC time and offset.
    /// - Throws: ``StanzaError`` or ``XMPPClientError``.
    public func entityTime(of jid: JID) async throws -> EntityTime.Time {
        try await query(EntityTime.Time(), to: jid, expecting: EntityTime.Time.self)
    }
}
