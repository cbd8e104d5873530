/// Identifies a catalogue's content: FNV-1a (64-bit) over every track's id and
/// name in id order, prefixed with the track count, e.g. `89741-3fa2c0d1e5b6a7f8`.
///
/// Snapshots record the fingerprint of the catalogue they were trained on, so
/// it covers exactly what their row-aligned data depends on: which tracks
/// exist, in which order. A NUL byte after each id and each name keeps
/// ("ab", "c") and ("a", "bc") apart.
struct CatalogueFingerprint {
    private var hash: UInt64 = 0xcbf2_9ce4_8422_2325  // FNV-1a 64-bit offset basis
    private var count = 0

    mutating func add(id: UnsafeBufferPointer<UInt8>, name: UnsafeBufferPointer<UInt8>) {
        absorb(id)
        absorb(name)
        count += 1
    }

    private mutating func absorb(_ bytes: UnsafeBufferPointer<UInt8>) {
        var hash = self.hash
        for byte in bytes {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3  // FNV-1a 64-bit prime
        }
        self.hash = hash &* 0x100_0000_01b3  // then the NUL separator (hash ^ 0 == hash)
    }

    var value: String {
        let hex = String(hash, radix: 16)
        return "\(count)-" + String(repeating: "0", count: 16 - hex.count) + hex
    }
}
