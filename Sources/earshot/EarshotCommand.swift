import ArgumentParser

/// `earshot`: the command-line tool.
@main
struct EarshotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "earshot",
        abstract: "Import music data, query and manage the Earshot daemon.",
        version: "0.1.0",
        subcommands: [
            ImportCommand.self, QueryCommand.self, RecommendCommand.self, SimilarCommand.self, SearchCommand.self,
            SnapshotCommand.self, BenchCommand.self, TrainCommand.self, EvalCommand.self, DemoCommand.self,
            PluginCommand.self,
            ForgetCommand.self,
            ExportCommand.self,
            RetrainCommand.self, MetricsCommand.self,
        ])
}

struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import catalogues and listening histories into the SQLite catalogue.",
        subcommands: [ImportCatalogueCommand.self, ImportHistoryCommand.self, ImportInteractionsCommand.self])
}
