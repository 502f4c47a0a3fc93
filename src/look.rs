//! The choice of look (`--theme`, `--ascii`, `NO_COLOR`), kept by the app's state as a choice:
//! the view turns it into colours and glyphs ([`crate::ui::theme::Theme::of`]).

/// The looks `--theme` offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ThemeName {
    /// Colours for a dark terminal (the default).
    #[default]
    Dark,
    /// Colours that stay readable on a white background.
    Light,
    /// High contrast for the back of a classroom: bright, bold, thick borders and bars.
    Projector,
    /// No colour at all: only bold and reverse video.
    Mono,
}

impl ThemeName {
    pub const ALL: [ThemeName; 4] = [
        ThemeName::Dark,
        ThemeName::Light,
        ThemeName::Projector,
        ThemeName::Mono,
    ];

    /// The name `--theme` takes.
    pub fn name(self) -> String {
        crate::names::name(&self)
    }

    /// Parse a name as given to `--theme`.
    pub fn parse(s: &str) -> Result<ThemeName, String> {
        crate::names::parse(s)
            .ok_or_else(|| format!("unknown theme '{s}' (expected dark, light, projector or mono)"))
    }
}

/// What the screen should look like: a theme's name, and whether to draw with ASCII only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Look {
    pub name: ThemeName,
    pub ascii: bool,
}

impl Look {
    /// The look the command line asks for: `NO_COLOR` (set and not empty) means mono whatever
    /// `--theme` says, as <https://no-color.org> asks.
    pub fn choose(name: ThemeName, ascii: bool, no_color: Option<&std::ffi::OsStr>) -> Look {
        let no_color = no_color.is_some_and(|v| !v.is_empty());
        Look {
            name: if no_color { ThemeName::Mono } else { name },
            ascii,
        }
    }
}
