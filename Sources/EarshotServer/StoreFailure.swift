import EarshotCatalogue
import EarshotProtocol

/// Turns a failure of the catalogue store into the answer a client can act
/// on. Every one of them means nothing was written.
enum StoreFailure {
    /// The protocol error for `error`, raised while `action` (e.g. "the listen was not stored").
    static func protocolError(_ error: any Error, action: String) -> ProtocolError {
        switch error {
        case is DeadlinePassed:
            return RequestHandler.timedOut
        case let moved as CatalogueFileMoved:
            return ProtocolError(
                .unavailable, "\(action): \(moved); restore the catalogue or import it again, then reload")
        case let sqlite as SQLiteError:
            return protocolError(sqlite, action: action)
        default:
            return ProtocolError(.internal, "\(action): \(error)")
        }
    }

    private static func protocolError(_ error: SQLiteError, action: String) -> ProtocolError {
        // Primary result codes (the low byte of an extended code), from sqlite3.h.
        switch error.code & 0xFF {
        case 5, 6:  // SQLITE_BUSY, SQLITE_LOCKED
            return ProtocolError(
                .timeout,
                "\(action): another process (an import or a training run?) held the catalogue's write lock "
                    + "until the request's deadline (limits.request_timeout_ms); try again")
        case 13:  // SQLITE_FULL
            return ProtocolError(
                .unavailable, "\(action): the disk or the database is full; free space, then try again (\(error.message))")
        case 8:  // SQLITE_READONLY
            return ProtocolError(
                .unavailable,
                "\(action): the catalogue is read-only (file mode or a read-only mount); make it writable, then try again")
        case 10:  // SQLITE_IOERR
            return ProtocolError(
                .unavailable, "\(action): the disk reported an I/O error (\(error.message)); check the disk, then try again")
        case 14:  // SQLITE_CANTOPEN
            return ProtocolError(
                .unavailable,
                "\(action): the catalogue file cannot be opened (\(error.message)); restore it or import it again, then reload")
        default:
            return ProtocolError(.internal, "\(action): \(error)")
        }
    }
}
