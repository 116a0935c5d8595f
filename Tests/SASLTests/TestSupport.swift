import SASL
import Testing

/// Expects `body` to throw a ``SASLError`` with `code`, and returns it for further checks.
@discardableResult
func expectSASLError(
    _ code: SASLError.Code,
    sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () throws -> Void
) -> SASLError? {
    let error = #expect(throws: SASLError.self, sourceLocation: sourceLocation) { try body() }
    #expect(error?.code == code, "\(String(describing: error))", sourceLocation: sourceLocation)
    return error
}

extension [UInt8] {
    /// The bytes of `text` in UTF-8.
    init(utf8 text: String) {
        self = Array(text.utf8)
    }
}
