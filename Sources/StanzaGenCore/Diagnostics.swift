/// A message from the schema compiler about one place in a schema.
///
/// Warnings name what the compiler could not map and what it did instead (usually: kept the content as raw
/// `XMLElement`s); errors name what stopped it from generating code for a file.
public struct Diagnostic: Sendable, Hashable, CustomStringConvertible {
    /// How serious it is.
    public enum Severity: String, Sendable, Hashable {
        case note, warning, error
    }

    public var severity: Severity
    /// The schema file.
    public var file: String
    /// The line in the file, or 0 when unknown.
    public var line: Int
    public var message: String

    public init(_ severity: Severity, file: String, line: Int, _ message: String) {
        self.severity = severity
        self.file = file
        self.line = line
        self.message = message
    }

    /// `file:line: severity: message`, the form editors and CI logs understand.
    public var description: String {
        "\(file):\(line): \(severity.rawValue): \(message)"
    }
}

/// Collects diagnostics; one per run of the pipeline.
public final class DiagnosticCollector: @unchecked Sendable {
    // Unchecked: used from one thread at a time (one pipeline run); the lock-free design is deliberate.
    public private(set) var diagnostics: [Diagnostic] = []

    public init() {}

    public func emit(_ diagnostic: Diagnostic) {
        diagnostics.append(diagnostic)
    }

    public func warning(_ file: String, _ line: Int, _ message: String) {
        emit(Diagnostic(.warning, file: file, line: line, message))
    }

    public func error(_ file: String, _ line: Int, _ message: String) {
        emit(Diagnostic(.error, file: file, line: line, message))
    }

    public var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }
}

/// A failure that stops generation for an input.
public struct StanzaGenError: Error, CustomStringConvertible {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}
