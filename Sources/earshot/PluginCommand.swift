import ArgumentParser
import EarshotPlugins

/// `earshot plugin check FILE`: opens a scorer plugin the way the daemon
/// does, outside it, and says what it is or why it cannot load.
struct PluginCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plugin",
        abstract: "Scorer plugins (shared libraries implementing include/earshot/scorer.h).",
        subcommands: [PluginCheckCommand.self, PluginBenchCommand.self])
}

struct PluginCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Open a plugin file as earshotd would and print its name, version and ABI, or why it cannot load.",
        discussion: "Exits 0 when the daemon could load it, 1 otherwise. Runs the plugin's earshot_scorer_init.")

    @Argument(help: ArgumentHelp("The plugin's shared library.", valueName: "FILE"))
    var file: String

    func run() throws {
        let library: PluginLibrary
        do {
            library = try PluginLibrary.open(file)
        } catch {
            print("cannot load: \(error.description)")
            throw ExitCode.failure
        }
        print("name: \(library.name)")
        print("version: \(library.version)")
        print("abi: \(library.abi) (this earshot: \(PluginLibrary.hostABI))")
        print("summary: \(library.summary)")
        print("path: \(library.path)")
    }
}
