//! Turns `assets/strings.tsv` into `enum Key` and one array per language, so a string key that
//! does not exist fails the build and a lookup is an array index (see `src/i18n.rs`).

use std::fmt::Write as _;
use std::{env, fs, path::Path, process};

const TABLE: &str = "assets/strings.tsv";

/// Words a key may not be, since it becomes an enum variant spelled as in the table.
const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut",
    "pub", "ref", "return", "self", "static", "struct", "super", "trait", "true", "type", "unsafe",
    "use", "where", "while", "abstract", "become", "box", "do", "final", "macro", "override",
    "priv", "try", "typeof", "unsized", "virtual", "yield",
];

/// One row of the table: key, English, Chinese.
type Row<'a> = (&'a str, &'a str, &'a str);

fn rows(text: &str) -> Result<Vec<Row<'_>>, String> {
    let mut rows: Vec<Row> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let at = |why: String| format!("{TABLE} line {}: {why}", i + 1);
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = line.split('\t').collect();
        let [key, en, zh] = fields[..] else {
            return Err(at("expected key, en, zh separated by tabs".into()));
        };
        let well_named = key.starts_with(|c: char| c.is_ascii_lowercase())
            && key
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !well_named || KEYWORDS.contains(&key) {
            return Err(at(format!(
                "key '{key}' must be lower_snake_case and not a Rust keyword"
            )));
        }
        if rows.iter().any(|(k, _, _)| *k == key) {
            return Err(at(format!("key '{key}' appears twice")));
        }
        if en.trim().is_empty() || zh.trim().is_empty() {
            return Err(at(format!("key '{key}' needs both English and Chinese")));
        }
        rows.push((key, en, zh));
    }
    Ok(rows)
}

fn generate(rows: &[Row]) -> String {
    let mut out = String::new();
    let n = rows.len();
    out.push_str(
        "/// One string of `assets/strings.tsv`, spelled as its key there, so grep finds both.\n\
         #[allow(non_camel_case_types)]\n\
         #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]\n\
         pub enum Key {\n",
    );
    for (key, en, _) in rows {
        let _ = writeln!(out, "    /// {en:?}\n    {key},");
    }
    out.push_str("}\n\nimpl Key {\n    /// Every key, in the table's order.\n");
    let _ = writeln!(out, "    pub const ALL: [Key; {n}] = [");
    for (key, _, _) in rows {
        let _ = writeln!(out, "        Key::{key},");
    }
    out.push_str("    ];\n}\n\n");
    for (name, doc, pick) in [
        ("NAMES", "Each key's name", 0),
        ("EN", "Each key's English", 1),
        ("ZH", "Each key's Chinese", 2),
    ] {
        let _ = writeln!(out, "/// {doc}, indexed by `Key as usize`.");
        let _ = writeln!(out, "const {name}: [&str; {n}] = [");
        for row in rows {
            let s = [row.0, row.1, row.2][pick];
            let _ = writeln!(out, "    {s:?},");
        }
        out.push_str("];\n\n");
    }
    out
}

fn main() {
    println!("cargo::rerun-if-changed={TABLE}");
    println!("cargo::rerun-if-changed=build.rs");
    let text = fs::read_to_string(TABLE).unwrap_or_else(|e| {
        eprintln!("cannot read {TABLE}: {e}");
        process::exit(1)
    });
    let rows = rows(&text).unwrap_or_else(|e| {
        eprintln!("{e}");
        process::exit(1)
    });
    let out = Path::new(&env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("strings.rs");
    fs::write(&out, generate(&rows)).unwrap_or_else(|e| {
        eprintln!("cannot write {}: {e}", out.display());
        process::exit(1)
    });
}
