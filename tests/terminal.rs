//! End to end in a real terminal: the release binary runs inside a private tmux server, keys go
//! in with `send-keys`, the screen comes back with `capture-pane`, and after exit the pane shows
//! the exit code and `stty -a`. Every wait polls with a generous timeout; nothing asserts timing.
//!
//! Needs `tmux` (CI installs it; `.ci/run` does). Without it: a failure under `CI`, a skip otherwise.

mod pids;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};
use unicode_width::UnicodeWidthStr;

const BIN: &str = env!("CARGO_BIN_EXE_threadlab");
/// How long any one thing may take to show before the test gives up.
const TIMEOUT: Duration = Duration::from_secs(20);
const POLL: Duration = Duration::from_millis(40);
/// The pane size every test uses.
const COLS: usize = 140;
const ROWS: usize = 45;
/// The lesson's downloads.
const NAMES: [&str; 3] = [
    "Python从入门到住院.pdf",
    "MySQL从删库到跑路.avi",
    "Linux从精通到放弃.mp4",
];
/// Slow runs that cannot finish during a test: real time, a minute or more per download.
const SLOW: &[&str] = &["--seed", "7", "--speed", "1", "--min", "60", "--max", "90"];
/// Fast runs that finish in well under a second.
const FAST: &[&str] = &["--seed", "7", "--speed", "50"];

/// A private tmux server running threadlab in session `app`; the server is killed on drop.
struct Tui {
    server: String,
    dir: PathBuf,
    /// threadlab processes seen, killed on drop if a failing test left them behind.
    pids: std::cell::RefCell<Vec<u32>>,
}

impl Tui {
    /// Start `threadlab ARGS` in a 140×45 pane and wait for its first screen. `None` (skip)
    /// when tmux is missing outside CI.
    fn start(test: &str, args: &[&str]) -> Option<Tui> {
        Tui::launch(test, "", args)
    }

    /// `start`, with `wrapper` (a shell word or two, e.g. `setsid -w`) put before the program.
    fn launch(test: &str, wrapper: &str, args: &[&str]) -> Option<Tui> {
        Tui::launch_sized(test, wrapper, args, (COLS, ROWS))
    }

    /// `launch` in a pane of `cols`×`rows`.
    fn launch_sized(
        test: &str,
        wrapper: &str,
        args: &[&str],
        (cols, rows): (usize, usize),
    ) -> Option<Tui> {
        if !tmux_or_skip(test) {
            return None;
        }
        let server = format!("threadlab-e2e-{}-{test}", std::process::id());
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(&server);
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create the test's temp dir");
        let tui = Tui {
            server,
            dir,
            pids: Default::default(),
        };
        // The keep-alive session: killing the app's session must not take the server down.
        tui.tmux(&["new-session", "-d", "-s", "keepalive", "sleep 600"]);
        tui.tmux(&["set-option", "-g", "status", "off"]);
        let gate = tui.dir.join("go");
        let raw = tui.dir.join("raw.out");
        let mut program = format!("{wrapper} {}", sh_quote(BIN));
        for a in args {
            program.push(' ');
            program.push_str(&sh_quote(a));
        }
        // The gate lets the raw output capture start before threadlab writes its first byte.
        let script = format!(
            "while [ ! -e {gate} ]; do sleep 0.02; done; {program}; echo EXIT=$?; stty -a; echo DONE; exec sleep 300",
            gate = sh_quote(&gate.to_string_lossy()),
        );
        let (x, y) = (cols.to_string(), rows.to_string());
        tui.tmux(&[
            "new-session",
            "-d",
            "-s",
            "app",
            "-x",
            &x,
            "-y",
            &y,
            "-e",
            "LANG=C.UTF-8",
            "-e",
            "LC_ALL=C.UTF-8",
            &script,
        ]);
        tui.tmux(&[
            "pipe-pane",
            "-t",
            "app",
            &format!("cat > {}", sh_quote(&raw.to_string_lossy())),
        ]);
        std::fs::write(&gate, b"").expect("open the gate");
        // The key bar's labels are the same in both languages, and 1-7 leads on every size.
        tui.wait_for("the first screen", |s| s.contains("1-7"));
        Some(tui)
    }

