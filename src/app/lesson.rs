//! Lesson mode: opening it, moving between scenes, and setting each scene's stage.

use super::{App, Command, Held, LessonView};
use crate::bindings::Action;
use crate::lesson::{CoresSetting, TickerSetting};

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

    /// The scene's card lines in `lang` as the screen shows them: `{workers}` is the pool size
    /// of the scene's run once it started (the card sits beside its numbers), else the one
    /// Enter will use.
    pub fn card_lines(&self, lang: crate::i18n::Lang) -> Vec<String> {
        let Some(l) = &self.lesson else {
            return Vec::new();
        };
        let workers = (self.run.as_ref())
            .filter(|r| Some(r.id) == l.ran)
            .map_or(self.settings.workers, |r| r.state.workers)
            .to_string();
        (l.scene().card(lang).iter())
            .map(|s| s.replace("{workers}", &workers))
            .collect()
    }

    /// What the teacher changed by hand in this scene that also differs from the scene's own
    /// setting: a key pressed twice, or one the scene does not set, leaves Enter doing what
    /// the scene says, so the card has nothing to report for it.
    pub fn held_changes(&self) -> Held {
        let Some(lesson) = &self.lesson else {
            return Held::default();
        };
        let (h, p) = (lesson.held, &lesson.scene().preset);
        let s = &self.settings;
        let cores = p.cores.map(|c| match c {
            CoresSetting::One => 1,
            CoresSetting::All => self.all_cores,
        });
        let (on, daemon) = (self.ticker.on, self.ticker.daemon);
        let ticker = match p.ticker {
            Some(TickerSetting::Off) => on,
            Some(TickerSetting::On) => !on || daemon,
            Some(TickerSetting::Daemon) => !on || !daemon,
            None => false,
        };
        // The daemon scenes' program takes the flag `d` set.
        let program = p.ping_pong.is_some_and(|d| !on && d != daemon);
        Held {
            strategy: h.strategy && p.strategy.is_some_and(|x| x != s.strategy),
            workload: h.workload && p.workload.is_some_and(|x| x != s.workload),
            cores: h.cores && cores.is_some_and(|x| x != self.cores),
            workers: h.workers && p.workers.is_some_and(|x| x != s.workers),
            ticker: h.ticker && (ticker || program),
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
            self.cores = n;
            cmds.extend(self.apply_cores());
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
        // A new scene is a new stage: the old run, finished or not, and its crash note would
        // only confuse it.
        cmds.extend(self.drop_run());
        self.crash_note = None;
        // Its log too: scene 1's aborted workshop went on reading "SIGABRT" in scenes 2 and 3.
        self.log.clear();
        self.ticker.stream.clear();
        cmds.extend(self.set_stage(Held::default()));
        cmds
    }
}
