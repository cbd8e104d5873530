import ArgumentParser
import EarshotCatalogue
import Foundation

/// `earshot forget --db DB --user U`: deletes a user's listens, interactions
/// and user row from the catalogue, and records when, so that a daemon that
/// reloads stops using what older models learnt of the user.
struct ForgetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "forget",
        abstract: "Delete everything the catalogue stores about a user.",
        discussion: """
            Deletes the user's listens and imported interactions in one transaction; the next training leaves \
            them out. A running daemon stops using them at its next reload (`systemctl reload earshot`); \
            the daemon's own `{"op":"forget","user":U}` takes effect at once.
            """)

    @Option(help: ArgumentHelp("The catalogue database.", valueName: "DB"))
    var db: String

    @Option(help: ArgumentHelp("The user to forget.", valueName: "NAME"))
    var user: String

    func run() throws {
        let summary: ForgetSummary
        do {
            summary = try CatalogueStore.open(path: db, create: false).forget(user: user)
        } catch {
            FileHandle.standardError.write(Data("earshot: \(error)\n".utf8))
            throw ExitCode.failure
        }
        FileHandle.standardError.write(Data(
            "\(user): \(summary.listens) listens and \(summary.interactions) interactions deleted\n".utf8))
        print(#"{"interactions":\#(summary.interactions),"listens":\#(summary.listens)}"#)
    }
}
