//! Lesson mode: opening it, moving between scenes, and setting each scene's stage.

use super::{App, ChildView, Command, Held, LessonView, LogLine};
use crate::i18n::Key;
use crate::keys::Action;
use crate::lesson::{CoresSetting, TickerSetting};
use crate::ticker_child::News;

impl App {
    /// Open lesson mode at its first scene, setting that scene's stage (`--lesson`).
    pub fn open_lesson(&mut self) -> Vec<Command> {
        if self.scenes.is_empty() {
            return vec![];
        }
        self.lesson = Some(LessonView {
            scenes: self.scenes.clone(),
            index: self.left_at_scene.min(self.scenes.len() - 1),
            ran: None,
            held: Held::default(),
            watched: Vec::new(),
            python_runs: 0,
        });
        let cmds = self.set_stage(Held::default());
        self.refresh_idle();
        cmds
    }

    /// Remember that the teacher changed a setting by hand in this scene, so Enter keeps it.
    pub(super) fn hold(&mut self, action: Action) {
        let Some(lesson) = &mut self.lesson else {
            return;
        };
        let h = &mut lesson.held;
        match action {
            Action::Strategy(n) if crate::engine::Strategy::from_key(n).is_some() => {
                h.strategy = true
            }
            Action::Workload => h.workload = true,
            Action::Cores => h.cores = true,
            Action::MoreWorkers | Action::FewerWorkers => h.workers = true,
            Action::Ticker | Action::Daemon => h.ticker = true,
            _ => {}
        }
    }

    /// Apply the current scene's preset (downloads, strategy, workload, cores, workers and
    /// ticker), except what `held` says the teacher changed by hand.
    pub(super) fn set_stage(&mut self, held: Held) -> Vec<Command> {
        let Some(lesson) = &self.lesson else {
            return vec![];
        };
        let p = lesson.scene().preset.clone();
        let mut cmds = Vec::new();
        self.set_names(p.names.unwrap_or_else(|| self.base_names.clone()));
        if let Some(s) = p.strategy.filter(|_| !held.strategy) {
            self.settings.strategy = s;
        }
        if let Some(w) = p.workload.filter(|_| !held.workload) {
            self.settings.workload = w;
        }
        if let Some(w) = p.workers.filter(|_| !held.workers) {
            self.settings.workers = w;
        }
        if let Some(c) = p.cores.filter(|_| !held.cores) {
            let n = match c {
                CoresSetting::One => 1,
                CoresSetting::All => self.all_cores,
            };
            if n != self.cores {
                self.cores = n;
                cmds.push(Command::SetCores(n));
            }
        }
        if let Some(daemon) = p.ping_pong.filter(|_| !held.ticker) {
            // The program's threads take the flag when Enter starts them.
            if self.ticker.daemon != daemon {
                cmds.extend(self.toggle_daemon());
            }
        }
        match p.ticker.filter(|_| !held.ticker) {
            Some(TickerSetting::Off) if self.ticker.on => cmds.extend(self.toggle_ticker()),
            Some(want @ (TickerSetting::On | TickerSetting::Daemon)) => {
                let daemon = want == TickerSetting::Daemon;
                if !self.ticker.on {
                    self.ticker.daemon = daemon;
                    cmds.extend(self.toggle_ticker());
                } else if self.ticker.daemon != daemon {
                    cmds.extend(self.toggle_daemon());
                }
            }
            _ => {}
        }
        cmds
    }

    pub(super) fn move_scene(&mut self, delta: isize) -> Vec<Command> {
        let Some(lesson) = &mut self.lesson else {
            return vec![];
        };
        let last = lesson.scenes.len() - 1;
        let next = lesson.index.saturating_add_signed(delta).min(last);
        if next == lesson.index {
            return vec![];
        }
        lesson.index = next;
        lesson.ran = None;
        lesson.held = Held::default();
        lesson.watched.clear();
        lesson.python_runs = 0;
        let mut cmds = self.stop_ping_pong();
        if self.is_running() {
            // A new scene is a new stage: the old run would only confuse it.
            self.run = None;
            self.paused = false;
            self.steps_pending = 0;
            self.compare_queue.clear();
            cmds.push(Command::StopRun);
        }
        // A finished run's bars and its crash note belong to the old stage too.
        self.run = None;
        self.crash_note = None;
        cmds.extend(self.set_stage(Held::default()));
        cmds
    }
}

/// The daemon lesson's Ping/Pong program, run by a scene in a process of its own.
impl App {
    /// Whether Enter in the current scene runs the Ping/Pong program instead of the downloads.
    pub fn program_scene(&self) -> bool {
        (self.lesson.as_ref()).is_some_and(|l| l.scene().preset.ping_pong.is_some())
    }

    /// Run the program with the daemon flag as `d` has set it: threadlab's own ticker stops
    /// (one Ping/Pong on screen at a time) and so does a run, which would only confuse the stage.
    pub(super) fn start_ping_pong(&mut self) -> Vec<Command> {
        let mut cmds = Vec::new();
        if self.ticker.on {
            cmds.extend(self.toggle_ticker());
        }
        if self.is_running() {
            cmds.push(Command::StopRun);
        }
        self.run = None;
        self.paused = false;
        self.steps_pending = 0;
        self.compare_queue.clear();
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
