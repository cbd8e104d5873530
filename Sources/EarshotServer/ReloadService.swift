import EarshotSystemd
import Logging
import NIOPosix
import ServiceLifecycle
import UnixSignals

/// Performs reloads: re-reads the config, builds a new state off the I/O
/// threads, swaps it in whole; on failure keeps the old one and says why in
/// `info`, the log and the systemd status.
struct ReloadService: Service {
    let queue: ReloadQueue
    /// Created before READY=1, so SIGHUP never hits the default (fatal) action.
    let hangups: UnixSignalsSequence
    let states: StateStore
    let loader: StateLoader
    let configuration: @Sendable () throws(ConfigurationError) -> DaemonConfiguration
    /// The thread states are built on (one of its own: see `EarshotDaemon`).
    let threadPool: NIOThreadPool
    let notifier: SystemdNotifier
    let logger: Logger

    func run() async throws {
        await withDiscardingTaskGroup { group in
            group.addTask {
                for await _ in hangups.cancelOnGracefulShutdown() {
                    queue.signalReload(reason: "SIGHUP")
                }
            }
            await withGracefulShutdownHandler {
                for await _ in queue.wakeups {
                    let batch = queue.takeAll()
                    guard !batch.isEmpty else { continue }
                    let reasons = Set(batch.map(\.reason)).sorted().joined(separator: ", ")
                    let result = await reload(reason: reasons)
                    for request in batch { request.reply?.resume(returning: result) }
                }
            } onGracefulShutdown: {
                queue.finish()
            }
        }
    }

    func reload(reason: String) async -> Result<ServingState, ReloadError> {
        notifier.reloading(status: "reloading (\(reason))")
        logger.info("reload started", metadata: ["reason": "\(reason)"])
        let previous = states.current
        let result: Result<ServingState, ReloadError>
        do {
            result = try await threadPool.runIfActive { [configuration, loader, logger] in
                Result { () throws(ReloadError) -> ServingState in
                    ReleasedMemory.returnToSystem()
                    let newConfiguration: DaemonConfiguration
                    do {
                        newConfiguration = try configuration()
                    } catch {
                        throw ReloadError("\(error)")
                    }
                    return try loader.load(newConfiguration, logger: logger)
                }
            }
        } catch {
            result = .failure(ReloadError("reload could not run: \(error)"))
        }
        switch result {
        case .success(let state):
            for setting in state.configuration.restartOnlyDifferences(from: previous.configuration) {
                logger.warning("setting changed but needs a restart to apply", metadata: ["setting": "\(setting)"])
            }
            states.install(state)
            logger.info("reload finished", metadata: ["status": "\(StatusLine.serving(state))"])
            notifier.ready(status: StatusLine.serving(state))
        case .failure(let error):
            states.recordFailure(error)
            logger.error("reload failed; the previous state keeps serving", metadata: ["error": "\(error)"])
            notifier.ready(status: "reload failed: \(error); still \(StatusLine.serving(previous))")
        }
        return result
    }
}

/// The one-line summaries sent as systemd STATUS=.
enum StatusLine {
    static func serving(_ state: ServingState) -> String {
        let ready = state.scorers.filter { $0.model != nil }.map(\.name)
        let snapshot = state.snapshotStatus.map { "snapshot \($0.id)" } ?? "no snapshot"
        return "serving \(state.catalogue.count) tracks, \(snapshot), scorers ready: \(ready.isEmpty ? "none" : ready.joined(separator: ", "))"
    }
}
