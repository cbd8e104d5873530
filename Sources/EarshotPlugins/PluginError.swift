/// Why a plugin file cannot be used: one line naming the file and saying
/// what to do next, shown by `scorers`, `info`, the log and `earshot plugin check`.
public struct PluginError: Error, Sendable, CustomStringConvertible, Equatable {
    private enum Code: Sendable, Equatable {
        case unreadable, unsafePermissions, notAPlugin, abiMismatch, initFailed, badDescriptor, duplicate
    }

    private let code: Code
    public let description: String

    private init(_ code: Code, _ description: String) {
        self.code = code
        self.description = description
    }

    static func unreadable(_ path: String, _ why: String) -> PluginError {
        PluginError(.unreadable, "\(path): cannot open: \(why)")
    }

    static func unsafePermissions(_ path: String, mode: UInt32) -> PluginError {
        PluginError(
            .unsafePermissions,
            "\(path): refused: group- or world-writable (mode \(String(mode & 0o777, radix: 8))); run chmod go-w on it")
    }

    static func notAPlugin(_ path: String, _ why: String) -> PluginError {
        PluginError(.notAPlugin, "\(path): not an earshot scorer plugin: \(why)")
    }

    static func abiMismatch(_ path: String, plugin: String, host: String) -> PluginError {
        PluginError(
            .abiMismatch,
            "\(path): built against scorer ABI \(plugin), this daemon has ABI \(host); rebuild the plugin against this daemon's include/earshot/scorer.h")
    }

    static func initFailed(_ path: String, _ why: String) -> PluginError {
        PluginError(.initFailed, "\(path): earshot_scorer_init failed: \(why)")
    }

    static func badDescriptor(_ path: String, _ why: String) -> PluginError {
        PluginError(.badDescriptor, "\(path): bad descriptor: \(why)")
    }

    static func duplicate(_ path: String, name: String, other: String) -> PluginError {
        PluginError(.duplicate, "\(path): a scorer named \(name) is already loaded (from \(other)); list each plugin once")
    }
}
