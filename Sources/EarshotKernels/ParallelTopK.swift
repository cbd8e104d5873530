import Foundation

/// Splits a top-k scan over `0..<count` into one contiguous slice per core
/// and merges the slices' results: a single request's scan is bound by
/// memory bandwidth, which one core alone does not saturate.
public enum ParallelTopK {
    /// Threads for one scan: the cores this process may use.
    public static let threads = max(1, ProcessInfo.processInfo.activeProcessorCount)

    /// The best `k` over all slices; `scan` returns the best `k` of its slice.
    /// Scans with fewer than `parallelFrom` items run on the calling thread.
    public static func select(
        count: Int, k: Int, parallelFrom: Int, scan: @Sendable (Range<Int>) -> [ScoredItem]
    ) -> [ScoredItem] {
        let slices = count >= parallelFrom ? min(count, threads) : 1
        guard slices > 1 else { return scan(0..<count) }
        let partial = SlotBuffer<[ScoredItem]>(count: slices, repeating: [])
        DispatchQueue.concurrentPerform(iterations: slices) { slice in
            partial[slice] = scan((count * slice / slices)..<(count * (slice + 1) / slices))
        }
        var best = TopK(k: k)
        for result in partial.all { for item in result { best.insert(item: item.item, score: item.score) } }
        return best.sorted()
    }
}
