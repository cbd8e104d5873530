/// A fixed row of slots for a parallel pass: slot `i` is written by the one
/// thread that runs slice `i`, and the slots are read once every slice has
/// run, so no lock is needed.
// @unchecked Sendable: the buffer does no synchronization itself; every user
// writes a slot from one thread only and reads after all writers finished
// (after `concurrentPerform` returns, or in a pass's `results()`).
public final class SlotBuffer<Element>: @unchecked Sendable {
    @usableFromInline let slots: UnsafeMutableBufferPointer<Element>

    public init(count: Int, repeating value: Element) {
        slots = .allocate(capacity: count)
        slots.initialize(repeating: value)
    }

    deinit {
        _ = slots.deinitialize()
        slots.deallocate()
    }

    public var count: Int { slots.count }

    @inlinable
    public subscript(slot: Int) -> Element {
        get { slots[slot] }
        set { slots[slot] = newValue }
    }

    /// Every slot, in order.
    public var all: [Element] { Array(slots) }
}
