//! What each key does: one action in, the commands it asks for out.

use super::runs::next_seed;
use super::{App, CODE_PAGE, Command, LogLine, SPEEDS};
use crate::bindings::Action;
use crate::engine::Strategy;
use crate::i18n::Key;
use crate::tasks;

impl App {
    /// What `action` does now: after main has finished, with help or a lesson open, or as usual;
    /// each key's own handler follows.
    pub(super) fn act(&mut self, action: Action) -> Vec<Command> {
        if action == Action::ForceQuit {
            return vec![Command::Quit];
        }
        if self.main_finished {
            return self.act_after_main(action);
        }
        if self.help
            && let Some(cmds) = self.act_in_help(action)
        {
            return cmds;
        }
        self.hint = None;
        self.notice = None;
        let quit_pending = std::mem::take(&mut self.quit_pending);
        if action == Action::Quit && !self.help && quit_pending {
            return vec![Command::Quit];
        }
        if self.lesson.is_some()
            && let Some(cmds) = self.act_in_lesson(action)
        {
            return cmds;
        }
        match action {
            Action::Lesson => self.toggle_lesson(),
            Action::Strategy(n) => self.choose_strategy(n),
            Action::Export => self.export(),
            Action::Step => self.step(),
            Action::Crash => self.crash(),
            Action::Workload => {
                self.settings.workload = self.settings.workload.toggled();
                if self.is_running() {
                    // Downloads already waiting or computing keep what they do: say so, or the
                    // header's new workload would stand over the old run's figures unexplained.
                    self.hint = Some(Key::hint_workload_next_run);
                }
                vec![]
            }
            Action::Cores => self.toggle_cores(),
            Action::Run => {
                self.compare_queue.clear();
                self.start_run()
            }
            Action::NewDurations => self.new_durations(),
            Action::Compare => self.compare(),
            Action::MoreWorkers => self.change_workers(1),
            Action::FewerWorkers => self.change_workers(-1),
            Action::Pause => self.toggle_pause(),
            Action::Slower => self.change_speed(false),
            Action::Faster => self.change_speed(true),
            Action::Ticker => {
                // One Ping/Pong at a time: the program's goes before threadlab's own starts,
                // and the screen says so (it ended without a word).
                let pid = (self.ticker.child.as_ref())
                    .filter(|c| c.alive())
                    .map(|c| c.pid);
                let mut cmds = self.stop_ping_pong();
                if let Some(pid) = pid {
                    let note = Key::pp_log_ended_for_ticker;
                    self.log.push_back(LogLine::Program { pid, note });
                    self.trim_log();
                    self.hint = Some(Key::hint_program_ended_for_ticker);
                }
                cmds.extend(self.toggle_ticker());
                cmds
            }
            Action::Daemon => self.daemon_key(),
            Action::Language => self.toggle_language(),
            Action::Help => {
                self.help = true;
                self.help_scroll = 0;
                vec![]
            }
            Action::WatchPython => {
                self.watch_python(crate::watch::carried::counterpart(self.settings.strategy))
            }
            Action::Code(language) => self.toggle_code(language),
            Action::Quit => {
                if self.help {
                    self.help = false;
                    return vec![];
                }
                self.quit()
            }
            Action::Up => self.scroll_lines(-1),
            Action::Down => self.scroll_lines(1),
            Action::PageUp => self.scroll_pages(-1),
            Action::PageDown => self.scroll_pages(1),
            Action::ForceQuit => unreachable!("handled above"),
        }
    }

    /// `L`: leave the lesson (remembering its scene) or open it.
    fn toggle_lesson(&mut self) -> Vec<Command> {
        if let Some(left) = self.lesson.take() {
            self.left_at_scene = left.index;
            return vec![];
        }
        self.open_lesson()
    }

    /// `1`..: choose the strategy of key `n`.
    fn choose_strategy(&mut self, n: u8) -> Vec<Command> {
        if let Some(s) = Strategy::from_key(n) {
            if s != self.settings.strategy && !self.is_running() {
                // Another strategy's stage starts clean: the last run's bars were not its,
                // nor its crash message (tryout: scene 1's abort stayed over strategy 2's bars).
                self.run = None;
                self.crash_note = None;
            }
            self.settings.strategy = s;
            // Another strategy's code starts at its top.
            self.code_scroll = 0;
        }
        vec![]
    }

    /// `e`: write the run's trace, once it has finished or while it is paused.
    fn export(&mut self) -> Vec<Command> {
        match &self.run {
            Some(r) if r.state.is_finished() || self.paused => {
                vec![Command::ExportTrace {
                    report: Box::new(r.state.report(self.settings.seed, self.settings.speed)),
                    lang: self.settings.lang,
                }]
            }
            Some(_) => {
                self.hint = Some(Key::hint_export_when_done);
                vec![]
            }
            None => {
                self.hint = Some(Key::hint_nothing_to_export);
                vec![]
            }
        }
    }

