import CEarshotScorer
import EarshotScoring

#if canImport(Glibc)
    import Glibc
#endif

/// The host API table every plugin gets (`earshot_host_api`), and the
/// conversions between the ABI's statuses and `ScoringError`.
enum HostAPI {
    /// One table for the process: its functions find their state through
    /// the handles they are given.
    nonisolated(unsafe) static let table: UnsafePointer<earshot_host_api> = {
        let table = UnsafeMutablePointer<earshot_host_api>.allocate(capacity: 1)
        var api = earshot_host_api()
        api.struct_size = UInt32(MemoryLayout<earshot_host_api>.size)
        api.abi_major = UInt32(EARSHOT_ABI_MAJOR)
        api.abi_minor = UInt32(EARSHOT_ABI_MINOR)
        api.host_version = UnsafePointer(strdup("earshot"))
        api.log = { host, level, message in
            guard let message else { return }
            PluginHost.from(host)?.log(level: level, String(cString: message))
        }
        api.catalogue = { context in
            PluginLoadContext.from(context).map { UnsafePointer($0.catalogue.pointer) }
        }
        api.catalogue_row = { catalogue, id in
            guard let id, let view = PluginCatalogue.from(catalogue) else { return -1 }
            return view.catalogue.row(of: String(cString: id)) ?? -1
        }
        api.part_folder = { context in PluginLoadContext.from(context)?.partFolder }
        api.part_tensor = { context, stem, tensor, errorOut in
            guard let load = PluginLoadContext.from(context), let stem, let tensor else {
                return earshot_status(EARSHOT_FAILED)
            }
            do {
                tensor.pointee = try load.tensor(String(cString: stem))
                return earshot_status(EARSHOT_OK)
            } catch {
                if let errorOut { HostAPI.write((error as? PluginTensorError)?.message ?? "\(error)", into: errorOut) }
                return earshot_status(EARSHOT_NOT_READY)
            }
        }
        api.setting = { context, key in
            guard let key else { return nil }
            return PluginLoadContext.from(context)?.setting(String(cString: key))
        }
        api.collector_offer = { collector, item, score in ResultCollector.from(collector).offer(item: item, score: score) }
        api.collector_finish = { collector in ResultCollector.from(collector).finish() }
        api.source = { context, name, error in
            guard let load = PluginLoadContext.from(context), let name else { return nil }
            let wanted = String(cString: name)
            guard let source = load.source(named: wanted) else {
                if let error {
                    HostAPI.write("no ready scorer named \(wanted) was loaded before this one", into: error)
                }
                return nil
            }
            return source.handle
        }
        api.source_recommend = { source, listener, exclusion, result in
            guard let source = PluginSource.from(source), let result else { return earshot_status(EARSHOT_FAILED) }
            return source.recommend(listener, exclusion: exclusion, into: result)
        }
        api.source_score = { source, listener, rows, count, scores, error in
            guard let source = PluginSource.from(source) else { return earshot_status(EARSHOT_FAILED) }
            return source.score(listener, rows: rows, count: Int(count), into: scores, error: error)
        }
        table.initialize(to: api)
        return UnsafePointer(table)
    }()

    static func write(_ text: String, into error: UnsafeMutablePointer<earshot_error>) {
        withUnsafeMutableBytes(of: &error.pointee.text) { raw in
            let bytes = Array(text.utf8.prefix(raw.count - 1))
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
    }

    static func write(_ text: String, into error: inout earshot_error) {
        withUnsafeMutablePointer(to: &error) { write(text, into: $0) }
    }

    static func status(of error: ScoringError) -> earshot_status {
        switch error {
        case .unknownUser: earshot_status(EARSHOT_UNKNOWN_USER)
        case .noKnownItems: earshot_status(EARSHOT_NO_KNOWN_ITEMS)
        case .scorerFailed: earshot_status(EARSHOT_FAILED)
        }
    }

    static func text(of error: ScoringError) -> String {
        switch error {
        case .unknownUser(let user): "user \(user) is unknown to the source and no history was given"
        case .noKnownItems: "no history item is known to the source"
        case .scorerFailed(let why): why
        }
    }

    /// The `ScoringError` for a plugin's failed answer.
    static func scoringError(_ status: earshot_status, error: earshot_error, user: String?) -> ScoringError {
        switch Int(status) {
        case Int(EARSHOT_UNKNOWN_USER): .unknownUser(user ?? "")
        case Int(EARSHOT_NO_KNOWN_ITEMS): .noKnownItems
        default: .scorerFailed(error.message(or: "the plugin failed with status \(status)"))
        }
    }
}