    fn tmux(&self, args: &[&str]) -> Output {
        let out = tmux_cmd()
            .args(["-u", "-L", &self.server, "-f", "/dev/null"])
            .args(args)
            .output()
            .expect("tmux runs");
        assert!(
            out.status.success(),
            "tmux {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }

    /// The pane's text now, wrapped lines joined.
    fn capture(&self) -> String {
        let out = self.tmux(&["capture-pane", "-p", "-J", "-t", "app"]);
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Poll the pane until `ok` holds; the capture that satisfied it, or a failure showing the last one.
    fn wait_for(&self, what: &str, ok: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let screen = self.capture();
            if ok(&screen) {
                return screen;
            }
            if start.elapsed() > TIMEOUT {
                panic!("timed out after {TIMEOUT:?} waiting for {what}; last screen:\n{screen}");
            }
            std::thread::sleep(POLL);
        }
    }

    fn wait_text(&self, text: &str) -> String {
        self.wait_for(&format!("{text:?}"), |s| s.contains(text))
    }

    /// Poll until `part` of the screen is there and reads the same in two captures ~300 ms apart.
    fn wait_stable(&self, what: &str, part: impl Fn(&str) -> Option<String>) -> String {
        let start = Instant::now();
        let mut before = part(&self.capture());
        loop {
            std::thread::sleep(Duration::from_millis(300));
            let screen = self.capture();
            let now = part(&screen);
            if let (Some(a), Some(b)) = (&before, &now)
                && a == b
            {
                return b.clone();
            }
            if start.elapsed() > TIMEOUT {
                panic!(
                    "{what} still changes (or is missing) after {TIMEOUT:?}; last two:\n{before:?}\n---\n{now:?}\nscreen:\n{screen}"
                );
            }
            before = now;
        }
    }

    /// Poll until `part` of the screen is there and differs from `from`.
    fn wait_change(&self, what: &str, from: &str, part: impl Fn(&str) -> Option<String>) -> String {
        let start = Instant::now();
        loop {
            let screen = self.capture();
            match part(&screen) {
                Some(now) if now != from => return now,
                _ => {}
            }
            if start.elapsed() > TIMEOUT {
                panic!(
                    "{what} did not change from {from:?} in {TIMEOUT:?}; last screen:\n{screen}"
                );
            }
            std::thread::sleep(POLL);
        }
    }

    fn send(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "app"];
        args.extend_from_slice(keys);
        self.tmux(&args);
    }

    /// A tmux format evaluated for the app's pane.
    fn display(&self, format: &str) -> String {
        let out = self.tmux(&["display-message", "-p", "-t", "app", format]);
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// The threadlab process: a descendant of the pane's shell.
    fn pid(&self) -> u32 {
        let shell: u32 = self
            .display("#{pane_pid}")
            .parse()
            .expect("tmux gives the pane's pid");
        let start = Instant::now();
        loop {
            if let Some(pid) = threadlab_under(shell) {
                self.pids.borrow_mut().push(pid);
                return pid;
            }
            assert!(
                start.elapsed() < TIMEOUT,
                "no threadlab process under the pane's shell {shell}"
            );
            std::thread::sleep(POLL);
        }
    }

    /// Wait for threadlab to end; its exit code as the pane shows it.
    fn wait_exit(&self) -> i32 {
        let screen = self.wait_for("threadlab to exit (DONE after EXIT=)", |s| {
            s.lines().any(|l| l.trim() == "DONE")
        });
        let code = screen
            .lines()
            .find_map(|l| l.trim().strip_prefix("EXIT="))
            .unwrap_or_else(|| panic!("no EXIT= line:\n{screen}"));
        code.parse()
            .unwrap_or_else(|_| panic!("bad EXIT= line {code:?}:\n{screen}"))
    }

    /// While the screen is up: alternate screen on, cursor hidden (so the restore check means something).
    fn assert_live_screen(&self) {
        assert_eq!(
            self.display("#{alternate_on} #{cursor_flag}"),
            "1 0",
            "threadlab should run on the alternate screen with the cursor hidden"
        );
    }

    /// After exit, the terminal is as threadlab found it, by three independent checks.
    fn assert_restored(&self) {
        let screen = self.wait_for("DONE after exit", |s| s.lines().any(|l| l.trim() == "DONE"));
        // 1. tmux's own view of the pane.
        assert_eq!(
            self.display("#{alternate_on} #{cursor_flag}"),
            "0 1",
            "alternate screen still on or cursor still hidden; screen:\n{screen}"
        );
        // 2. the tty's modes, as `stty -a` printed them after exit.
        let stty: Vec<&str> = screen
            .lines()
            .skip_while(|l| !l.trim().starts_with("EXIT="))
            .skip(1)
            .take_while(|l| l.trim() != "DONE")
            .flat_map(|l| l.split(|c: char| c.is_whitespace() || c == ';'))
            .collect();
        for mode in ["icanon", "echo", "isig"] {
            assert!(
                stty.contains(&mode) && !stty.contains(&format!("-{mode}").as_str()),
                "stty after exit does not show {mode}:\n{screen}"
            );
        }
        // 3. the raw bytes threadlab wrote: it left the alternate screen and showed the cursor last.
        let raw_path = self.dir.join("raw.out");
        let start = Instant::now();
        let raw = loop {
            let raw = std::fs::read(&raw_path).unwrap_or_default();
            // pipe-pane copies asynchronously: wait until the shell's output after exit has arrived.
            if find_last(&raw, b"EXIT=").is_some() {
                break raw;
            }
            assert!(
                start.elapsed() < TIMEOUT,
                "raw output never showed EXIT= ({} bytes)",
                raw.len()
            );
            std::thread::sleep(POLL);
        };
        for (on, off, what) in [
            (&b"\x1b[?1049h"[..], &b"\x1b[?1049l"[..], "alternate screen"),
            (&b"\x1b[?25l"[..], &b"\x1b[?25h"[..], "cursor hidden"),
        ] {
            let last_on = find_last(&raw, on);
            let last_off = find_last(&raw, off);
            assert!(
                last_on.is_some(),
                "raw output never entered {what}: {} bytes",
                raw.len()
            );
            assert!(
                last_off > last_on,
                "raw output: {what} is not undone last ({last_on:?} vs {last_off:?})"
            );
        }
    }
}

impl Drop for Tui {
    fn drop(&mut self) {
        let _ = tmux_cmd()
            .args(["-L", &self.server, "-f", "/dev/null", "kill-server"])
            .output();
        // A threadlab that survived its terminal (a failing test) must not be left spinning.
        for &pid in self.pids.borrow().iter() {
            let start = Instant::now();
            while alive(pid) && start.elapsed() < Duration::from_secs(2) {
                std::thread::sleep(POLL);
            }
            if alive(pid) {
                let _ = Command::new("kill")
                    .args(["-KILL", &pid.to_string()])
                    .output();
            }
        }
        if !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

fn tmux_cmd() -> Command {
    let mut c = Command::new("tmux");
    c.env("LANG", "C.UTF-8")
        .env("LC_ALL", "C.UTF-8")
        .env("SHELL", "/bin/sh")
        .env_remove("TMUX")
        .env_remove("TMUX_PANE")
        .stdin(Stdio::null());
    c
}

/// Whether tmux is there; without it, a failure under CI and a skip (false) otherwise.
fn tmux_or_skip(test: &str) -> bool {
    if tmux_cmd()
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success())
    {
        return true;
    }
    if std::env::var_os("CI").is_some_and(|v| !v.is_empty()) {
        panic!(
            "tmux is required for the terminal tests under CI (CI is set) but was not found; install it (`.ci/run` does)"
        );
    }
    eprintln!("note: tmux not found, skipping terminal test {test}");
    false
}

fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

fn find_last(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

/// A live threadlab process whose parent, or a parent's parent, is `ancestor`.
fn threadlab_under(ancestor: u32) -> Option<u32> {
    std::fs::read_dir("/proc")
        .ok()?
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .find(|&pid| {
            alive(pid) && {
                let mut p = pid;
                (0..4).any(|_| {
                    p = pids::stat(p).map_or(0, |(_, _, ppid)| ppid);
                    p == ancestor
                })
            }
        })
}

/// Whether threadlab process `pid` still runs (a zombie has ended).
fn alive(pid: u32) -> bool {
    pids::stat(pid)
        .is_some_and(|(comm, state, _)| comm == "threadlab" && !matches!(state, 'Z' | 'X'))
}

fn wait_gone(pid: u32, what: &str) {
    let start = Instant::now();
    while alive(pid) {
        assert!(
            start.elapsed() < TIMEOUT,
            "threadlab (pid {pid}) still runs {TIMEOUT:?} after {what}: {:?}",
            pids::stat(pid)
        );
        std::thread::sleep(POLL);
    }
}

fn args<'a>(lang: &'a str, rest: &[&'a str]) -> Vec<&'a str> {
    let mut v = vec!["--lang", lang];
    v.extend_from_slice(rest);
    v
}

/// The download pane's rows (whole lines: the side panel beside them shows the elapsed time),
/// once all three downloads are on it.
fn download_rows(screen: &str) -> Option<String> {
    let rows: Vec<&str> = screen
        .lines()
        .skip_while(|l| !l.contains("┌ Downloads") && !l.contains("┌ 下载任务"))
        .skip(1)
        .take_while(|l| !l.starts_with('└'))
        .collect();
    let all = NAMES.iter().all(|n| rows.iter().any(|r| r.contains(n)));
    (all && rows.len() == NAMES.len()).then(|| rows.join("\n"))
}

/// The Ping/Pong words on screen, if the ticker pane is there and shows only such words.
fn ticker_words(screen: &str) -> Option<String> {
    let lines: Vec<&str> = screen.lines().collect();
    let title = lines.iter().position(|l| l.contains("┌ Ping/Pong "))?;
    let parts: Vec<&str> = lines.get(title + 2)?.trim_end().split('│').collect();
    // The box stands at the left while Ping/Pong runs, in the side panel (rightmost) when off.
    let at = match lines[title].starts_with("┌ Ping/Pong ") {
        true => 1,
        false => parts.len().checked_sub(2)?,
    };
    let words = parts.get(at)?.trim();
    let valid = words.len() % 4 == 0
        && words
            .as_bytes()
            .chunks(4)
            .all(|w| w == b"Ping" || w == b"Pong");
    valid.then(|| words.to_string())
}

/// Seconds in the "Last result per strategy" row for `label`, once that strategy has a result.
fn result_seconds(screen: &str, label: &str) -> Option<f64> {
    screen.lines().flat_map(|l| l.split('│')).find_map(|seg| {
        let mut tokens = seg.split_whitespace();
        if tokens.next()? != label {
            return None;
        }
        let secs = tokens.next()?.parse().ok()?;
        (tokens.next()? == "s").then_some(secs)
    })
}

/// Every line of the two-pane layout has its panes' borders at the same display column, so
/// double-width (CJK) text was measured right.
fn assert_aligned(screen: &str) {
    let mut rows = 0;
    for line in screen.lines() {
        if let Some(i) = line
            .find("││")
            .or_else(|| line.find("┘└"))
            .or_else(|| line.find("┐┌"))
        {
            rows += 1;
            // The side panel is 40 columns wide at the right; the left pane's border ends just before.
            assert_eq!(
                line[..i].width(),
                COLS - 40 - 1,
                "pane border misplaced on {line:?}; screen:\n{screen}"
            );
        }
        assert!(
            line.trim_end().width() <= COLS,
            "line wider than the pane: {line:?}"
        );
    }
    assert!(rows >= 10, "no two-pane layout on screen:\n{screen}");
}

#[test]
fn lesson_downloads_appear_and_runs_complete() {
    let Some(tui) = Tui::start("downloads", &args("en", FAST)) else {
        return;
    };
    let screen = tui.wait_for("the three lesson downloads, queued", |s| {
        NAMES
            .iter()
            .all(|n| s.lines().any(|l| l.contains(n) && l.contains("queued")))
    });
    assert!(screen.contains("Last result per strategy"), "{screen}");
    assert_eq!(result_seconds(&screen, "serial"), None, "{screen}");
    assert_aligned(&screen);

    tui.send(&["Enter"]);
    let screen = tui.wait_for("the serial run to finish and fill its result", |s| {
        s.contains("Total time:") && result_seconds(s, "serial").is_some()
    });
    for name in NAMES {
        assert!(screen.contains(&format!("Downloaded {name}")), "{screen}");
        let row = screen.lines().find(|l| l.contains(name)).unwrap();
        assert!(row.contains("100%"), "{name} not complete: {row}\n{screen}");
    }
    assert!(screen.contains("Download time:"), "{screen}");
    assert!(result_seconds(&screen, "serial").unwrap() > 0.0, "{screen}");
    assert_eq!(result_seconds(&screen, "threads"), None, "{screen}");
    assert!(
        screen.contains(" · done"),
        "info line should say done:\n{screen}"
    );
    assert_aligned(&screen);

    // Another strategy on the same durations fills its own row; serial's stays.
    tui.send(&["2", "Enter"]);
    let screen = tui.wait_for("the threads run to fill its result", |s| {
        result_seconds(s, "threads").is_some()
    });
    assert!(result_seconds(&screen, "serial").is_some(), "{screen}");
    assert!(
        screen.matches("Total time:").count() >= 2,
        "two totals in the log:\n{screen}"
    );

    tui.send(&["q"]);
    assert_eq!(tui.wait_exit(), 0);
    tui.assert_restored();
}

#[test]
fn ticker_ticks_and_stops() {
    let Some(tui) = Tui::start("ticker", &args("en", SLOW)) else {
        return;
    };
    tui.wait_text("off (p starts Ping and Pong)");
    tui.send(&["p"]);
    let screen = tui.wait_for("Ping and Pong words", |s| {
        s.contains("NOT daemon") && ticker_words(s).is_some_and(|w| !w.is_empty())
    });
    let first = ticker_words(&screen).unwrap();
    // It keeps ticking: the stream on screen moves on (it grows, then scrolls).
    let mut last = first.clone();
    for _ in 0..3 {
        last = tui.wait_change("the ticker line", &last, ticker_words);
    }
    assert!(last.len() >= first.len(), "{first} → {last}");
    let screen = tui.wait_for("both Ping and Pong", |s| {
        ticker_words(s).is_some_and(|w| w.contains("Ping") && w.contains("Pong"))
    });
    assert!(screen.contains("on · NOT daemon"), "{screen}");

    // p stops both threads: the stream freezes.
    tui.send(&["p"]);
    tui.wait_text("off (p starts Ping and Pong)");
    tui.wait_stable("the stopped ticker line", ticker_words);

    // With the ticker off, q ends the process at once.
    tui.send(&["q"]);
    assert_eq!(tui.wait_exit(), 0);
    tui.assert_restored();
}

#[test]
fn space_freezes_the_bars() {
    let Some(tui) = Tui::start("pause", &args("en", SLOW)) else {
        return;
    };
    tui.wait_text("ready: Enter runs");
    tui.send(&["Enter"]);
    let screen = tui.wait_text(" · running");
    // Running: the bars and times move.
    let rows = download_rows(&screen).expect("three download rows");
    tui.wait_change("the running downloads", &rows, download_rows);

    tui.send(&["Space"]);
    tui.wait_text("paused (Space resumes, . steps)");
    let frozen = tui.wait_stable("the paused downloads", download_rows);
    // Still frozen a while later, and still paused.
    std::thread::sleep(Duration::from_millis(700));
    let screen = tui.capture();
    assert!(
        screen.contains("paused (Space resumes, . steps)"),
        "{screen}"
    );
    assert_eq!(
        download_rows(&screen).as_ref(),
        Some(&frozen),
        "bars moved while paused"
    );

    // Space again: they move on from where they stopped.
    tui.send(&["Space"]);
    tui.wait_text(" · running");
    tui.wait_change("the resumed downloads", &frozen, download_rows);

    tui.send(&["q"]);
    assert_eq!(tui.wait_exit(), 0);
    tui.assert_restored();
}

/// Start the non-daemon ticker, press q: main finishes, the process stays, the ticker ticks.
fn quit_while_ticker_runs(tui: &Tui) -> u32 {
    let pid = tui.pid();
    tui.send(&["p"]);
    tui.wait_for("a non-daemon ticker ticking", |s| {
        s.contains("on · NOT daemon") && ticker_words(s).is_some_and(|w| !w.is_empty())
    });
    tui.send(&["q"]);
    let screen = tui.wait_text("The main thread has finished");
    assert!(screen.contains("Ping and Pong are not daemon"), "{screen}");
    // The process is alive and the ticker keeps ticking under the message.
    let mut words = ticker_words(&screen).unwrap_or_default();
    for _ in 0..3 {
        words = tui.wait_change("the ticker line after q", &words, ticker_words);
    }
    let screen = tui.capture();
    assert!(!screen.contains("EXIT="), "the process ended:\n{screen}");
    assert!(
        alive(pid),
        "threadlab ended though Ping/Pong are not daemons"
    );
    tui.assert_live_screen();
    // q again changes nothing: main has already finished.
    tui.send(&["q"]);
    tui.wait_text("main has finished: d makes Ping/Pong daemons");
    let words = ticker_words(&tui.capture()).unwrap_or_default();
    tui.wait_change("the ticker line after a second q", &words, ticker_words);
    assert!(alive(pid), "a second q ended the process");
    pid
}

#[test]
fn non_daemon_ticker_keeps_process_alive_until_d() {
    let Some(tui) = Tui::start("daemon-d", &args("en", SLOW)) else {
        return;
    };
    let pid = quit_while_ticker_runs(&tui);
    tui.send(&["d"]);
    assert_eq!(tui.wait_exit(), 0);
    wait_gone(pid, "d made the ticker daemon");
    tui.assert_restored();
}

#[test]
fn non_daemon_ticker_keeps_process_alive_until_p() {
    let Some(tui) = Tui::start("daemon-p", &args("en", SLOW)) else {
        return;
    };
    let pid = quit_while_ticker_runs(&tui);
    tui.send(&["p"]);
    assert_eq!(tui.wait_exit(), 0);
    wait_gone(pid, "p stopped the ticker");
    tui.assert_restored();
}

#[test]
fn daemon_ticker_lets_q_end_at_once() {
    let Some(tui) = Tui::start("daemon-q", &args("en", SLOW)) else {
        return;
    };
    tui.send(&["p"]);
    tui.wait_text("on · NOT daemon");
    tui.send(&["d"]);
    tui.wait_for("a daemon ticker ticking", |s| {
        s.contains("on · daemon: dies with the main thread")
            && ticker_words(s).is_some_and(|w| !w.is_empty())
    });
    tui.send(&["q"]);
    assert_eq!(tui.wait_exit(), 0);
    tui.assert_restored();
}

/// Bring up a busy screen (a run under way and, where quitting allows, a non-daemon ticker).
fn busy(tui: &Tui, ticker: bool) {
    tui.send(&["Enter"]);
    tui.wait_text(" · running");
    if ticker {
        tui.send(&["p"]);
        tui.wait_text("on · NOT daemon");
    }
    tui.assert_live_screen();
}

#[test]
fn terminal_restored_after_q() {
    let Some(tui) = Tui::start("restore-q", &args("en", SLOW)) else {
        return;
    };
    busy(&tui, false);
    tui.send(&["q"]);
    assert_eq!(tui.wait_exit(), 0);
    tui.assert_restored();
}

#[test]
fn terminal_restored_after_esc() {
    let Some(tui) = Tui::start("restore-esc", &args("en", SLOW)) else {
        return;
    };
    busy(&tui, false);
    tui.send(&["Escape"]);
    assert_eq!(tui.wait_exit(), 0);
    tui.assert_restored();
}

#[test]
fn terminal_restored_after_ctrl_c_even_with_non_daemon_ticker() {
    let Some(tui) = Tui::start("restore-ctrl-c", &args("en", SLOW)) else {
        return;
    };
    busy(&tui, true);
    tui.send(&["C-c"]);
    // An interrupt, as the shell would have it: 128 + SIGINT.
    assert_eq!(tui.wait_exit(), 130);
    tui.assert_restored();
}

fn kill(signal: &str, pid: u32) {
    let kill = Command::new("kill")
        .args([&format!("-{signal}"), &pid.to_string()])
        .output()
        .expect("kill runs");
    assert!(kill.status.success(), "kill -{signal} {pid} failed");
}

/// A terminating signal restores the terminal and exits with 128 + its number, as a shell expects.
fn restored_after_signal(test: &str, signal: &str, number: i32) {
    let Some(tui) = Tui::start(test, &args("en", SLOW)) else {
        return;
    };
    busy(&tui, true);
    let pid = tui.pid();
    kill(signal, pid);
    assert_eq!(
        tui.wait_exit(),
        128 + number,
        "exit status after SIG{signal}"
    );
    wait_gone(pid, signal);
    tui.assert_restored();
}

#[test]
fn terminal_restored_after_a_panic_on_another_thread() {
    let Some(tui) = Tui::launch(
        "restore-panic",
        "env THREADLAB_TEST_PANIC=1",
        &args("en", SLOW),
    ) else {
        return;
    };
    // The seam panics a background thread 1.5 s after start: exit code 101, message on the normal screen.
    assert_eq!(tui.wait_exit(), 101);
    tui.wait_text("test panic on a background thread");
    tui.assert_restored();
}

#[test]
fn terminal_restored_after_sigterm() {
    restored_after_signal("restore-term", "TERM", 15);
}

#[test]
fn terminal_restored_after_sighup() {
    restored_after_signal("restore-hup", "HUP", 1);
}

#[test]
fn terminal_restored_after_sigquit() {
    restored_after_signal("restore-quit", "QUIT", 3);
}

#[test]
fn terminal_restored_after_sigint() {
    restored_after_signal("restore-int", "INT", 2);
}

/// The pane's tty modes as `stty -a` reports them from outside, while threadlab may be stopped.
fn tty_modes(tui: &Tui) -> Vec<String> {
    let tty = tui.display("#{pane_tty}");
    let out = Command::new("stty")
        .args(["-F", &tty, "-a"])
        .stdin(Stdio::null())
        .output()
        .expect("stty runs");
    assert!(out.status.success(), "stty -F {tty}: {out:?}");
    String::from_utf8_lossy(&out.stdout)
        .split(|c: char| c.is_whitespace() || c == ';')
        .map(str::to_string)
        .collect()
}

/// Poll until the tty modes have `icanon`, `echo` and `isig` all on (`cooked`) or all off.
fn wait_tty(tui: &Tui, cooked: bool) {
    let start = Instant::now();
    loop {
        let modes = tty_modes(tui);
        let on = |m: &str| modes.iter().any(|x| x == m);
        let off = |m: &str| modes.iter().any(|x| *x == format!("-{m}"));
        let want = |m: &str| if cooked { on(m) } else { off(m) };
        if ["icanon", "echo", "isig"].iter().all(|m| want(m)) {
            return;
        }
        assert!(
            start.elapsed() < TIMEOUT,
            "tty never became {} : {modes:?}",
            if cooked { "cooked" } else { "raw" }
        );
        std::thread::sleep(POLL);
    }
}

fn wait_display(tui: &Tui, format: &str, want: &str) {
    let start = Instant::now();
    loop {
        let got = tui.display(format);
        if got == want {
            return;
        }
        assert!(
            start.elapsed() < TIMEOUT,
            "{format} is {got:?}, never {want:?}; screen:\n{}",
            tui.capture()
        );
        std::thread::sleep(POLL);
    }
}

fn wait_state(pid: u32, stopped: bool) {
    let start = Instant::now();
    while pids::stat(pid).is_some_and(|(_, state, _)| (state == 'T') != stopped) {
        assert!(
            start.elapsed() < TIMEOUT,
            "threadlab (pid {pid}) never {}: {:?}",
            if stopped { "stopped" } else { "continued" },
            pids::stat(pid)
        );
        std::thread::sleep(POLL);
    }
    assert!(alive(pid), "threadlab ended instead of stopping");
}

/// Suspend (by `stop`), check the terminal is the shell's while stopped, continue, check the
/// screen is live and raw again and answers a key, then quit normally.
fn suspends_and_resumes(test: &str, stop: impl Fn(&Tui, u32)) {
    let Some(tui) = Tui::start(test, &args("en", SLOW)) else {
        return;
    };
    busy(&tui, false);
    let pid = tui.pid();
    wait_tty(&tui, false);
    stop(&tui, pid);
    wait_state(pid, true);
    // Stopped: alternate screen off, cursor shown, the tty cooked for the shell.
    wait_display(&tui, "#{alternate_on} #{cursor_flag}", "0 1");
    wait_tty(&tui, true);
    kill("CONT", pid);
    wait_state(pid, false);
    wait_display(&tui, "#{alternate_on} #{cursor_flag}", "1 0");
    wait_tty(&tui, false);
    // The whole screen is back, and a single key acts at once (no Enter needed: raw again).
    tui.wait_text("Downloads");
    // A stop of our own held the run's clock and says so: it is not taken for one from outside.
    let screen = tui.wait_text("suspended for");
    assert!(!screen.contains("from outside"), "{screen}");
    tui.send(&["l"]);
    tui.wait_text("下载任务");
    tui.send(&["q"]);
    assert_eq!(tui.wait_exit(), 0);
    tui.assert_restored();
}

#[test]
fn sigtstp_suspends_and_sigcont_resumes() {
    suspends_and_resumes("tstp", |_, pid| kill("TSTP", pid));
}

#[test]
fn ctrl_z_suspends_and_sigcont_resumes() {
    suspends_and_resumes("ctrl-z", |tui, _| tui.send(&["C-z"]));
}

/// `kill -STOP` from outside cannot be caught, so nothing holds the run's clock: after
/// `kill -CONT` the screen says the program was stopped, for about how long, and that the run's
/// time includes it (before, the stopped time went into the elapsed time unsaid).
#[test]
fn a_stop_from_outside_is_said_and_counted() {
    let Some(tui) = Tui::start("sigstop", &args("en", SLOW)) else {
        return;
    };
    busy(&tui, false);
    let pid = tui.pid();
    kill("STOP", pid);
    wait_state(pid, true);
    // Long enough to be told from a slow frame, well under a second.
    std::thread::sleep(Duration::from_millis(600));
    kill("CONT", pid);
    wait_state(pid, false);
    let screen = tui.wait_for("the stop said on screen", |s| {
        s.contains("stopped from outside for about") && s.contains("from outside, counted")
    });
    let seconds: f64 = (screen.split("stopped from outside for about ").nth(1))
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no seconds after the words:\n{screen}"));
    assert!(seconds >= 0.5, "{seconds} s:\n{screen}");
    // The run goes on, and the screen answers keys.
    assert!(screen.contains(" · running"), "{screen}");
    tui.send(&["q"]);
    assert_eq!(tui.wait_exit(), 0);
    tui.assert_restored();
}

#[test]
fn process_ends_when_its_pane_is_killed() {
    let Some(tui) = Tui::start("kill-pane", &args("en", SLOW)) else {
        return;
    };
    busy(&tui, true);
    let pid = tui.pid();
    tui.tmux(&["kill-pane", "-t", "app"]);
    wait_gone(pid, "its pane was killed");
}

#[test]
fn process_ends_when_its_session_is_killed_after_main_finished() {
    let Some(tui) = Tui::start("kill-session", &args("en", SLOW)) else {
        return;
    };
    // Even while waiting for non-daemon Ping/Pong, a terminal that goes away ends the process.
    let pid = quit_while_ticker_runs(&tui);
    tui.tmux(&["kill-session", "-t", "app"]);
    wait_gone(pid, "its session was killed");
}

#[test]
fn chinese_labels_and_live_switch_to_english() {
    let Some(tui) = Tui::start("lang", &args("zh", FAST)) else {
        return;
    };
    let screen = tui.wait_text("下载任务");
    for label in [
        "实际运行的代码",
        "各策略最近结果",
        "就绪：按 Enter 运行",
        "串行",
    ] {
        assert!(screen.contains(label), "no {label:?}:\n{screen}");
    }
    assert!(!screen.contains("Downloads"), "{screen}");
    for name in NAMES {
        assert!(screen.contains(name), "no {name}:\n{screen}");
    }
    assert_aligned(&screen);

    tui.send(&["l"]);
    let screen = tui.wait_for("English labels", |s| {
        s.contains("Downloads") && s.contains("The code that runs")
    });
    assert!(!screen.contains("下载任务"), "{screen}");
    assert!(screen.contains("ready: Enter runs"), "{screen}");
    assert_aligned(&screen);

    // And back; a run's lesson lines in the log come in Chinese too.
    tui.send(&["l", "Enter"]);
    let screen = tui.wait_for("a finished run in Chinese", |s| {
        s.contains("下载任务") && s.contains("总耗时")
    });
    assert!(screen.contains("下载完成"), "{screen}");
    assert_aligned(&screen);
    tui.send(&["q"]);
    assert_eq!(tui.wait_exit(), 0);
    tui.assert_restored();
}

#[test]
fn process_ends_when_its_terminal_closes_without_a_hangup_signal() {
    // In a session of its own the pty is not its controlling terminal, so closing the pane sends
    // it no SIGHUP: only the failing reads tell it the terminal is gone.
    if !tmux_or_skip("dead-tty") {
        return;
    }
    if Command::new("setsid")
        .arg("--version")
        .stdin(Stdio::null())
        .output()
        .is_err()
    {
        eprintln!("note: setsid not found, skipping the dead-terminal test");
        return;
    }
    for busy_screen in [true, false] {
        let test = if busy_screen {
            "dead-tty"
        } else {
            "dead-tty-idle"
        };
        let Some(tui) = Tui::launch(test, "setsid -w", &args("en", SLOW)) else {
            return;
        };
        // Idle, nothing is drawn, so only the input side can notice: the case that used to spin.
        if busy_screen {
            busy(&tui, true);
        }
        let pid = tui.pid();
        let before = cpu_ticks(pid).expect("threadlab's /proc stat");
        let since = Instant::now();
        tui.tmux(&["kill-pane", "-t", "app"]);
        let mut last = before;
        while alive(pid) {
            last = cpu_ticks(pid).unwrap_or(last);
            assert!(
                since.elapsed() < TIMEOUT,
                "threadlab (pid {pid}) still runs {TIMEOUT:?} after its terminal closed, {} CPU ticks since",
                last - before
            );
            std::thread::sleep(POLL);
        }
        // Never spinning: CPU spent after the close is far below the wall time it took to end.
        let spent = (last - before) as f64 / clock_ticks_per_second();
        let wall = since.elapsed().as_secs_f64();
        assert!(
            spent <= 0.05 + wall / 2.0,
            "threadlab used {spent:.2} s of CPU in the {wall:.2} s after its terminal closed"
        );
    }
}

/// utime + stime of `pid`, in clock ticks.
fn cpu_ticks(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest: Vec<&str> = stat[stat.rfind(')')? + 1..].split_whitespace().collect();
    // Fields 14 and 15 of the stat line; `rest` starts at field 3.
    Some(rest.get(11)?.parse::<u64>().ok()? + rest.get(12)?.parse::<u64>().ok()?)
}

fn clock_ticks_per_second() -> f64 {
    // SAFETY: sysconf has no preconditions.
    match unsafe { libc::sysconf(libc::_SC_CLK_TCK) } {
        n if n > 0 => n as f64,
        _ => 100.0,
    }
}

/// Rows of the downloads pane (those with a lesson download's name).
fn lesson_rows(screen: &str) -> Vec<String> {
    screen
        .lines()
        .filter(|l| l.starts_with('│') && NAMES.iter().any(|n| l.contains(n)) && l.contains('%'))
        .map(str::to_string)
        .collect()
}

#[test]
fn crash_demo_with_processes_fails_exactly_one_download() {
    // Downloads of 20–30 lesson s at speed 10: 2–3 s of wall time, time enough to press x.
    let rest = ["--seed", "7", "--speed", "10", "--min", "20", "--max", "30"];
    let Some(tui) = Tui::start("crash-process", &args("en", &rest)) else {
        return;
    };
    tui.send(&["5", "Enter"]);
    tui.wait_for("three child processes running", |s| {
        lesson_rows(s).iter().filter(|r| r.contains("pid ")).count() == 3
    });
    tui.send(&["x"]);
    tui.wait_text("killed: only its own download failed");
    let done = tui.wait_text("Total time:");
    let rows = lesson_rows(&done);
    assert_eq!(rows.len(), 3, "{done}");
    let failed = done.matches("failed: process killed").count();
    let complete = rows.iter().filter(|r| r.contains("100%")).count();
    assert_eq!((failed, complete), (1, 2), "{done}");
    tui.send(&["q"]);
    assert_eq!(tui.wait_exit(), 0);
    tui.assert_restored();
}

fn walk_the_lesson(lang: &str, scene_label: impl Fn(usize) -> String, total: &str) {
    let rest = ["--lesson", "--seed", "7", "--speed", "50"];
    let Some(tui) = Tui::start(&format!("lesson-{lang}"), &args(lang, &rest)) else {
        return;
    };
    let mut programs = Vec::new();
    for i in 1..=9 {
        tui.wait_text(&scene_label(i));
        tui.send(&["Enter"]);
        match i {
            // The daemon scenes run the lesson's Ping/Pong program in a process of its own.
            8 => {
                let s = tui.wait_for("main finished, the process alive", |s| {
                    s.contains("main thread has finished") || s.contains("主线程已结束")
                });
                let pid = program_pid(&s);
                assert!(Path::new(&format!("/proc/{pid}")).exists(), "{s}");
                programs.push(pid);
                tui.send(&["x"]);
                tui.wait_text("SIGINT");
            }
            9 => {
                let s = tui.wait_for("the daemon program's exit", |s| {
                    s.contains("exited with status 0") || s.contains("退出状态 0")
                });
                programs.push(program_pid(&s));
            }
            // The run finishes and its numbers join the card.
            _ => {
                tui.wait_for("the scene's run and its numbers", |s| {
                    s.contains(total) && s.contains("→ ")
                });
            }
        }
        if i < 9 {
            tui.send(&["PageDown"]);
        }
    }
    // On to the scenes of real Python programs (their Enter is tested with watch), then back
    // to the first scene with PgUp: no scene traps the teacher either way.
    for i in 10..=11 {
        tui.send(&["PageDown"]);
        tui.wait_text(&scene_label(i));
    }
    for i in (1..=10).rev() {
        tui.send(&["PageUp"]);
        tui.wait_text(&scene_label(i));
    }
    tui.send(&["q"]);
    assert_eq!(tui.wait_exit(), 0);
    tui.assert_restored();
    for pid in programs {
        assert!(
            pids::gone_within(pid, TIMEOUT),
            "the program's pid {pid} is left behind"
        );
    }
}

/// The pid the Ping/Pong box names.
fn program_pid(screen: &str) -> u32 {
    let at = screen.find("pid ").expect("the box names its pid") + 4;
    let digits: String = screen[at..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().expect("a pid")
}

/// Run a one-scene lesson's Ping/Pong program (not daemon, so it would live forever), end
/// threadlab the way `end` does, and check the program's process went with it.
fn no_program_outlives(test: &str, wrapper: &str, end: impl Fn(&Tui), status: i32) {
    let lesson = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("{test}.lesson.txt"));
    let text = "== Ping | Ping\nprogram: ping-pong\nen: Ping and Pong\nen: forever\n";
    std::fs::write(&lesson, text).unwrap();
    let path = lesson.to_str().unwrap();
    let rest = ["--lesson", path, "--speed", "50"];
    let Some(tui) = Tui::launch(test, wrapper, &args("en", &rest)) else {
        return;
    };
    tui.wait_text("Scene 1/1");
    tui.send(&["Enter"]);
    let s = tui.wait_text("main thread has finished");
    let pid = program_pid(&s);
    assert!(Path::new(&format!("/proc/{pid}")).exists(), "{s}");
    end(&tui);
    assert_eq!(tui.wait_exit(), status);
    tui.assert_restored();
    assert!(
        pids::gone_within(pid, TIMEOUT),
        "{test}: the program's pid {pid} is left behind"
    );
}

#[test]
fn no_program_outlives_q() {
    // The first q says that quitting ends the program too; the second quits.
    let twice = |t: &Tui| {
        t.send(&["q"]);
        t.wait_text("q again quits threadlab");
        t.send(&["q"]);
    };
    no_program_outlives("pp-q", "", twice, 0);
}

#[test]
fn no_program_outlives_ctrl_c() {
    no_program_outlives("pp-ctrl-c", "", |t| t.send(&["C-c"]), 130);
}

#[test]
fn no_program_outlives_sigterm() {
    no_program_outlives("pp-term", "", |t| kill("TERM", t.pid()), 143);
}

#[test]
fn no_program_outlives_a_panic() {
    // The seam panics a background thread 8 s after start; the program must be running by then.
    let panic = "env THREADLAB_TEST_PANIC=1 THREADLAB_TEST_PANIC_MS=8000";
    no_program_outlives("pp-panic", panic, |_| {}, 101);
}

#[test]
fn lesson_mode_walks_every_scene_in_english() {
    walk_the_lesson("en", |i| format!("Scene {i}/11"), "Total time:");
}

#[test]
fn lesson_mode_walks_every_scene_in_chinese() {
    walk_the_lesson("zh", |i| format!("第 {i}/11 幕"), "总耗时:");
}

#[test]
fn e_writes_the_last_run_as_a_chrome_trace() {
    let path = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("e2e-{}.trace.json", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let path_arg = path.to_str().unwrap().to_string();
    let rest = ["--seed", "7", "--speed", "50", "--trace", &path_arg];
    let Some(tui) = Tui::start("trace-e", &args("en", &rest)) else {
        return;
    };
    tui.send(&["2", "Enter"]);
    tui.wait_text("Total time:");
    tui.send(&["e"]);
    // The message is the string table's, in the screen's language.
    tui.wait_text("Trace written to");
    let trace: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let complete = trace["traceEvents"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["ph"] == "X")
        .count();
    assert_eq!(complete, 3, "{trace}");
    tui.send(&["q"]);
    assert_eq!(tui.wait_exit(), 0);
    let _ = std::fs::remove_file(&path);
}

#[test]
fn at_80x24_p_shows_ping_pong_and_c_ends_on_the_chart_of_every_strategy() {
    let Some(tui) = Tui::launch_sized("small", "", &args("en", FAST), (80, 24)) else {
        return;
    };
    tui.send(&["p"]);
    tui.wait_for("Ping/Pong's words at 80×24", |s| {
        s.contains("NOT daemon") && ticker_words(s).is_some_and(|w| !w.is_empty())
    });
    tui.send(&["p"]);
    // Stopped, its box gives its rows back (80×24 has no side panel to say "off" in).
    tui.wait_for("Ping/Pong stopped", |s| !s.contains("Ping/Pong ticker"));
    tui.send(&["c"]);
    let names = [
        "serial",
        "threads",
        "custom",
        "pool",
        "process",
        "async",
        "workshops",
    ];
    // Each strategy's bar in the chart: its name at the row's start, then the bar.
    let screen = tui.wait_for("the chart of all seven", |s| {
        s.contains("The comparison")
            && names.iter().all(|n| {
                s.lines()
                    .any(|l| l.starts_with(&format!("│{n} ")) && l.contains(" s│"))
            })
    });
    assert!(screen.contains("Speedup"), "{screen}");
    tui.send(&["q"]);
    assert_eq!(tui.wait_exit(), 0);
    tui.assert_restored();
}

/// Issue 10's scale: 10,000 downloads on a pool of 256, live. Keys must not queue behind the
/// workers' reports: a language switch shows while the run goes on, and `q` ends it, restored.
#[test]
fn ten_thousand_downloads_on_a_pool_of_256_stay_responsive() {
    let run = [
        "--count",
        "10000",
        "--strategy",
        "pool",
        "--workers",
        "256",
        "--speed",
        "10",
        "--seed",
        "7",
    ];
    let Some(tui) = Tui::start("scale-10k", &args("en", &run)) else {
        return;
    };
    tui.send(&["Enter"]);
    // The header says `running` until the last download ends, some 18 s of wall time away.
    tui.wait_text("· running");
    tui.assert_live_screen();
    tui.send(&["l"]);
    // Polled as a whole: a capture can catch a frame half drawn, old words beside new ones.
    tui.wait_for("the Chinese screen while the run goes on", |s| {
        s.contains("下载任务") && s.contains("运行中") && !s.contains("Downloads")
    });
    tui.send(&["q"]);
    assert_eq!(tui.wait_exit(), 0);
    tui.assert_restored();
}
