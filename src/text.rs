//! Width-aware text helpers: CJK characters take two terminal columns, so never count chars.
//! And [`shown`]: the one way text from outside (paths, names, lesson lines, a child's reason)
//! reaches a terminal, with anything that could act on the terminal or hide itself escaped.

use std::borrow::Cow;
use std::path::Path;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// Whether `c` would reach a terminal as something other than a visible character: a C0 or C1
/// control or DEL (escape sequences start with them), a bidirectional control (U+202A–U+202E,
/// U+2066–U+2069, and the marks U+200E, U+200F, U+061C: they reorder what follows, so
/// `invoice\u{202e}fdp.exe` reads as `invoiceexe.pdf`), or another invisible format character
/// (zero-width space and joiners, the byte-order mark, the soft hyphen, line and paragraph
/// separators, tags) that changes a row's width or hides text.
pub fn is_hidden(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{00AD}'
                | '\u{0600}'..='\u{0605}'
                | '\u{061C}'
                | '\u{06DD}'
                | '\u{070F}'
                | '\u{0890}'..='\u{0891}'
                | '\u{08E2}'
                | '\u{180E}'
                | '\u{200B}'..='\u{200F}'
                | '\u{2028}'..='\u{202E}'
                | '\u{2060}'..='\u{2064}'
                | '\u{2066}'..='\u{206F}'
                | '\u{FEFF}'
                | '\u{FFF9}'..='\u{FFFB}'
                | '\u{110BD}'
                | '\u{110CD}'
                | '\u{13430}'..='\u{1343F}'
                | '\u{1BCA0}'..='\u{1BCA3}'
                | '\u{1D173}'..='\u{1D17A}'
                | '\u{E0001}'
                | '\u{E0020}'..='\u{E007F}'
        )
}

