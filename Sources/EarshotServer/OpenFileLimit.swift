#if canImport(Glibc)
    import Glibc
#endif

/// Each connection is a file descriptor: raise the soft limit (often 1024)
/// to the hard limit so hundreds of clients fit, as systemd's LimitNOFILE=
/// allows. Returns the limit in force.
enum OpenFileLimit {
    @discardableResult
    static func raiseToHardLimit() -> UInt64 {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 0 }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            // May be refused (SystemCallFilter=~@resources); the old limit then stands.
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { limit = raised }
        }
        return UInt64(limit.rlim_cur)
    }
}
