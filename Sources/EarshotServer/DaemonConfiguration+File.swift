import Foundation

#if canImport(Glibc)
    import Glibc
#endif

extension DaemonConfiguration {
    /// The defaults with the config file applied, the way `earshotd` reads
    /// them: `file`, or the default config file when it exists. For the
    /// commands that must agree with the daemon on its paths (`earshot
    /// retrain`, `snapshot gc/list/rollback`, `metrics`).
    public static func load(
        file: String?, environment: [String: String] = ProcessInfo.processInfo.environment, isRoot: Bool = geteuid() == 0
    ) throws(ConfigurationError) -> DaemonConfiguration {
        var configuration = defaults(environment: environment, isRoot: isRoot)
        let path = file ?? defaultConfigFile(environment: environment, isRoot: isRoot)
        guard file != nil || FileManager.default.fileExists(atPath: path) else { return configuration }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ConfigurationError("cannot read config file \(path)")
        }
        try configuration.apply(configText: text, from: path)
        return configuration
    }
}
