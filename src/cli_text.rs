//! The command line in the user's language: `--help`, every subcommand's help and every parse
//! error, generated from the string table (`assets/strings.tsv`), so nothing can be left in
//! English under `--lang zh` or a `zh_*` locale.

use crate::i18n::{Key, Lang, t, t_named, tf};
use clap::error::{ContextKind, ContextValue, ErrorKind};
use std::ffi::OsString;
use std::fmt;

/// A value the command line refused, as a string-table key and its arguments, so the same
/// refusal reads in either language (clap keeps it as the error's source).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub key: Key,
    pub args: Vec<String>,
}

impl Refusal {
    pub fn new(key: Key, args: &[&dyn fmt::Display]) -> Refusal {
        Refusal {
            key,
            args: args.iter().map(|a| a.to_string()).collect(),
        }
    }

    /// The refusal in `lang`.
    pub fn text(&self, lang: Lang) -> String {
        let args: Vec<&dyn fmt::Display> = self.args.iter().map(|a| a as _).collect();
        tf(lang, self.key, &args)
    }
}

/// English, as clap shows it when it prints the error itself.
impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text(Lang::En))
    }
}

impl std::error::Error for Refusal {}

/// The language to speak before the command line is parsed: `--lang zh`/`--lang=zh` among the
/// arguments (before a `--`), else the locale. An unknown `--lang` value is left for the parser
/// to refuse.
pub fn lang_of_args(args: &[OsString]) -> Lang {
    let mut args = args.iter().skip(1).map(|a| a.to_str().unwrap_or(""));
    while let Some(a) = args.next() {
        let value = match a {
            "--" => break,
            "--lang" => args.next(),
            _ => a.strip_prefix("--lang="),
        };
        if let Some(Ok(lang)) = value.map(Lang::parse) {
            return lang;
        }
    }
    Lang::from_env()
}

/// The string-table key of a subcommand's one-line description.
pub fn command_key(name: &str) -> String {
    format!("cli_cmd_{}", name.replace('-', "_"))
}

/// The string-table key of an argument's help.
pub fn arg_key(id: &str) -> String {
    format!("cli_arg_{}", id.replace('-', "_"))
}

/// `command` (clap's, from the derive) with every text a user reads taken from the string table
/// in `lang`: descriptions, argument help, defaults, headings, usage, and the built-in help and
/// version flags and `help` subcommand. Hidden commands are left alone.
pub fn localize(mut command: clap::Command, lang: Lang) -> clap::Command {
    // Built first, so the built-in help/version flags, the `help` subcommand and the global
    // options copied into every subcommand exist and can be translated too.
    command.build();
    localize_one(command, lang, true)
}

fn localize_one(mut command: clap::Command, lang: Lang, top: bool) -> clap::Command {
    let usage = usage(&mut command, lang);
    let mut command = command
        .help_template(format!(
            "{{before-help}}{{about-with-newline}}\n{}\n\n{{all-args}}{{after-help}}",
            tf(lang, Key::cli_usage, &[&"{usage}"])
        ))
        .override_usage(usage)
        .subcommand_help_heading(t(lang, Key::cli_commands))
        .subcommand_value_name(t(lang, Key::cli_command_value));
    if top {
        command = command.about(t(lang, Key::cli_about));
    }
    // In place: the command is built, so its parser finds each argument by its position in the
    // list, and `mut_arg` would move the argument to the end (a hidden one left where it was
    // then answers for another's name).
    command = command.mut_args(|a| match a.is_hide_set() {
        true => a,
        false => localize_arg(a, lang),
    });
    let subs: Vec<String> = (command.get_subcommands())
        .filter(|c| !c.is_hide_set())
        .map(|c| c.get_name().to_string())
        .collect();
    for name in subs {
        command = command.mut_subcommand(&name, |c| {
            localize_one(c, lang, false).about(t_named(lang, &command_key(&name)))
        });
    }
    command
}

/// An argument's help, default and heading in `lang`.
fn localize_arg(a: clap::Arg, lang: Lang) -> clap::Arg {
    let mut help = t_named(lang, &arg_key(a.get_id().as_str())).to_string();
    let defaults: Vec<String> = (a.get_default_values().iter())
        .map(|v| v.to_string_lossy().into_owned())
        .collect();
    // A flag's implicit `false` is no default a user needs to read.
    let shown = a.get_action().takes_values() && !a.is_hide_default_value_set();
    if shown && !defaults.is_empty() {
        help.push(' ');
        help.push_str(&tf(lang, Key::cli_default, &[&defaults.join(", ")]));
    }
    let heading = match a.is_positional() {
        true => t(lang, Key::cli_arguments),
        false => t(lang, Key::cli_options),
    };
    a.help(help).hide_default_value(true).help_heading(heading)
}