    /// `.`: let a paused run go on to its next event.
    fn step(&mut self) -> Vec<Command> {
        let strategy = self.run.as_ref().map(|r| r.state.strategy);
        if !self.is_running() || !self.paused {
            self.hint = Some(Key::hint_step_needs_pause);
            return vec![];
        }
        if strategy.is_some_and(|s| !s.can_step()) {
            // Each child keeps a clock of its own; stepping them together is not supported.
            self.hint = Some(Key::hint_step_threads_only);
            return vec![];
        }
        self.steps_pending += 1;
        vec![Command::Step]
    }

    /// `x`: the crash demo, or Ctrl-C for the Ping/Pong program while it runs.
    fn crash(&mut self) -> Vec<Command> {
        if let Some(cmds) = self.interrupt_ping_pong() {
            return cmds;
        }
        if !self.is_running() {
            self.hint = Some(Key::hint_nothing_to_crash);
            return vec![];
        }
        vec![Command::Crash]
    }

    /// `k`: one core or all of them, for the next run. A run under way keeps the cores it
    /// started on: its threads, its children and its ideal were planned for them, and moving
    /// them midway would leave figures that no single setting explains.
    fn toggle_cores(&mut self) -> Vec<Command> {
        self.cores = if self.cores == 1 { self.all_cores } else { 1 };
        if self.is_running() {
            self.hint = Some(Key::hint_cores_next_run);
            return vec![];
        }
        if self
            .run
            .as_ref()
            .is_some_and(|r| r.state.cores != self.cores)
        {
            // The finished run's figures stay those of the cores it ran on: say whose they are.
            self.hint = Some(Key::hint_cores_shown_run);
        }
        self.apply_cores().into_iter().collect()
    }

    /// Restrict the process to the cores of the `k` setting, unless a run is under way (it
    /// keeps its own) or they are in force already.
    pub(super) fn apply_cores(&mut self) -> Option<Command> {
        if self.is_running() || self.applied_cores == self.cores {
            return None;
        }
        self.applied_cores = self.cores;
        Some(Command::SetCores(self.cores))
    }

    /// `n`: new durations for the same downloads; the run and the results go with the old ones.
    fn new_durations(&mut self) -> Vec<Command> {
        self.settings.seed = next_seed(self.settings.seed);
        let durations = tasks::durations(
            self.settings.seed,
            self.settings.names.len(),
            self.settings.min,
            self.settings.max,
        );
        self.tasks = tasks::make_tasks(&self.settings.names, &durations);
        self.idle = self.plan_state();
        // Old results were on other durations: comparing them would mislead.
        self.forget_results();
        self.drop_run()
    }

    /// `c`: run every strategy in turn.
    fn compare(&mut self) -> Vec<Command> {
        self.compare_queue = Strategy::ALL.into_iter().collect();
        let first = self.compare_queue.pop_front().expect("strategies exist");
        self.settings.strategy = first;
        let cmds = self.start_run();
        self.mark_compared();
        cmds
    }

    /// `+`/`-`: the pool's size for the next run, and a hint where it does not apply now.
    fn change_workers(&mut self, by: isize) -> Vec<Command> {
        let n = self.settings.workers.saturating_add_signed(by);
        self.settings.workers = n.clamp(1, crate::cli::MAX_WORKERS);
        let pool_running = (self.run.as_ref())
            .is_some_and(|r| r.state.strategy.has_pool_size() && self.is_running());
        if pool_running {
            // A pool's max_workers is fixed when it is made: the running one keeps its size.
            self.hint = Some(Key::hint_workers_next_run);
        } else if !self.settings.strategy.has_pool_size() {
            // Only the pool has a number of workers to choose: say where it shows.
            self.hint = Some(Key::hint_workers_pool_only);
        }
        vec![]
    }

    /// Space: pause or resume the run under way.
    fn toggle_pause(&mut self) -> Vec<Command> {
        if !self.is_running() {
            self.hint = Some(Key::hint_nothing_to_pause);
            return vec![];
        }
        self.paused = !self.paused;
        self.steps_pending = 0;
        vec![if self.paused {
            Command::Pause
        } else {
            Command::Resume
        }]
    }

    /// `[`/`]`: the next slower or faster of [`SPEEDS`].
    fn change_speed(&mut self, faster: bool) -> Vec<Command> {
        let i = SPEEDS
            .iter()
            .position(|&s| s >= self.settings.speed)
            .unwrap_or(SPEEDS.len() - 1);
        let i = if faster {
            if SPEEDS[i] > self.settings.speed {
                i
            } else {
                (i + 1).min(SPEEDS.len() - 1)
            }
        } else {
            i.saturating_sub(1)
        };
        if let Some(run) = self.run.as_mut().filter(|r| !r.state.is_finished())
            && run.speed != Some(SPEEDS[i])
        {
            // Lesson seconds of this run no longer convert to wall seconds at one rate.
            run.speed = None;
        }
        self.settings.speed = SPEEDS[i];
        vec![Command::SetSpeed(self.settings.speed)]
    }

