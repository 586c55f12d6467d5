//! What the server asks of the operating system (Linux; a no-op elsewhere): freed memory
//! back after its big one-off jobs, and enough file descriptors for its connections.

/// Returns the allocator's free memory to the system (glibc `malloc_trim`).
///
/// A reload builds a new site beside the live one and then frees the old one; glibc's
/// allocator keeps most of that freed memory in its arenas, so the server's resident
/// size would creep up with every reload although the live data does not grow.
#[allow(unsafe_code)]
pub(crate) fn return_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only walks the allocator's own free lists; it takes no pointers.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Raises the soft limit on open files to the hard limit, so that the connection cap
/// (not a default soft limit of 1,024 descriptors) decides how many clients are held.
pub(crate) fn raise_open_files_limit() {
    #[cfg(target_os = "linux")]
    {
        use rustix::process::{Resource, getrlimit, setrlimit};
        let limit = getrlimit(Resource::Nofile);
        if limit.current < limit.maximum {
            let raised = rustix::process::Rlimit { current: limit.maximum, maximum: limit.maximum };
            if let Err(e) = setrlimit(Resource::Nofile, raised) {
                tracing::debug!(error = %e, "the open-files limit stays where it was");
            }
        }
    }
}
