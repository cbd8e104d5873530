import CEarshotScorer
import EarshotScoring
import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// What one `load` call of a plugin may read (`earshot_load_context`), and
/// what its model keeps: the catalogue view, mapped tensors and sources
/// live until the model is freed.
// @unchecked Sendable: the C strings are written in `init` and only read
// after; tensors and sources are behind a Mutex.
final class PluginLoadContext: @unchecked Sendable {
    let catalogue: PluginCatalogue
    private let folder: UnsafeMutablePointer<CChar>?
    private let folderPath: String?
    private let settings: [String: UnsafeMutablePointer<CChar>]
    private let sources: ScorerSources
    /// Mapped tensors (address, length) and sources, kept for the model.
    private let kept = Mutex<(mappings: [(address: UInt, length: Int)], sources: [PluginSource])>(([], []))

    init(_ context: ScorerLoadContext, partFolder: String?) {
        catalogue = PluginCatalogue.of(context.catalogue)
        folderPath = partFolder
        folder = partFolder.map { strdup($0) }
        settings = context.settings.mapValues { strdup($0) }
        sources = context.sources
    }

    deinit {
        free(folder)
        for value in settings.values { free(value) }
        for mapping in kept.withLock({ $0.mappings }) {
            munmap(UnsafeMutableRawPointer(bitPattern: mapping.address), mapping.length)
        }
    }

    var handle: OpaquePointer { OpaquePointer(Unmanaged.passUnretained(self).toOpaque()) }

    static func from(_ handle: OpaquePointer?) -> PluginLoadContext? {
        handle.map { Unmanaged<PluginLoadContext>.fromOpaque(UnsafeRawPointer($0)).takeUnretainedValue() }
    }

    var partFolder: UnsafePointer<CChar>? { folder.map { UnsafePointer($0) } }

    func setting(_ key: String) -> UnsafePointer<CChar>? { settings[key].map { UnsafePointer($0) } }

    /// Maps `<part>/<stem>.npy` read-only and describes it; the mapping
    /// lives as long as this context (the model's lifetime).
    func tensor(_ stem: String) throws(PluginTensorError) -> earshot_tensor {
        guard let folderPath else { throw PluginTensorError("the snapshot has no part for this scorer") }
        guard !stem.contains("/"), !stem.isEmpty else { throw PluginTensorError("bad tensor name \"\(stem)\"") }
        let file = folderPath + "/" + stem + ".npy"
        let descriptor = open(file, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw PluginTensorError("\(file) cannot be opened: \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0, status.st_size > 0 else { throw PluginTensorError("\(file) is empty") }
        let length = Int(status.st_size)
        guard let address = mmap(nil, length, PROT_READ, MAP_PRIVATE, descriptor, 0),
            address != UnsafeMutableRawPointer(bitPattern: -1)
        else {
            throw PluginTensorError("\(file) cannot be mapped: \(String(cString: strerror(errno)))")
        }
        let mapping = UnsafeRawBufferPointer(start: address, count: length)
        do {
            let tensor = try MappedNPY.describe(mapping, file: file)
            kept.withLock { $0.mappings.append((UInt(bitPattern: address), length)) }
            return tensor
        } catch {
            munmap(address, length)
            throw error
        }
    }

    /// A source scorer by name, kept alive with this context.
    func source(named name: String) -> PluginSource? {
        guard let scorer = sources.scorer(named: name) else { return nil }
        let source = PluginSource(scorer: scorer, catalogue: catalogue.catalogue)
        kept.withLock { $0.sources.append(source) }
        return source
    }
}

struct PluginTensorError: Error {
    let message: String
    init(_ message: String) { self.message = message }
}
