/// A message from the schema compiler about one place in a schema.
///
/// Warnings name what the compiler could not map and what it did instead (usually: kept the content as raw
/// `XMLElement`s); errors name what stopped it from generating code for a file.
package struct Diagnostic: Sendable, Hashable, CustomStringConvertible {
    /// How serious it is.
    package enum Severity: String, Sendable, Hashable {
        case note, warning, error
    }

    package var severity: Severity
    /// The schema file.
    package var file: String
    /// The line in the file, or 0 when unknown.
    package var line: Int
    package var message: String

    package init(_ severity: Severity, file: String, line: Int, _ message: String) {
        self.severity = severity
        self.file = file
        self.line = line
        self.message = message
    }

    /// `file:line: severity: message`, the form editors and CI logs understand.
    package var description: String {
        "\(file):\(line): \(severity.rawValue): \(message)"
    }
}

/// Collects diagnostics; one per run of the pipeline.
package final class DiagnosticCollector: @unchecked Sendable {
    // Unchecked: used from one thread at a time (one pipeline run); the lock-free design is deliberate.
    package private(set) var diagnostics: [Diagnostic] = []

    package init() {}

    package func emit(_ diagnostic: Diagnostic) {
        diagnostics.append(diagnostic)
    }

    package func warning(_ file: String, _ line: Int, _ message: String) {
        emit(Diagnostic(.warning, file: file, line: line, message))
    }

    package func error(_ file: String, _ line: Int, _ message: String) {
        emit(Diagnostic(.error, file: file, line: line, message))
    }

    package var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }
}

/// A failure that stops generation for an input.
package struct StanzaGenError: Error, CustomStringConvertible {
    package var description: String

    package init(_ description: String) {
        self.description = description
    }
}
