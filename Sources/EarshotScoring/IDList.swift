/// A snapshot's id list (`items.txt`: one id per line) served from the file's
/// bytes: one offset per id instead of one `String` each, so a million ids
/// cost 4 MB of offsets plus the (mapped) text.
public struct IDList: Sendable, RandomAccessCollection, Equatable, ExpressibleByArrayLiteral {
    private let text: TensorElements<UInt8>
    /// Id `i` is `text[starts[i] ..< starts[i + 1] - 1]` (the `- 1` skips its newline).
    private let starts: [UInt32]

    /// The lines of `text` (a final newline is optional); nil when the text
    /// is 4 GiB or more.
    public init?(lines text: TensorElements<UInt8>) {
        guard text.count < Int(UInt32.max) else { return nil }
        var starts: [UInt32] = [0]
        text.withUnsafeBufferPointer { bytes in
            starts.reserveCapacity(bytes.count / 8 + 2)
            for (offset, byte) in bytes.enumerated() where byte == UInt8(ascii: "\n") { starts.append(UInt32(offset + 1)) }
            if let last = bytes.last, last != UInt8(ascii: "\n") { starts.append(UInt32(bytes.count + 1)) }
        }
        self.text = text
        self.starts = starts
    }

    /// An id list owning a copy of `ids` (which must not contain newlines).
    public init(_ ids: [String]) {
        self.init(lines: TensorElements(Array(ids.map { $0 + "\n" }.joined().utf8)))!
    }

    public init(arrayLiteral ids: String...) { self.init(ids) }

    public var startIndex: Int { 0 }
    public var endIndex: Int { starts.count - 1 }

    public subscript(position: Int) -> String {
        withBytes(of: position) { String(decoding: $0, as: UTF8.self) }
    }

    /// Calls `body` with the UTF-8 bytes of id `position`.
    public func withBytes<R>(of position: Int, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        let start = Int(starts[position])
        let end = Int(starts[position + 1]) - 1
        return text.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[start..<end])) }
    }

    public static func == (lhs: IDList, rhs: IDList) -> Bool { lhs.elementsEqual(rhs) }
}

/// Row of each id of an `IDList`: an open-addressing table of row numbers
/// that hashes the list's own bytes, a quarter of a `[String: Int32]`.
public struct IDRowIndex: Sendable {
    private let ids: IDList
    /// Row + 1 per slot, 0 for empty; a power-of-two count at most half full.
    private let slots: [UInt32]

    /// Indexes `ids`; throws `duplicate(row)` naming the first repeated id's row.
    public init(_ ids: IDList) throws(Duplicate) {
        var capacity = 16
        while capacity < ids.count * 2 { capacity <<= 1 }
        var slots = [UInt32](repeating: 0, count: capacity)
        let mask = capacity - 1
        for row in 0..<ids.count {
            var slot = ids.withBytes(of: row) { Self.hash($0) } & mask
            while slots[slot] != 0 {
                let other = Int(slots[slot]) - 1
                if ids.withBytes(of: other, { a in ids.withBytes(of: row) { b in a.elementsEqual(b) } }) {
                    throw Duplicate(id: ids[row])
                }
                slot = (slot + 1) & mask
            }
            slots[slot] = UInt32(row + 1)
        }
        self.ids = ids
        self.slots = slots
    }

    /// A repeated id.
    public struct Duplicate: Error, Sendable {
        public let id: String
    }

    /// The row of `id`, nil when the list lacks it.
    public func row(of id: String) -> Int32? {
        var id = id
        return id.withUTF8 { key -> Int32? in
            let mask = slots.count - 1
            var slot = Self.hash(key) & mask
            while slots[slot] != 0 {
                let row = Int(slots[slot]) - 1
                if ids.withBytes(of: row, { $0.elementsEqual(key) }) { return Int32(row) }
                slot = (slot + 1) & mask
            }
            return nil
        }
    }

    /// FNV-1a, 64-bit, folded so consecutive decimal ids spread over the table.
    private static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        hash ^= hash >> 29
        return Int(truncatingIfNeeded: hash)
    }
}
