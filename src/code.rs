//! The code shown in class: each strategy's own Rust source, compiled in from the file that runs
//! (only the parts between `// lesson:begin` and `// lesson:end`, so it can never drift from the
//! code), and a short Python counterpart from `assets/python/`. Each listing is highlighted once,
//! by syntect's Sublime grammars, and kept; no ratatui here, the view picks the colours.

use crate::engine::Strategy;
use std::str::FromStr;
use std::sync::OnceLock;
use syntect::highlighting::ScopeSelectors;
use syntect::parsing::{ParseState, ScopeStack, SyntaxSet};
use syntect::util::LinesWithEndings;

/// The language a listing is in: `v` shows Rust, `V` Python.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Language {
    Rust,
    Python,
}

/// What a listing shows: a strategy, or the Ping/Pong ticker of the daemon lesson.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Subject {
    Strategy(Strategy),
    Ticker,
}

/// What a piece of code is, as far as colouring goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Syntax {
    Plain,
    Keyword,
    Function,
    Type,
    String,
    Number,
    Comment,
}

impl Syntax {
    /// How many kinds there are (themes keep one style for each).
    pub const COUNT: usize = 7;
}

/// One line of a listing: its number in the file, its pieces, and whether it matters most.
#[derive(Debug, Clone, PartialEq)]
pub struct CodeLine {
    pub number: usize,
    pub spans: Vec<(Syntax, &'static str)>,
    /// A line the lesson turns on (a spawn, a join, the queue, the daemon flag).
    pub key: bool,
}

impl CodeLine {
    /// The line's text, without colour.
    pub fn text(&self) -> String {
        self.spans.iter().map(|(_, s)| *s).collect()
    }
}

/// A highlighted listing: the lines of one or more excerpts of one file.
#[derive(Debug)]
pub struct Listing {
    /// The file, from the repository's root.
    pub path: &'static str,
    pub language: Language,
    /// Each excerpt exactly as it stands in the file, for the test that it never drifts.
    pub excerpts: Vec<&'static str>,
    /// Every line of every excerpt in order; a jump in `number` is where an excerpt ends.
    pub lines: Vec<CodeLine>,
}

/// A file the panel shows, and the phrases that mark its key lines.
struct Source {
    path: &'static str,
    text: &'static str,
    language: Language,
    keys: &'static [&'static str],
}

macro_rules! rust {
    ($file:literal, $keys:expr) => {
        Source {
            path: concat!("src/", $file),
            text: include_str!($file),
            language: Language::Rust,
            keys: $keys,
        }
    };
}

macro_rules! python {
    ($file:literal, $keys:expr) => {
        Source {
            path: concat!("assets/python/", $file),
            text: include_str!(concat!("../assets/python/", $file)),
            language: Language::Python,
            keys: $keys,
        }
    };
}

/// The subjects in `index` order: the strategies by key, then the ticker.
const SUBJECTS: usize = 8;

const RUST: [Source; SUBJECTS] = [
    rust!(
        "engine/serial.rs",
        &["for task in tasks", "download(task, ctx)"]
    ),
    rust!("engine/threads.rs", &[".spawn(", ".join()"]),
    rust!(
        "engine/custom_thread.rs",
        &["pub fn run(self)", ".spawn(", ".start()", ".join()"]
    ),
    rust!(
        "engine/pool.rs",
        &[
            "claim_and_hire(crew)",
            ".recv()",
            "job()",
            "ThreadPool::new(",
            "pool.submit("
        ]
    ),
    rust!(
        "engine/process.rs",
        &["ChildProcess::start(", "child.join()"]
    ),
    rust!(
        "engine/async_tasks.rs",
        &["new_current_thread()", "tokio::spawn(", ".await"]
    ),
    rust!(
        "engine/workshops.rs",
        &["ChildProcess::start(", "workshop.join()", "div_ceil("]
    ),
    rust!(
        "ticker.rs",
        &[".spawn(", "daemon.store(", "threads.clear()"]
    ),
];

