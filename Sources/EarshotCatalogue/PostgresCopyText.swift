/// PostgreSQL's COPY text format, as `pg_dump` writes table data, and its
/// array literal syntax (`{rock,"hip hop",NULL}`).
enum PostgresCopyText {
    /// The fields of one data line: `nil` for NULL (`\N`), else the text with
    /// COPY's backslash escapes undone (`\t`, `\n`, `\\`, octal `\123`, hex `\x41`, …).
    static func fields(of line: UnsafeBufferPointer<UInt8>) throws(RowRejection) -> [String?] {
        // A raw tab always separates fields: tabs in values are written as `\t`.
        var fields: [String?] = []
        for raw in line.split(separator: tab, omittingEmptySubsequences: false) {
            if raw.count == 2, raw.first == backslash, raw.last == UInt8(ascii: "N") {
                fields.append(nil)
            } else {
                fields.append(try text(of: raw, field: fields.count + 1))
            }
        }
        return fields
    }

    /// A field's text with the escapes undone; `field` (1-based) names it in errors.
    private static func text(of raw: Slice<UnsafeBufferPointer<UInt8>>, field: Int) throws(RowRejection) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(raw.count)
        var index = raw.startIndex
        while index < raw.endIndex {
            let byte = raw[index]
            index += 1
            guard byte == backslash else {
                bytes.append(byte)
                continue
            }
            guard index < raw.endIndex else { throw RowRejection(reason: "field \(field): ends with a lone backslash") }
            let escaped = raw[index]
            index += 1
            switch escaped {
            case UInt8(ascii: "b"): bytes.append(0x08)
            case UInt8(ascii: "f"): bytes.append(0x0C)
            case UInt8(ascii: "n"): bytes.append(0x0A)
            case UInt8(ascii: "r"): bytes.append(0x0D)
            case UInt8(ascii: "t"): bytes.append(0x09)
            case UInt8(ascii: "v"): bytes.append(0x0B)
            case UInt8(ascii: "0")...UInt8(ascii: "7"):  // up to three octal digits
                var value = Int(escaped - UInt8(ascii: "0"))
                var digits = 1
                while digits < 3, index < raw.endIndex, (UInt8(ascii: "0")...UInt8(ascii: "7")).contains(raw[index]) {
                    value = value * 8 + Int(raw[index] - UInt8(ascii: "0"))
                    index += 1
                    digits += 1
                }
                bytes.append(UInt8(truncatingIfNeeded: value))
            case UInt8(ascii: "x") where index < raw.endIndex && hexValue(raw[index]) != nil:  // one or two hex digits
                var value = hexValue(raw[index])!
                index += 1
                if index < raw.endIndex, let low = hexValue(raw[index]) {
                    value = value * 16 + low
                    index += 1
                }
                bytes.append(value)
            default:
                bytes.append(escaped)  // `\\` and any other escaped character stand for themselves
            }
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw RowRejection(reason: "field \(field): not valid UTF-8")
        }
        return text
    }

    /// The elements of a one-dimensional array literal, `nil` for NULL
    /// elements, e.g. `{rock,"hip hop",NULL}` → `["rock", "hip hop", nil]`.
    static func array(_ literal: String) throws(RowRejection) -> [String?] {
        var scalars = Substring(literal).unicodeScalars[...]
        // A literal with explicit bounds, `[0:1]={a,b}`, lists its elements the same way.
        if scalars.first == "[", let equals = scalars.firstIndex(of: "=") {
            scalars = scalars[scalars.index(after: equals)...]
        }
        guard scalars.first == "{", scalars.last == "}" else {
            throw RowRejection(reason: "not an array literal: \(CatalogueError.quotedExcerpt(literal))")
        }
        scalars = scalars.dropFirst().dropLast()
        var elements: [String?] = []
        guard !scalars.allSatisfy(\.properties.isWhitespace) else { return elements }
        var rest = scalars
        while true {
            rest = rest.drop { $0.properties.isWhitespace }
            var element = String.UnicodeScalarView()
            var quoted = false
            if rest.first == "\"" {
                quoted = true
                rest = rest.dropFirst()
                var closed = false
                while let scalar = rest.popFirst() {
                    if scalar == "\"" {
                        closed = true
                        break
                    }
                    if scalar == "\\" {
                        guard let next = rest.popFirst() else { break }
                        element.append(next)
                    } else {
                        element.append(scalar)
                    }
                }
                guard closed else { throw RowRejection(reason: "unterminated quoted element in array literal") }
                rest = rest.drop { $0.properties.isWhitespace }
            } else {
                while let scalar = rest.first, scalar != ",", scalar != "\"" {
                    if scalar == "{" { throw RowRejection(reason: "nested arrays are not supported") }
                    rest = rest.dropFirst()
                    if scalar == "\\", let next = rest.popFirst() {
                        element.append(next)
                    } else {
                        element.append(scalar)
                    }
                }
                while let last = element.last, last.properties.isWhitespace { element.removeLast() }
            }
            let text = String(element)
            elements.append(!quoted && text.uppercased() == "NULL" ? nil : text)
            guard let separator = rest.popFirst() else { return elements }
            guard separator == "," else {
                throw RowRejection(reason: "malformed array literal: \(CatalogueError.quotedExcerpt(literal))")
            }
        }
    }

    private static let tab = UInt8(ascii: "\t")
    private static let backslash = UInt8(ascii: "\\")

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
