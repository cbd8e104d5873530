/// The elements of a tensor, read-only, in a `ByteRegion` (usually a mapped
/// `.npy` file): no copy is made to serve them.
public struct TensorElements<Element: BitwiseCopyable>: @unchecked Sendable, RandomAccessCollection {
    // @unchecked Sendable: the region is immutable and Sendable; Element is
    // only ever loaded from it.
    public let region: ByteRegion
    /// Byte offset of element 0 in `region`; a multiple of the element's alignment.
    public let byteOffset: Int
    public let count: Int

    /// `count` elements at `byteOffset` of `region`.
    public init(region: ByteRegion, byteOffset: Int, count: Int) {
        precondition(byteOffset >= 0 && byteOffset + count * MemoryLayout<Element>.stride <= region.count, "elements outside their region")
        precondition(Int(bitPattern: region.base + byteOffset) % MemoryLayout<Element>.alignment == 0, "misaligned elements")
        self.region = region
        self.byteOffset = byteOffset
        self.count = count
    }

    /// An owned copy of `elements`.
    public init(_ elements: [Element]) {
        self.init(region: ByteRegion(copying: elements), byteOffset: 0, count: elements.count)
    }

    /// The first element, for C code and kernels; valid while `region` lives.
    public var baseAddress: UnsafePointer<Element> {
        (region.base + byteOffset).assumingMemoryBound(to: Element.self)
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { count }

    @inlinable
    public subscript(position: Int) -> Element {
        precondition(position >= 0 && position < count, "index out of range")
        return baseAddress[position]
    }

    /// Calls `body` with the elements; the pointer is valid during the call.
    @inlinable
    public func withUnsafeBufferPointer<R, E: Error>(_ body: (UnsafeBufferPointer<Element>) throws(E) -> R) throws(E) -> R {
        try withExtendedLifetime(region) { () throws(E) -> R in
            try body(UnsafeBufferPointer(start: baseAddress, count: count))
        }
    }

    /// Lets the elements' pages leave the resident set (see `ByteRegion.dropResidentPages`).
    public func dropResidentPages() {
        region.dropResidentPages(byteOffset..<byteOffset + count * MemoryLayout<Element>.stride)
    }

    /// After a scan of `elements`: when the region is retired, lets their
    /// pages go (a no-op otherwise; see `ByteRegion.isRetired`).
    @inlinable
    public func releaseBehindScan(_ elements: Range<Int>) {
        guard region.isRetired else { return }
        let stride = MemoryLayout<Element>.stride
        region.dropResidentPages((byteOffset + elements.lowerBound * stride)..<(byteOffset + elements.upperBound * stride))
    }

    /// Calls `body` on consecutive slices of at most `chunk` elements, each
    /// slice's pages released from the resident set afterwards: one pass over
    /// a large mapped tensor at load without keeping it resident.
    public func forEachChunk(of chunk: Int, _ body: (Range<Int>, UnsafeBufferPointer<Element>) -> Void) {
        withUnsafeBufferPointer { all in
            for start in stride(from: 0, to: count, by: chunk) {
                let range = start..<Swift.min(count, start + chunk)
                body(range, UnsafeBufferPointer(rebasing: all[range]))
                let stride = MemoryLayout<Element>.stride
                region.dropResidentPages((byteOffset + range.lowerBound * stride)..<(byteOffset + range.upperBound * stride))
            }
        }
    }
}

extension TensorElements: Equatable where Element: Equatable {
    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.elementsEqual(rhs) }
}
