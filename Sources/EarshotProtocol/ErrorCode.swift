/// The error codes of the wire protocol (docs/PROTOCOL.md, "Errors").
public enum ErrorCode: String, Sendable, CaseIterable, Codable {
    case parseError = "parse_error"
    case lineTooLong = "line_too_long"
    case invalidRequest = "invalid_request"
    case unknownOp = "unknown_op"
    case unknownScorer = "unknown_scorer"
    case unknownUser = "unknown_user"
    case unknownTrack = "unknown_track"
    case notReady = "not_ready"
    case overloaded
    case timeout
    /// The store cannot take writes now (disk full, read-only, file gone): nothing was written.
    case unavailable
    case forbidden
    case `internal`
}

/// A request that failed: what goes into the `error` object of a response.
public struct ProtocolError: Error, Sendable, Equatable, CustomStringConvertible {
    public let code: ErrorCode
    /// Text for humans; for `invalid_request` it names the field.
    public let message: String

    public init(_ code: ErrorCode, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }

    /// A field that is missing, ill-typed or out of range.
    public static func invalidField(_ field: String, _ problem: String) -> ProtocolError {
        ProtocolError(.invalidRequest, "\(field): \(problem)")
    }
}
