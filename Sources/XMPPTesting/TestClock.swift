import NIOConcurrencyHelpers

/// A clock that moves only when a test advances it: scheduled work and timeouts become deterministic, and no test
/// sleeps.
///
/// ```swift
/// let clock = TestClock()
/// configuration.clock = clock
/// client.schedule("tick", after: .seconds(30)) { _ in ... }
/// await clock.waitForSleepers(1)
/// clock.advance(by: .seconds(30))
/// ```
public final class TestClock: Clock, Sendable {
    /// A point on the test clock: the time since it was created.
    public struct Instant: InstantProtocol, Sendable, Hashable {
        /// The time since the clock was created.
        public var offset: Duration

        /// The instant this long after the clock was created.
        ///
        /// - Parameter offset: The time since the clock was created.
        public init(offset: Duration) {
            self.offset = offset
        }

        /// See `InstantProtocol`.
        public func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
        /// See `InstantProtocol`.
        public func duration(to other: Instant) -> Duration { other.offset - offset }
        /// See `Comparable`.
        public static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.offset < rhs.offset }
    }

    private struct Sleeper {
        var id: Int
        var deadline: Instant
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var now = Instant(offset: .zero)
        var sleepers: [Sleeper] = []
        var nextID = 0
        var waiters: [(ready: @Sendable ([Instant]) -> Bool, continuation: CheckedContinuation<Void, Never>)] = []
    }

    private let state = NIOLockedValueBox(State())

    /// Creates a clock at offset zero.
    public init() {}

    /// The current instant.
    public var now: Instant { state.withLockedValue { $0.now } }

    /// The clock's resolution: none.
    public var minimumResolution: Duration { .zero }

    /// How many tasks are sleeping on the clock now.
    public var sleeperCount: Int { state.withLockedValue { $0.sleepers.count } }

    /// Sleeps until the clock is advanced to the deadline; throws `CancellationError` when the task is cancelled.
    ///
    /// - Parameters:
    ///   - deadline: The instant to wake at.
    ///   - tolerance: Ignored.
    public func sleep(until deadline: Instant, tolerance: Duration? = nil) async throws {
        let id = state.withLockedValue { state -> Int in
            state.nextID += 1
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let (resume, woken) = state.withLockedValue { state -> (Bool, [CheckedContinuation<Void, Never>]) in
                    if deadline <= state.now { return (true, []) }
                    state.sleepers.append(Sleeper(id: id, deadline: deadline, continuation: continuation))
                    let deadlines = state.sleepers.map(\.deadline)
                    let ready = state.waiters.filter { $0.ready(deadlines) }.map(\.continuation)
                    state.waiters.removeAll { $0.ready(deadlines) }
                    return (false, ready)
                }
                for waiter in woken { waiter.resume() }
                if resume { continuation.resume() }
            }
        } onCancel: {
            let sleeper = state.withLockedValue { state -> Sleeper? in
                guard let index = state.sleepers.firstIndex(where: { $0.id == id }) else { return nil }
                return state.sleepers.remove(at: index)
            }
            sleeper?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Moves the clock forward, waking every sleeper whose deadline has come, earliest first.
    ///
    /// - Parameter duration: How far.
    public func advance(by duration: Duration) {
        let due = state.withLockedValue { state -> [Sleeper] in
            state.now = state.now.advanced(by: duration)
            let now = state.now
            let due = state.sleepers.filter { $0.deadline <= now }.sorted { $0.deadline < $1.deadline }
            state.sleepers.removeAll { $0.deadline <= now }
            return due
        }
        for sleeper in due { sleeper.continuation.resume() }
    }

    /// Waits until at least this many tasks sleep on the clock (so that advancing it will wake them).
    ///
    /// - Parameter count: The number of sleepers.
    public func waitForSleepers(_ count: Int) async {
        await waitUntil { $0.count >= count }
    }

    /// Waits until a task sleeps until this instant.
    ///
    /// - Parameter deadline: The instant.
    public func waitForSleeper(until deadline: Instant) async {
        await waitUntil { $0.contains(deadline) }
    }

    private func waitUntil(_ ready: @escaping @Sendable ([Instant]) -> Bool) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let now = state.withLockedValue { state -> Bool in
                if ready(state.sleepers.map(\.deadline)) { return true }
                state.waiters.append((ready, continuation))
                return false
            }
            if now { continuation.resume() }
        }
    }
}
