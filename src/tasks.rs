//! The downloads of a run: their names (the lesson's, a file's, or generated) and seeded durations.

use crate::engine::Task;
use crate::i18n::{Key, Lang, t, tf};
use crate::text::shown_path;
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use std::path::Path;
use std::sync::Arc;

/// The lesson's three downloads, one per line.
pub const LESSON_DOWNLOADS: &str = include_str!("../assets/downloads.txt");

/// Names longer than this are refused: they are shown on one line of a terminal.
pub const MAX_NAME_CHARS: usize = 200;

/// More downloads than this would only make the screen unreadable and the run slow.
pub const MAX_TASKS: usize = 100_000;

/// Parse one name per line, ignoring blank lines; refuse names that could not be shown safely.
pub fn parse_names(text: &str, lang: Lang) -> Result<Vec<String>, String> {
    let at = |n: usize, what: String| tf(lang, Key::err_line, &[&n, &what]);
    let mut names = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let name = line.trim();
        if name.is_empty() {
            continue;
        }
        let n = i + 1;
        if name.chars().count() > MAX_NAME_CHARS {
            return Err(at(n, tf(lang, Key::err_name_long, &[&MAX_NAME_CHARS])));
        }
        if let Some(c) = name.chars().find(|&c| crate::text::is_hidden(c)) {
            // Shown escaped, so the error itself never sends the character to the terminal.
            let key = match c.is_control() {
                true => Key::err_name_control,
                false => Key::err_name_hidden,
            };
            return Err(at(n, tf(lang, key, &[&c.escape_unicode()])));
        }
        if names.len() == MAX_TASKS {
            // Stop here: a huge file is refused without collecting all of it first.
            return Err(at(n, tf(lang, Key::err_too_many_names, &[&MAX_TASKS])));
        }
        names.push(name.to_string());
    }
    if names.is_empty() {
        return Err(t(lang, Key::err_no_names).into());
    }
    Ok(names)
}

/// The lesson's default download names.
pub fn lesson_names() -> Vec<String> {
    parse_names(LESSON_DOWNLOADS, Lang::En).expect("the built-in download list is valid")
}

/// Read names from a file; the error, in `lang`, says what was wrong with it, naming the file.
pub fn read_names(path: &Path, lang: Lang) -> Result<Vec<String>, String> {
    let what = t(lang, Key::file_tasks);
    let text = read_text(path, what, lang)?;
    parse_names(&text, lang)
        .map_err(|e| tf(lang, Key::err_in_file, &[&what, &shown_path(path), &e]))
}

/// The most a tasks or lesson file may hold: far more than 10,000 names or any lesson needs.
pub const MAX_FILE_BYTES: u64 = 16 << 20;

/// A small text file a user named (`what`: "tasks file", "lesson file"), read whole: a regular
/// file only (a FIFO would block, `/dev/zero` never ends), at most [`MAX_FILE_BYTES`], UTF-8,
/// with a leading byte-order mark dropped. The error is one line naming the file.
pub fn read_text(path: &Path, what: &str, lang: Lang) -> Result<String, String> {
    use std::io::Read;
    use std::os::unix::fs::OpenOptionsExt;
    let shown = shown_path(path);
    let cannot_because = |why: &str| tf(lang, Key::err_file_cannot, &[&what, &shown, &why]);
    let cannot = |e: &std::io::Error| cannot_because(&io_reason(e, lang));
    // Non-blocking, so opening a FIFO cannot wait for a writer; a regular file ignores the flag.
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
        .map_err(|e| cannot(&e))?;
    // Checked on the file opened, not the path, so nothing can be swapped in between.
    let meta = file.metadata().map_err(|e| cannot(&e))?;
    if meta.is_dir() {
        return Err(cannot_because(t(lang, Key::err_file_dir)));
    }
    if !meta.is_file() {
        return Err(cannot_because(t(lang, Key::err_file_special)));
    }
    let too_big = || {
        tf(
            lang,
            Key::err_file_big,
            &[&what, &shown, &(MAX_FILE_BYTES >> 20)],
        )
    };
    if meta.len() > MAX_FILE_BYTES {
        return Err(too_big());
    }
    let mut bytes = Vec::new();
    // One byte past the limit tells a file that grew meanwhile from one that did not.
    (file.take(MAX_FILE_BYTES + 1))
        .read_to_end(&mut bytes)
        .map_err(|e| cannot(&e))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_big());
    }
    let text =
        String::from_utf8(bytes).map_err(|_| tf(lang, Key::err_file_utf8, &[&what, &shown]))?;
    Ok(match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => text,
    })
}

