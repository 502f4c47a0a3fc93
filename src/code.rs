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

/// What a listing shows: a strategy, threadlab's own Ping/Pong ticker, or the daemon lesson's
/// Ping/Pong program that the daemon scenes run in a child process.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Subject {
    Strategy(Strategy),
    Ticker,
    Program,
    /// One of the lesson's Python programs threadlab carries (`assets/python/`), by file name:
    /// what Enter runs for real in the scenes that run them. Always in Python.
    Carried(&'static str),
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

/// The subjects in `index` order: the strategies in [`Strategy::ALL`]'s order, the ticker,
/// then the program. A new strategy makes `RUST` and `PYTHON_KEYS` one short until its Rust file
/// and its Python's key lines are named.
const SUBJECTS: usize = Strategy::ALL.len() + 2;

const RUST: [Source; SUBJECTS] = [
    rust!(
        "engine/serial.rs",
        &["for task in tasks", "download(task, ctx)"]
    ),
    rust!("engine/threads.rs", &["spawn_for(", ".join()"]),
    rust!(
        "engine/custom_thread.rs",
        &["pub fn run(self)", "spawn_for(", ".start()", ".join()"]
    ),
    rust!(
        "engine/pool.rs",
        &[
            "ThreadPool::new(",
            "pool.submit(",
            "hire_if_nobody_is_free()",
            "sender.send(",
            "jobs.recv()",
            "job()",
            "self.sender.take()",
            "join_all()"
        ]
    ),
    rust!(
        "engine/process.rs",
        &["Process::new(task).start(ctx)", "process.join()"]
    ),
    rust!(
        "engine/async_tasks.rs",
        &["new_current_thread(", "tokio::spawn(", ".await"]
    ),
    rust!(
        "engine/workshops.rs",
        &[
            "Process::workshop(",
            "workshop.join()",
            "ThreadPool::named(",
            "pool.submit("
        ]
    ),
    rust!("ticker.rs", &[".spawn(", "daemon.set(", "threads.clear()"]),
    rust!(
        "ticker_child.rs",
        &["spawn(move", "pace.sleep(5.0)", "if !daemon", ".join()"]
    ),
];

/// The lesson's `download()`, which every strategy but async calls (async has its own coroutine).
const DOWNLOAD: Source = rust!(
    "engine/download.rs",
    &["announce(task, ctx)", ".sleep()", ".compute()", ".report()"]
);

/// The phrases that mark the key lines of each subject's Python, in `index` order. The files
/// themselves are named once, by `watch::carried`: a strategy's is its `counterpart`, the
/// program `W` runs, so the panel shows the Python that runs.
const PYTHON_KEYS: [&[&str]; SUBJECTS] = [
    &["download(filename)"],
    &["Thread(", ".start()", ".join()"],
    &["(Thread):", "def run(self)", ".start()", ".join()"],
    &["ThreadPoolExecutor(", "pool.submit("],
    &["Process(", ".start()", ".join()"],
    &["asyncio.sleep(", "asyncio.gather(", "asyncio.run("],
    &["Process(", "ThreadPoolExecutor(", ".start()", ".join()"],
    &["DAEMON = ", "daemon=DAEMON"],
    &["DAEMON = ", "daemon=DAEMON"],
];

/// The Python source shown for subject number `i` (in `index` order).
fn python_source(i: usize) -> Source {
    let name = match Strategy::ALL.get(i) {
        Some(s) => crate::watch::carried::counterpart(*s),
        // The one Python listing for threadlab's ticker and for the daemon scenes' program.
        None => crate::watch::carried::PING_PONG,
    };
    carried_source(name, PYTHON_KEYS[i]).unwrap_or(Source {
        // Never met: a test checks that every counterpart's key phrases mark its lines.
        path: name,
        text: "",
        language: Language::Python,
        keys: &[],
    })
}

/// A carried Python program as a listing's source, marking `keys`; none for a name threadlab
/// does not carry.
fn carried_source(name: &str, keys: &'static [&'static str]) -> Option<Source> {
    let (name, text) = crate::watch::carried::script(name)?;
    Some(Source {
        path: Box::leak(format!("assets/python/{name}").into_boxed_str()),
        text,
        language: Language::Python,
        keys,
    })
}