/// The usage line without its heading, `[OPTIONS]` in `lang` (the rest is names and
/// placeholders the user types).
fn usage(command: &mut clap::Command, lang: Lang) -> String {
    let rendered = command.render_usage().to_string();
    let line = rendered.lines().next().unwrap_or_default();
    let line = line.split_once(": ").map_or(line, |(_, u)| u);
    line.replace(
        "[OPTIONS]",
        &format!("[{}]", t(lang, Key::cli_options_value)),
    )
    .replace(
        "[COMMAND]",
        &format!("[{}]", t(lang, Key::cli_command_value)),
    )
}

/// A context value of a clap error as plain text.
fn context(e: &clap::Error, kind: ContextKind) -> Option<String> {
    match e.get(kind)? {
        ContextValue::String(s) => Some(s.clone()),
        ContextValue::Strings(v) => Some(v.join(", ")),
        ContextValue::StyledStr(s) => Some(s.to_string()),
        ContextValue::StyledStrs(v) => Some(
            v.iter()
                .map(|s| s.to_string())
                .collect::<Vec<_>>()
                .join(", "),
        ),
        ContextValue::Number(n) => Some(n.to_string()),
        ContextValue::Bool(b) => Some(b.to_string()),
        ContextValue::None => None,
        _ => None,
    }
}

