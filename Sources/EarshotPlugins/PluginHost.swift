import CEarshotScorer
import Logging
import Synchronization

/// The host's side of one plugin file: what `earshot_host *` points at.
/// Lives as long as the process, like the library it serves.
final class PluginHost: Sendable {
    let path: String
    private let label: Mutex<String>
    private let logger = Logger(label: "earshotd.plugin")

    init(path: String) {
        self.path = path
        label = Mutex(path)
    }

    /// Log lines carry the scorer's name once `earshot_scorer_init` gave it.
    func named(_ name: String) { label.withLock { $0 = name } }

    func log(level: Int32, _ message: String) {
        let level: Logger.Level =
            switch level {
            case ..<Int32(EARSHOT_LOG_INFO): .debug
            case Int32(EARSHOT_LOG_INFO): .info
            case Int32(EARSHOT_LOG_NOTICE): .notice
            case Int32(EARSHOT_LOG_WARNING): .warning
            default: .error
            }
        logger.log(level: level, "\(message)", metadata: ["plugin": "\(label.withLock { $0 })"])
    }

    /// The `earshot_host *` handed to the plugin. Valid for the process's
    /// life: its library, which is never closed, holds this host.
    var handle: OpaquePointer { OpaquePointer(Unmanaged.passUnretained(self).toOpaque()) }

    static func from(_ handle: OpaquePointer?) -> PluginHost? {
        handle.map { Unmanaged<PluginHost>.fromOpaque(UnsafeRawPointer($0)).takeUnretainedValue() }
    }
}
