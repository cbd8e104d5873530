import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The interactions TSV that `earshot import interactions` and the trainers
/// read: a header line, then `user<TAB>item<TAB>weight`.
public enum InteractionsTSV {
    /// The header's columns.
    public static let columns = ["user", "item", "weight"]
}

/// Why an export failed; nothing was left at the destination.
public struct InteractionsExportError: Error, CustomStringConvertible, Sendable, Equatable {
    private enum Code: Sendable, Equatable {
        case unwritable(path: String, reason: String)
        case notRepresentable(user: String, item: String)
    }

    private let code: Code

    static func unwritable(_ path: String, _ reason: String) -> Self { Self(code: .unwritable(path: path, reason: reason)) }
    static func notRepresentable(user: String, item: String) -> Self { Self(code: .notRepresentable(user: user, item: item)) }

    public var description: String {
        switch code {
        case let .unwritable(path, reason):
            "cannot write \(path): \(reason)"
        case let .notRepresentable(user, item):
            "user \(CatalogueError.quotedExcerpt(user)), item \(CatalogueError.quotedExcerpt(item)): a tab or line break "
                + "in an id cannot go into a TSV; rename the user or remove the row, then export again"
        }
    }
}

/// What an export wrote.
public struct InteractionsExportSummary: Codable, Sendable, Equatable {
    /// (user, item) rows written.
    public var rows = 0
    /// Distinct users among them.
    public var users = 0

    public init() {}
}

/// Writes the catalogue's training data — every user's listens per track
/// plus their imported interaction weights, the numbers `earshot train
/// mf --db` trains on — as an interactions TSV, for trainers that run
/// elsewhere (`contrib/spark/train_als.py`).
///
/// Rows are streamed from one read transaction in user, then item order, into
/// a temporary sibling of the destination that is fsynced and renamed over
/// it, so a reader sees the old file or the complete new one.
public struct InteractionsExporter {
    private let store: CatalogueStore

    public init(store: CatalogueStore) {
        self.store = store
    }

    public func export(toPath path: String) throws -> InteractionsExportSummary {
        let target = URL(fileURLWithPath: path).standardizedFileURL
        let temporary = target.deletingLastPathComponent()
            .appendingPathComponent(".\(target.lastPathComponent).tmp-\(getpid())-\(UUID().uuidString.prefix(8))").path
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw InteractionsExportError.unwritable(path, String(cString: strerror(errno))) }
        var output = BufferedOutput(descriptor: descriptor, path: path)
        var closed = false
        do {
            var summary = InteractionsExportSummary()
            try output.append(InteractionsTSV.columns.joined(separator: "\t") + "\n")
            var previousUser: String?
            try store.forEachPlayCount { count in
                guard !Self.hasSeparator(count.user), !Self.hasSeparator(count.trackID) else {
                    throw InteractionsExportError.notRepresentable(user: count.user, item: count.trackID)
                }
                try output.append("\(count.user)\t\(count.trackID)\t\(count.plays)\n")
                summary.rows += 1
                if count.user != previousUser {
                    summary.users += 1
                    previousUser = count.user
                }
            }
            try output.flush()
            guard fsync(descriptor) == 0 else { throw InteractionsExportError.unwritable(path, String(cString: strerror(errno))) }
            close(descriptor)
            closed = true
            guard rename(temporary, target.path) == 0 else {
                throw InteractionsExportError.unwritable(path, String(cString: strerror(errno)))
            }
            let directory = open(target.deletingLastPathComponent().path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            if directory >= 0 {
                fsync(directory)
                close(directory)
            }
            return summary
        } catch {
            if !closed { close(descriptor) }
            unlink(temporary)
            throw error
        }
    }

    private static func hasSeparator(_ text: String) -> Bool {
        text.utf8.contains { $0 == UInt8(ascii: "\t") || $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r") }
    }
}

/// Lines gathered into 1 MiB writes.
private struct BufferedOutput {
    let descriptor: Int32
    let path: String
    private var buffer: [UInt8] = []

    init(descriptor: Int32, path: String) {
        self.descriptor = descriptor
        self.path = path
        buffer.reserveCapacity(1 << 20)
    }

    mutating func append(_ text: String) throws(InteractionsExportError) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= 1 << 20 { try flush() }
    }

    mutating func flush() throws(InteractionsExportError) {
        var offset = 0
        while offset < buffer.count {
            let written = buffer.withUnsafeBytes { write(descriptor, $0.baseAddress! + offset, $0.count - offset) }
            if written < 0 {
                if errno == EINTR { continue }
                throw .unwritable(path, String(cString: strerror(errno)))
            }
            offset += written
        }
        buffer.removeAll(keepingCapacity: true)
    }
}
