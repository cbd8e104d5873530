import EarshotScoring
import Testing

@testable import MatrixFactorization

/// A hand-made `mf` part: 2-dimensional factors, so every score can be checked by hand.
enum HandMadePart {
    static let items: IDList = ["a", "b", "c", "d", "e"]
    /// a → (1, 0), b → (0.8, 0.6), c → (0, 1), d → (-1, 0), e → (0.6, 0.8)
    static let itemFactors: [Float] = [1, 0, 0.8, 0.6, 0, 1, -1, 0, 0.6, 0.8]
    static let users: IDList = ["u1", "u2"]
    static let userFactors: [Float] = [2, 0, 0, 3]

    static func part(
        items: IDList = items, itemFactors: Matrix = Matrix(rows: 5, columns: 2, values: itemFactors),
        indptr: [Int64] = [0, 2, 3], indices: [Int64] = [0, 1, 2], parameters: [String: Double]? = nil
    ) -> SnapshotPart {
        SnapshotPart(
            kind: "mf",
            matrices: [
                "item_factors": itemFactors, "user_factors": Matrix(rows: 2, columns: 2, values: userFactors),
                "user_items_data": Matrix(rows: indices.count, columns: 1, values: [Float](repeating: 2, count: indices.count)),
            ],
            integers: ["user_items_indptr": indptr, "user_items_indices": indices],
            idLists: ["items": items, "users": users],
            parameters: parameters ?? ["factors": 2, "regularization": 0.5, "alpha": 1, "regularization_exponent": 0])
    }

    static func scorer(_ part: SnapshotPart = part()) throws -> any LoadedScorer {
        try MatrixFactorizationPlugin.load(ScorerLoadContext(catalogue: .empty, part: part))
    }
}

@Suite("mf scorer: loading")
struct MatrixFactorizationLoadingTests {
    func loadError(_ part: SnapshotPart?) -> String? {
        do {
            _ = try MatrixFactorizationPlugin.load(ScorerLoadContext(catalogue: .empty, part: part))
            return nil
        } catch {
            return error.description
        }
    }

    @Test("no snapshot part is not_ready with a hint")
    func noPart() {
        #expect(loadError(nil)?.hasPrefix("no mf model in the snapshot") == true)
    }

    @Test("shape mismatches are refused and name the file")
    func shapes() {
        #expect(loadError(HandMadePart.part(items: ["a", "b"]))?.contains("mf/items.txt has 2 ids but mf/item_factors.npy has 5 rows") == true)
        #expect(loadError(HandMadePart.part(parameters: ["factors": 3, "regularization": 1]))?.contains("factors = 3") == true)
        #expect(loadError(HandMadePart.part(indptr: [0, 2]))?.contains("user_items_indptr.npy has 2 entries") == true)
        #expect(loadError(HandMadePart.part(indptr: [0, 3, 2]))?.contains("must rise from 0") == true)
        #expect(loadError(HandMadePart.part(indices: [0, 1, 9]))?.contains("outside 0..<5") == true)
        #expect(loadError(HandMadePart.part(items: ["a", "a", "c", "d", "e"]))?.contains("lists a twice") == true)
        #expect(loadError(HandMadePart.part(parameters: ["factors": 2]))?.contains("regularization") == true)
    }

    @Test("a part with item factors only (as a Python tool might write) serves folded-in histories")
    func itemsOnly() throws {
        let part = SnapshotPart(
            kind: "mf", matrices: ["item_factors": Matrix(rows: 5, columns: 2, values: HandMadePart.itemFactors)], integers: [:],
            idLists: ["items": HandMadePart.items], parameters: ["regularization": 0.5])
        let scorer = try HandMadePart.scorer(part)
        #expect(scorer.trainingItems(of: "u1") == [])
        let top = try scorer.recommend(
            for: Listener(user: nil, history: [WeightedItem(item: 2, weight: 1)]), k: 1, excluding: ItemExclusion(count: 5))
        #expect(top.map(\.item) == [2])
    }