    /// `d`: the daemon flag, for threadlab's threads now and the program's next start.
    fn daemon_key(&mut self) -> Vec<Command> {
        if self.ticker.child.as_ref().is_some_and(|c| c.alive()) {
            // Python refuses to change a started thread's daemon flag, and so do we.
            self.hint = Some(Key::hint_pp_daemon_next);
        }
        self.toggle_daemon()
    }

    /// `l`: English or Chinese.
    fn toggle_language(&mut self) -> Vec<Command> {
        self.settings.lang = self.settings.lang.toggled();
        vec![]
    }

    /// `v`/`V`: the code panel in `language`; the same key again closes it, the other language's
    /// key switches to it.
    fn toggle_code(&mut self, language: crate::code::Language) -> Vec<Command> {
        self.code = (self.code != Some(language)).then_some(language);
        self.code_scroll = 0;
        vec![]
    }

    /// The arrows: they scroll the code panel while it shows, else the downloads.
    fn scroll_lines(&mut self, by: isize) -> Vec<Command> {
        match self.code {
            Some(_) => self.scroll_code(by),
            None => self.scroll_by(by),
        }
    }

    /// PgUp/PgDn: a page of the code panel while it shows, else a page of downloads.
    fn scroll_pages(&mut self, pages: isize) -> Vec<Command> {
        let page = match self.code {
            Some(_) => CODE_PAGE,
            None => self.page() as isize,
        };
        self.scroll_lines(pages * page)
    }

    /// Keys while help shows: the arrows and pages scroll it (a small screen cannot show it
    /// all), the language and quit keys act as usual, any other key closes it and does nothing
    /// else, as a teacher would expect. None: go on as usual.
    fn act_in_help(&mut self, action: Action) -> Option<Vec<Command>> {
        match action {
            Action::Up | Action::PageUp => {
                let by = 1 + 9 * usize::from(action == Action::PageUp);
                self.help_scroll = self.help_scroll.saturating_sub(by);
            }
            Action::Down | Action::PageDown => {
                let by = 1 + 9 * usize::from(action == Action::PageDown);
                self.help_scroll = (self.help_scroll + by).min(self.help_lines);
            }
            Action::Language | Action::Quit => return None,
            _ => self.help = false,
        }
        Some(vec![])
    }

    /// Keys with a lesson open: only the page keys move between scenes (the arrows still
    /// scroll the downloads), and Enter runs the scene's stage. None: go on as usual.
    fn act_in_lesson(&mut self, action: Action) -> Option<Vec<Command>> {
        self.hold(action);
        match action {
            Action::PageDown => Some(self.move_scene(1)),
            Action::PageUp => Some(self.move_scene(-1)),
            Action::Run => {
                self.compare_queue.clear();
                let held = self.lesson.as_ref().map(|l| l.held).unwrap_or_default();
                let mut cmds = self.set_stage(held);
                // A scene of the lesson's own programs runs the real thing, not its re-enactment.
                if let Some(script) = self.lesson.as_ref().and_then(|l| l.next_python()) {
                    cmds.extend(self.watch_python(script));
                    return Some(cmds);
                }
                if self.program_scene() {
                    cmds.extend(self.start_ping_pong());
                    return Some(cmds);
                }
                cmds.extend(self.start_run());
                let id = self.run.as_ref().map(|r| r.id);
                if let Some(l) = &mut self.lesson {
                    l.ran = id;
                }
                Some(cmds)
            }
            _ => None,
        }
    }

    /// After main has finished, only the ticker keys matter: they decide whether the process can end.
    pub(super) fn act_after_main(&mut self, action: Action) -> Vec<Command> {
        if self.lesson.is_some() && matches!(action, Action::PageDown | Action::PageUp) {
            // The lesson goes on: the demo of a finished main ends here, and the scene moves.
            self.main_finished = false;
            self.stopped_with_main = None;
            self.hint = None;
            let cmds = self.move_scene(if action == Action::PageDown { 1 } else { -1 });
            // After the move, which starts the new scene's log afresh.
            self.log.push_back(LogLine::Note(Key::log_demo_left));
            self.trim_log();
            return cmds;
        }
        match action {
            Action::Daemon => self.toggle_daemon(),
            Action::Ticker => self.toggle_ticker(),
            Action::Language => self.toggle_language(),
            _ => {
                self.hint = Some(Key::hint_waiting_for_ticker);
                vec![]
            }
        }
    }

    /// The lesson's rule: the process ends when its last non-daemon thread ends.
    pub(super) fn quit(&mut self) -> Vec<Command> {
        if self.ticker.on && !self.ticker.daemon {
            self.main_finished = true;
            self.help = false;
            self.log.push_back(LogLine::Note(Key::log_main_finished));
            self.trim_log();
            if self.is_running() {
                // Say so where main's end is said: the run does not vanish without a word.
                self.stopped_with_main = Some(self.settings.strategy);
            }
            self.stop_run()
        } else if self.ticker.child.as_ref().is_some_and(|c| c.alive()) {
            // Quitting would end the lesson's program too: say so first, and let x end only it.
            self.quit_pending = true;
            self.hint = Some(Key::hint_quit_ends_program);
            vec![]
        } else {
            vec![Command::Quit]
        }
    }
}