/// `s` as it may be shown on a terminal (stdout, stderr or the live screen): every
/// [hidden](is_hidden) character written out as `\u{..}`, everything else as it is. Text from
/// outside goes through here before it is displayed.
pub fn shown(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_hidden) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_hidden(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A path as it may be shown on a terminal (see [`shown`]); bytes that are not UTF-8 show as �.
pub fn shown_path(path: &Path) -> String {
    shown(&path.to_string_lossy()).into_owned()
}

/// Columns `s` takes on a terminal.
pub fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// `s` cut to at most `max` columns, ending in `…` when something was cut.
pub fn truncate(s: &str, max: usize) -> String {
    truncate_with(s, max, "…")
}

/// `s` cut to at most `max` columns, ending in `ellipsis` when something was cut (and the
/// ellipsis fits).
pub fn truncate_with(s: &str, max: usize, ellipsis: &str) -> String {
    if width(s) <= max {
        return s.to_string();
    }
    let mark = if width(ellipsis) <= max { ellipsis } else { "" };
    let room = max - width(mark);
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > room {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push_str(mark);
    out
}

/// `s` cut to at most `max` columns from the middle (`Downl…Thread-3`): names that differ at
/// their end (worker numbers, thread ids) stay distinct. The end keeps three fifths.
pub fn shorten_middle(s: &str, max: usize, ellipsis: &str) -> String {
    if width(s) <= max {
        return s.to_string();
    }
    let mark = width(ellipsis);
    if max <= mark + 1 {
        return truncate_with(s, max, ellipsis);
    }
    let room = max - mark;
    let (head_w, tail_w) = (room * 2 / 5, room - room * 2 / 5);
    let mut head = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > head_w {
            break;
        }
        head.push(c);
        used += w;
    }
    let mut tail: Vec<char> = Vec::new();
    let mut used = 0;
    for c in s.chars().rev() {
        let w = c.width().unwrap_or(0);
        if used + w > tail_w {
            break;
        }
        tail.push(c);
        used += w;
    }
    head.push_str(ellipsis);
    head.extend(tail.into_iter().rev());
    head
}

/// `s` broken into lines of at most `max` columns: after a space where there is one, after any
/// wide (CJK) character, and inside a word only when the word alone is too long. (A character
/// wider than `max` itself, a CJK one when `max` is 1, still gets a line of its own.)
/// Marks a line never starts with (closing punctuation) and never ends with (opening).
const NO_BREAK_BEFORE: &str = "，。、；：！？）」』】》〉”’…";
const NO_BREAK_AFTER: &str = "（「『【《〈“‘";

pub fn wrap(s: &str, max: usize) -> Vec<String> {
    let mut lines = Vec::new();
    if max == 0 {
        return lines;
    }
    let mut line = String::new();
    let mut used = 0;
    // Byte offset in `line` just after its last break opportunity, and the one before it.
    let mut brk: Option<usize> = None;
    let mut before: Option<usize> = None;
    for c in s.chars() {
        let w = c.width().unwrap_or(0);
        if NO_BREAK_BEFORE.contains(c) && brk == Some(line.len()) {
            // Chinese never starts a line with a closing mark: the character before it goes
            // down with it (a lone "，" or "）" began lines of the log and the cards).
            brk = before.take();
        }
        while used + w > max && !line.is_empty() {
            before = None;
            match brk.take() {
                Some(at) if at < line.len() => {
                    let rest = line.split_off(at);
                    lines.push(line.trim_end().to_string());
                    line = rest.trim_start().to_string();
                }
                _ => lines.push(std::mem::take(&mut line).trim_end().to_string()),
            }
            used = width(&line);
        }
        if c == ' ' && line.is_empty() && !lines.is_empty() {
            continue;
        }
        line.push(c);
        used += w;
        if c == ' ' || (w == 2 && !NO_BREAK_AFTER.contains(c)) {
            before = brk.replace(line.len());
        }
    }
    if !line.trim_end().is_empty() {
        lines.push(line.trim_end().to_string());
    }
    lines
}

/// `s` cut or padded with spaces on the right to exactly `cols` columns.
pub fn pad(s: &str, cols: usize) -> String {
    let mut out = truncate(s, cols);
    let w = width(&out);
    out.extend(std::iter::repeat_n(' ', cols.saturating_sub(w)));
    out
}

/// `s` padded with spaces on the left to at least `cols` columns.
pub fn pad_left(s: &str, cols: usize) -> String {
    let w = width(s);
    let mut out: String = std::iter::repeat_n(' ', cols.saturating_sub(w)).collect();
    out.push_str(s);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_lines_never_start_with_a_closing_mark_nor_end_with_an_opening_one() {
        // 甲乙丙 fill 6 columns; the comma goes down with 丙, not alone.
        assert_eq!(wrap("甲乙丙，丁戊", 6), ["甲乙", "丙，丁", "戊"]);
        assert_eq!(wrap("甲乙丙）丁", 6), ["甲乙", "丙）丁"]);
        // An opening bracket goes down with what it opens.
        assert_eq!(wrap("甲乙（丙丁", 6), ["甲乙", "（丙丁"]);
        for text in [
            "进程退出了：它的守护线程 Ping 和 Pong 随之结束（退出状态 0）。",
            "甲，乙，丙，丁，戊，己",
        ] {
            // From three characters' width up: at two, a mark has nowhere to go but alone.
            for max in 6..30 {
                for line in wrap(text, max) {
                    let first = line.chars().next().unwrap();
                    let last = line.chars().last().unwrap();
                    assert!(!NO_BREAK_BEFORE.contains(first), "{max}: {line:?}");
                    assert!(!NO_BREAK_AFTER.contains(last), "{max}: {line:?}");
                    assert!(width(&line) <= max, "{max}: {line:?}");
                }
            }
        }
    }

    #[test]
    fn shorten_middle_keeps_the_distinguishing_end_within_the_width() {
        let names = ["DownloadThread-1", "DownloadThread-2", "DownloadThread-3"];
        let short: Vec<String> = names.iter().map(|n| shorten_middle(n, 14, "…")).collect();
        assert_eq!(short[2], "Downl…Thread-3");
        assert!(short.iter().all(|s| width(s) <= 14));
        assert_ne!(short[0], short[1]);
        assert_eq!(shorten_middle("pid 12345/t2", 12, "…"), "pid 12345/t2");
        let zh = shorten_middle("下载线程-12", 8, "…");
        assert!(width(&zh) <= 8 && zh.ends_with("-12"), "{zh}");
        for max in 0..20 {
            assert!(width(&shorten_middle("DownloadThread-12", max, "...")) <= max);
        }
    }

    #[test]
    fn wrap_breaks_at_spaces_and_after_wide_characters_never_past_the_width() {
        let en = "threads took 10.7 s ≈ the sum (10.0 s): one core computes one download at a time";
        let lines = wrap(en, 30);
        assert!(lines.iter().all(|l| width(l) <= 30), "{lines:?}");
        assert_eq!(lines.join(" "), en);
        assert_eq!(lines[0], "threads took 10.7 s ≈ the sum");
        let zh = "多线程 耗时 10.7 秒 ≈ 总和（10.0 秒）：一个核一次只能算一个下载";
        let lines = wrap(zh, 20);
        assert!(lines.iter().all(|l| width(l) <= 20), "{lines:?}");
        assert_eq!(lines.concat().replace(' ', ""), zh.replace(' ', ""));
        // A word longer than the width is cut inside; nothing is lost.
        assert_eq!(wrap("abcdefgh ij", 3), ["abc", "def", "gh", "ij"]);
        assert_eq!(wrap("", 10), Vec::<String>::new());
        assert_eq!(wrap("abc", 0), Vec::<String>::new());
    }

    #[test]
    fn shown_escapes_controls_bidi_and_invisible_characters_and_keeps_the_rest() {
        assert!(matches!(shown("Python从入门到住院.pdf"), Cow::Borrowed(_)));
        assert_eq!(shown("a\x1b]0;PWNED\x07b"), "a\\u{1b}]0;PWNED\\u{7}b");
        assert_eq!(shown("invoice\u{202e}fdp.exe"), "invoice\\u{202e}fdp.exe");
        assert_eq!(shown("\u{9b}31m\u{7f}"), "\\u{9b}31m\\u{7f}");
        for c in [
            '\u{200b}',
            '\u{200d}',
            '\u{200e}',
            '\u{2066}',
            '\u{2069}',
            '\u{feff}',
            '\u{2028}',
            '\u{e0041}',
            '\u{ad}',
        ] {
            assert!(is_hidden(c), "{c:?}");
            assert!(!shown(&format!("x{c}y")).contains(c), "{c:?}");
        }
        for c in ['a', '长', '·', '×', '≈', '…', '░', '—', '🙂'] {
            assert!(!is_hidden(c), "{c:?}");
        }
        // What is shown never takes fewer columns than the characters a reader can see.
        assert_eq!(width(&shown("ab\u{200d}c")), width("ab\\u{200d}c"));
        assert_eq!(
            shown_path(Path::new("/tmp/\x1b[2J.json")),
            "/tmp/\\u{1b}[2J.json"
        );
    }

    #[test]
    fn chinese_takes_two_columns() {
        assert_eq!(width("Python从入门到住院.pdf"), 22); // 12 ASCII + 5 CJK × 2
        assert_eq!(width(&pad("Linux从精通到放弃.mp4", 30)), 30);
        let cut = truncate("MySQL从删库到跑路.avi", 8);
        assert!(width(&cut) <= 8, "{cut}");
        assert!(cut.ends_with('…'));
        assert_eq!(truncate("abc", 0), "");
        assert_eq!(pad_left("ab", 4), "  ab");
        assert_eq!(truncate("abc", 1), "…");
        assert_eq!(truncate_with("abcdef", 5, "..."), "ab...");
        assert_eq!(truncate_with("abcdef", 3, "..."), "...");
        assert_eq!(truncate_with("abcdef", 2, "..."), "ab");
    }
}
