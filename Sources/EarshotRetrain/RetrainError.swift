/// Why a retrain, `snapshot gc` or `snapshot rollback` stopped; the message
/// says what to do next. `current` is unchanged when one is thrown.
public struct RetrainError: Error, Sendable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