fn index(subject: Subject) -> usize {
    match subject {
        Subject::Strategy(s) => s.index(),
        Subject::Ticker => SUBJECTS - 2,
        Subject::Program | Subject::Carried(_) => SUBJECTS - 1,
    }
}

/// The listing of `subject` in `language`, highlighted the first time it is asked for (a
/// carried program's is in Python whatever `language` says).
pub fn listing(subject: Subject, language: Language) -> &'static Listing {
    if let Subject::Carried(name) = subject
        && let Some(l) = carried(name)
    {
        return l;
    }
    static CACHE: [OnceLock<Listing>; 2 * SUBJECTS] = [const { OnceLock::new() }; 2 * SUBJECTS];
    let i = index(subject);
    match language {
        Language::Rust => CACHE[i].get_or_init(|| build(&RUST[i])),
        Language::Python => CACHE[SUBJECTS + i].get_or_init(|| build(&python_source(i))),
    }
}

/// The listing of the carried Python program `name`, highlighted the first time it is asked
/// for and kept (there are a handful); none for a name threadlab does not carry.
fn carried(name: &str) -> Option<&'static Listing> {
    use std::collections::HashMap;
    use std::sync::Mutex;
    static CACHE: OnceLock<Mutex<HashMap<&'static str, &'static Listing>>> = OnceLock::new();
    const KEYS: &[&str] = &[
        "Thread(",
        ".start()",
        ".join()",
        "ThreadPoolExecutor(",
        ".submit(",
    ];
    let (name, _) = crate::watch::carried::script(name)?;
    let mut cache = (CACHE.get_or_init(Mutex::default).lock()).unwrap_or_else(|e| e.into_inner());
    if let Some(listing) = cache.get(name) {
        return Some(*listing);
    }
    let listing: &'static Listing = Box::leak(Box::new(build(&carried_source(name, KEYS)?)));
    cache.insert(name, listing);
    Some(listing)
}

