import EarshotScoring

/// The blend's items: the union of its sources' items by id (the first
/// source's order first), with each source's index of every blend item and
/// back, so listeners, exclusions and results cross between them.
struct BlendItemSpace: Sendable {
    let ids: IDList
    let rowOfID: [String: Int32]
    /// Per source: blend item → source item, -1 where the source lacks it.
    let toSource: [[Int32]]
    /// Per source: source item → blend item.
    let fromSource: [[Int32]]
    /// Per source: whether its items are the blend's, in the same order (as
    /// for scorers over one catalogue), so exclusions pass through as they are.
    let isIdentity: [Bool]

    init(sources: [any LoadedScorer]) {
        var ids: [String] = []
        var rowOfID: [String: Int32] = [:]
        var fromSource: [[Int32]] = []
        for source in sources {
            fromSource.append(source.itemIDs.map { id in
                if let row = rowOfID[id] { return row }
                let row = Int32(ids.count)
                rowOfID[id] = row
                ids.append(id)
                return row
            })
        }
        toSource = fromSource.map { map in
            var inverse = [Int32](repeating: -1, count: ids.count)
            for (sourceItem, item) in map.enumerated() { inverse[Int(item)] = Int32(sourceItem) }
            return inverse
        }
        self.ids = IDList(ids)
        self.rowOfID = rowOfID
        self.fromSource = fromSource
        isIdentity = fromSource.map { map in
            map.count == ids.count && map.enumerated().allSatisfy { Int32($0.offset) == $0.element }
        }
    }

    /// `listener` as source `s` sees it: only the history items it knows.
    func listener(_ listener: Listener, forSource s: Int) -> Listener {
        let map = toSource[s]
        let history = listener.history.compactMap { entry -> WeightedItem? in
            let item = map[Int(entry.item)]
            return item < 0 ? nil : WeightedItem(item: item, weight: entry.weight)
        }
        return Listener(user: listener.user, history: history)
    }

    /// `exclusion` in source `s`'s item space (one pass over the source's
    /// items, none when they are the blend's).
    func exclusion(_ exclusion: ItemExclusion, forSource s: Int) -> ItemExclusion {
        if isIdentity[s] { return exclusion }
        let map = fromSource[s]
        var result = ItemExclusion(count: map.count)
        for (sourceItem, item) in map.enumerated() where exclusion.contains(item) { result.exclude(Int32(sourceItem)) }
        return result
    }
}