fn io_reason(e: &std::io::Error, lang: Lang) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => t(lang, Key::err_file_missing).into(),
        std::io::ErrorKind::PermissionDenied => t(lang, Key::err_file_denied).into(),
        std::io::ErrorKind::IsADirectory => t(lang, Key::err_file_dir).into(),
        _ => e.to_string(),
    }
}

/// `n` generated names, numbered so they sort in order.
pub fn generated_names(n: usize) -> Vec<String> {
    let width = n.to_string().len();
    (1..=n).map(|i| format!("file-{i:0width$}.bin")).collect()
}

/// Durations drawn like the lesson's `random.randint(min, max)`.
///
/// With whole-number bounds the durations are whole seconds, as in the lesson; with a
/// fractional bound they are drawn in hundredths of a second between the bounds.
pub fn durations(seed: u64, n: usize, min: f64, max: f64) -> Vec<f64> {
    let mut rng = StdRng::seed_from_u64(seed);
    let whole = min.fract() == 0.0 && max.fract() == 0.0;
    (0..n)
        .map(|_| {
            if whole {
                rng.random_range(min as u64..=max as u64) as f64
            } else {
                let lo = (min * 100.0).round() as u64;
                let hi = (max * 100.0).round() as u64;
                rng.random_range(lo..=hi.max(lo)) as f64 / 100.0
            }
        })
        .collect()
}

/// Pair names with durations into the run's task list.
pub fn make_tasks(names: &[String], durations: &[f64]) -> Vec<Task> {
    names
        .iter()
        .zip(durations)
        .enumerate()
        .map(|(id, (name, &duration))| Task {
            id,
            name: Arc::from(name.as_str()),
            duration,
        })
        .collect()
}

/// A fresh seed for a run that was not given one.
pub fn random_seed() -> u64 {
    // Small enough to read out in class and type back.
    rand::rng().random_range(1..=999_999)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lesson_downloads_are_the_three_files() {
        assert_eq!(
            lesson_names(),
            [
                "Python从入门到住院.pdf",
                "MySQL从删库到跑路.avi",
                "Linux从精通到放弃.mp4"
            ]
        );
    }

    #[test]
    fn durations_are_whole_seconds_in_range_and_repeatable() {
        let a = durations(7, 100, 3.0, 6.0);
        assert_eq!(a, durations(7, 100, 3.0, 6.0));
        assert!(
            a.iter()
                .all(|d| d.fract() == 0.0 && (3.0..=6.0).contains(d))
        );
        // all four values show up, as with randint(3, 6)
        for v in [3.0, 4.0, 5.0, 6.0] {
            assert!(a.contains(&v), "{v} never drawn");
        }
        assert_ne!(a, durations(8, 100, 3.0, 6.0));
    }

    #[test]
    fn fractional_bounds_give_hundredths() {
        let a = durations(1, 200, 0.5, 1.25);
        assert!(a.iter().all(|d| (0.5..=1.25).contains(d)));
        assert!(a.iter().any(|d| d.fract() != 0.0));
    }

    #[test]
    fn bad_names_are_refused_with_their_line() {
        assert_eq!(parse_names("a\n\n  \nb\n", Lang::En).unwrap(), ["a", "b"]);
        let e = parse_names("ok\n\nbad\x1b[31m\n", Lang::En).unwrap_err();
        assert!(e.starts_with("line 3:"), "{e}");
        assert!(!e.contains('\x1b'));
        let long = "x".repeat(201);
        assert!(
            parse_names(&long, Lang::En)
                .unwrap_err()
                .starts_with("line 1:")
        );
        assert!(parse_names("\n \n", Lang::En).is_err());
        let e = parse_names("a\ninvoice\u{202e}fdp.exe\n", Lang::En).unwrap_err();
        assert!(e.starts_with("line 2: name contains an invisible"), "{e}");
        assert!(e.contains("\\u{202e}") && !e.contains('\u{202e}'), "{e}");
        let e = parse_names("a\nb\u{200d}c\n", Lang::En).unwrap_err();
        assert!(e.starts_with("line 2:"), "{e}");
        let many = "x\n".repeat(MAX_TASKS + 1);
        let e = parse_names(&many, Lang::En).unwrap_err();
        assert_eq!(
            e,
            format!("line {}: more than {MAX_TASKS} downloads", MAX_TASKS + 1)
        );
        assert_eq!(
            parse_names(&"x\n".repeat(MAX_TASKS), Lang::En)
                .unwrap()
                .len(),
            MAX_TASKS
        );
    }
}
