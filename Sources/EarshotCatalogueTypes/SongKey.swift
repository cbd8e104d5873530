import Foundation

/// Identifies a song across its versions: the same normalized title and
/// primary artist. "Ghost - Acoustic", "Ghost (Remastered 2011)" and "ghost"
/// by one artist are one song.
public struct SongKey: Hashable, Sendable {
    public let title: String
    public let artist: String

    public init(title: String, primaryArtist: String) {
        self.title = TextNormalization.songTitle(title)
        self.artist = TextNormalization.name(primaryArtist)
    }
}

/// Normalization used to compare titles and names across sources
/// (catalogue, Spotify exports): case, accents, punctuation and version
/// suffixes do not matter.
public enum TextNormalization {
    /// Lowercased, accent-free, alphanumerics separated by single spaces.
    public static func name(_ text: String) -> String {
        // Most names are ASCII: fold those byte by byte, and leave Foundation's
        // (much slower) Unicode folding to the rest.
        if text.utf8.allSatisfy({ $0 < 0x80 }) { return asciiName(text.utf8) }
        let folded = text.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
        var out = ""
        out.reserveCapacity(folded.utf8.count)
        var pendingSpace = false
        for scalar in folded.unicodeScalars {
            if CharacterSet.alphanumerics.contains(scalar) {
                if pendingSpace && !out.isEmpty { out.append(" ") }
                pendingSpace = false
                out.unicodeScalars.append(scalar)
            } else if scalar == "&" {
                if !out.isEmpty { out.append(" ") }
                out.append("and")
                pendingSpace = true
            } else {
                pendingSpace = true
            }
        }
        return out
    }

    private static func asciiName(_ bytes: String.UTF8View) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var pendingSpace = false
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                if pendingSpace && !out.isEmpty { out.append(0x20) }
                pendingSpace = false
                out.append(byte)
            case UInt8(ascii: "A")...UInt8(ascii: "Z"):
                if pendingSpace && !out.isEmpty { out.append(0x20) }
                pendingSpace = false
                out.append(byte + 32)
            case UInt8(ascii: "&"):
                if !out.isEmpty { out.append(0x20) }
                out.append(contentsOf: "and".utf8)
                pendingSpace = true
            default:
                pendingSpace = true
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// A title without its version decorations: text in parentheses or
    /// brackets and anything after " - " (Remastered, Live, Acoustic, feat. …).
    public static func songTitle(_ title: String) -> String {
        var base = ""
        var depth = 0
        for ch in title {
            switch ch {
            case "(", "[": depth += 1
            case ")", "]": depth = max(0, depth - 1)
            default: if depth == 0 { base.append(ch) }
            }
        }
        if let dash = base.range(of: " - ") { base = String(base[..<dash.lowerBound]) }
        let normalized = name(base)
        // A title that is all decoration ("(Intro)") keeps its full text.
        return normalized.isEmpty ? name(title) : normalized
    }
}
