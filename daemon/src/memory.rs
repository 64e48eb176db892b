//! The allocator's settings, applied by the binary itself at start, so a `scoreline run` started
//! by hand peaks as low as the service units do: glibc malloc with at most 2 arenas and a fixed
//! 128 KiB mmap threshold (multi-MB response bodies are mapped and given back when freed instead
//! of growing per-thread heaps). A setting the environment names (`MALLOC_ARENA_MAX`,
//! `MALLOC_MMAP_THRESHOLD_`) is the operator's and is left alone. Other C libraries: nothing.

/// Most malloc arenas (glibc's default is 8 per core).
pub const ARENA_MAX: i32 = 2;
/// Allocations from this size on are mapped (glibc's default starts at 128 KiB and grows with
/// every freed mapping, up to 32 MiB, which keeps large bodies on the heap after the first).
pub const MMAP_THRESHOLD: i32 = 128 * 1024;

/// What [`tune_allocator`] set (`None`: left as the environment or the C library has it).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AllocatorTuning {
    /// `M_ARENA_MAX`, when set.
    pub arena_max: Option<i32>,
    /// `M_MMAP_THRESHOLD`, when set.
    pub mmap_threshold: Option<i32>,
}

/// Apply [`ARENA_MAX`] and [`MMAP_THRESHOLD`] unless the environment sets them. Call it first
/// thing in `main`, before any thread starts.
pub fn tune_allocator() -> AllocatorTuning {
    tune(|name| std::env::var_os(name).is_some())
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn tune(set_by_env: impl Fn(&str) -> bool) -> AllocatorTuning {
    let mut applied = AllocatorTuning::default();
    if !set_by_env("MALLOC_ARENA_MAX") && glibc::mallopt(libc::M_ARENA_MAX, ARENA_MAX) {
        applied.arena_max = Some(ARENA_MAX);
    }
    if !set_by_env("MALLOC_MMAP_THRESHOLD_")
        && glibc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD)
    {
        applied.mmap_threshold = Some(MMAP_THRESHOLD);
    }
    applied
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn tune(_set_by_env: impl Fn(&str) -> bool) -> AllocatorTuning {
    AllocatorTuning::default()
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)]
mod glibc {
    /// glibc's `mallopt`: whether it took the value.
    pub(super) fn mallopt(param: libc::c_int, value: libc::c_int) -> bool {
        // SAFETY: mallopt only sets malloc's tunables, takes plain integers, touches no memory
        // of ours, and is thread-safe (it takes the arena locks); it returns 1 on success.
        unsafe { libc::mallopt(param, value) == 1 }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    #[test]
    fn glibc_takes_both_settings_unless_the_environment_has_them() {
        assert_eq!(
            tune(|_| false),
            AllocatorTuning {
                arena_max: Some(ARENA_MAX),
                mmap_threshold: Some(MMAP_THRESHOLD),
            }
        );
        assert_eq!(
            tune(|name| name == "MALLOC_ARENA_MAX"),
            AllocatorTuning {
                arena_max: None,
                mmap_threshold: Some(MMAP_THRESHOLD),
            }
        );
        assert_eq!(tune(|_| true), AllocatorTuning::default());
    }
}
