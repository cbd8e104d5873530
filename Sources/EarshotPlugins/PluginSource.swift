import CEarshotScorer
import EarshotScoring

/// Another scorer as a blend plugin reads it (`earshot_source`): requests
/// and results in catalogue rows, translated to the source's items here.
// @unchecked Sendable: immutable after init; the source scorer is Sendable.
final class PluginSource: @unchecked Sendable {
    let scorer: any LoadedScorer
    private let rowOfItem: [Int32]
    private let itemOfRow: [Int32]

    init(scorer: any LoadedScorer, catalogue: TrackCatalogue) {
        self.scorer = scorer
        var itemOfRow = [Int32](repeating: -1, count: catalogue.count)
        rowOfItem = scorer.itemIDs.enumerated().map { item, id in
            guard let row = catalogue.row(of: id) else { return -1 }
            itemOfRow[Int(row)] = Int32(item)
            return row
        }
        self.itemOfRow = itemOfRow
    }

    var handle: OpaquePointer { OpaquePointer(Unmanaged.passUnretained(self).toOpaque()) }

    static func from(_ handle: OpaquePointer?) -> PluginSource? {
        handle.map { Unmanaged<PluginSource>.fromOpaque(UnsafeRawPointer($0)).takeUnretainedValue() }
    }

    private func listener(_ listener: UnsafePointer<earshot_listener>?) -> Listener {
        guard let listener = listener?.pointee else { return Listener(user: nil, history: []) }
        var history: [WeightedItem] = []
        for index in 0..<Int(max(0, listener.history_count)) {
            let row = Int(listener.history_items[index])
            guard row >= 0, row < itemOfRow.count, itemOfRow[row] >= 0 else { continue }
            history.append(WeightedItem(item: itemOfRow[row], weight: listener.history_weights?[index] ?? 1))
        }
        return Listener(user: listener.user.map { String(cString: $0) }, history: history)
    }

    func recommend(
        _ request: UnsafePointer<earshot_listener>?, exclusion rows: UnsafePointer<UInt64>?,
        into result: UnsafeMutablePointer<earshot_result>
    ) -> earshot_status {
        var exclusion = ItemExclusion(count: rowOfItem.count)
        for (item, row) in rowOfItem.enumerated() {
            if row < 0 {
                exclusion.exclude(Int32(item))
            } else if let rows, rows[Int(row) >> 6] & (1 << UInt64(row & 63)) != 0 {
                exclusion.exclude(Int32(item))
            }
        }
        let k = Int(result.pointee.capacity)
        guard k > 0 else {
            result.pointee.count = 0
            return earshot_status(EARSHOT_OK)
        }
        do {
            let items = try scorer.recommend(for: listener(request), k: k, excluding: exclusion)
            for (index, scored) in items.prefix(k).enumerated() {
                result.pointee.items[index] = rowOfItem[Int(scored.item)]
                result.pointee.scores[index] = scored.score
            }
            result.pointee.count = Int32(min(k, items.count))
            result.pointee.status = earshot_status(EARSHOT_OK)
        } catch {
            result.pointee.count = 0
            result.pointee.status = HostAPI.status(of: error)
            HostAPI.write(HostAPI.text(of: error), into: &result.pointee.error)
        }
        return result.pointee.status
    }

    func score(
        _ request: UnsafePointer<earshot_listener>?, rows: UnsafePointer<Int32>?, count: Int,
        into scores: UnsafeMutablePointer<Float>?, error: UnsafeMutablePointer<earshot_error>?
    ) -> earshot_status {
        guard count > 0 else { return earshot_status(EARSHOT_OK) }
        guard let rows, let scores else { return earshot_status(EARSHOT_FAILED) }
        let wanted = (0..<count).map { Int(rows[$0]) }
        let known = wanted.compactMap { row -> Int32? in
            guard row >= 0, row < itemOfRow.count, itemOfRow[row] >= 0 else { return nil }
            return itemOfRow[row]
        }
        do {
            var values = try scorer.score(known, for: listener(request)).makeIterator()
            for (index, row) in wanted.enumerated() {
                let isKnown = row >= 0 && row < itemOfRow.count && itemOfRow[row] >= 0
                scores[index] = isKnown ? (values.next() ?? .nan) : .nan
            }
            return earshot_status(EARSHOT_OK)
        } catch let failure {
            if let error { HostAPI.write(HostAPI.text(of: failure), into: error) }
            return HostAPI.status(of: failure)
        }
    }
}
