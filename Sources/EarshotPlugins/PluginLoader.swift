import EarshotScoring
import Foundation

/// One configured plugin file and what became of it, for `scorers`, `info` and the log.
public struct PluginReport: Sendable, Equatable {
    /// The file as configured.
    public let path: String
    /// The scorer it provides, when it could be opened.
    public let name: String?
    public let version: String?
    public let abi: String?
    /// Why it is not serving; `nil` when its scorer was added.
    public let error: String?
}

/// Adds the plugin files of a configuration to a registry.
public enum PluginLoader {
    /// The files to load: `paths` in order, then the `*.so` files of `folder`, sorted.
    public static func files(paths: [String], folder: String?) -> [String] {
        var files = paths
        if let folder, let names = try? FileManager.default.contentsOfDirectory(atPath: folder) {
            files += names.filter { $0.hasSuffix(".so") }.sorted().map { folder + "/" + $0 }
        }
        return files
    }

    /// `registry` with a scorer for every file that opens and passes its
    /// checks; a file that does not, or whose scorer name is taken, is
    /// reported and left out: every other scorer keeps serving.
    public static func register(
        _ files: [String], in registry: ScorerRegistry
    ) -> (registry: ScorerRegistry, reports: [PluginReport]) {
        var registry = registry
        var reports: [PluginReport] = []
        for file in files {
            let library: PluginLibrary
            do {
                library = try PluginLibrary.open(file)
            } catch {
                reports.append(PluginReport(path: file, name: nil, version: nil, abi: nil, error: error.description))
                continue
            }
            let factory = ScorerFactory(
                name: library.name, summary: library.summary, version: library.version, origin: file
            ) { (context) throws(ScorerLoadError) -> any LoadedScorer in
                try PluginScorer.load(library, context: context)
            }
            guard let added = registry.adding(factory) else {
                let other = registry.scorer(named: library.name)?.origin ?? "the daemon's built-in scorers"
                reports.append(
                    PluginReport(
                        path: file, name: library.name, version: library.version, abi: library.abi,
                        error: PluginError.duplicate(file, name: library.name, other: other).description))
                continue
            }
            registry = added
            reports.append(PluginReport(path: file, name: library.name, version: library.version, abi: library.abi, error: nil))
        }
        return (registry, reports)
    }
}
