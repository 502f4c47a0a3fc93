//! Lesson mode: opening it, moving between scenes, and setting each scene's stage.

use super::{App, Command, LessonView};
use crate::lesson::{CoresSetting, TickerSetting};

impl App {
    /// Open lesson mode at its first scene, setting that scene's stage (`--lesson`).
    pub fn open_lesson(&mut self) -> Vec<Command> {
        if self.scenes.is_empty() {
            return vec![];
        }
        self.lesson = Some(LessonView {
            scenes: self.scenes.clone(),
            index: 0,
            ran: None,
        });
        let cmds = self.set_stage();
        self.refresh_idle();
        cmds
    }

    /// Apply the current scene's preset: strategy, workload, cores, workers and ticker.
    pub(super) fn set_stage(&mut self) -> Vec<Command> {
        let Some(lesson) = &self.lesson else {
            return vec![];
        };
        let p = lesson.scene().preset.clone();
        let mut cmds = Vec::new();
        if let Some(s) = p.strategy {
            self.strategy = s;
        }
        if let Some(w) = p.workload {
            self.workload = w;
        }
        if let Some(w) = p.workers {
            self.workers = w;
        }
        if let Some(c) = p.cores {
            let n = match c {
                CoresSetting::One => 1,
                CoresSetting::All => self.all_cores,
            };
            if n != self.cores {
                self.cores = n;
                cmds.push(Command::SetCores(n));
            }
        }
        match p.ticker {
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
        let mut cmds = Vec::new();
        if self.is_running() {
            // A new scene is a new stage: the old run would only confuse it.
            self.run = None;
            self.paused = false;
            self.steps_pending = 0;
            self.compare_queue.clear();
            cmds.push(Command::StopRun);
        }
        cmds.extend(self.set_stage());
        cmds
    }
}
