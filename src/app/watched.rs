//! The real Python programs the screen runs under watch (`W`, a lesson scene's Enter): asking for
//! one, and keeping what it showed for the info line and the lesson card.

use super::{App, Command, LogLine};
use crate::watch::carried::Watched;
use std::sync::Arc;

impl App {
    /// Ask the runner to run `script` under watch on this screen; a run under way stops first,
    /// as the program takes the whole screen (and its cores) meanwhile.
    pub(super) fn watch_python(&mut self, script: &'static str) -> Vec<Command> {
        let mut cmds = self.stop_run();
        cmds.push(Command::WatchPython { script });
        cmds
    }

    /// The screen is back from a watched program: the log says what it showed, and in lesson mode
    /// the scene's card keeps it.
    pub(super) fn on_watched(&mut self, watched: Watched) {
        self.log
            .push_back(LogLine::Watched(Arc::new(watched.clone())));
        self.trim_log();
        if let Some(l) = &mut self.lesson {
            if l.scene().preset.python.contains(&watched.script) {
                l.python_runs += 1;
            }
            l.watched.push(watched);
            // The card keeps the last of each of the scene's programs, at least the last one.
            let keep = l.scene().preset.python.len().max(1);
            let extra = l.watched.len().saturating_sub(keep);
            l.watched.drain(..extra);
        }
    }
}
