//! Every string on screen, in English and Chinese, from one table compiled in from `assets/strings.tsv`.

use std::collections::HashMap;
use std::sync::OnceLock;

/// The table itself: one line per key, tab-separated `key, en, zh`.
const TABLE: &str = include_str!("../assets/strings.tsv");

/// The language strings are shown in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
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
        match s {
            "en" => Ok(Lang::En),
            "zh" => Ok(Lang::Zh),
            _ => Err(format!("unknown language '{s}' (expected zh or en)")),
        }
    }
}

type Table = HashMap<&'static str, [&'static str; 2]>;

/// Parse the table; a malformed line is reported with its number.
fn parse(text: &'static str) -> Result<Table, String> {
    let mut table = HashMap::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = line.split('\t').collect();
        let [key, en, zh] = fields[..] else {
            return Err(format!(
                "strings.tsv line {}: expected key, en, zh separated by tabs",
                i + 1
            ));
        };
        if table.insert(key, [en, zh]).is_some() {
            return Err(format!(
                "strings.tsv line {}: key '{key}' appears twice",
                i + 1
            ));
        }
    }
    Ok(table)
}

fn table() -> &'static Table {
    static TABLE_CELL: OnceLock<Table> = OnceLock::new();
    // The table is compiled in and checked by a unit test, so a bad one never ships.
    TABLE_CELL.get_or_init(|| parse(TABLE).expect("assets/strings.tsv is well formed"))
}

/// Whether the table has `key` (tests check every key the program uses).
pub fn has(key: &str) -> bool {
    table().contains_key(key)
}

/// The string for `key` in `lang`; an unknown key shows as a visible marker, never a panic.
pub fn t(lang: Lang, key: &str) -> &'static str {
    match table().get(key) {
        Some([en, zh]) => match lang {
            Lang::En => en,
            Lang::Zh => zh,
        },
        None => "⟨missing text⟩",
    }
}

/// A strategy's name as the screen shows it in `lang` (the command line always says `name()`).
pub fn strategy_name(lang: Lang, strategy: crate::engine::Strategy) -> &'static str {
    use crate::engine::Strategy::*;
    let key = match strategy {
        Serial => "strategy_serial",
        Threads => "strategy_threads",
        Custom => "strategy_custom",
        Pool => "strategy_pool",
        Process => "strategy_process",
        Async => "strategy_async",
        Workshops => "strategy_workshops",
    };
    t(lang, key)
}

/// `t` with `{0}`, `{1}`, ... replaced by `args`.
pub fn tf(lang: Lang, key: &str, args: &[&dyn std::fmt::Display]) -> String {
    let mut s = t(lang, key).to_string();
    for (i, a) in args.iter().enumerate() {
        s = s.replace(&format!("{{{i}}}"), &a.to_string());
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_parses_and_every_entry_has_both_languages() {
        let table = parse(TABLE).unwrap();
        for (key, [en, zh]) in &table {
            assert!(!en.trim().is_empty() && !zh.trim().is_empty(), "{key}");
            // the same placeholders in both languages
            for i in 0..5 {
                let p = format!("{{{i}}}");
                assert_eq!(en.contains(&p), zh.contains(&p), "{key} {p}");
            }
        }
    }

    #[test]
    fn fills_placeholders() {
        assert_eq!(tf(Lang::En, "downloaded", &[&"a.pdf"]), "Downloaded a.pdf");
        assert_eq!(tf(Lang::Zh, "downloaded", &[&"a.pdf"]), "a.pdf 下载完成.");
        assert_eq!(t(Lang::En, "no such key"), "⟨missing text⟩");
    }
}
