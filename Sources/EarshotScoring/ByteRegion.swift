import Synchronization

/// Read-only bytes that outlive every view of them: a mapped snapshot file,
/// or memory this process owns. Tensors, id lists and graphs are views into
/// a region, so a model is served straight from its files and C code can be
/// handed `base` and a shape.
///
/// The bytes never change while the region lives (snapshot files are never
/// rewritten, docs/SNAPSHOTS.md), which is what makes sharing it safe.
// @unchecked Sendable: `base` points at memory nobody writes while the region
// lives; it is released once, in `deinit`; `retiredFlag` is atomic.
public final class ByteRegion: @unchecked Sendable {
    /// The first byte; valid for `count` bytes while the region lives.
    public let base: UnsafeRawPointer
    public let count: Int
    private let release: @Sendable (UnsafeRawPointer, Int) -> Void
    private let dropPages: (@Sendable (UnsafeRawPointer, Int) -> Void)?
    private let retiredFlag = Atomic(false)

    /// Bytes owned elsewhere: `release` runs once when the region goes away;
    /// `dropPages`, when given, tells the owner a range need not stay resident
    /// (for a mapped file: `madvise(MADV_DONTNEED)`, the data comes back from
    /// the file on the next read).
    public init(
        base: UnsafeRawPointer, count: Int, release: @escaping @Sendable (UnsafeRawPointer, Int) -> Void,
        dropPages: (@Sendable (UnsafeRawPointer, Int) -> Void)? = nil
    ) {
        self.base = base
        self.count = count
        self.release = release
        self.dropPages = dropPages
    }

    /// A copy of `bytes` in memory this region owns, aligned for any element type.
    public convenience init(copying bytes: UnsafeRawBufferPointer) {
        let memory = UnsafeMutableRawPointer.allocate(byteCount: max(bytes.count, 1), alignment: 64)
        if let source = bytes.baseAddress, bytes.count > 0 { memory.copyMemory(from: source, byteCount: bytes.count) }
        self.init(base: UnsafeRawPointer(memory), count: bytes.count) { base, _ in
            UnsafeMutableRawPointer(mutating: base).deallocate()
        }
    }

    /// An owned copy of `elements`.
    public convenience init<Element: BitwiseCopyable>(copying elements: [Element]) {
        self.init(copying: elements.withUnsafeBytes { $0 })
    }

    deinit { release(base, count) }

    /// Whether the state serving this region was replaced (`retire()`):
    /// scans still running over it drop the pages behind them
    /// (`TensorElements.releaseBehindScan`), so finishing them never brings
    /// the old model back into memory beside the new one.
    public var isRetired: Bool { retiredFlag.load(ordering: .relaxed) }

    /// Marks the region retired and lets all of its pages go.
    public func retire() {
        retiredFlag.store(true, ordering: .relaxed)
        dropResidentPages()
    }

    /// Lets the pages of `range` (byte offsets) leave this process's resident
    /// set; a no-op for owned memory. For passes that read a large file once
    /// (hashing, norms), so a load does not hold two models resident.
    public func dropResidentPages(_ range: Range<Int>? = nil) {
        guard let dropPages else { return }
        let range = range ?? 0..<count
        dropPages(base + range.lowerBound, range.count)
    }
}
