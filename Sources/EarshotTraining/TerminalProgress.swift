import Foundation

/// A one-line progress counter on stderr that rewrites itself, shown only
/// when stderr and stdout are terminals, so logs, pipes and scripts reading
/// the JSON summary on stdout stay clean.
public final class TerminalProgress {
    private let label: String
    private let enabled: Bool
    private var shown = false

    public init(label: String, enabled: Bool = isatty(STDERR_FILENO) == 1 && isatty(STDOUT_FILENO) == 1) {
        self.label = label
        self.enabled = enabled
    }

    public func update(_ done: Int, of total: Int, note: String = "") {
        guard enabled else { return }
        shown = true
        FileHandle.standardError.write(Data("\r\u{1B}[K\(label): \(done)/\(total)\(note.isEmpty ? "" : " " + note)".utf8))
    }

    /// Erases the line.
    public func finish() {
        guard enabled, shown else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
        shown = false
    }
}
