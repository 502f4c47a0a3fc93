//! Every string on screen, in English and Chinese: `build.rs` turns `assets/strings.tsv` into `enum Key`, so an unknown key fails the build and a lookup is an array index.

/// The language strings are shown in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum Lang {
    En,
    Zh,
}

impl Lang {
    /// Chinese when `LANG` (or `LC_ALL`) starts with `zh`, English otherwise.
    pub fn from_env() -> Lang {
        let var = std::env::var("LC_ALL")
            .ok()
            .filter(|v| !v.is_empty())
            .or_else(|| std::env::var("LANG").ok())
            .unwrap_or_default();
        if var.starts_with("zh") {
            Lang::Zh
        } else {
            Lang::En
        }
    }

    /// The other language (the `l` key).
    pub fn toggled(self) -> Lang {
        match self {
            Lang::En => Lang::Zh,
            Lang::Zh => Lang::En,
        }
    }

    /// Parse `zh` or `en` as given to `--lang`.
    pub fn parse(s: &str) -> Result<Lang, String> {
        crate::names::parse(s).ok_or_else(|| format!("unknown language '{s}' (expected zh or en)"))
    }
}

include!(concat!(env!("OUT_DIR"), "/strings.rs"));

/// What a name that is not in the table shows (only names built at run time can miss).
pub const MISSING: &str = "⟨missing text⟩";

impl Key {
    /// The key as `assets/strings.tsv` spells it.
    pub fn name(self) -> &'static str {
        NAMES[self as usize]
    }

    /// The key spelled `name`: for names built at run time (a clap argument's id), which the
    /// compiler cannot check; a test checks every one the program builds.
    pub fn from_name(name: &str) -> Option<Key> {
        NAMES.iter().position(|n| *n == name).map(|i| Key::ALL[i])
    }
}

/// The string for `key` in `lang`.
pub fn t(lang: Lang, key: Key) -> &'static str {
    match lang {
        Lang::En => EN[key as usize],
        Lang::Zh => ZH[key as usize],
    }
}

/// The string for a key built at run time, or [`MISSING`] when the table has no such key.
pub fn t_named(lang: Lang, name: &str) -> &'static str {
    Key::from_name(name).map_or(MISSING, |k| t(lang, k))
}

/// A strategy's name as the screen shows it in `lang` (the command line always says `name()`).
pub fn strategy_name(lang: Lang, strategy: crate::engine::Strategy) -> &'static str {
    use crate::engine::Strategy::*;
    let key = match strategy {
        Serial => Key::strategy_serial,
        Threads => Key::strategy_threads,
        Custom => Key::strategy_custom,
        Pool => Key::strategy_pool,
        Process => Key::strategy_process,
        Async => Key::strategy_async,
        Workshops => Key::strategy_workshops,
    };
    t(lang, key)
}

/// Why a download failed, in `lang`: every screen, log and transcript says it through this.
pub fn failure(lang: Lang, f: &crate::engine::Failure) -> String {
    use crate::engine::{Failure, SpawnKind};
    match f {
        Failure::Panicked => t(lang, Key::failure_panicked).into(),
        Failure::Signal(9) => t(lang, Key::failure_killed).into(),
        Failure::Signal(6) => t(lang, Key::failure_aborted).into(),
        Failure::Signal(n) => {
            let name = match n {
                2 => " (SIGINT)",
                11 => " (SIGSEGV)",
                15 => " (SIGTERM)",
                _ => "",
            };
            tf(lang, Key::failure_signal, &[n, &name])
        }
        Failure::Exit(101) => t(lang, Key::failure_exit_panic).into(),
        Failure::Exit(n) => tf(lang, Key::failure_exit, &[n]),
        Failure::Vanished => t(lang, Key::failure_vanished).into(),
        Failure::Malformed(line) => tf(lang, Key::failure_malformed, &[&format!("{line:?}")]),
        Failure::NotStarted { worker, error } => {
            let worker = match worker {
                SpawnKind::Thread => Key::failure_thread,
                SpawnKind::Process => Key::failure_process,
            };
            tf(
                lang,
                Key::failure_not_started,
                &[&t(lang, worker), &t(lang, io_key(*error))],
            )
        }
        Failure::NoEventLoop { error, errno } => tf(
            lang,
            Key::failure_no_event_loop,
            &[&io_words(lang, *error, *errno)],
        ),
    }
}

/// The system's error `e` in `lang`: its kind in words, or for a kind without words its number
/// (the OS's own text is English only).
pub fn io_error(lang: Lang, e: &std::io::Error) -> String {
    io_words(lang, e.kind(), e.raw_os_error())
}

/// An error of `kind` (the system's number `errno`, if any) in `lang`, as [`io_error`] says it.
fn io_words(lang: Lang, kind: std::io::ErrorKind, errno: Option<i32>) -> String {
    match (io_key(kind), errno) {
        (Key::io_other, Some(n)) => tf(lang, Key::io_other_errno, &[&n]),
        (key, _) => t(lang, key).to_string(),
    }
}

/// A known kind of I/O error (see `engine::failure`'s list) as the key of its words.
fn io_key(kind: std::io::ErrorKind) -> Key {
    use std::io::ErrorKind;
    match kind {
        ErrorKind::WouldBlock => Key::io_would_block,
        ErrorKind::OutOfMemory => Key::io_out_of_memory,
        ErrorKind::PermissionDenied => Key::io_permission_denied,
        ErrorKind::NotFound => Key::io_not_found,
        _ => Key::io_other,
    }
}

/// `t` with `{0}`, `{1}`, ... replaced by `args`.
pub fn tf(lang: Lang, key: Key, args: &[&dyn std::fmt::Display]) -> String {
    let mut s = t(lang, key).to_string();
    for (i, a) in args.iter().enumerate() {
        s = s.replace(&format!("{{{i}}}"), &a.to_string());
    }
    s
}

/// `n` downloads as a phrase in `lang`: English says "1 download" and "2 downloads", Chinese has
/// one form ("1 个下载"). Screens write this rather than a hand-made "download(s)".
pub fn n_downloads(lang: Lang, n: usize) -> String {
    let key = match n {
        1 => Key::n_downloads_one,
        _ => Key::n_downloads_many,
    };
    tf(lang, key, &[&n])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_download_is_singular_in_english() {
        assert_eq!(n_downloads(Lang::En, 1), "1 download");
        assert_eq!(n_downloads(Lang::En, 0), "0 downloads");
        assert_eq!(n_downloads(Lang::En, 2), "2 downloads");
        assert_eq!(n_downloads(Lang::Zh, 1), "1 个下载");
        assert_eq!(n_downloads(Lang::Zh, 2), "2 个下载");
    }

    #[test]
    fn every_key_has_both_languages_with_the_same_placeholders() {
        for key in Key::ALL {
            let (en, zh) = (t(Lang::En, key), t(Lang::Zh, key));
            assert!(!en.trim().is_empty() && !zh.trim().is_empty(), "{key:?}");
            for i in 0..5 {
                let p = format!("{{{i}}}");
                assert_eq!(en.contains(&p), zh.contains(&p), "{key:?} {p}");
            }
            assert_eq!(Key::from_name(key.name()), Some(key));
        }
    }

    #[test]
    fn fills_placeholders() {
        assert_eq!(
            tf(Lang::En, Key::downloaded, &[&"a.pdf"]),
            "Downloaded a.pdf"
        );
        assert_eq!(
            tf(Lang::Zh, Key::downloaded, &[&"a.pdf"]),
            "a.pdf 下载完成."
        );
        assert_eq!(t_named(Lang::En, "no such key"), MISSING);
    }
}
