import EarshotProtocol
import Foundation
import Logging

/// Everything `earshotd` is configured with: built-in defaults, overridden
/// by the config file, overridden by command-line flags.
public struct DaemonConfiguration: Sendable, Equatable {
    /// Where the socket is created (ignored under socket activation).
    public var socketPath: String
    /// Permission bits of a socket the daemon creates.
    public var socketMode: UInt16 = 0o660
    /// Group owning the socket, when set.
    public var socketGroup: String?
    public var cataloguePath: String
    public var snapshotPath: String
    public var logLevel: Logger.Level = .info
    public var limits = ProtocolLimits()
    /// Connections beyond this are answered `overloaded` and closed.
    public var maxConnections = 1024
    /// Threads for blocking work (SQLite).
    public var blockingThreads = 2
    /// Seconds to let requests in flight finish after SIGTERM.
    public var shutdownGraceSeconds = 10.0
    /// Seconds without any read or completed write after which a connection is closed; 0 never.
    public var idleTimeoutSeconds = 600.0
    /// Milliseconds a request may wait before its work starts (behind earlier
    /// requests on its connection, or for SQLite); later, it is answered
    /// `timeout` without doing the work. 0 never.
    public var requestTimeoutMilliseconds = 10_000
    /// Scorers to load, by name; empty means all the binary links.
    public var enabledScorers: [String] = []
    /// The scorer `similar` uses when a request names none, and the default `defaultScorer`.
    public static let similarScorer = "content"
    /// The scorer used when a request names none.
    public var defaultScorer = similarScorer
    /// `[scorer.<name>]` tables, values as text.
    public var scorerSettings: [String: [String: String]] = [:]
    /// Scorer plugin files to load (`[scorers] plugins`), absolute.
    public var pluginPaths: [String] = []
    /// A folder whose `*.so` files are loaded as plugins too (`[scorers] plugin_dir`).
    public var pluginFolder: String?
    /// `[retrain]`: settings of `earshot retrain` (the daemon only checks them).
    public var retrain = RetrainSettings()

    /// Defaults for a process with the given environment and user id:
    /// systemd's `$RUNTIME_DIRECTORY`/`$STATE_DIRECTORY` when set, else
    /// `/run/earshot` and `/var/lib/earshot` for root, XDG folders otherwise.
    public static func defaults(environment: [String: String], isRoot: Bool) -> DaemonConfiguration {
        var runtime: String
        var state: String
        if isRoot {
            runtime = "/run/earshot"
            state = "/var/lib/earshot"
        } else {
            let home = environment["HOME"] ?? "/tmp"
            runtime = (environment["XDG_RUNTIME_DIR"] ?? "/tmp") + "/earshot"
            state = (environment["XDG_STATE_HOME"] ?? home + "/.local/state") + "/earshot"
        }
        // Under systemd, RuntimeDirectory= and StateDirectory= say where (DynamicUser has no home).
        if let directory = environment["RUNTIME_DIRECTORY"]?.split(separator: ":").first { runtime = String(directory) }
        if let directory = environment["STATE_DIRECTORY"]?.split(separator: ":").first { state = String(directory) }
        return DaemonConfiguration(
            socketPath: runtime + "/earshot.sock",
            cataloguePath: state + "/catalogue.db",
            snapshotPath: state + "/snapshots/current")
    }

    /// The config file read when `--config` is not given, if it exists.
    public static func defaultConfigFile(environment: [String: String], isRoot: Bool) -> String {
        if isRoot { return "/etc/earshot/earshot.toml" }
        let home = environment["HOME"] ?? "/tmp"
        return (environment["XDG_CONFIG_HOME"] ?? home + "/.config") + "/earshot/earshot.toml"
    }

