//! What the command-line test binaries share: running the real binary as a user would.

use std::process::{Command, Output, Stdio};

/// Run the built `threadlab` with `args`, in the C locale, with nothing on stdin.
pub fn threadlab(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_threadlab"))
        .args(args)
        .env("LANG", "C")
        .stdin(Stdio::null())
        .output()
        .expect("threadlab runs")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

/// Bad input: exit code 2, exactly one line on stderr that says `what`, nothing on stdout.
pub fn refused(args: &[&str], what: &str) {
    let o = threadlab(args);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
    assert_eq!(err.lines().count(), 1, "{args:?}: not one line: {err}");
    assert!(
        err.contains(what),
        "{args:?}: {err:?} does not say {what:?}"
    );
    assert!(!err.contains("panicked"), "{args:?}: {err}");
    assert!(o.stdout.is_empty(), "{args:?}");
}
