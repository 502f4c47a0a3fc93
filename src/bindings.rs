//! The one key table: each keyboard key bound to an [`Action`], with the label and the words the
//! key bar and help show for it, so the three can never disagree. (A keyboard key is a
//! `KeyCode`; `Key` here is only ever a row of the string table, `i18n::Key`.)

use crate::engine::Strategy;
use crate::i18n::Key;
use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

/// Something a key asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Choose strategy number n (1-based, as on the keys: [`Strategy::key`]).
    Strategy(u8),
    Run,
    NewDurations,
    Compare,
    MoreWorkers,
    FewerWorkers,
    Pause,
    Slower,
    Faster,
    Ticker,
    Daemon,
    Workload,
    Cores,
    Crash,
    Step,
    Lesson,
    Export,
    Language,
    Help,
    /// Run the current strategy's Python counterpart for real under watch, on this screen.
    WatchPython,
    /// Show the code panel in this language, or close it if it shows that already.
    Code(crate::code::Language),
    Quit,
    ForceQuit,
    Up,
    Down,
    PageUp,
    PageDown,
}

/// One row of the key table.
pub struct Binding {
    pub codes: &'static [KeyCode],
    pub action: Action,
    /// What the key bar and help show for the key(s).
    pub label: &'static str,
    /// What the key bar and help say of it; none for a key described by the row before it
    /// (`]` by `[`'s row).
    pub help: Option<Help>,
    /// Whether a one-row key bar has a place for it (a tall screen's bar and help show every
    /// described row).
    pub on_bar: bool,
}

/// A row's description, as string-table keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Help {
    /// The key bar's few words.
    pub short: Key,
    /// Help's sentence.
    pub long: Key,
}

use crate::code::Language::{Python, Rust};
use KeyCode::{Char, Down, Enter, Esc, PageDown, PageUp, Up};

/// The digit keys that choose a strategy, one for each of [`Strategy::ALL`] in its order.
const STRATEGY_CODES: [KeyCode; Strategy::ALL.len()] = {
    assert!(
        Strategy::ALL.len() <= 9,
        "strategies are chosen by the digits 1-9"
    );
    let mut codes = [Char('1'); Strategy::ALL.len()];
    let mut i = 0;
    while i < codes.len() {
        codes[i] = Char((b'1' + i as u8) as char);
        i += 1;
    }
    codes
};

/// What the key bar and help call the digit keys: `1-7` for seven strategies.
const STRATEGY_LABEL: &str = {
    const LAST: [u8; 3] = [b'1', b'-', b'0' + Strategy::ALL.len() as u8];
    match std::str::from_utf8(&LAST) {
        Ok(label) => label,
        Err(_) => panic!("a digit is ASCII"),
    }
};

/// Every key threadlab answers to, in the order help lists them.
pub const BINDINGS: &[Binding] = &[
    // Help and quit come first, so the key bar keeps them however narrow the terminal is.
    b(
        &[Char('?')],
        Action::Help,
        "?",
        Key::key_help,
        Key::key_help_long,
        true,
    ),
    b(
        &[Char('q'), Esc],
        Action::Quit,
        "q/Esc",
        Key::key_quit,
        Key::key_quit_long,
        true,
    ),
    b(
        &STRATEGY_CODES,
        Action::Strategy(1),
        STRATEGY_LABEL,
        Key::key_strategy,
        Key::key_strategy_long,
        true,
    ),
    b(
        &[Enter, Char('r')],
        Action::Run,
        "Enter/r",
        Key::key_run,
        Key::key_run_long,
        true,
    ),
    b(
        &[Char('n')],
        Action::NewDurations,
        "n",
        Key::key_new,
        Key::key_new_long,
        true,
    ),
    b(
        &[Char('c')],
        Action::Compare,
        "c",
        Key::key_compare,
        Key::key_compare_long,
        true,
    ),
    b(
        &[Char('+'), Char('=')],
        Action::MoreWorkers,
        "+/-",
        Key::key_workers,
        Key::key_workers_long,
        true,
    ),
    also(&[Char('-'), Char('_')], Action::FewerWorkers),
    b(
        &[Char(' ')],
        Action::Pause,
        "Space",
        Key::key_pause,
        Key::key_pause_long,
        true,
    ),
    b(
        &[Char('.')],
        Action::Step,
        ".",
        Key::key_step,
        Key::key_step_long,
        true,
    ),
    b(
        &[Char('[')],
        Action::Slower,
        "[/]",
        Key::key_speed,
        Key::key_speed_long,
        true,
    ),
    also(&[Char(']')], Action::Faster),
    b(
        &[Char('p')],
        Action::Ticker,
        "p",
        Key::key_ticker,
        Key::key_ticker_long,
        true,
    ),
    b(
        &[Char('d')],
        Action::Daemon,
        "d",
        Key::key_daemon,
        Key::key_daemon_long,
        true,
    ),
    b(
        &[Char('L')],
        Action::Lesson,
        "L",
        Key::key_lesson,
        Key::key_lesson_long,
        true,
    ),
    b(
        &[Char('e')],
        Action::Export,
        "e",
        Key::key_export,
        Key::key_export_long,
        true,
    ),
    b(
        &[Char('x')],
        Action::Crash,
        "x",
        Key::key_crash,
        Key::key_crash_long,
        true,
    ),
    b(
        &[Char('w')],
        Action::Workload,
        "w",
        Key::key_workload,
        Key::key_workload_long,
        true,
    ),
    b(
        &[Char('k')],
        Action::Cores,
        "k",
        Key::key_cores,
        Key::key_cores_long,
        true,
    ),
    b(
        &[Char('l')],
        Action::Language,
        "l",
        Key::key_lang,
        Key::key_lang_long,
        true,
    ),
    b(
        &[Char('v')],
        Action::Code(Rust),
        "v/V",
        Key::key_code,
        Key::key_code_long,
        true,
    ),
    also(&[Char('V')], Action::Code(Python)),
    b(
        &[Char('W')],
        Action::WatchPython,
        "W",
        Key::key_python,
        Key::key_python_long,
        true,
    ),
    // `k` is cores (PRODUCT.md), so scrolling uses the arrows and shifted J/K.
    b(
        &[Char('J'), Down],
        Action::Down,
        "↑↓ J/K",
        Key::key_scroll,
        Key::key_scroll_long,
        false,
    ),
    also(&[Char('K'), Up], Action::Up),
    b(
        &[PageDown],
        Action::PageDown,
        "PgUp/PgDn",
        Key::key_page,
        Key::key_page_long,
        false,
    ),
    also(&[PageUp], Action::PageUp),
    b(
        &[],
        Action::ForceQuit,
        "Ctrl-C",
        Key::key_force_quit,
        Key::key_force_quit_long,
        false,
    ),
];

