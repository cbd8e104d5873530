extension SnapshotPart {
    /// `ids` as a row index; a repeated id is an error naming `file`.
    public static func rowIndex(
        _ ids: IDList, file: String, fail: (String) -> ScorerLoadError
    ) throws(ScorerLoadError) -> IDRowIndex {
        do {
            return try IDRowIndex(ids)
        } catch {
            throw fail("\(file) lists \(error.id) twice")
        }
    }

    /// The users' training items as CSR (`user_items_indptr`,
    /// `user_items_indices`), checked against the user and item counts;
    /// absent files mean no training items. `part` names the files in errors.
    public func userItems(
        users: Int, items: Int, part name: String, fail: (String) -> ScorerLoadError
    ) throws(ScorerLoadError) -> (offsets: [Int], items: [Int32]) {
        guard let indptr = integerTensor("user_items_indptr") else { return ([Int](repeating: 0, count: users + 1), []) }
        let indices = integerTensor("user_items_indices") ?? []
        guard indptr.count == users + 1 else {
            throw fail("\(name)/user_items_indptr.npy has \(indptr.count) entries, expected users + 1 = \(users + 1)")
        }
        guard indptr.first == 0, indptr.last == Int64(indices.count), zip(indptr, indptr.dropFirst()).allSatisfy({ $0 <= $1 })
        else {
            throw fail(
                "\(name)/user_items_indptr.npy must rise from 0 to the \(indices.count) entries of \(name)/user_items_indices.npy")
        }
        guard indices.allSatisfy({ $0 >= 0 && $0 < Int64(items) }) else {
            throw fail("\(name)/user_items_indices.npy has an item index outside 0..<\(items)")
        }
        return (indptr.map { Int($0) }, indices.map { Int32($0) })
    }

    /// An integer tensor stored as int64 or int32, as int64.
    public func integerTensor(_ stem: String) -> [Int64]? {
        integers[stem] ?? int32Tensors[stem].map { $0.map(Int64.init) }
    }
}
