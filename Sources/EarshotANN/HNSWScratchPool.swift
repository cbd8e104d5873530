import Synchronization

/// Search state (visited stamps, heaps) kept between queries: allocating the
/// stamps for a million nodes costs more than a search.
public final class HNSWScratchPool: Sendable {
    private let idle = Mutex<[LayerSearch]>([])

    public init() {}

    func take(vectors: UnsafePointer<Float>, dimension: Int, count: Int) -> LayerSearch {
        guard let search = idle.withLock({ $0.popLast() }), search.visited.stamps.count == count else {
            return LayerSearch(vectors: vectors, dimension: dimension, count: count)
        }
        search.vectors = vectors
        search.dimension = dimension
        return search
    }

    func give(back search: LayerSearch) {
        idle.withLock { if $0.count < 64 { $0.append(search) } }
    }
}
