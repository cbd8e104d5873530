import EarshotSnapshot
import EarshotTraining

/// A failure of the command: printed as one line `earshot: …`, exit status 1.
struct CLIError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }

    /// Runs `body`; the training and snapshot errors it throws (each a message
    /// saying what to do next) leave as `CLIError`s with their words.
    static func reporting<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as TrainingError {
            throw CLIError(error.description)
        } catch let error as SnapshotWriteError {
            throw CLIError(error.description)
        } catch let error as SnapshotError {
            throw CLIError(error.description)
        }
    }
}