    /// Applies the settings of a config file's text.
    public mutating func apply(configText: String, from path: String) throws(ConfigurationError) {
        let values: [String: TOMLSubset.Value]
        do {
            values = try TOMLSubset.parse(configText)
        } catch {
            throw ConfigurationError("\(path): \(error)")
        }
        var reader = ConfigReader(values: values, path: path)
        if let value = try reader.string("server.socket") { socketPath = value }
        if let value = try reader.string("server.socket_mode") {
            guard let mode = UInt16(value, radix: 8), mode <= 0o777 else {
                throw ConfigurationError("\(path): server.socket_mode must be an octal mode such as \"0660\"")
            }
            socketMode = mode
        }
        if let value = try reader.string("server.socket_group") { socketGroup = value.isEmpty ? nil : value }
        if let value = try reader.integer("server.max_connections", in: 1...1_000_000) { maxConnections = value }
        if let value = try reader.integer("server.blocking_threads", in: 1...64) { blockingThreads = value }
        if let value = try reader.number("server.shutdown_grace_s", in: 0...3600) { shutdownGraceSeconds = value }
        if let value = try reader.number("server.idle_timeout_s", in: 0...86_400) { idleTimeoutSeconds = value }
        if let value = try reader.integer("limits.max_line_bytes", in: 1024...(256 << 20)) { limits.maxLineBytes = value }
        if let value = try reader.integer("limits.max_depth", in: 2...10_000) { limits.maxDepth = value }
        if let value = try reader.integer("limits.max_k", in: 1...100_000) { limits.maxK = value }
        if let value = try reader.integer("limits.max_history", in: 1...1_000_000) { limits.maxHistory = value }
        if let value = try reader.integer("limits.max_tracks", in: 1...1_000_000) { limits.maxTracks = value }
        if let value = try reader.integer("limits.request_timeout_ms", in: 0...3_600_000) { requestTimeoutMilliseconds = value }
        if let value = try reader.string("data.catalogue") { cataloguePath = value }
        if let value = try reader.string("data.snapshot") { snapshotPath = value }
        if let value = try reader.string("log.level") { logLevel = try Self.parseLevel(value, source: "\(path): log.level") }
        if let value = try reader.strings("scorers.enabled") { enabledScorers = value }
        if let value = try reader.string("scorers.default") { defaultScorer = value }
        // Plugin paths relative to the config file's folder.
        let folder = (path as NSString).deletingLastPathComponent
        func absolute(_ file: String) -> String { file.hasPrefix("/") || folder.isEmpty ? file : folder + "/" + file }
        if let value = try reader.strings("scorers.plugins") { pluginPaths = value.map(absolute) }
        if let value = try reader.string("scorers.plugin_dir") { pluginFolder = value.isEmpty ? nil : absolute(value) }
        if let value = try reader.number("retrain.margin", in: 0...1) { retrain.margin = value }
        if let value = try reader.integer("retrain.min_free_mb", in: 0...10_000_000) { retrain.minimumFreeMegabytes = value }
        if let value = try reader.integer("retrain.keep", in: 1...10_000) { retrain.keep = value }
        for (key, value) in values where key.hasPrefix("scorer.") {
            let parts = key.split(separator: ".", maxSplits: 2)
            guard parts.count == 3 else { throw ConfigurationError("\(path): \(key) must be in a [scorer.<name>] table") }
            scorerSettings[String(parts[1]), default: [:]][String(parts[2])] = ConfigReader.text(value)
            reader.used.insert(key)
        }
        if let unknown = values.keys.filter({ !reader.used.contains($0) }).sorted().first {
            throw ConfigurationError("\(path): unknown setting \(unknown) (see config/earshot.toml for every key)")
        }
    }

    public static func parseLevel(_ text: String, source: String) throws(ConfigurationError) -> Logger.Level {
        guard let level = Logger.Level(rawValue: text.lowercased()) else {
            throw ConfigurationError(
                "\(source): unknown log level \"\(text)\"; use one of trace, debug, info, notice, warning, error, critical")
        }
        return level
    }

    /// Settings that only take effect at start: a reload reports a change instead of applying it.
    public func restartOnlyDifferences(from other: DaemonConfiguration) -> [String] {
        var changed: [String] = []
        if socketPath != other.socketPath { changed.append("server.socket") }
        if socketMode != other.socketMode { changed.append("server.socket_mode") }
        if socketGroup != other.socketGroup { changed.append("server.socket_group") }
        if blockingThreads != other.blockingThreads { changed.append("server.blocking_threads") }
        if limits.maxLineBytes != other.limits.maxLineBytes { changed.append("limits.max_line_bytes") }
        if idleTimeoutSeconds != other.idleTimeoutSeconds { changed.append("server.idle_timeout_s") }
        if requestTimeoutMilliseconds != other.requestTimeoutMilliseconds { changed.append("limits.request_timeout_ms") }
        if shutdownGraceSeconds != other.shutdownGraceSeconds { changed.append("server.shutdown_grace_s") }
        if logLevel != other.logLevel { changed.append("log.level") }
        return changed
    }
}

/// A config file or flag that cannot be used; one line naming the setting.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}

private struct ConfigReader {
    let values: [String: TOMLSubset.Value]
    let path: String
    var used: Set<String> = []

    init(values: [String: TOMLSubset.Value], path: String) {
        self.values = values
        self.path = path
    }

    mutating func take(_ key: String) -> TOMLSubset.Value? {
        used.insert(key)
        return values[key]
    }

    mutating func string(_ key: String) throws(ConfigurationError) -> String? {
        guard let value = take(key) else { return nil }
        guard case .string(let string) = value else { throw ConfigurationError("\(path): \(key) must be a string") }
        return string
    }

    mutating func strings(_ key: String) throws(ConfigurationError) -> [String]? {
        guard let value = take(key) else { return nil }
        guard case .array(let elements) = value else { throw ConfigurationError("\(path): \(key) must be an array of strings") }
        var strings: [String] = []
        for element in elements {
            guard case .string(let string) = element else { throw ConfigurationError("\(path): \(key) must be an array of strings") }
            strings.append(string)
        }
        return strings
    }

    mutating func integer(_ key: String, in range: ClosedRange<Int>) throws(ConfigurationError) -> Int? {
        guard let value = take(key) else { return nil }
        guard case .integer(let integer) = value, range.contains(integer) else {
            throw ConfigurationError("\(path): \(key) must be an integer from \(range.lowerBound) to \(range.upperBound)")
        }
        return integer
    }

    mutating func number(_ key: String, in range: ClosedRange<Double>) throws(ConfigurationError) -> Double? {
        guard let value = take(key) else { return nil }
        let number: Double
        switch value {
        case .integer(let integer): number = Double(integer)
        case .float(let float): number = float
        default: throw ConfigurationError("\(path): \(key) must be a number")
        }
        guard range.contains(number) else {
            throw ConfigurationError("\(path): \(key) must be from \(range.lowerBound) to \(range.upperBound)")
        }
        return number
    }

    static func text(_ value: TOMLSubset.Value) -> String {
        switch value {
        case .string(let string): string
        case .integer(let integer): String(integer)
        case .float(let float): String(float)
        case .bool(let flag): String(flag)
        case .array(let elements): elements.map(text).joined(separator: ",")
        }
    }
}
