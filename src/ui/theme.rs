//! How the screen looks, never where things go: colours and glyphs by named role, so `--theme`,
//! `NO_COLOR` and `--ascii` change only the look, and every part of the view asks for a role
//! (`done`, `warn`, `border`) instead of a colour.

use crate::code::Syntax;
use crate::text::{truncate_with, width};
use ratatui::style::{Color, Modifier, Style};
use ratatui::symbols::border;
use std::borrow::Cow;

pub use crate::look::{Look, ThemeName};

/// The characters the screen is drawn with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Glyphs {
    pub border: border::Set<'static>,
    /// A full cell of a progress bar, and an empty one.
    pub bar_full: char,
    pub bar_empty: char,
    /// A bar's last, partly filled cell, by eighths (index 0 is never drawn).
    pub eighths: [char; 8],
    /// A timeline lane where nothing runs, and the fill of a download's segment.
    pub track: char,
    pub segment: char,
    /// A sampled worker's thread alive but off every core (waiting, sleeping), and on a core for
    /// up to a quarter, a half, three quarters and all of a timeline cell.
    pub waiting: char,
    pub on_core: [char; 4],
    /// Marks a row whose time on a core is estimated, not read (an async task's share of its
    /// thread's).
    pub estimated: char,
    /// Where text is cut or goes on.
    pub ellipsis: &'static str,
    /// The gutter mark of a line that matters most in the code panel.
    pub mark: &'static str,
    /// Between two excerpts of one file in the code panel.
    pub gap: &'static str,
    /// The line drawn either side of a heading inside a pane.
    pub rule: &'static str,
}

const UNICODE: Glyphs = Glyphs {
    border: border::PLAIN,
    bar_full: '█',
    bar_empty: '░',
    eighths: [' ', '▏', '▎', '▍', '▌', '▋', '▊', '▉'],
    track: '·',
    segment: '█',
    waiting: '─',
    estimated: '≈',
    on_core: ['░', '▒', '▓', '█'],
    ellipsis: "…",
    mark: "▶",
    gap: "⋮",
    rule: "──",
};

/// Borders drawn with `+`, `-` and `|` only.
const ASCII_BORDER: border::Set<'static> = border::Set {
    top_left: "+",
    top_right: "+",
    bottom_left: "+",
    bottom_right: "+",
    vertical_left: "|",
    vertical_right: "|",
    horizontal_top: "-",
    horizontal_bottom: "-",
};

const ASCII: Glyphs = Glyphs {
    border: ASCII_BORDER,
    bar_full: '#',
    bar_empty: '.',
    // No partial cells in ASCII: a cell is either filled or not (rounded to the nearest).
    eighths: [' ', '.', '.', '.', '#', '#', '#', '#'],
    track: '.',
    segment: '#',
    waiting: '-',
    estimated: '~',
    on_core: [':', '+', '=', '#'],
    ellipsis: "...",
    mark: ">",
    gap: ":",
    rule: "--",
};

/// Every role the view draws with, and the glyphs it draws.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Theme {
    pub name: ThemeName,
    pub ascii: bool,
    pub glyphs: Glyphs,
    /// Ordinary text.
    pub text: Style,
    /// Pane titles and headings inside panes.
    pub title: Style,
    pub border: Style,
    /// What the eye should find first: the app's name, totals, speedup, the current strategy.
    pub accent: Style,
    /// The chosen strategy's tab.
    pub selected: Style,
    /// A key's name on the key bar.
    pub key: Style,
    /// Secondary text: arithmetic, axes, what cannot be chosen.
    pub dim: Style,
    /// Quieter than text, louder than dim: lane names, per-thread figures.
    pub muted: Style,
    /// Hints, notes and anything that asks for attention without being an error.
    pub warn: Style,
    pub queued: Style,
    pub running: Style,
    pub done: Style,
    pub failed: Style,
    /// The unfilled part of a bar.
    pub bar_empty: Style,
    /// Finished downloads in one timeline lane alternate these, so neighbours stay apart.
    pub lanes: [Style; 4],
    /// Code in the code panel, by what the highlighter says each piece is (in `Syntax` order:
    /// plain, keyword, function, type, string, number, comment).
    pub syntax: [Style; Syntax::COUNT],
}

impl Default for Theme {
    fn default() -> Self {
        Theme::new(ThemeName::Dark, false)
    }
}

