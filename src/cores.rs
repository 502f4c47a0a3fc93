//! How many CPU cores the whole process may run on (Linux `sched_setaffinity`): one core makes
//! every thread take turns (the juggler), more cores let them run at once (the runners).

use crate::i18n::{Key, Lang, io_error, t, tf};

/// Cores this process could use when it started (its original affinity), at least 1.
pub fn available_cores() -> usize {
    imp::original().len()
}

/// Cores the process may use now: the `k` key and `--cores` change it.
pub fn cores_in_use() -> usize {
    imp::in_use().unwrap_or_else(available_cores).max(1)
}

/// Why the cores could not be chosen, said in the user's language by [`CoresError::text`].
#[derive(Debug)]
pub enum CoresError {
    /// `n` is not from 1 to `all`, the cores this machine lets threadlab use.
    Range { n: usize, all: usize },
    /// Choosing cores needs Linux.
    Unsupported,
    /// The kernel refused to restrict threadlab to `n` cores.
    Restrict { n: usize, error: std::io::Error },
    /// This process's threads could not be listed (to move each of them).
    Threads(std::io::Error),
}

impl CoresError {
    /// One line in `lang`.
    pub fn text(&self, lang: Lang) -> String {
        match self {
            CoresError::Range { n, all } => tf(lang, Key::cli_err_cores, &[n, all]),
            CoresError::Unsupported => t(lang, Key::cores_err_unsupported).to_string(),
            CoresError::Restrict { n, error } => {
                tf(lang, Key::cores_err_restrict, &[n, &io_error(lang, error)])
            }
            CoresError::Threads(error) => {
                tf(lang, Key::cores_err_threads, &[&io_error(lang, error)])
            }
        }
    }
}

/// Check `n` as a number of cores for this machine.
pub fn check(n: usize) -> Result<usize, CoresError> {
    imp::supported()?;
    let all = available_cores();
    if (1..=all).contains(&n) {
        Ok(n)
    } else {
        Err(CoresError::Range { n, all })
    }
}

/// Restrict every thread of the process, those running now and those started later, to the
/// first `n` of the cores it started with. Safe to call mid-run: running threads move at once.
pub fn set_cores(n: usize) -> Result<(), CoresError> {
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

    pub fn supported() -> Result<(), super::CoresError> {
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

    pub fn set(cpus: &[usize]) -> Result<(), super::CoresError> {
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
            return Err(super::CoresError::Restrict {
                n: cpus.len(),
                error: std::io::Error::last_os_error(),
            });
        }
        let mut seen = HashSet::new();
        for _ in 0..10 {
            let tids: Vec<libc::pid_t> = std::fs::read_dir("/proc/self/task")
                .map_err(super::CoresError::Threads)?
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

    pub fn supported() -> Result<(), super::CoresError> {
        Err(super::CoresError::Unsupported)
    }

    pub fn in_use() -> Option<usize> {
        None
    }

    pub fn set(_cpus: &[usize]) -> Result<(), super::CoresError> {
        supported()
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    #[test]
    fn check_refuses_zero_and_too_many() {
        let all = available_cores();
        assert_eq!(check(1).ok(), Some(1));
        assert_eq!(check(all).ok(), Some(all));
        let err = check(0).unwrap_err().text(Lang::En);
        assert!(
            err.starts_with("0 is not") && err.contains(&format!("1 to {all}")),
            "{err}"
        );
        assert!(check(all + 1).is_err());
    }

    #[test]
    fn every_refusal_is_said_in_the_users_language() {
        // An empty set of cores: the kernel refuses it (EINVAL), as it would a cpuset's limit.
        let refused = imp::set(&[]).unwrap_err();
        assert!(
            matches!(refused, CoresError::Restrict { n: 0, .. }),
            "{refused:?}"
        );
        let threads = CoresError::Threads(std::io::Error::from_raw_os_error(libc::EACCES));
        let all = [
            check(0).unwrap_err(),
            CoresError::Unsupported,
            refused,
            threads,
        ];
        for e in &all {
            let zh = e.text(Lang::Zh);
            assert!(!zh.is_empty() && !zh.contains('\n'), "{zh:?}");
            // No English word of the message (the kernel's reason included) on a Chinese line.
            assert!(
                !zh.split(|c: char| !c.is_ascii_alphabetic())
                    .any(|w| w.len() > 3 && w != "threadlab" && w != "Linux" && w != "errno"),
                "{zh:?}"
            );
            assert_ne!(zh, e.text(Lang::En));
        }
    }
}