/// A described row of the table.
const fn b(
    codes: &'static [KeyCode],
    action: Action,
    label: &'static str,
    short: Key,
    long: Key,
    on_bar: bool,
) -> Binding {
    Binding {
        codes,
        action,
        label,
        help: Some(Help { short, long }),
        on_bar,
    }
}

/// A row described by the row before it.
const fn also(codes: &'static [KeyCode], action: Action) -> Binding {
    Binding {
        codes,
        action,
        label: "",
        help: None,
        on_bar: false,
    }
}

/// Where the class is, for the key bar to put the keys that matter now first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Moment {
    Idle,
    Running,
    Paused,
    Finished,
    /// Lesson mode between runs.
    Lesson,
    /// Main has finished while non-daemon Ping/Pong threads keep the process alive.
    MainFinished,
}

/// The keys a one-row bar shows first at `moment`, most useful first (`?` always leads); the
/// rest of the bar's keys follow in the table's order where they fit.
pub fn bar_first(moment: Moment) -> &'static [Action] {
    use Action::*;
    match moment {
        Moment::Idle => &[
            Help,
            Run,
            Strategy(1),
            Compare,
            Ticker,
            Workload,
            Cores,
            MoreWorkers,
            Slower,
            Lesson,
        ],
        Moment::Running => &[Help, Pause, Crash, Slower, Ticker, Daemon, Run],
        Moment::Paused => &[Help, Pause, Step, Export, Slower, Run],
        Moment::Finished => &[
            Help,
            Run,
            Compare,
            Strategy(1),
            Export,
            NewDurations,
            Workload,
            Cores,
        ],
        // The keys the scenes' cards name: x (crash a worker, or end the Ping/Pong program)
        // and +/- (the pool scene's workers), before the ticker's.
        Moment::Lesson => &[Help, Run, Lesson, Crash, MoreWorkers, Ticker, Daemon],
        Moment::MainFinished => &[Help, Daemon, Ticker, ForceQuit],
    }
}

/// The bar's rows of the key table at `moment`, in the order a one-row bar tries them; while
/// Ping/Pong runs its two keys come right after `?`, whatever the moment.
pub fn bar_order(moment: Moment, ticker_on: bool) -> impl Iterator<Item = &'static Binding> {
    let ticker: &[Action] = match ticker_on {
        true => &[Action::Daemon, Action::Ticker],
        false => &[],
    };
    let first = bar_first(moment);
    let lead = (first[..1].iter().chain(ticker).chain(&first[1..]))
        .filter_map(|a| described().find(|b| b.action == *a));
    let mut seen: Vec<Action> = Vec::new();
    let lead = lead.filter(move |b| {
        let new = !seen.contains(&b.action);
        seen.push(b.action);
        new
    });
    let rest = (BINDINGS.iter())
        .filter(move |b| b.on_bar && !first.contains(&b.action) && !ticker.contains(&b.action));
    lead.chain(rest)
}

