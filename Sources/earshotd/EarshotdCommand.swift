import ArgumentParser
import Artists
import Blend
import ContentSimilarity
import EarshotScoring
import EarshotServer
import EarshotSystemd
import Foundation
import Logging
import MatrixFactorization
import Popular
import TwoTower

#if canImport(Glibc)
    import Glibc
#endif

/// `earshotd`: parses flags, reads the config, runs the daemon.
@main
struct EarshotdCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "earshotd",
        abstract: "Earshot music recommendation daemon (newline-delimited JSON on a Unix socket).",
        version: EarshotDaemon.version)

    @Option(help: "Config file (TOML). Default: /etc/earshot/earshot.toml as root, else $XDG_CONFIG_HOME/earshot/earshot.toml, if present.")
    var config: String?

    @Option(help: "Unix socket path (ignored under socket activation).")
    var socket: String?

    @Option(help: "SQLite catalogue database.")
    var catalogue: String?

    @Option(help: "Snapshot directory (usually a 'current' symlink).")
    var snapshot: String?

    @Option(help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: String?

    func run() async throws {
        let flags = Flags(config: config, socket: socket, catalogue: catalogue, snapshot: snapshot, logLevel: logLevel)
        let initial: DaemonConfiguration
        do {
            initial = try flags.resolve()
        } catch {
            FileHandle.standardError.write(Data("earshotd: \(error)\n".utf8))
            throw ExitCode(78)  // EX_CONFIG
        }
        let level = initial.logLevel
        LoggingSystem.bootstrap { JournalLogHandler(label: $0, level: level) }
        let logger = Logger(label: "earshotd")
        do {
            try await EarshotDaemon.run(configuration: { () throws(ConfigurationError) in try flags.resolve() },
                registry: ScorerRegistry([
                    ContentSimilarityPlugin.self, MatrixFactorizationPlugin.self, TwoTowerPlugin.self, PopularPlugin.self,
                    ArtistsPlugin.self,
                    // Last: a blend reaches the scorers loaded before it.
                    BlendPlugin.self,
                ]), logger: logger)
        } catch {
            logger.critical("earshotd cannot run: \(error)")
            throw ExitCode.failure
        }
    }
}

/// Flags override the config file, which overrides the defaults; resolved
/// anew on every reload so config edits take effect.
struct Flags: Sendable {
    let config: String?
    let socket: String?
    let catalogue: String?
    let snapshot: String?
    let logLevel: String?

    func resolve() throws(ConfigurationError) -> DaemonConfiguration {
        let environment = ProcessInfo.processInfo.environment
        let isRoot = getuid() == 0
        var configuration = DaemonConfiguration.defaults(environment: environment, isRoot: isRoot)
        let path = config ?? DaemonConfiguration.defaultConfigFile(environment: environment, isRoot: isRoot)
        if config != nil || FileManager.default.fileExists(atPath: path) {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw ConfigurationError("cannot read config file \(path)")
            }
            try configuration.apply(configText: text, from: path)
        }
        if let socket { configuration.socketPath = socket }
        if let catalogue { configuration.cataloguePath = catalogue }
        if let snapshot { configuration.snapshotPath = snapshot }
        if let logLevel { configuration.logLevel = try DaemonConfiguration.parseLevel(logLevel, source: "--log-level") }
        return configuration
    }
}
