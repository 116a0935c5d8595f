// Generated types are extended here, never edited.

extension Weather.Report {
    /// Whether the report warns of anything.
    public var hasWarnings: Bool { !warnings.isEmpty }
}
