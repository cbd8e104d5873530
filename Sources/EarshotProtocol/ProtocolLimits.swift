/// Bounds on what one request may ask for. Each is configurable in the
/// daemon; these are the defaults.
public struct ProtocolLimits: Sendable, Equatable {
    /// Longest accepted line, newline excluded; longer ones get `line_too_long`.
    public var maxLineBytes: Int = 1 << 20
    /// Deepest accepted JSON nesting.
    public var maxDepth: Int = 64
    /// Largest `k`.
    public var maxK: Int = 1000
    /// Most entries in `history`.
    public var maxHistory: Int = 10_000
    /// Most candidates in `score`'s `tracks`, seeds in `similar`'s `tracks`, entries in `exclude`.
    public var maxTracks: Int = 10_000

    public init() {}
}