const PYTHON: [Source; SUBJECTS] = [
    python!("serial.py", &["download(filename)"]),
    python!("threads.py", &["Thread(", ".start()", ".join()"]),
    python!(
        "custom.py",
        &["(Thread):", "def run(self)", ".start()", ".join()"]
    ),
    python!("pool.py", &["ThreadPoolExecutor(", "pool.submit("]),
    python!("process.py", &["Process(", ".start()", ".join()"]),
    python!(
        "async.py",
        &["asyncio.sleep(", "asyncio.gather(", "asyncio.run("]
    ),
    python!(
        "workshops.py",
        &["Process(", "ThreadPoolExecutor(", ".start()", ".join()"]
    ),
    python!("ticker.py", &["DAEMON = ", "daemon=DAEMON"]),
];

fn index(subject: Subject) -> usize {
    match subject {
        Subject::Strategy(s) => usize::from(s.key()) - 1,
        Subject::Ticker => SUBJECTS - 1,
    }
}

/// The listing of `subject` in `language`, highlighted the first time it is asked for.
pub fn listing(subject: Subject, language: Language) -> &'static Listing {
    static CACHE: [OnceLock<Listing>; 2 * SUBJECTS] = [const { OnceLock::new() }; 2 * SUBJECTS];
    let (sources, offset) = match language {
        Language::Rust => (&RUST, 0),
        Language::Python => (&PYTHON, SUBJECTS),
    };
    let i = index(subject);
    CACHE[offset + i].get_or_init(|| build(&sources[i]))
}

/// The parts of `text` between the lesson markers, each with the number of its first line; a
/// file without markers is shown whole.
pub fn excerpts(text: &'static str) -> Vec<(usize, &'static str)> {
    let mut out = Vec::new();
    let mut open: Option<(usize, usize)> = None; // (first line, byte offset)
    let mut offset = 0;
    for (i, line) in LinesWithEndings::from(text).enumerate() {
        match line.trim() {
            "// lesson:begin" => open = Some((i + 2, offset + line.len())),
            "// lesson:end" => {
                if let Some((first, start)) = open.take() {
                    out.push((first, &text[start..offset]));
                }
            }
            _ => {}
        }
        offset += line.len();
    }
    if out.is_empty() {
        out.push((1, text));
    }
    out
}

fn syntaxes() -> &'static SyntaxSet {
    static SET: OnceLock<SyntaxSet> = OnceLock::new();
    SET.get_or_init(SyntaxSet::load_defaults_newlines)
}

/// Which scopes count as which kind, most specific match winning, as in a Sublime colour scheme.
fn rules() -> &'static [(ScopeSelectors, Syntax)] {
    static RULES: OnceLock<Vec<(ScopeSelectors, Syntax)>> = OnceLock::new();
    RULES.get_or_init(|| {
        [
            ("comment, punctuation.definition.comment", Syntax::Comment),
            (
                "string, constant.character, constant.other.placeholder",
                Syntax::String,
            ),
            ("constant.numeric, constant.language", Syntax::Number),
            (
                "keyword - keyword.operator, storage, variable.language",
                Syntax::Keyword,
            ),
            (
                "entity.name.function, support.function, variable.function, support.macro",
                Syntax::Function,
            ),
            (
                "entity.name.struct, entity.name.impl, entity.name.type, entity.name.class, \
                 entity.other.inherited-class, support.type, support.class",
                Syntax::Type,
            ),
        ]
        .into_iter()
        .map(|(s, k)| (ScopeSelectors::from_str(s).expect("valid selector"), k))
        .collect()
    })
}

fn classify(stack: &ScopeStack) -> Syntax {
    let mut best = (None, Syntax::Plain);
    for (selector, kind) in rules() {
        let power = selector.does_match(stack.as_slice());
        if power > best.0 {
            best = (power, *kind);
        }
    }
    best.1
}

