/// How several seeds combine in `similar`.
public enum SeedStrategy: String, Sendable {
    case average, weighted, max
}