    @Test("facts and ids")
    func facts() throws {
        let scorer = try HandMadePart.scorer()
        #expect(scorer.facts == ["items": 5, "users": 2, "dims": 2])
        #expect(scorer.itemIDs == HandMadePart.items)
        #expect(scorer.item(of: "c") == 2)
        #expect(scorer.item(of: "zz") == nil)
        #expect(scorer.trainingItems(of: "u1") == [0, 1])
        #expect(scorer.trainingItems(of: "u2") == [2])
        #expect(scorer.trainingItems(of: "nobody") == [])
    }
}

@Suite("mf scorer: scoring")
struct MatrixFactorizationScoringTests {
    @Test("a known user is scored with the trained vector, best first, exclusions honoured")
    func knownUser() throws {
        let scorer = try HandMadePart.scorer()
        var exclusion = ItemExclusion(count: 5)
        exclusion.exclude(0)
        let top = try scorer.recommend(for: Listener(user: "u1", history: []), k: 3, excluding: exclusion)
        // u1 = (2, 0): b 1.6, e 1.2, c 0, d -2 (a excluded)
        #expect(top.map(\.item) == [1, 4, 2])
        #expect(top.map(\.score) == [1.6, 1.2, 0])
        #expect(try scorer.score([3, 0], for: Listener(user: "u1", history: [])) == [-2, 2])
    }

    @Test("history inside the training items keeps the trained vector")
    func knownUserSameHistory() throws {
        let scorer = try HandMadePart.scorer()
        let listener = Listener(user: "u1", history: [WeightedItem(item: 1, weight: 5), WeightedItem(item: 0, weight: 1)])
        #expect(try scorer.score([0, 2], for: listener) == [2, 0])
    }

    @Test("an unknown user needs history; with it, the fold-in solves the regularized least squares")
    func foldIn() throws {
        let scorer = try HandMadePart.scorer()
        #expect(throws: ScoringError.unknownUser("zed")) {
            try scorer.recommend(for: Listener(user: "zed", history: []), k: 2, excluding: ItemExclusion(count: 5))
        }
        // One item a = (1, 0), weight 1: c = 1 + ln 2, YᵀY = [[3, 0.96], [0.96, 2]], λ = 0.5:
        // A = YᵀY + λI + (c − 1) a aᵀ = [[2.5 + c, 0.96], [0.96, 2.5]], x = A⁻¹ (c, 0).
        let c = 1 + log(2.0)
        let determinant = (2.5 + c) * 2.5 - 0.96 * 0.96
        let x = (c * 2.5 / determinant, -c * 0.96 / determinant)
        let scores = try scorer.score([0, 2], for: Listener(user: "zed", history: [WeightedItem(item: 0, weight: 1)]))
        #expect(abs(Double(scores[0]) - x.0) < 1e-5)
        #expect(abs(Double(scores[1]) - x.1) < 1e-5)
    }

    @Test("a known user with new history is folded in from the union")
    func knownUserNewHistory() throws {
        let scorer = try HandMadePart.scorer()
        let trained = try scorer.score([2], for: Listener(user: "u1", history: []))
        let extended = try scorer.score([2], for: Listener(user: "u1", history: [WeightedItem(item: 2, weight: 1)]))
        #expect(trained == [0])
        #expect(extended[0] > 0.05)
    }

    @Test("a prepared listener recommends and scores as the scorer does, trained or folded in")
    func prepared() throws {
        let scorer = try HandMadePart.scorer()
        let exclusion = ItemExclusion(count: scorer.itemIDs.count)
        let items = (0..<Int32(scorer.itemIDs.count)).map { $0 }
        for listener in [Listener(user: "u1", history: []), Listener(user: "u1", history: [WeightedItem(item: 2, weight: 1)])] {
            let prepared = try scorer.prepared(for: listener)
            let top = try prepared.recommend(k: 3, excluding: exclusion)
            #expect(try top == scorer.recommend(for: listener, k: 3, excluding: exclusion))
            #expect(try prepared.score(top.map(\.item)) == top.map(\.score))
            #expect(try prepared.score(items) == scorer.score(items, for: listener))
        }
        #expect(throws: ScoringError.unknownUser("nobody")) { try scorer.prepared(for: Listener(user: "nobody", history: [])) }
    }

    @Test("similar: average, weighted and max cosine")
    func similar() throws {
        let scorer = try HandMadePart.scorer()
        var exclusion = ItemExclusion(count: 5)
        exclusion.exclude(0)
        exclusion.exclude(2)
        // Seeds a (1,0) and c (0,1): b and e both have average cosine 0.7.
        let average = try scorer.similar(to: [0, 2], strategy: .average, k: 2, excluding: exclusion)
        #expect(average.map(\.item) == [1, 4])
        #expect(abs(average[0].score - 0.7) < 1e-6)
        // Weighted 1:2 towards c: e (0.6·1 + 0.8·2)/3 beats b (0.8 + 1.2)/3.
        let weighted = try scorer.similar(to: [0, 2], strategy: .weighted, k: 2, excluding: exclusion)
        #expect(weighted.map(\.item) == [4, 1])
        let best = try scorer.similar(to: [0, 2], strategy: .max, k: 3, excluding: exclusion)
        #expect(best.map(\.item) == [1, 4, 3])
        for (score, expected) in zip(best.map(\.score), [Float(0.8), 0.8, 0]) { #expect(abs(score - expected) < 1e-6) }
        #expect(throws: ScoringError.noKnownItems) { try scorer.similar(to: [], strategy: .max, k: 1, excluding: exclusion) }
    }
}