/// The code `subject` calls that the class should see beside it: the lesson's `download()`, in
/// Rust, for every strategy that calls it. (Each Python counterpart has its own `download`, and
/// async its own coroutine in its own listing.)
pub fn companion(subject: Subject, language: Language) -> Option<&'static Listing> {
    static CACHE: OnceLock<Listing> = OnceLock::new();
    match (subject, language) {
        (
            Subject::Strategy(Strategy::Async)
            | Subject::Ticker
            | Subject::Program
            | Subject::Carried(_),
            _,
        )
        | (_, Language::Python) => None,
        (Subject::Strategy(_), Language::Rust) => Some(CACHE.get_or_init(|| build(&DOWNLOAD))),
    }
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
    fn each_strategy_shows_its_own_files_whatever_order_the_arrays_are_written_in() {
        let stem = |path: &str| {
            let file = path.rsplit('/').next().unwrap_or(path);
            file.split('.').next().unwrap_or(file).to_string()
        };
        for s in Strategy::ALL {
            for language in [Language::Rust, Language::Python] {
                let path = listing(Subject::Strategy(s), language).path;
                assert!(
                    stem(path).starts_with(&s.name()),
                    "{s:?} in {language:?} shows {path}"
                );
            }
        }
        for subject in [Subject::Ticker, Subject::Program] {
            let python = listing(subject, Language::Python).path;
            assert_eq!(stem(python), "ticker", "{subject:?} shows {python}");
        }
    }

    #[test]
    fn excerpts_are_between_markers_and_numbered_from_one() {
        let text =
            "a\n// lesson:begin\nb\nc\n  // lesson:end\nd\n// lesson:begin\ne\n// lesson:end\n";
        assert_eq!(excerpts(text), vec![(3, "b\nc\n"), (8, "e\n")]);
        assert_eq!(excerpts("x\ny"), vec![(1, "x\ny")]);
    }

    #[test]
    fn every_key_phrase_marks_a_line_and_markers_never_show() {
        let python: Vec<Source> = (0..SUBJECTS).map(python_source).collect();
        for source in RUST.iter().chain(&python).chain([&DOWNLOAD]) {
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

    /// An excerpt with comments, strings and character literals left out, so that only the
    /// code's own brackets are counted.
    fn code_only(text: &str) -> String {
        let mut out = String::new();
        for line in text.lines() {
            let chars: Vec<char> = line.chars().collect();
            let (mut i, mut in_string) = (0, false);
            while i < chars.len() {
                let c = chars[i];
                if in_string {
                    match c {
                        '\\' => i += 1,
                        '"' => in_string = false,
                        _ => {}
                    }
                } else if c == '/' && chars.get(i + 1) == Some(&'/') {
                    break;
                } else if c == '"' {
                    in_string = true;
                } else if c == '\'' && chars.get(i + 2) == Some(&'\'') {
                    i += 2; // a char literal such as '{' (a lifetime has no closing quote)
                } else {
                    out.push(c);
                }
                i += 1;
            }
            out.push('\n');
        }
        out
    }

    /// Whether every bracket opened in `text` is closed in it, in order, and never closed first.
    fn is_whole(text: &str) -> bool {
        let mut open = Vec::new();
        for c in code_only(text).chars() {
            match c {
                '{' | '(' | '[' => open.push(c),
                '}' | ')' | ']' => {
                    let want = match c {
                        '}' => '{',
                        ')' => '(',
                        _ => '[',
                    };
                    if open.pop() != Some(want) {
                        return false;
                    }
                }
                _ => {}
            }
        }
        open.is_empty()
    }

    #[test]
    fn whole_blocks_are_told_from_cut_ones() {
        assert!(is_whole("fn f() {\n    g(\"}\", '{');\n} // }\n"));
        assert!(!is_whole("    for x in y {\n        z();\n"));
        assert!(!is_whole("    }\n    fn g() {}\n"));
    }

    #[test]
    fn every_strategy_excerpt_reads_like_the_lesson() {
        // The strategies, the ticker and its program (every Rust listing), each no longer in all
        // than the Python it mirrors; and the download the strategies share, one excerpt.
        let python = (0..SUBJECTS).map(|i| python_source(i).text.lines().count());
        for (source, most) in RUST.iter().zip(python).chain([(&DOWNLOAD, 15)]) {
            let mut total = 0;
            for (first, text) in excerpts(source.text) {
                let at = format!("{}:{first}", source.path);
                let lines = text.lines().count();
                assert!(
                    lines <= 15,
                    "{at}: {lines} lines, the lesson's are 15 at most"
                );
                for banned in ["Ordering::", ".lock(", "unwrap_or_else(|e| e.into_inner())"] {
                    assert!(!text.contains(banned), "{at} shows {banned}");
                }
                assert!(is_whole(text), "{at} is cut mid-block:\n{text}");
                total += lines;
            }
            // Several short pieces must not add up to a longer read than the lesson's.
            assert!(
                total <= most,
                "{}: {total} lines shown in all, the Python's {most} at most",
                source.path
            );
        }
        // Every strategy but async shows the lesson's download() with it, in Rust.
        for strategy in Strategy::ALL {
            let shown = companion(Subject::Strategy(strategy), Language::Rust);
            assert_eq!(shown.is_some(), strategy != Strategy::Async, "{strategy}");
            assert_eq!(
                companion(Subject::Strategy(strategy), Language::Python).map(|l| l.path),
                None
            );
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
