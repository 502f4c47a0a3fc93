//! Ping/Pong's life: threadlab's own ticker threads (`t`, `d`) and the daemon lesson's
//! program in a process of its own: starting, stopping and what each reports.

use super::{App, ChildView, Command, LogLine};
use crate::i18n::Key;
use crate::ticker_child::News;

/// threadlab's own Ping/Pong threads, which decide whether a finished main can end the process.
impl App {
    /// Whether nothing but daemon threads would be left, so a finished main can end the process.
    pub(super) fn may_end(&self) -> bool {
        !self.ticker.on || self.ticker.daemon
    }

    /// `t`: start or stop threadlab's own Ping/Pong threads.
    pub(super) fn toggle_ticker(&mut self) -> Vec<Command> {
        self.ticker.on = !self.ticker.on;
        let mut cmds = if self.ticker.on {
            self.ticker.stream.clear();
            vec![Command::StartTicker {
                daemon: self.ticker.daemon,
            }]
        } else {
            vec![Command::StopTicker]
        };
        if self.main_finished && self.may_end() {
            cmds.push(Command::Quit);
        }
        cmds
    }

    /// `d`: flip the daemon flag the Ping/Pong threads take.
    pub(super) fn toggle_daemon(&mut self) -> Vec<Command> {
        self.ticker.daemon = !self.ticker.daemon;
        let mut cmds = vec![Command::SetDaemon(self.ticker.daemon)];
        if self.main_finished && self.may_end() {
            // Daemon threads die with the process: nothing keeps it alive any more.
            cmds.push(Command::Quit);
        }
        cmds
    }
}

/// The daemon lesson's Ping/Pong program, run by a scene in a process of its own.
impl App {
    /// Whether Enter in the current scene runs the Ping/Pong program instead of the downloads.
    pub fn program_scene(&self) -> bool {
        (self.lesson.as_ref()).is_some_and(|l| l.scene().preset.ping_pong.is_some())
    }

    /// Whether Enter in the current scene runs the lesson's real Python programs.
    pub fn python_scene(&self) -> bool {
        (self.lesson.as_ref()).is_some_and(|l| !l.scene().preset.python.is_empty())
    }

    /// Whether the screen shows the downloads (their bars, timeline and chart): not in a scene
    /// whose Enter runs a program instead, until a download run is started there anyway.
    pub fn shows_downloads(&self) -> bool {
        self.run.is_some() || !(self.program_scene() || self.python_scene())
    }

    /// Run the program with the daemon flag as `d` has set it: threadlab's own ticker stops
    /// (one Ping/Pong on screen at a time) and so does a run, which would only confuse the stage.
    pub(super) fn start_ping_pong(&mut self) -> Vec<Command> {
        let mut cmds = Vec::new();
        if self.ticker.on {
            cmds.extend(self.toggle_ticker());
        }
        cmds.extend(self.drop_run());
        let id = self.next_run;
        self.next_run += 1;
        let daemon = self.ticker.daemon;
        self.ticker.stream.clear();
        self.ticker.child = Some(ChildView {
            id,
            daemon,
            ..ChildView::default()
        });
        cmds.push(Command::StartPingPong {
            id,
            daemon,
            speed: self.settings.speed,
        });
        cmds
    }

    /// Kill the program (if one was run) and take its panel away.
    pub(super) fn stop_ping_pong(&mut self) -> Vec<Command> {
        match self.ticker.child.take() {
            Some(c) if c.alive() => vec![Command::StopPingPong],
            _ => vec![],
        }
    }

    /// `x` while the program runs: end it as Ctrl-C in its terminal would. None: not running.
    pub(super) fn interrupt_ping_pong(&mut self) -> Option<Vec<Command>> {
        let child = self.ticker.child.as_mut().filter(|c| c.alive())?;
        child.interrupted = true;
        Some(vec![Command::EndPingPong])
    }

    pub(super) fn on_ping_pong(&mut self, id: u64, news: News) {
        let Some(child) = self.ticker.child.as_mut().filter(|c| c.id == id) else {
            return; // a program this screen no longer shows
        };
        let note = match news {
            News::Started { pid } => {
                child.pid = Some(pid);
                match child.daemon {
                    true => Key::pp_log_started_daemon,
                    false => Key::pp_log_started_normal,
                }
            }
            News::Word(word) => {
                if child.alive() {
                    self.ticker.stream.push_back(word);
                    while self.ticker.stream.len() > super::TICKER_WORDS {
                        self.ticker.stream.pop_front();
                    }
                }
                return;
            }
            News::MainEnded => {
                child.main_ended = true;
                match child.daemon {
                    true => Key::pp_log_main_daemon,
                    false => Key::pp_log_main_normal,
                }
            }
            News::Exited(ended) => {
                child.ended = Some(ended);
                match (ended.code, child.main_ended && child.daemon) {
                    (Some(_), true) => Key::pp_log_exited_daemon,
                    (Some(_), false) => Key::pp_log_exited,
                    (None, _) if child.interrupted => Key::pp_log_interrupted,
                    (None, _) => Key::pp_log_killed,
                }
            }
            News::Failed(why) => {
                child.failed = Some(why);
                Key::pp_log_failed
            }
        };
        let pid = child.pid;
        self.log.push_back(LogLine::Program { pid, note });
        self.trim_log();
    }
}