@Suite("Vector kernels")
struct VectorKernelTests {
    @Test("the SIMD scan returns what a full sort returns", arguments: [1, 7, 8, 16, 33, 64])
    func scanMatchesSort(dimension: Int) {
        var state: UInt32 = 12345
        func next() -> Float {
            state = state &* 1_664_525 &+ 1_013_904_223
            return Float(state >> 8) / Float(1 << 24) - 0.5
        }
        let rows = 500
        let matrix = (0..<rows * dimension).map { _ in next() }
        let query = (0..<dimension).map { _ in next() }
        var exclusion = ItemExclusion(count: rows)
        for row in stride(from: 0, to: rows, by: 7) { exclusion.exclude(Int32(row)) }
        let top = matrix.withUnsafeBufferPointer {
            VectorKernels.topDotProducts(query: query, matrix: $0, rows: rows, k: 10, excluding: exclusion)
        }
        let expected = (0..<rows).filter { $0 % 7 != 0 }.map { row in
            (row, zip(query, matrix[row * dimension..<(row + 1) * dimension]).reduce(Float(0)) { $0 + $1.0 * $1.1 })
        }.sorted { $0.1 > $1.1 }.prefix(10)
        #expect(top.map { Int($0.item) } == expected.map(\.0))
        for (got, want) in zip(top, expected) { #expect(abs(got.score - want.1) < 1e-4) }
    }

    @Test("Cholesky solve of a small SPD system")
    func cholesky() {
        // A = [[4, 2], [2, 3]], b = [2, 1] ⇒ x = [0.5, 0]
        var a: [Double] = [4, 2, 2, 3]
        var b: [Double] = [2, 1]
        #expect(ALSFoldIn.choleskySolve(&a, &b, dimension: 2))
        #expect(abs(b[0] - 0.5) < 1e-12 && abs(b[1]) < 1e-12)
        var singular: [Double] = [0, 0, 0, 0]
        var rhs: [Double] = [1, 1]
        #expect(!ALSFoldIn.choleskySolve(&singular, &rhs, dimension: 2))
    }
}

#if canImport(Glibc)
    import Glibc
#endif
