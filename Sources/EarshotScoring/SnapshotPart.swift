/// A dense float32 matrix in row-major order, as read from an `.npy` file:
/// usually a view of the mapped file itself.
public struct Matrix: Sendable {
    public let rows: Int
    public let columns: Int
    /// `rows × columns` floats, row-major; `values.baseAddress` with the
    /// shape is what C code receives.
    public let values: TensorElements<Float>

    public init(rows: Int, columns: Int, values: TensorElements<Float>) {
        precondition(values.count == rows * columns, "matrix shape does not match its values")
        self.rows = rows
        self.columns = columns
        self.values = values
    }

    /// A matrix owning a copy of `values`.
    public init(rows: Int, columns: Int, values: [Float]) {
        self.init(rows: rows, columns: columns, values: TensorElements(values))
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
    /// 32-bit integer tensors by file stem (an ANN graph's neighbour lists), served in place.
    public let int32Tensors: [String: TensorElements<Int32>]
    /// Id lists by file stem (`items` for `items.txt`).
    public let idLists: [String: IDList]
    /// The part's hyperparameters from the manifest, as numbers.
    public let parameters: [String: Double]

    public init(
        kind: String, matrices: [String: Matrix], integers: [String: [Int64]],
        int32Tensors: [String: TensorElements<Int32>] = [:], idLists: [String: IDList], parameters: [String: Double]
    ) {
        self.kind = kind
        self.matrices = matrices
        self.integers = integers
        self.int32Tensors = int32Tensors
        self.idLists = idLists
        self.parameters = parameters
    }
}
