//! Width-aware text helpers: CJK characters take two terminal columns, so never count chars.

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

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
