// genre-popularity — an Earshot scorer plugin written in Swift.
//
// Swift has no stable ABI on Linux, so the plugin speaks the C ABI of
// earshot/scorer.h: two @_cdecl entry points and C callbacks. A track scores
// by its popularity, raised by the share of the listener's weighted history
// in its genres:
//
//   score(t) = popularity(t) / 100 * (1 + mean over genres g of t of G[g] / H)
//
// Needs only the catalogue. See docs/PLUGINS.md of the Earshot sources.
import CEarshotScorer

#if canImport(Glibc)
    import Glibc
#endif

/// The host's table, set once by `earshot_scorer_init` before any other call.
nonisolated(unsafe) private var host: UnsafePointer<earshot_host_api>!

/// A model: the host's catalogue, valid until `freeModel`.
private final class Model {
    let catalogue: UnsafePointer<earshot_catalogue>

    init(catalogue: UnsafePointer<earshot_catalogue>) {
        self.catalogue = catalogue
    }

    /// Weighted genre shares of a history of catalogue rows.
    func genreShares(items: UnsafePointer<Int32>?, weights: UnsafePointer<Float>?, count: Int) -> [Float]? {
        let c = catalogue.pointee
        var shares = [Float](repeating: 0, count: Int(c.genre_count))
        var total: Float = 0
        for index in 0..<count {
            guard let row = items?[index], row >= 0, row < c.track_count else { continue }
            let weight = weights?[index] ?? 1
            guard weight > 0 else { continue }
            total += weight
            for g in Int(c.genre_offsets[Int(row)])..<Int(c.genre_offsets[Int(row) + 1]) {
                shares[Int(c.track_genres[g])] += weight
            }
        }
        guard total > 0 else { return nil }
        return shares.map { $0 / total }
    }

    func score(row: Int, shares: [Float]) -> Float {
        let c = catalogue.pointee
        let first = Int(c.genre_offsets[row])
        let last = Int(c.genre_offsets[row + 1])
        var affinity: Float = 0
        for g in first..<last { affinity += shares[Int(c.track_genres[g])] }
        if last > first { affinity /= Float(last - first) }
        return Float(c.popularity[row]) / 100 * (1 + affinity)
    }

    /// One pass; the host's collector keeps the best k within the limits.
    func scan(shares: [Float], constraints: earshot_constraints) {
        let rows = Int(catalogue.pointee.track_count)
        var threshold = -Float.infinity
        for row in 0..<rows {
            if let words = constraints.exclusion, words[row >> 6] & (1 << UInt64(row & 63)) != 0 { continue }
            let value = score(row: row, shares: shares)
            if value > threshold { threshold = host.pointee.collector_offer!(constraints.collector, Int32(row), value) }
        }
        host.pointee.collector_finish!(constraints.collector)
    }
}

private func report(_ text: String, into error: UnsafeMutablePointer<earshot_error>?) {
    guard let error else { return }
    withUnsafeMutableBytes(of: &error.pointee.text) { raw in
        let bytes = Array(text.utf8.prefix(raw.count - 1))
        raw.copyBytes(from: bytes)
        raw[bytes.count] = 0
    }
}

private func modelOf(_ pointer: UnsafeRawPointer?) -> Model {
    Unmanaged<Model>.fromOpaque(pointer!).takeUnretainedValue()
}

@_cdecl("earshot_scorer_abi")
public func earshotScorerABI() -> UInt32 {
    UInt32(EARSHOT_ABI_MAJOR) << 16 | UInt32(EARSHOT_ABI_MINOR)
}

@_cdecl("earshot_scorer_init")
public func earshotScorerInit(
    _ api: UnsafePointer<earshot_host_api>?, _ descriptor: UnsafeMutablePointer<earshot_scorer_descriptor>?,
    _ error: UnsafeMutablePointer<earshot_error>?
) -> earshot_status {
    guard let api, let descriptor else { return earshot_status(EARSHOT_FAILED) }
    guard api.pointee.abi_major == UInt32(EARSHOT_ABI_MAJOR) else {
        report("built for scorer ABI \(EARSHOT_ABI_MAJOR), the host has \(api.pointee.abi_major)", into: error)
        return earshot_status(EARSHOT_FAILED)
    }
    host = api
    descriptor.pointee.abi_major = UInt32(EARSHOT_ABI_MAJOR)
    descriptor.pointee.abi_minor = UInt32(EARSHOT_ABI_MINOR)
    // Static for the process: the host never unloads a plugin.
    descriptor.pointee.name = UnsafePointer(strdup("genre-popularity"))
    descriptor.pointee.version = UnsafePointer(strdup("1.0.0"))
    descriptor.pointee.summary = UnsafePointer(strdup("Popularity raised by the listener's genres (Swift plugin example)"))
    descriptor.pointee.load = { pluginHost, context, out, info, error in
        guard let catalogue = host.pointee.catalogue!(context), catalogue.pointee.track_count > 0 else {
            report("the catalogue is empty (import a catalogue first)", into: error)
            return earshot_status(EARSHOT_NOT_READY)
        }
        let model = Model(catalogue: catalogue)
        info!.pointee.item_count = catalogue.pointee.track_count
        info!.pointee.item_ids = nil
        host.pointee.log!(pluginHost, Int32(EARSHOT_LOG_INFO), "genre-popularity loaded")
        out!.pointee = Unmanaged.passRetained(model).toOpaque()
        return earshot_status(EARSHOT_OK)
    }
    descriptor.pointee.free_model = { pointer in
        guard let pointer else { return }
        Unmanaged<Model>.fromOpaque(pointer).release()
    }
    descriptor.pointee.recommend = { pointer, requests, results, count in
        let model = modelOf(pointer)
        for index in 0..<Int(count) {
            let request = requests![index]
            let listener = request.listener
            guard
                let shares = model.genreShares(
                    items: listener.history_items, weights: listener.history_weights,
                    count: Int(listener.history_count))
            else {
                results![index].status = earshot_status(EARSHOT_UNKNOWN_USER)
                report("genre-popularity needs a history", into: &results![index].error)
                continue
            }
            model.scan(shares: shares, constraints: request.constraints)
            results![index].status = earshot_status(EARSHOT_OK)
        }
        return earshot_status(EARSHOT_OK)
    }
    descriptor.pointee.similar = { pointer, requests, results, count in
        let model = modelOf(pointer)
        for index in 0..<Int(count) {
            let request = requests![index]
            guard let shares = model.genreShares(items: request.seeds, weights: nil, count: Int(request.seed_count))
            else {
                results![index].status = earshot_status(EARSHOT_NO_KNOWN_ITEMS)
                report("no seed is in the catalogue", into: &results![index].error)
                continue
            }
            model.scan(shares: shares, constraints: request.constraints)
            results![index].status = earshot_status(EARSHOT_OK)
        }
        return earshot_status(EARSHOT_OK)
    }
    descriptor.pointee.score = { pointer, listener, items, count, scores, error in
        let model = modelOf(pointer)
        guard let listener,
            let shares = model.genreShares(
                items: listener.pointee.history_items, weights: listener.pointee.history_weights,
                count: Int(listener.pointee.history_count))
        else {
            report("genre-popularity needs a history", into: error)
            return earshot_status(EARSHOT_UNKNOWN_USER)
        }
        for index in 0..<Int(count) { scores![index] = model.score(row: Int(items![index]), shares: shares) }
        return earshot_status(EARSHOT_OK)
    }
    return earshot_status(EARSHOT_OK)
}
