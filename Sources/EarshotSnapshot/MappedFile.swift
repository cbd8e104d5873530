import EarshotScoring
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Maps snapshot files read-only, so tensors are served from the page cache
/// (shared across reloads and with other processes) and resident memory
/// follows what is touched. A mapped file must never be rewritten in place:
/// snapshots are immutable (docs/SNAPSHOTS.md).
enum MappedFile {
    /// What identifies one version of a file without reading it.
    struct Identity: Hashable, Sendable {
        let device: UInt64
        let inode: UInt64
        let size: Int
        let modified: Int64
        let changed: Int64
    }

    /// The whole file at `path`, read-only, and its identity; nil when it cannot be opened.
    static func map(_ path: String) -> (ByteRegion, Identity)? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        let identity = Identity(
            device: UInt64(info.st_dev), inode: UInt64(info.st_ino), size: Int(info.st_size),
            modified: Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec),
            changed: Int64(info.st_ctim.tv_sec) * 1_000_000_000 + Int64(info.st_ctim.tv_nsec))
        let size = Int(info.st_size)
        guard size > 0 else { return (ByteRegion(copying: UnsafeRawBufferPointer(start: nil, count: 0)), identity) }
        guard let address = mmap(nil, size, PROT_READ, MAP_SHARED, descriptor, 0), address != MAP_FAILED else { return nil }
        let region = ByteRegion(
            base: UnsafeRawPointer(address), count: size,
            release: { base, count in munmap(UnsafeMutableRawPointer(mutating: base), count) },
            dropPages: { start, count in
                // Whole pages inside the range only; the file's contents come back on the next read.
                let page = Int(sysconf(Int32(_SC_PAGESIZE)))
                let first = (Int(bitPattern: start) + page - 1) / page * page
                let end = (Int(bitPattern: start) + count) / page * page
                if end > first { madvise(UnsafeMutableRawPointer(bitPattern: first), end - first, MADV_DONTNEED) }
            })
        return (region, identity)
    }
}
