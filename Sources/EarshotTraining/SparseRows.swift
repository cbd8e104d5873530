/// A sparse matrix in compressed sparse row (CSR) form: row `r` holds
/// `columns[offsets[r]..<offsets[r + 1]]` with `values` at the same positions,
/// columns ascending within a row.
public struct SparseRows: Sendable, Equatable {
    public let rowCount: Int
    public let columnCount: Int
    public let offsets: [Int]
    public let columns: [Int32]
    public let values: [Float]

    public init(rowCount: Int, columnCount: Int, offsets: [Int], columns: [Int32], values: [Float]) {
        precondition(offsets.count == rowCount + 1 && offsets.last == columns.count && columns.count == values.count,
                     "inconsistent CSR arrays")
        self.rowCount = rowCount
        self.columnCount = columnCount
        self.offsets = offsets
        self.columns = columns
        self.values = values
    }

    /// Builds rows from coordinate triples by counting sort; entries of a row
    /// keep their input order (use `transposed().transposed()` to sort them).
    public init(rows: [Int32], columns: [Int32], values: [Float], rowCount: Int, columnCount: Int) {
        var offsets = [Int](repeating: 0, count: rowCount + 1)
        for row in rows { offsets[Int(row) + 1] += 1 }
        for row in 0..<rowCount { offsets[row + 1] += offsets[row] }
        var next = offsets
        var sortedColumns = [Int32](repeating: 0, count: rows.count)
        var sortedValues = [Float](repeating: 0, count: rows.count)
        for entry in rows.indices {
            let row = Int(rows[entry])
            sortedColumns[next[row]] = columns[entry]
            sortedValues[next[row]] = values[entry]
            next[row] += 1
        }
        self.init(rowCount: rowCount, columnCount: columnCount, offsets: offsets, columns: sortedColumns, values: sortedValues)
    }

    public var nonzeroCount: Int { columns.count }

    public func count(ofRow row: Int) -> Int { offsets[row + 1] - offsets[row] }

    /// The same matrix with rows and columns swapped; its rows come out with
    /// ascending columns.
    public func transposed() -> SparseRows {
        var rowsOfEntries = [Int32](repeating: 0, count: nonzeroCount)
        for row in 0..<rowCount {
            for position in offsets[row]..<offsets[row + 1] { rowsOfEntries[position] = Int32(row) }
        }
        return SparseRows(rows: columns, columns: rowsOfEntries, values: values, rowCount: columnCount, columnCount: rowCount)
    }

    /// The same pattern with other values (one per stored entry).
    public func with(values newValues: [Float]) -> SparseRows {
        SparseRows(rowCount: rowCount, columnCount: columnCount, offsets: offsets, columns: columns, values: newValues)
    }
}
