import ArgumentParser
import EarshotServer

/// `--config FILE`: the daemon's config file, for the commands that find the
/// catalogue, the snapshot folder and the socket where `earshotd` does.
struct DaemonConfigOption: ParsableArguments {
    @Option(help: ArgumentHelp(
        "The daemon's config file (default: /etc/earshot/earshot.toml as root, else $XDG_CONFIG_HOME/earshot/earshot.toml, when it exists).",
        valueName: "FILE"))
    var config: String?

    func load() throws -> DaemonConfiguration {
        do {
            return try DaemonConfiguration.load(file: config)
        } catch {
            throw CLIError(error.description)
        }
    }
}
