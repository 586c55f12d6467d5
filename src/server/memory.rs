//! Giving freed memory back to the system after the server's big one-off jobs.
//!
//! A reload builds a new site beside the live one and then frees the old one; glibc's
//! allocator keeps most of that freed memory in its arenas, so the server's resident
//! size creeps up with every reload although the live data does not grow.

/// Returns the allocator's free memory to the system (glibc `malloc_trim`); a no-op
/// elsewhere.
#[allow(unsafe_code)]
pub(crate) fn return_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only walks the allocator's own free lists; it takes no pointers.
    unsafe {
        libc::malloc_trim(0);
    }
}