impl Theme {
    /// The theme `name`, drawn with ASCII only when `ascii`.
    pub fn new(name: ThemeName, ascii: bool) -> Theme {
        let fg = |c| Style::new().fg(c);
        let bold = Modifier::BOLD;
        let mut th = match name {
            ThemeName::Dark => Theme {
                name,
                ascii,
                glyphs: UNICODE,
                text: Style::new(),
                title: Style::new().add_modifier(bold),
                border: fg(Color::DarkGray),
                accent: fg(Color::Cyan),
                selected: fg(Color::Black).bg(Color::Cyan).add_modifier(bold),
                key: fg(Color::Black).bg(Color::Gray),
                dim: fg(Color::DarkGray),
                muted: fg(Color::Gray),
                warn: fg(Color::Yellow),
                queued: fg(Color::DarkGray),
                running: fg(Color::Yellow),
                done: fg(Color::Green),
                failed: fg(Color::Red),
                bar_empty: fg(Color::DarkGray),
                lanes: [
                    fg(Color::Green),
                    fg(Color::Cyan),
                    fg(Color::Blue),
                    fg(Color::Magenta),
                ],
                syntax: [
                    Style::new(),
                    fg(Color::Magenta),
                    fg(Color::Blue),
                    fg(Color::Cyan),
                    fg(Color::Green),
                    fg(Color::LightRed),
                    fg(Color::DarkGray),
                ],
            },
            // Yellow, cyan and light grey vanish on white: blue, magenta and black stand in.
            ThemeName::Light => Theme {
                name,
                ascii,
                glyphs: UNICODE,
                text: Style::new(),
                title: Style::new().add_modifier(bold),
                border: fg(Color::DarkGray),
                accent: fg(Color::Blue),
                selected: fg(Color::White).bg(Color::Blue).add_modifier(bold),
                key: fg(Color::White).bg(Color::DarkGray),
                dim: fg(Color::DarkGray),
                muted: fg(Color::Black),
                warn: fg(Color::Magenta),
                queued: fg(Color::DarkGray),
                running: fg(Color::Blue),
                done: fg(Color::Green),
                failed: fg(Color::Red),
                bar_empty: fg(Color::DarkGray),
                lanes: [
                    fg(Color::Green),
                    fg(Color::Blue),
                    fg(Color::Magenta),
                    fg(Color::Black),
                ],
                syntax: [
                    Style::new(),
                    fg(Color::Magenta),
                    fg(Color::Blue),
                    fg(Color::Red),
                    fg(Color::Green),
                    fg(Color::Red),
                    fg(Color::DarkGray),
                ],
            },
            // Dark grey washes out on a projector: the quietest role here is light grey.
            ThemeName::Projector => {
                let b = |c| Style::new().fg(c).add_modifier(bold);
                Theme {
                    name,
                    ascii,
                    glyphs: Glyphs {
                        border: border::THICK,
                        // No thin slivers: a started cell shows as a half block at least.
                        eighths: [' ', '▌', '▌', '▌', '▌', '█', '█', '█'],
                        ..UNICODE
                    },
                    text: Style::new().add_modifier(bold),
                    title: b(Color::White),
                    border: fg(Color::Gray),
                    accent: b(Color::LightCyan),
                    selected: b(Color::Black).bg(Color::LightCyan),
                    key: b(Color::Black).bg(Color::White),
                    dim: b(Color::Gray),
                    muted: b(Color::White),
                    warn: b(Color::LightYellow),
                    queued: b(Color::Gray),
                    running: b(Color::LightYellow),
                    done: b(Color::LightGreen),
                    failed: b(Color::LightRed),
                    bar_empty: fg(Color::Gray),
                    lanes: [
                        b(Color::LightGreen),
                        b(Color::LightCyan),
                        b(Color::LightBlue),
                        b(Color::LightMagenta),
                    ],
                    syntax: [
                        Style::new().add_modifier(bold),
                        b(Color::LightMagenta),
                        b(Color::LightBlue),
                        b(Color::LightCyan),
                        b(Color::LightGreen),
                        b(Color::LightRed),
                        b(Color::Gray),
                    ],
                }
            }
            ThemeName::Mono => {
                let m = |m| Style::new().add_modifier(m);
                let plain = Style::new();
                Theme {
                    name,
                    ascii,
                    glyphs: UNICODE,
                    text: plain,
                    title: m(bold),
                    border: plain,
                    accent: m(bold),
                    selected: m(bold | Modifier::REVERSED),
                    key: m(Modifier::REVERSED),
                    dim: plain,
                    muted: plain,
                    warn: m(bold),
                    queued: plain,
                    running: m(bold),
                    done: plain,
                    failed: m(bold | Modifier::REVERSED),
                    bar_empty: plain,
                    lanes: [plain; 4],
                    syntax: [plain, m(bold), plain, plain, plain, plain, plain],
                }
            }
        };
        if ascii {
            th.glyphs = ASCII;
        }
        th
    }