/// One line for a command-line error in `lang`, without the program's name: the kind of
/// mistake, what was wrong, and the likely fix where clap found one.
pub fn error_line(e: &clap::Error, lang: Lang) -> String {
    let arg = || context(e, ContextKind::InvalidArg).unwrap_or_default();
    let value = || context(e, ContextKind::InvalidValue).unwrap_or_default();
    let mut line = match e.kind() {
        ErrorKind::UnknownArgument => tf(lang, Key::cli_err_unknown_arg, &[&arg()]),
        ErrorKind::InvalidSubcommand => tf(
            lang,
            Key::cli_err_unknown_command,
            &[&context(e, ContextKind::InvalidSubcommand).unwrap_or_default()],
        ),
        ErrorKind::ValueValidation => {
            // Our own parsers' refusals read in `lang`; anything else keeps its own words.
            let why = std::error::Error::source(e).map(|s| match s.downcast_ref::<Refusal>() {
                Some(r) => r.text(lang),
                None => s.to_string(),
            });
            match why {
                Some(why) => tf(lang, Key::cli_err_value_why, &[&value(), &arg(), &why]),
                None => tf(lang, Key::cli_err_value, &[&value(), &arg()]),
            }
        }
        ErrorKind::InvalidValue if value().is_empty() => {
            tf(lang, Key::cli_err_value_missing, &[&arg()])
        }
        ErrorKind::InvalidValue => tf(lang, Key::cli_err_value, &[&value(), &arg()]),
        ErrorKind::ArgumentConflict => tf(
            lang,
            Key::cli_err_conflict,
            &[
                &arg(),
                &context(e, ContextKind::PriorArg).unwrap_or_default(),
            ],
        ),
        ErrorKind::MissingRequiredArgument => tf(lang, Key::cli_err_missing, &[&arg()]),
        ErrorKind::MissingSubcommand | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            t(lang, Key::cli_err_missing_command).to_string()
        }
        ErrorKind::NoEquals
        | ErrorKind::TooManyValues
        | ErrorKind::TooFewValues
        | ErrorKind::WrongNumberOfValues => tf(lang, Key::cli_err_values, &[&arg()]),
        ErrorKind::InvalidUtf8 => t(lang, Key::cli_err_utf8).to_string(),
        // Kinds this program cannot meet (help, version, I/O): clap's own first line, framed.
        _ => tf(
            lang,
            Key::cli_err_other,
            &[&e.to_string().lines().next().unwrap_or_default()],
        ),
    };
    let suggestion = (context(e, ContextKind::SuggestedArg))
        .or_else(|| context(e, ContextKind::SuggestedSubcommand));
    if let Some(s) = suggestion {
        line = tf(lang, Key::cli_err_with_tip, &[&line, &s]);
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    fn os(args: &[&str]) -> Vec<OsString> {
        args.iter().map(OsString::from).collect()
    }

    #[test]
    fn the_language_comes_from_lang_before_the_locale() {
        assert_eq!(lang_of_args(&os(&["threadlab", "--lang", "zh"])), Lang::Zh);
        assert_eq!(
            lang_of_args(&os(&["threadlab", "run", "--lang=zh"])),
            Lang::Zh
        );
        assert_eq!(lang_of_args(&os(&["threadlab", "--lang", "en"])), Lang::En);
        // After `--` it belongs to a watched program, not to threadlab.
        let watched = os(&["threadlab", "watch", "--", "prog", "--lang", "zh"]);
        assert_eq!(lang_of_args(&watched), Lang::from_env());
    }

    /// Every visible command and argument, with its help text, recursively.
    fn texts(c: &clap::Command, out: &mut Vec<(String, String)>) {
        if let Some(about) = c.get_about() {
            out.push((format!("command {}", c.get_name()), about.to_string()));
        }
        for a in c.get_arguments().filter(|a| !a.is_hide_set()) {
            let help = a.get_help().map(|h| h.to_string()).unwrap_or_default();
            out.push((format!("{} {}", c.get_name(), a.get_id()), help));
        }
        for s in c.get_subcommands().filter(|s| !s.is_hide_set()) {
            texts(s, out);
        }
    }

    #[test]
    fn every_visible_text_of_the_command_line_is_in_the_table_in_both_languages() {
        let mut en = Vec::new();
        texts(&localize(crate::cli::Cli::command(), Lang::En), &mut en);
        let mut zh = Vec::new();
        texts(&localize(crate::cli::Cli::command(), Lang::Zh), &mut zh);
        assert_eq!(en.len(), zh.len());
        assert!(en.len() > 20, "{en:?}");
        for ((what, en), (_, zh)) in en.iter().zip(&zh) {
            assert!(!en.is_empty(), "{what} has no help");
            assert!(
                !en.contains("⟨missing text⟩"),
                "{what}: add its key ({}) to assets/strings.tsv",
                what.rsplit(' ').next().map(arg_key).unwrap_or_default()
            );
            assert_ne!(en, zh, "{what} is not translated");
        }
    }

    /// Every key `localize` builds from a clap id, for the visible commands and arguments.
    fn built_keys(c: &clap::Command, out: &mut Vec<String>) {
        for a in c.get_arguments().filter(|a| !a.is_hide_set()) {
            out.push(arg_key(a.get_id().as_str()));
        }
        for s in c.get_subcommands().filter(|s| !s.is_hide_set()) {
            out.push(command_key(s.get_name()));
            built_keys(s, out);
        }
    }

    #[test]
    fn every_key_built_from_a_clap_id_is_in_the_table() {
        let mut command = crate::cli::Cli::command();
        command.build();
        let mut keys = Vec::new();
        built_keys(&command, &mut keys);
        assert!(keys.len() > 20, "{keys:?}");
        for key in keys {
            assert!(
                Key::from_name(&key).is_some(),
                "add {key} to assets/strings.tsv"
            );
        }
    }

    #[test]
    fn hidden_arguments_leave_the_others_parsed_as_they_were() {
        let command = || {
            clap::Command::new("p")
                .arg(clap::Arg::new("secret").long("secret").hide(true))
                .arg(clap::Arg::new("count").long("count"))
                .arg(clap::Arg::new("rest").hide(true))
        };
        let parsed = |c: clap::Command, args: &[&str]| {
            let m = c.try_get_matches_from(args).unwrap();
            let value = |id: &str| m.get_one::<String>(id).cloned();
            (value("secret"), value("count"), value("rest"))
        };
        for args in [
            &["p", "--secret", "x", "--count", "3"][..],
            &["p", "--count", "3", "--secret=4", "zz"],
            &["p", "zz", "--count", "3"],
        ] {
            let plain = parsed(command(), args);
            assert_eq!(plain.1.as_deref(), Some("3"), "{args:?}");
            for lang in [Lang::En, Lang::Zh] {
                assert_eq!(parsed(localize(command(), lang), args), plain, "{args:?}");
            }
        }
    }

    #[test]
    fn refusals_read_in_either_language() {
        let r = Refusal::new(Key::cli_err_range, &[&1, &256]);
        assert_eq!(r.to_string(), "must be a whole number from 1 to 256");
        assert_eq!(r.text(Lang::Zh), "必须是 1 到 256 之间的整数");
    }
}
