public import SASL

/// Passed down the pipeline (a user inbound event) when SASL succeeds, before the stream restarts and the resource
/// is bound: the endpoint raises it as `ConnectionEvent.authenticated`.
public struct StreamAuthenticated: Hashable, Sendable {
    /// The mechanism that succeeded, such as `SCRAM-SHA-256-PLUS`.
    public var mechanism: SASLMechanismName

    /// An event for this mechanism.
    public init(mechanism: SASLMechanismName) {
        self.mechanism = mechanism
    }
}

/// Passed down the pipeline (a user inbound event) when negotiation settles stream management: enabled, refused,
/// resumed or not.
public struct StreamManagementNegotiated: Equatable, Sendable {
    /// What became of it.
    public var outcome: StreamManagementOutcome

    /// An event for this outcome.
    public init(outcome: StreamManagementOutcome) {
        self.outcome = outcome
    }
}