    /// The theme for a look, built once per process: every frame asks for it.
    pub fn of(look: Look) -> &'static Theme {
        static THEMES: std::sync::LazyLock<Vec<Theme>> = std::sync::LazyLock::new(|| {
            (ThemeName::ALL.into_iter())
                .flat_map(|n| [Theme::new(n, false), Theme::new(n, true)])
                .collect()
        });
        let i = ThemeName::ALL
            .iter()
            .position(|&n| n == look.name)
            .unwrap_or(0);
        &THEMES[i * 2 + usize::from(look.ascii)]
    }

    /// The style of code the highlighter calls `s`.
    pub fn code(&self, s: Syntax) -> Style {
        self.syntax[s as usize]
    }

    /// A label drawn on top of a coloured cell: dark text on the role's colour, or reverse
    /// video where the role has no colour.
    pub fn on(&self, role: Style) -> Style {
        match role.fg {
            Some(c) => Style::new()
                .fg(Color::Black)
                .bg(c)
                .add_modifier(role.add_modifier),
            None => role.add_modifier(Modifier::REVERSED),
        }
    }

    /// `s` as this theme may draw it: unchanged, or with ASCII stand-ins for what ASCII lacks.
    pub fn printable<'a>(&self, s: &'a str) -> Cow<'a, str> {
        if self.ascii && !s.is_ascii() {
            Cow::Owned(to_ascii(s))
        } else {
            Cow::Borrowed(s)
        }
    }

    /// `s` cut to at most `max` columns, the cut shown with this theme's ellipsis.
    pub fn truncate(&self, s: &str, max: usize) -> String {
        truncate_with(&self.printable(s), max, self.glyphs.ellipsis)
    }
}

/// ASCII stand-ins for the typography threadlab's strings use. Wide characters (Chinese) are
/// kept: they are the language, not decoration, and `--ascii` is about box and block drawing.
fn to_ascii(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        let stand_in = match c {
            c if c.is_ascii() => {
                out.push(c);
                continue;
            }
            '…' | '⋯' | '⋮' => "...",
            '·' | '•' | '—' | '–' | '─' | '━' => "-",
            '│' | '┃' => "|",
            '×' => "x",
            '÷' => "/",
            'µ' => "u",
            '≈' => "~",
            '≠' => "!=",
            '↔' => "<->",
            '→' => "->",
            '←' => "<-",
            '↑' => "^",
            '↓' => "v",
            '▶' => ">",
            '█' | '▉' | '▊' | '▋' | '▌' => "#",
            '░' | '▒' | '▏' | '▎' | '▍' => ".",
            c if width(c.encode_utf8(&mut [0; 4])) >= 2 => {
                out.push(c);
                continue;
            }
            _ => "?",
        };
        out.push_str(stand_in);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_and_no_color_forces_mono() {
        for n in ThemeName::ALL {
            assert_eq!(ThemeName::parse(&n.name()), Ok(n));
        }
        assert!(ThemeName::parse("neon").unwrap_err().contains("neon"));
        let off = std::ffi::OsStr::new("");
        let on = std::ffi::OsStr::new("1");
        assert_eq!(
            Look::choose(ThemeName::Light, false, None).name,
            ThemeName::Light
        );
        assert_eq!(
            Look::choose(ThemeName::Light, false, Some(off)).name,
            ThemeName::Light
        );
        assert_eq!(
            Look::choose(ThemeName::Projector, true, Some(on)).name,
            ThemeName::Mono
        );
        assert!(Look::choose(ThemeName::Dark, true, Some(on)).ascii);
    }

    #[test]
    fn mono_has_no_colour_and_ascii_no_unicode() {
        let mono = Theme::new(ThemeName::Mono, false);
        let styles = [
            mono.text,
            mono.title,
            mono.border,
            mono.accent,
            mono.selected,
            mono.key,
        ]
        .into_iter()
        .chain([
            mono.dim,
            mono.muted,
            mono.warn,
            mono.queued,
            mono.running,
            mono.done,
        ])
        .chain([mono.failed, mono.bar_empty, mono.on(mono.done)])
        .chain(mono.lanes)
        .chain(mono.syntax);
        for s in styles {
            assert_eq!((s.fg, s.bg), (None, None), "{s:?}");
        }
        let ascii = Theme::new(ThemeName::Projector, true);
        let g = ascii.glyphs;
        let b = g.border;
        let all: String = [b.top_left, b.top_right, b.bottom_left, b.bottom_right]
            .into_iter()
            .chain([
                b.vertical_left,
                b.vertical_right,
                b.horizontal_top,
                b.horizontal_bottom,
            ])
            .chain([g.ellipsis, g.mark, g.gap, g.rule])
            .collect::<String>()
            + &String::from_iter([g.bar_full, g.bar_empty, g.track, g.segment])
            + &String::from_iter(g.eighths);
        assert!(all.is_ascii(), "{all}");
        let s = ascii.printable("a · b × 2 — 1–3 µs ↔ …");
        assert_eq!(s, "a - b x 2 - 1-3 us <-> ...");
        assert_eq!(ascii.printable("下载完成"), "下载完成");
        assert_eq!(ascii.truncate("Linux from mastery", 10), "Linux f...");
        assert_eq!(
            Theme::default().truncate("Linux from mastery", 10),
            "Linux fro…"
        );
    }
}