fn build(source: &Source) -> Listing {
    let excerpts = excerpts(source.text);
    let mut lines = Vec::new();
    for &(first, text) in &excerpts {
        for (i, spans) in highlight(text, source.language).into_iter().enumerate() {
            // Key phrases are looked for in the code only: a comment that says "join" is not a join.
            let code: String = spans
                .iter()
                .filter(|(k, _)| *k != Syntax::Comment)
                .map(|(_, s)| *s)
                .collect();
            lines.push(CodeLine {
                number: first + i,
                key: source.keys.iter().any(|k| code.contains(k)),
                spans,
            });
        }
    }
    Listing {
        path: source.path,
        language: source.language,
        excerpts: excerpts.into_iter().map(|(_, t)| t).collect(),
        lines,
    }
}

/// `text` split into lines of classified pieces. A grammar that fails on some line leaves the
/// rest of the text plain rather than failing the panel.
fn highlight(text: &'static str, language: Language) -> Vec<Vec<(Syntax, &'static str)>> {
    let set = syntaxes();
    let syntax = set
        .find_syntax_by_extension(match language {
            Language::Rust => "rs",
            Language::Python => "py",
        })
        .unwrap_or_else(|| set.find_syntax_plain_text());
    let mut state = Some(ParseState::new(syntax));
    let mut stack = ScopeStack::new();
    let mut out = Vec::new();
    for line in LinesWithEndings::from(text) {
        let ops = state.as_mut().map(|s| s.parse_line(line, set));
        let mut spans = Vec::new();
        match ops {
            Some(Ok(ops)) => {
                // Each op changes the scopes at a byte offset; the text between two offsets is
                // one piece under the scopes in force there.
                let mut from = 0;
                let ends = ops.iter().map(|(at, _)| *at).chain([line.len()]);
                let changes = std::iter::once(None).chain(ops.iter().map(|(_, op)| Some(op)));
                for (op, to) in changes.zip(ends) {
                    if let Some(op) = op
                        && stack.apply(op).is_err()
                    {
                        stack = ScopeStack::new();
                    }
                    let piece = line[from..to].trim_end_matches(['\n', '\r']);
                    if !piece.is_empty() {
                        spans.push((classify(&stack), piece));
                    }
                    from = to;
                }
            }
            _ => {
                state = None;
                spans.push((Syntax::Plain, line.trim_end_matches(['\n', '\r'])));
            }
        }
        out.push(spans);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpts_are_between_markers_and_numbered_from_one() {
        let text =
            "a\n// lesson:begin\nb\nc\n  // lesson:end\nd\n// lesson:begin\ne\n// lesson:end\n";
        assert_eq!(excerpts(text), vec![(3, "b\nc\n"), (8, "e\n")]);
        assert_eq!(excerpts("x\ny"), vec![(1, "x\ny")]);
    }

    #[test]
    fn every_key_phrase_marks_a_line_and_markers_never_show() {
        for source in RUST.iter().chain(&PYTHON) {
            let listing = build(source);
            let text: Vec<String> = listing.lines.iter().map(CodeLine::text).collect();
            for phrase in source.keys {
                assert!(
                    listing
                        .lines
                        .iter()
                        .zip(&text)
                        .any(|(l, t)| l.key && t.contains(phrase)),
                    "{}: {phrase} marks nothing",
                    source.path
                );
            }
            assert!(
                !text.iter().any(|t| t.contains("lesson:")),
                "{}",
                source.path
            );
            if source.language == Language::Rust {
                // A Rust listing is what the lesson picked from the file, never the whole file.
                assert!(source.text.contains("// lesson:begin"), "{}", source.path);
                assert!(
                    !text.iter().any(|t| t.starts_with("use ")),
                    "{}",
                    source.path
                );
            }
        }
    }

    #[test]
    fn rust_and_python_are_highlighted() {
        let spans = &highlight("pub fn run() { let x = 1; } // hi\n", Language::Rust)[0];
        let kind = |s: &str| spans.iter().find(|(_, p)| p.trim() == s).map(|(k, _)| *k);
        assert_eq!(kind("fn"), Some(Syntax::Keyword));
        assert_eq!(kind("run"), Some(Syntax::Function));
        assert_eq!(kind("1"), Some(Syntax::Number));
        assert_eq!(kind("hi"), Some(Syntax::Comment));
        let spans = &highlight("def f():\n    print('x')\n", Language::Python)[0];
        assert_eq!(spans[0], (Syntax::Keyword, "def"));
    }
}
