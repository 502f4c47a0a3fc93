//! How many CPU cores the whole process may run on (Linux `sched_setaffinity`): one core makes
//! every thread take turns (the juggler), more cores let them run at once (the runners).

/// Cores this process could use when it started (its original affinity), at least 1.
pub fn available_cores() -> usize {
    imp::original().len()
}

/// Cores the process may use now: the `k` key and `--cores` change it.
pub fn cores_in_use() -> usize {
    imp::in_use().unwrap_or_else(available_cores).max(1)
}

/// Check `n` as a number of cores for this machine; the error is one line.
pub fn check(n: usize) -> Result<usize, String> {
    imp::supported()?;
    let all = available_cores();
    if (1..=all).contains(&n) {
        Ok(n)
    } else {
        Err(format!(
            "{n} is not from 1 to {all}, the cores this machine lets threadlab use"
        ))
    }
}

/// Restrict every thread of the process, those running now and those started later, to the
/// first `n` of the cores it started with. Safe to call mid-run: running threads move at once.
pub fn set_cores(n: usize) -> Result<(), String> {
    check(n)?;
    imp::set(&imp::original()[..n])
}

#[cfg(target_os = "linux")]
mod imp {
    use std::collections::HashSet;
    use std::sync::OnceLock;

    /// The CPUs the process was allowed when first asked, before any change of ours.
    pub fn original() -> &'static [usize] {
        static CPUS: OnceLock<Vec<usize>> = OnceLock::new();
        CPUS.get_or_init(|| {
            let cpus: Vec<usize> = current().map_or_else(Vec::new, |set| {
                (0..libc::CPU_SETSIZE as usize)
                    // SAFETY: `cpu` is below CPU_SETSIZE, the size of the set.
                    .filter(|&cpu| unsafe { libc::CPU_ISSET(cpu, &set) })
                    .collect()
            });
            if cpus.is_empty() {
                // Never seen, but never panic on it: assume CPU 0, which every machine has.
                vec![0]
            } else {
                cpus
            }
        })
    }

    pub fn supported() -> Result<(), String> {
        Ok(())
    }

    /// The calling thread's affinity; every thread shares it unless someone changed one alone.
    fn current() -> Option<libc::cpu_set_t> {
        // SAFETY: a zeroed cpu_set_t is an empty set; the kernel writes at most its size.
        unsafe {
            let mut set: libc::cpu_set_t = std::mem::zeroed();
            let ok = libc::sched_getaffinity(0, size_of::<libc::cpu_set_t>(), &mut set) == 0;
            ok.then_some(set)
        }
    }

    pub fn in_use() -> Option<usize> {
        // SAFETY: `set` is a valid cpu_set_t filled in by the kernel.
        current().map(|set| unsafe { libc::CPU_COUNT(&set) } as usize)
    }

    pub fn set(cpus: &[usize]) -> Result<(), String> {
        original(); // remember the original set before changing it
        // SAFETY: a zeroed cpu_set_t is an empty set, and every cpu came from CPU_ISSET.
        let set = unsafe {
            let mut set: libc::cpu_set_t = std::mem::zeroed();
            for &cpu in cpus {
                libc::CPU_SET(cpu, &mut set);
            }
            set
        };
        // Affinity belongs to each thread, and a new thread copies its parent's: set the
        // calling thread first, then every thread in /proc/self/task. A thread started during
        // the scan by a thread not yet moved would copy the old set, so scan again until a
        // scan finds no thread it has not seen.
        let apply = |tid: libc::pid_t| {
            // SAFETY: `set` outlives the call and its size is passed with it.
            unsafe { libc::sched_setaffinity(tid, size_of::<libc::cpu_set_t>(), &set) }
        };
        if apply(0) != 0 {
            return Err(format!(
                "cannot restrict threadlab to {} cores: {}",
                cpus.len(),
                std::io::Error::last_os_error()
            ));
        }
        let mut seen = HashSet::new();
        for _ in 0..10 {
            let tids: Vec<libc::pid_t> = std::fs::read_dir("/proc/self/task")
                .map_err(|e| format!("cannot list this process's threads: {e}"))?
                .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse().ok())
                .filter(|tid| !seen.contains(tid))
                .collect();
            if tids.is_empty() {
                break;
            }
            for tid in tids {
                // A thread that ended meanwhile (ESRCH) needs nothing.
                apply(tid);
                seen.insert(tid);
            }
        }
        Ok(())
    }
}

#[cfg(not(target_os = "linux"))]
mod imp {
    pub fn original() -> &'static [usize] {
        static CPUS: std::sync::OnceLock<Vec<usize>> = std::sync::OnceLock::new();
        CPUS.get_or_init(|| {
            let n = std::thread::available_parallelism().map_or(1, |n| n.get());
            (0..n).collect()
        })
    }

    pub fn supported() -> Result<(), String> {
        Err("not supported on this system: choosing cores needs Linux".into())
    }

    pub fn in_use() -> Option<usize> {
        None
    }

    pub fn set(_cpus: &[usize]) -> Result<(), String> {
        supported()
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    #[test]
    fn check_refuses_zero_and_too_many() {
        let all = available_cores();
        assert_eq!(check(1), Ok(1));
        assert_eq!(check(all), Ok(all));
        let err = check(0).unwrap_err();
        assert!(
            err.starts_with("0 is not") && err.contains(&format!("1 to {all}")),
            "{err}"
        );
        assert!(check(all + 1).is_err());
    }
}
