//! What each key does: one action in, the commands it asks for out.

use super::runs::next_seed;
use super::{App, CODE_PAGE, Command, LogLine, SPEEDS};
use crate::engine::Strategy;
use crate::i18n::Key;
use crate::keys::Action;
use crate::tasks;

impl App {
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
        if self.lesson.is_some()
            && let Some(cmds) = self.act_in_lesson(action)
        {
            return cmds;
        }
        match action {
            Action::Lesson => {
                if let Some(left) = self.lesson.take() {
                    self.left_at_scene = left.index;
                    return vec![];
                }
                self.open_lesson()
            }
            Action::Strategy(n) => {
                if let Some(s) = Strategy::from_key(n) {
                    if s != self.settings.strategy && !self.is_running() {
                        // Another strategy's stage starts clean: the last run's bars were not its.
                        self.run = None;
                    }
                    self.settings.strategy = s;
                    // Another strategy's code starts at its top.
                    self.code_scroll = 0;
                }
                vec![]
            }
            Action::Export => match &self.run {
                Some(r) if r.state.is_finished() || self.paused => {
                    vec![Command::ExportTrace(Box::new(
                        r.state.report(self.settings.seed, self.settings.speed),
                    ))]
                }
                Some(_) => {
                    self.hint = Some(Key::hint_export_when_done);
                    vec![]
                }
                None => {
                    self.hint = Some(Key::hint_nothing_to_export);
                    vec![]
                }
            },
            Action::Step => {
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
            Action::Crash => {
                if let Some(cmds) = self.interrupt_ping_pong() {
                    return cmds;
                }
                if !self.is_running() {
                    self.hint = Some(Key::hint_nothing_to_crash);
                    return vec![];
                }
                vec![Command::Crash]
            }
            Action::Workload => {
                self.settings.workload = self.settings.workload.toggled();
                vec![]
            }
            Action::Cores => {
                self.cores = if self.cores == 1 { self.all_cores } else { 1 };
                if let Some(r) = &mut self.run {
                    // The ideal of a run under way changes with the cores it may use from now on.
                    r.state.set_cores(self.cores);
                }
                vec![Command::SetCores(self.cores)]
            }
            Action::Run => {
                self.compare_queue.clear();
                self.start_run()
            }
            Action::NewDurations => {
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
                self.compare_queue.clear();
                let stop = self.is_running();
                self.run = None;
                self.paused = false;
                self.steps_pending = 0;
                if stop { vec![Command::StopRun] } else { vec![] }
            }
            Action::Compare => {
                self.compare_queue = Strategy::ALL.into_iter().collect();
                let first = self.compare_queue.pop_front().expect("strategies exist");
                self.settings.strategy = first;
                self.start_run()
            }
            Action::MoreWorkers | Action::FewerWorkers => {
                let n = if action == Action::MoreWorkers {
                    self.settings.workers + 1
                } else {
                    self.settings.workers - 1
                };
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
            Action::Pause => {
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
            Action::Slower | Action::Faster => {
                let i = SPEEDS
                    .iter()
                    .position(|&s| s >= self.settings.speed)
                    .unwrap_or(SPEEDS.len() - 1);
                let i = if action == Action::Faster {
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
            Action::Ticker => {
                // One Ping/Pong at a time: the program's goes before threadlab's own starts.
                let mut cmds = self.stop_ping_pong();
                cmds.extend(self.toggle_ticker());
                cmds
            }
            Action::Daemon => {
                if self.ticker.child.as_ref().is_some_and(|c| c.alive()) {
                    // Python refuses to change a started thread's daemon flag, and so do we.
                    self.hint = Some(Key::hint_pp_daemon_next);
                }
                self.toggle_daemon()
            }
            Action::Language => {
                self.settings.lang = self.settings.lang.toggled();
                vec![]
            }
            Action::Help => {
                self.help = true;
                self.help_scroll = 0;
                vec![]
            }
            Action::WatchPython => {
                self.watch_python(crate::watch::carried::counterpart(self.settings.strategy))
            }
            Action::Code(language) => {
                // The same key again closes the panel; the other language's key switches to it.
                self.code = (self.code != Some(language)).then_some(language);
                self.code_scroll = 0;
                vec![]
            }
            Action::Quit => {
                if self.help {
                    self.help = false;
                    return vec![];
                }
                self.quit()
            }
            Action::Up if self.code.is_some() => self.scroll_code(-1),
            Action::Down if self.code.is_some() => self.scroll_code(1),
            Action::PageUp if self.code.is_some() => self.scroll_code(-CODE_PAGE),
            Action::PageDown if self.code.is_some() => self.scroll_code(CODE_PAGE),
            Action::Up => self.scroll_by(-1),
            Action::Down => self.scroll_by(1),
            Action::PageUp => self.scroll_by(-(self.page() as isize)),
            Action::PageDown => self.scroll_by(self.page() as isize),
            Action::ForceQuit => unreachable!("handled above"),
        }
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
            self.hint = None;
            self.log.push_back(LogLine::Note(Key::log_demo_left));
            self.trim_log();
            return self.move_scene(if action == Action::PageDown { 1 } else { -1 });
        }
        match action {
            Action::Daemon => self.toggle_daemon(),
            Action::Ticker => self.toggle_ticker(),
            Action::Language => {
                self.settings.lang = self.settings.lang.toggled();
                vec![]
            }
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
            self.compare_queue.clear();
            self.log.push_back(LogLine::Note(Key::log_main_finished));
            self.trim_log();
            let mut cmds = vec![];
            if self.is_running() {
                // A stopped run never reports that it finished: forget it, as `n` does.
                self.run = None;
                self.paused = false;
                self.steps_pending = 0;
                cmds.push(Command::StopRun);
            }
            cmds
        } else {
            vec![Command::Quit]
        }
    }
}