/// What a key press means, if anything. Ctrl-C always means quit at once.
pub fn action_for(key: &KeyEvent) -> Option<Action> {
    // Some terminals (Windows) also send releases: act on presses only.
    if key.kind != KeyEventKind::Press {
        return None;
    }
    if key.modifiers.contains(KeyModifiers::CONTROL) {
        return matches!(key.code, Char('c') | Char('C')).then_some(Action::ForceQuit);
    }
    let b = BINDINGS.iter().find(|b| b.codes.contains(&key.code))?;
    Some(match b.action {
        // One row holds every digit key: the nth chooses the nth strategy.
        Action::Strategy(_) => {
            let n = STRATEGY_CODES.iter().position(|c| *c == key.code)?;
            Action::Strategy(u8::try_from(n + 1).ok()?)
        }
        action => action,
    })
}

/// The rows that have a description: each is one line of help.
pub fn described() -> impl Iterator<Item = &'static Binding> {
    BINDINGS.iter().filter(|b| b.help.is_some())
}

/// What the watch screen answers to, in its key bar's order: a watched program has no runs,
/// strategies or lesson of ours, so only leaving it and the language (Ctrl-C as everywhere).
pub const WATCH_SCREEN: [Action; 2] = [Action::Quit, Action::Language];

/// What a key press means on the watch screen, if anything: the same table, the same keys.
pub fn watch_action_for(key: &KeyEvent) -> Option<Action> {
    action_for(key).filter(|a| *a == Action::ForceQuit || WATCH_SCREEN.contains(a))
}

/// The described row that binds `action` (for a key bar that shows a few chosen actions).
pub fn binding(action: Action) -> Option<&'static Binding> {
    described().find(|b| b.action == action)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn press(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn the_workers_key_states_the_limit_it_keeps() {
        let range = format!("1–{}", crate::cli::MAX_WORKERS);
        for lang in [crate::i18n::Lang::En, crate::i18n::Lang::Zh] {
            let text = crate::i18n::t(lang, Key::key_workers_long);
            assert!(text.contains(&range), "{text}");
        }
    }

    #[test]
    fn keys_that_set_the_next_run_say_so() {
        // k, w and +/- leave a run under way as it started (issue 12): their help says whose
        // setting they change, in both languages.
        for key in [
            Key::key_cores_long,
            Key::key_workload_long,
            Key::key_workers_long,
        ] {
            let en = crate::i18n::t(crate::i18n::Lang::En, key);
            let zh = crate::i18n::t(crate::i18n::Lang::Zh, key);
            assert!(en.contains("for the next run"), "{en}");
            assert!(zh.contains("下一次运行"), "{zh}");
        }
    }

    #[test]
    fn every_key_maps_to_one_action_and_bar_keys_are_described() {
        let mut seen = Vec::new();
        for b in BINDINGS {
            for c in b.codes {
                assert!(!seen.contains(c), "{c:?} bound twice");
                seen.push(*c);
            }
            assert!(!b.on_bar || b.help.is_some());
        }
        for s in Strategy::ALL {
            let digit = Char(char::from(b'0' + s.key()));
            assert_eq!(action_for(&press(digit)), Some(Action::Strategy(s.key())));
        }
        let past = Char(char::from(b'1' + Strategy::ALL.len() as u8));
        assert_eq!(action_for(&press(past)), None);
        assert_eq!(action_for(&press(Enter)), Some(Action::Run));
        assert_eq!(action_for(&press(Char('z'))), None);
        let ctrl_c = KeyEvent::new(Char('c'), KeyModifiers::CONTROL);
        assert_eq!(action_for(&ctrl_c), Some(Action::ForceQuit));
        let mut release = press(Char('q'));
        release.kind = KeyEventKind::Release;
        assert_eq!(action_for(&release), None);
    }

    #[test]
    fn the_watch_screen_answers_to_its_own_rows_of_the_table_only() {
        for action in WATCH_SCREEN {
            let row = binding(action).expect("a described row for each of the screen's keys");
            for code in row.codes {
                assert_eq!(watch_action_for(&press(*code)), Some(action));
            }
        }
        assert_eq!(watch_action_for(&press(Esc)), Some(Action::Quit));
        let ctrl_c = KeyEvent::new(Char('c'), KeyModifiers::CONTROL);
        assert_eq!(watch_action_for(&ctrl_c), Some(Action::ForceQuit));
        // Keys of the main screen mean nothing here.
        for code in [Enter, Char('1'), Char('p'), Char('v'), Char('z')] {
            assert_eq!(watch_action_for(&press(code)), None, "{code:?}");
        }
    }
}
