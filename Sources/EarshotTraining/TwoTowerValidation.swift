import COpenBLAS
import EarshotScoring

/// ndcg@K of a two-tower network on held-out pairs, the early-stopping
/// signal: each user with held-out items is queried with their training
/// items as history (as the scorer serves them), every item is ranked,
/// training items are excluded, and the top K is compared with the held-out
/// items (`RankingMetrics`).
enum TwoTowerValidation {
    static let blockUsers = 64

    static func ndcg(
        network: TwoTowerNetwork, data: TwoTowerTrainingSet, heldOut: SparseRows, k: Int, workers: Int
    ) -> Double {
        let d = network.dimension
        let items = data.itemCount
        let candidates = network.allCandidates(features: data, workers: workers)
        let users = (0..<heldOut.rowCount).filter { heldOut.count(ofRow: $0) > 0 }
        var ndcg = [Double](repeating: 0, count: users.count)
        let blocks = (users.count + blockUsers - 1) / blockUsers
        let rows = data.userItems
        network.parameters.withUnsafeBufferPointer { p in
            candidates.withUnsafeBufferPointer { c in
                ndcg.withUnsafeMutableBufferPointer { results in
                    WorkSharing.run(pieces: blocks, workers: workers, makeScratch: { () -> ([Float], [Float]) in
                        ([Float](repeating: 0, count: blockUsers * d), [Float](repeating: 0, count: blockUsers * items))
                    }) { block, scratch in
                        let first = block * blockUsers
                        let count = min(blockUsers, users.count - first)
                        scratch.0.withUnsafeMutableBufferPointer { q in
                            scratch.1.withUnsafeMutableBufferPointer { scores in
                                for slot in 0..<count {
                                    let user = users[first + slot]
                                    network.query(
                                        user: user, items: rows.columns[rows.offsets[user]..<rows.offsets[user + 1]],
                                        weights: data.poolingWeights[rows.offsets[user]..<rows.offsets[user + 1]],
                                        skipping: nil, into: q.baseAddress! + slot * d, parameters: p.baseAddress!)
                                }
                                cblas_sgemm(
                                    CblasRowMajor, CblasNoTrans, CblasTrans, Int32(count), Int32(items), Int32(d), 1,
                                    q.baseAddress!, Int32(d), c.baseAddress!, Int32(d), 0, scores.baseAddress!, Int32(items))
                                for slot in 0..<count {
                                    let user = users[first + slot]
                                    var exclusion = ItemExclusion(count: items)
                                    for position in rows.offsets[user]..<rows.offsets[user + 1] {
                                        exclusion.exclude(rows.columns[position])
                                    }
                                    var best = TopK(k: k)
                                    let line = scores.baseAddress! + slot * items
                                    for item in 0..<items where line[item] > best.threshold && !exclusion.contains(Int32(item)) {
                                        best.insert(item: Int32(item), score: line[item])
                                    }
                                    let relevant = Set(heldOut.columns[heldOut.offsets[user]..<heldOut.offsets[user + 1]])
                                    let relevance = best.sorted().map { relevant.contains($0.item) }
                                    results[first + slot] = RankingMetrics.of(
                                        relevance: relevance, relevantCount: relevant.count, k: k
                                    ).ndcg
                                }
                            }
                        }
                    }
                }
            }
        }
        return ndcg.isEmpty ? 0 : ndcg.reduce(0, +) / Double(ndcg.count)
    }
}
