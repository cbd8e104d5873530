/// A dense float32 matrix in row-major order, as read from an `.npy` file.
public struct Matrix: Sendable {
    public let rows: Int
    public let columns: Int
    public let values: [Float]

    public init(rows: Int, columns: Int, values: [Float]) {
        precondition(values.count == rows * columns, "matrix shape does not match its values")
        self.rows = rows
        self.columns = columns
        self.values = values
    }
}

/// One scorer's part of a snapshot, already read and verified by the daemon,
/// so that plugins never touch the file system.
public struct SnapshotPart: Sendable {
    /// The scorer kind the manifest names for this part.
    public let kind: String
    /// Float tensors by file stem (`item_factors` for `item_factors.npy`).
    public let matrices: [String: Matrix]
    /// Integer tensors by file stem (CSR index arrays).
    public let integers: [String: [Int64]]
    /// Id lists by file stem (`items` for `items.txt`).
    public let idLists: [String: [String]]
    /// The part's hyperparameters from the manifest, as numbers.
    public let parameters: [String: Double]

    public init(
        kind: String, matrices: [String: Matrix], integers: [String: [Int64]], idLists: [String: [String]],
        parameters: [String: Double]
    ) {
        self.kind = kind
        self.matrices = matrices
        self.integers = integers
        self.idLists = idLists
        self.parameters = parameters
    }
}
