/// One record of a CSV stream: its fields (unescaped, as raw bytes), the
/// physical line it starts on and, when malformed, what is wrong with it.
struct CSVRecord {
    /// The 1-based physical line of the record's first byte. Lines are counted
    /// by LF, including those inside quoted fields.
    fileprivate(set) var line = 0
    /// Why the record is malformed, or `nil`; its fields are then best-effort.
    fileprivate(set) var defect: CSVDefect?
    /// Every field's bytes, concatenated; `ends[i]` is where field `i` ends.
    fileprivate var bytes: [UInt8] = []
    fileprivate var ends: [Int] = []

    /// The number of fields.
    var count: Int { ends.count }

    /// Field `index` as text, or `nil` when it is not valid UTF-8.
    func string(at index: Int) -> String? {
        let start = index == 0 ? 0 : ends[index - 1]
        return bytes.withUnsafeBufferPointer { all in
            String(validating: UnsafeBufferPointer(rebasing: all[start..<ends[index]]), as: UTF8.self)
        }
    }

    /// The fields as text, invalid UTF-8 replaced, for messages about the record.
    var lossyFields: [String] {
        bytes.withUnsafeBufferPointer { all in
            ends.indices.map { index in
                let start = index == 0 ? 0 : ends[index - 1]
                return String(decoding: UnsafeBufferPointer(rebasing: all[start..<ends[index]]), as: UTF8.self)
            }
        }
    }
}

/// What makes a CSV record malformed.
enum CSVDefect: Equatable, CustomStringConvertible {
    /// A quoted field was still open at the end of the input.
    case unterminatedQuote
    /// Text followed a closing quote inside a field, as in `"abc"def`.
    case textAfterClosingQuote

    var description: String {
        switch self {
        case .unterminatedQuote: "unterminated quoted field (it runs to the end of the file)"
        case .textAfterClosingQuote: "text after the closing quote of a field"
        }
    }
}

/// A streaming RFC 4180 parser over bytes: feed it input in chunks of any
/// size with `parse`, then call `finish`; it hands over each complete record.
///
/// - Fields are separated by commas; a field in double quotes may contain
///   commas, line breaks and doubled quotes (`""` for `"`).
/// - Records end with LF, CRLF or a lone CR. Blank lines are skipped.
/// - A quote inside an unquoted field is kept as a literal character;
///   text after a closing quote marks the record malformed.
/// - Working on bytes keeps the parser independent of the text's encoding;
///   callers decode fields as UTF-8 and decide what an invalid field means.
struct CSVParser {
    private enum State {
        case fieldStart, unquoted, quoted, quoteInQuoted
    }

    private static let comma = UInt8(ascii: ","), quote = UInt8(ascii: "\"")
    private static let lf = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r")

    private var state = State.fieldStart
    /// Whether the current record has begun (a blank line does not begin one).
    private var inRecord = false
    private var record = CSVRecord()
    private var line = 1

    /// Parses the next chunk of input, calling `emit` with each record it completes.
    mutating func parse(_ chunk: UnsafeBufferPointer<UInt8>, _ emit: (CSVRecord) throws -> Void) rethrows {
        var index = 0
        while index < chunk.count {
            let byte = chunk[index]
            switch state {
            case .fieldStart:
                if !inRecord {
                    if byte == Self.lf || byte == Self.cr {  // blank line
                        if byte == Self.lf { line += 1 }
                        index += 1
                        continue
                    }
                    inRecord = true
                    record.line = line
                }
                switch byte {
                case Self.quote:
                    state = .quoted
                    index += 1
                case Self.comma:
                    endField()
                    index += 1
                case Self.lf, Self.cr:
                    if byte == Self.lf { line += 1 }
                    try endRecord(emit)
                    index += 1
                default:
                    state = .unquoted  // the unquoted scan takes this byte
                }
            case .unquoted:
                // Copy the run up to the next delimiter in one go.
                let start = index
                while index < chunk.count {
                    let next = chunk[index]
                    if next == Self.comma || next == Self.lf || next == Self.cr { break }
                    index += 1
                }
                record.bytes.append(contentsOf: UnsafeBufferPointer(rebasing: chunk[start..<index]))
                guard index < chunk.count else { break }
                let delimiter = chunk[index]
                index += 1
                if delimiter == Self.comma {
                    endField()
                } else {
                    if delimiter == Self.lf { line += 1 }
                    try endRecord(emit)
                }
            case .quoted:
                let start = index
                while index < chunk.count {
                    let next = chunk[index]
                    if next == Self.quote { break }
                    if next == Self.lf { line += 1 }
                    index += 1
                }
                record.bytes.append(contentsOf: UnsafeBufferPointer(rebasing: chunk[start..<index]))
                if index < chunk.count {
                    state = .quoteInQuoted
                    index += 1
                }
            case .quoteInQuoted:
                switch byte {
                case Self.quote:
                    record.bytes.append(Self.quote)
                    state = .quoted
                case Self.comma:
                    endField()
                case Self.lf, Self.cr:
                    if byte == Self.lf { line += 1 }
                    try endRecord(emit)
                default:
                    if record.defect == nil { record.defect = .textAfterClosingQuote }
                    state = .unquoted  // keep the text; the unquoted scan takes this byte
                    continue
                }
                index += 1
            }
        }
    }

    /// Ends the input: emits the last record when it lacks a final line break.
    mutating func finish(_ emit: (CSVRecord) throws -> Void) rethrows {
        if state == .quoted { record.defect = .unterminatedQuote }
        if inRecord { try endRecord(emit) }
    }

    private mutating func endField() {
        record.ends.append(record.bytes.count)
        state = .fieldStart
    }

    private mutating func endRecord(_ emit: (CSVRecord) throws -> Void) rethrows {
        endField()
        inRecord = false
        try emit(record)
        // Keep the buffers' capacity: records are parsed one after another into the same storage.
        record.bytes.removeAll(keepingCapacity: true)
        record.ends.removeAll(keepingCapacity: true)
        record.defect = nil
    }
}
