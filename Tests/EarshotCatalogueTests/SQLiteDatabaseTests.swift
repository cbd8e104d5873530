import Foundation
import Testing

@testable import EarshotCatalogue

@Suite("SQLite wrapper")
struct SQLiteDatabaseTests {
    func withDatabase(_ body: (SQLiteDatabase, String) throws -> Void) throws {
        try withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("test.db").path
            let database = try SQLiteDatabase.open(path: path, mode: .create)
            try database.execute("CREATE TABLE t (i INTEGER, d REAL, s TEXT, b BLOB)")
            try body(database, path)
        }
    }

    @Test func bindsAndReadsEveryType() throws {
        try withDatabase { database, _ in
            let insert = try database.prepare("INSERT INTO t VALUES (?1, ?2, ?3, ?4)")
            try insert.bind(-42, at: 1)
            try insert.bind(2.5, at: 2)
            try insert.bind("Sigur Rós 夜", at: 3)
            try insert.bind(Data([0, 1, 255]), at: 4)
            try insert.step()
            insert.reset()
            try insert.bind(Int?.none, at: 1)
            try insert.bind(Double?.none, at: 2)
            try insert.bind("", at: 3)
            try insert.bind(Data(), at: 4)
            try insert.step()
            #expect(database.changes == 1)
            #expect(database.lastInsertRowID == 2)

            let select = try database.prepare("SELECT i, d, s, b, s IS NULL, b IS NULL FROM t ORDER BY rowid")
            #expect(try select.step())
            #expect(select.int(at: 0) == -42)
            #expect(select.double(at: 1) == 2.5)
            #expect(select.string(at: 2) == "Sigur Rós 夜")
            #expect(select.data(at: 3) == Data([0, 1, 255]))
            #expect(try select.step())
            #expect(select.isNull(at: 0) && select.isNull(at: 1))
            #expect(select.string(at: 2) == "" && select.int(at: 4) == 0, "an empty string is not NULL")
            #expect(select.data(at: 3) == Data() && select.int(at: 5) == 0, "an empty blob is not NULL")
            #expect(try select.step() == false)
        }
    }

    @Test func transactionRollsBackOnThrow() throws {
        struct Abort: Error {}
        try withDatabase { database, _ in
            #expect(throws: Abort.self) {
                try database.transaction {
                    try database.execute("INSERT INTO t (i) VALUES (1)")
                    throw Abort()
                }
            }
            let committed = try database.transaction {
                try database.execute("INSERT INTO t (i) VALUES (2)")
                return "done"
            }
            #expect(committed == "done")
            let select = try database.prepare("SELECT group_concat(i) FROM t")
            try select.step()
            #expect(select.string(at: 0) == "2")
        }
    }

    @Test func errorsNameTheOperationOnOneLine() throws {
        try withDatabase { database, _ in
            let error = try #require(throws: SQLiteError.self) {
                try database.prepare("SELECT\n  x FROM nowhere")
            }
            #expect(error.code == 1)  // SQLITE_ERROR
            #expect(error.description == "prepare SELECT x FROM nowhere: no such table: nowhere (SQLite code 1)")
        }
    }

    @Test func readOnlyConnectionsCannotWrite() throws {
        try withDatabase { _, path in
            let reader = try SQLiteDatabase.open(path: path, mode: .readOnly)
            let error = try #require(throws: SQLiteError.self) { try reader.execute("INSERT INTO t (i) VALUES (1)") }
            #expect(error.code & 0xFF == 8)  // SQLITE_READONLY
        }
    }

    @Test func missingFileIsNotCreatedWithoutCreateMode() throws {
        try withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("absent.db").path
            for mode in [SQLiteDatabase.OpenMode.readOnly, .readWrite] {
                let error = try #require(throws: SQLiteError.self) { try SQLiteDatabase.open(path: path, mode: mode) }
                #expect(error.code & 0xFF == 14)  // SQLITE_CANTOPEN
                #expect(error.operation == "open \(path)")
            }
            #expect(!FileManager.default.fileExists(atPath: path))
            #expect(throws: SQLiteError.self) { try CatalogueStore.open(path: path, create: false) }
        }
    }
}
