//! Scrolling: the downloads (following the work under way until scrolled by hand) and the
//! code panel.

use super::App;
use super::Command;

impl App {
    /// Download rows visible at the current size, as the edge last said.
    pub fn page(&self) -> usize {
        self.page
    }

    /// Until the class scrolls by hand, keep the first download still under way in view, so a
    /// long list shows the work in progress rather than the finished top of it.
    pub(super) fn follow_running(&mut self) {
        if !self.follow {
            return;
        }
        let Some(run) = &self.run else { return };
        let page = self.page();
        if run.state.tasks.len() <= page {
            return;
        }
        if let Some(first) = run.state.first_unfinished() {
            self.scroll = first;
            self.clamp_scroll();
        }
    }

    /// Scroll the code panel's listing, never past its last line.
    pub(super) fn scroll_code(&mut self, delta: isize) -> Vec<Command> {
        let Some(language) = self.code else {
            return vec![];
        };
        // The daemon scenes' panel shows the Ping/Pong program instead of the strategy.
        let subject = match self.program_scene() || self.ticker.child.is_some() {
            true => crate::code::Subject::Program,
            false => crate::code::Subject::Strategy(self.settings.strategy),
        };
        let lines = crate::code::listing(subject, language).lines.len();
        self.code_scroll =
            (self.code_scroll.saturating_add_signed(delta)).min(lines.saturating_sub(1));
        vec![]
    }

    pub(super) fn scroll_by(&mut self, delta: isize) -> Vec<Command> {
        self.follow = false;
        self.scroll = self.scroll.saturating_add_signed(delta);
        self.clamp_scroll();
        vec![]
    }

    pub(super) fn clamp_scroll(&mut self) {
        let max = self.tasks.len().saturating_sub(self.page());
        self.scroll = self.scroll.min(max);
    }
}
