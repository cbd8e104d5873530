import CMalloc

/// Gives the pages of freed memory back to the system.
///
/// Every reload builds a whole new state while the old one still serves,
/// then frees the old one when its last request is done. glibc keeps freed
/// blocks inside its heaps, and with one heap per busy thread the holes left
/// by a few dozen reloads add up to tens of megabytes of resident memory
/// that no one uses. `malloc_trim` returns the free pages of every heap.
/// The reload thread calls it before each build, when the state replaced by
/// the previous reload has (nearly always) been freed.
enum ReleasedMemory {
    static func returnToSystem() {
        _ = malloc_trim(0)
    }
}
