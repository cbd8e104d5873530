/// Parses the TOML subset Earshot's config uses: `[table]` and
/// `[table.sub]` headers, `key = value` with basic or literal strings,
/// integers, floats, booleans and one-line arrays of those, and `#` comments.
///
/// Hand-written because no TOML package resolves on the build machines
/// (TOMLKit depends on a package that is not mirrored); anything outside the
/// subset is an error with its line number, never silently misread.
enum TOMLSubset {
    enum Value: Equatable, Sendable {
        case string(String)
        case integer(Int)
        case float(Double)
        case bool(Bool)
        case array([Value])
    }

    struct ParseError: Error, CustomStringConvertible {
        let line: Int
        let message: String
        var description: String { "line \(line): \(message)" }
    }

    /// Keys are dotted paths: `server.socket`, `scorer.content.genre_weight`.
    static func parse(_ text: String) throws(ParseError) -> [String: Value] {
        var table = ""
        var result: [String: Value] = [:]
        for (offset, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let number = offset + 1
            var scanner = Scanner(text: Substring(rawLine), line: number)
            scanner.skipSpaces()
            if scanner.atEndOrComment { continue }
            if scanner.peek == "[" {
                scanner.advance()
                let name = scanner.take(while: { $0 != "]" }).trimmingCharacters(in: .whitespaces)
                guard scanner.peek == "]", !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || "._-".contains($0) })
                else { throw ParseError(line: number, message: "bad table header") }
                scanner.advance()
                scanner.skipSpaces()
                guard scanner.atEndOrComment else { throw ParseError(line: number, message: "unexpected text after table header") }
                table = name
                continue
            }
            let key = scanner.take(while: { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" })
            guard !key.isEmpty else { throw ParseError(line: number, message: "expected a key") }
            scanner.skipSpaces()
            guard scanner.peek == "=" else { throw ParseError(line: number, message: "expected '=' after \(key)") }
            scanner.advance()
            scanner.skipSpaces()
            let value = try scanner.value()
            scanner.skipSpaces()
            guard scanner.atEndOrComment else { throw ParseError(line: number, message: "unexpected text after the value of \(key)") }
            let path = table.isEmpty ? key : "\(table).\(key)"
            guard result[path] == nil else { throw ParseError(line: number, message: "\(path) is set twice") }
            result[path] = value
        }
        return result
    }

    private struct Scanner {
        var text: Substring
        let line: Int

        var peek: Character? { text.first }
        var atEndOrComment: Bool { text.isEmpty || text.first == "#" || text.first == "\r" }

        mutating func advance() { text = text.dropFirst() }

        mutating func skipSpaces() { text = text.drop(while: { $0 == " " || $0 == "\t" }) }

        mutating func take(while predicate: (Character) -> Bool) -> String {
            let taken = text.prefix(while: predicate)
            text = text.dropFirst(taken.count)
            return String(taken)
        }

        func fail(_ message: String) -> ParseError { ParseError(line: line, message: message) }

        mutating func value() throws(ParseError) -> Value {
            switch peek {
            case "\"":
                advance()
                var string = ""
                while let character = peek, character != "\"" {
                    advance()
                    if character == "\\" {
                        guard let escaped = peek else { throw fail("unterminated string") }
                        advance()
                        switch escaped {
                        case "n": string.append("\n")
                        case "t": string.append("\t")
                        case "\\": string.append("\\")
                        case "\"": string.append("\"")
                        default: throw fail("unsupported escape \\\(escaped)")
                        }
                    } else {
                        string.append(character)
                    }
                }
                guard peek == "\"" else { throw fail("unterminated string") }
                advance()
                return .string(string)
            case "'":
                advance()
                let string = take(while: { $0 != "'" })
                guard peek == "'" else { throw fail("unterminated string") }
                advance()
                return .string(string)
            case "[":
                advance()
                var elements: [Value] = []
                while true {
                    skipSpaces()
                    if peek == "]" { advance(); return .array(elements) }
                    elements.append(try value())
                    skipSpaces()
                    if peek == "," { advance(); continue }
                    guard peek == "]" else { throw fail("expected ',' or ']' in array (arrays must fit on one line)") }
                }
            default:
                let word = take(while: { !" \t#,]\r".contains($0) })
                if word == "true" { return .bool(true) }
                if word == "false" { return .bool(false) }
                let digits = word.replacingOccurrences(of: "_", with: "")
                if let integer = Int(digits) { return .integer(integer) }
                if let float = Double(digits), float.isFinite { return .float(float) }
                throw fail(word.isEmpty ? "expected a value" : "cannot read value \(word)")
            }
        }
    }
}

#if canImport(Foundation)
    import Foundation
#endif
