import CEarshotScorer
import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A scorer plugin file, opened and checked (docs/PLUGINS.md, "Loading").
///
/// Each file is opened once per process with `dlopen(RTLD_NOW | RTLD_LOCAL)`
/// and never closed: a request may still be running its code, and runtimes
/// it links (Swift, C++) register state that `dlclose` cannot take back.
/// A new version of a plugin is a new file, loaded beside the old one.
// @unchecked Sendable: every stored property is a `let` set before the
// library is published; the descriptor's strings are static and its
// function pointers never change (scorer.h, "OWNERSHIP AND LIFETIMES").
public final class PluginLibrary: @unchecked Sendable {
    /// The file as resolved (symlinks followed).
    public let path: String
    public let name: String
    public let version: String
    public let summary: String
    public let abiMajor: UInt32
    public let abiMinor: UInt32
    let descriptor: earshot_scorer_descriptor
    let host: PluginHost

    /// "1.0": this daemon's ABI version.
    public static let hostABI = "\(EARSHOT_ABI_MAJOR).\(EARSHOT_ABI_MINOR)"

    public var abi: String { "\(abiMajor).\(abiMinor)" }

    private init(
        path: String, descriptor: earshot_scorer_descriptor, host: PluginHost, name: String, version: String,
        summary: String
    ) {
        self.path = path
        self.descriptor = descriptor
        self.host = host
        self.name = name
        self.version = version
        self.summary = summary
        abiMajor = descriptor.abi_major
        abiMinor = descriptor.abi_minor
    }

    /// Files opened so far, by resolved path: each is opened (and its
    /// `earshot_scorer_init` run) once per process.
    private static let opened = Mutex<[String: PluginLibrary]>([:])

    /// Opens and checks the plugin at `path`, or explains why it cannot be used.
    public static func open(_ path: String) throws(PluginError) -> PluginLibrary {
        var status = stat()
        guard stat(path, &status) == 0 else { throw .unreadable(path, String(cString: strerror(errno))) }
        guard status.st_mode & 0o170000 == 0o100000 else { throw .unreadable(path, "not a regular file") }
        // As sshd refuses such keys: anyone who may write the file may run code as the daemon.
        guard status.st_mode & 0o022 == 0 else { throw .unsafePermissions(path, mode: status.st_mode) }
        guard let resolvedC = realpath(path, nil) else { throw .unreadable(path, String(cString: strerror(errno))) }
        let resolved = String(cString: resolvedC)
        free(resolvedC)
        return try opened.withLock { (opened) throws(PluginError) -> PluginLibrary in
            if let library = opened[resolved] { return library }
            let library = try load(resolved, shownAs: path)
            opened[resolved] = library
            return library
        }
    }

    private static func load(_ path: String, shownAs shown: String) throws(PluginError) -> PluginLibrary {
        guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else {
            throw .notAPlugin(shown, dlerror().map { String(cString: $0) } ?? "dlopen failed")
        }
        // The version check comes before any other code of the plugin runs.
        guard let abiSymbol = dlsym(handle, EARSHOT_SCORER_ABI_SYMBOL) else {
            throw .notAPlugin(shown, "it exports no \(EARSHOT_SCORER_ABI_SYMBOL) (define it with EARSHOT_SCORER_ABI_DEFINE())")
        }
        let abiVersion = unsafeBitCast(abiSymbol, to: earshot_scorer_abi_fn.self)()
        let major = abiVersion >> 16
        let minor = abiVersion & 0xffff
        guard major == UInt32(EARSHOT_ABI_MAJOR), minor <= UInt32(EARSHOT_ABI_MINOR) else {
            throw .abiMismatch(shown, plugin: "\(major).\(minor)", host: hostABI)
        }
        guard let initSymbol = dlsym(handle, EARSHOT_SCORER_INIT_SYMBOL) else {
            throw .notAPlugin(shown, "it exports no \(EARSHOT_SCORER_INIT_SYMBOL)")
        }
        let host = PluginHost(path: shown)
        var descriptor = earshot_scorer_descriptor()
        descriptor.struct_size = UInt32(MemoryLayout<earshot_scorer_descriptor>.size)
        var error = earshot_error()
        let status = unsafeBitCast(initSymbol, to: earshot_scorer_init_fn.self)(HostAPI.table, &descriptor, &error)
        guard status == earshot_status(EARSHOT_OK) else { throw .initFailed(shown, error.message(or: "status \(status)")) }
        guard descriptor.abi_major == major, descriptor.abi_minor == minor else {
            throw .badDescriptor(
                shown,
                "abi \(descriptor.abi_major).\(descriptor.abi_minor) differs from earshot_scorer_abi() \(major).\(minor)")
        }
        guard let namePointer = descriptor.name else { throw .badDescriptor(shown, "no name") }
        let name = String(cString: namePointer)
        guard !name.isEmpty, name.utf8.allSatisfy({ Self.nameBytes.contains($0) }) else {
            throw .badDescriptor(shown, "name \"\(name)\" must be lowercase letters, digits and '-'")
        }
        guard descriptor.load != nil, descriptor.free_model != nil, descriptor.recommend != nil,
            descriptor.score != nil
        else {
            throw .badDescriptor(shown, "load, free_model, recommend and score are required")
        }
        host.named(name)
        return PluginLibrary(
            path: path, descriptor: descriptor, host: host, name: name,
            version: descriptor.version.map { String(cString: $0) } ?? "",
            summary: descriptor.summary.map { String(cString: $0) } ?? "")
    }

    private static let nameBytes = Set(Array("abcdefghijklmnopqrstuvwxyz0123456789-".utf8))
}

extension earshot_error {
    /// The text a plugin wrote, or `fallback` when it wrote none.
    func message(or fallback: String) -> String {
        var copy = self
        let text = withUnsafeBytes(of: &copy.text) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        return text.isEmpty ? fallback : text
    }
}
