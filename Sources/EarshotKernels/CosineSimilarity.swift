/// `similar` for scorers whose items are dense vectors: cosine similarity
/// computed from the vectors and their inverse norms, so no normalized copy
/// of the matrix is kept.
public enum CosineSimilarity {
    /// 1 / ‖row‖ of each row of a row-major matrix (0 for zero rows).
    public static func inverseNorms(_ values: [Float], dimension: Int) -> [Float] {
        values.withUnsafeBufferPointer { rows in
            stride(from: 0, to: rows.count, by: dimension).map { start in
                let row = rows.baseAddress! + start
                let norm = VectorKernels.dot(row, row, count: dimension).squareRoot()
                return norm > 0 ? 1 / norm : 0
            }
        }
    }

    /// The `k` items most similar to `seeds`: `average` and `weighted` score
    /// an item by the (weighted) mean of its cosines with the seeds, weights
    /// 1, 2, …, n for the seeds in order (later seeds, the most recent plays,
    /// count more); `max` by its best cosine with any seed.
    public static func top(
        to seeds: [Int32], strategy: SeedStrategy, matrix: [Float], inverseNorms: [Float], dimension d: Int, k: Int,
        excluding exclusion: ItemExclusion
    ) -> [ScoredItem] {
        let rows = inverseNorms.count
        return matrix.withUnsafeBufferPointer { vectors in
            inverseNorms.withUnsafeBufferPointer { inverse in
                let base = vectors.baseAddress!
                switch strategy {
                case .average, .weighted:
                    var query = [Float](repeating: 0, count: d)
                    let weights = seeds.indices.map { strategy == .average ? Float(1) : Float($0 + 1) }
                    let total = weights.reduce(0, +)
                    query.withUnsafeMutableBufferPointer { q in
                        for (seed, weight) in zip(seeds, weights) {
                            VectorKernels.axpy(
                                weight / total * inverse[Int(seed)], base + Int(seed) * d, q.baseAddress!, count: d)
                        }
                    }
                    return VectorKernels.topDotProducts(
                        query: query, matrix: vectors, rows: rows, k: k, excluding: exclusion, rowScale: inverse)
                case .max:
                    var best = TopK(k: k)
                    for row in 0..<rows where !exclusion.contains(Int32(row)) {
                        var score = -Float.infinity
                        for seed in seeds {
                            let cosine = VectorKernels.dot(base + Int(seed) * d, base + row * d, count: d)
                                * inverse[Int(seed)] * inverse[row]
                            score = max(score, cosine)
                        }
                        if score > best.threshold { best.insert(item: Int32(row), score: score) }
                    }
                    return best.sorted()
                }
            }
        }
    }
}
