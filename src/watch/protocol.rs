//! The probe's wire format: one JSON object per line, as `docs/watch-protocol.md` describes it.
//! Parsing never fails loudly: a line that is not a known event of a known version is reported
//! as such, so the caller can count it and carry on.

use serde::Deserialize;
use serde_json::Value;

/// The protocol version this threadlab understands; a line of another version is not read.
pub const VERSION: u64 = 1;

/// The longest line read from the socket; a longer one is skipped whole and counted.
pub const MAX_LINE: usize = 64 * 1024;

/// What every line carries: who did it, and when (CLOCK_MONOTONIC seconds).
#[derive(Debug, Clone, PartialEq)]
pub struct Stamp {
    pub t: f64,
    pub pid: u32,
    /// The Linux thread id, as in `/proc/<pid>/task/<tid>`.
    pub tid: u32,
}

/// An argument as the probe saw it: its name (empty when positional) and its text.
pub type Arg = (String, String);

/// One event of a probed process.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    Hello(Hello),
    ThreadStart {
        name: String,
        daemon: bool,
        class: String,
        target: Option<String>,
        args: Vec<Arg>,
        /// The thread that called `start()`.
        parent: Option<u32>,
    },
    ThreadEnd {
        name: String,
        /// CPU seconds the thread used, from `time.thread_time()`.
        cpu: Option<f64>,
        error: Option<String>,
    },
    Join {
        target: Option<u32>,
    },
    Joined {
        target: Option<u32>,
    },
    /// A `time.sleep(d)` began; `d` is what the program asked for, before `--speed` divides it.
    Sleep {
        d: f64,
        /// Set for `asyncio.sleep`: many of them share one thread, so wake names which one.
        w: Option<u64>,
        function: String,
        site: String,
        args: Vec<Arg>,
    },
    Wake {
        w: Option<u64>,
    },
    Submit {
        item: u64,
        function: String,
        args: Vec<Arg>,
        pool: String,
        max_workers: Option<u64>,
    },
    WorkStart {
        item: u64,
    },
    WorkEnd {
        item: u64,
        error: Option<String>,
    },
    Print {
        stderr: bool,
        text: String,
    },
    Exit {
        code: Option<i64>,
        /// Threads still running when the process ended: they die with it.
        alive: Vec<AliveThread>,
        /// The process's CPU seconds (every thread), and the exiting thread's own.
        cpu: Option<f64>,
        thread_cpu: Option<f64>,
    },
}

/// `hello`: a process has loaded the probe.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Hello {
    #[serde(default)]
    pub ppid: Option<u32>,
    #[serde(default)]
    pub python: String,
    #[serde(default)]
    pub implementation: String,
    /// `sys._is_gil_enabled()` where it exists (3.13+); true before that.
    #[serde(default = "yes")]
    pub gil: bool,
    #[serde(default)]
    pub cpus: Option<u32>,
    #[serde(default)]
    pub cpus_usable: Option<u32>,
    #[serde(default)]
    pub speed: Option<f64>,
    /// The name of the thread that said hello (`MainThread`, or the forking thread).
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub argv: Vec<String>,
    /// CPU seconds the process and the saying thread had used already (start-up, imports).
    #[serde(default)]
    pub cpu: Option<f64>,
    #[serde(default)]
    pub thread_cpu: Option<f64>,
}

fn yes() -> bool {
    true
}

/// A thread listed in `exit`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct AliveThread {
    pub tid: Option<u32>,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub daemon: bool,
}

/// Why a line was not turned into an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rejected {
    /// Not JSON, or a known event with fields of the wrong type.
    Malformed,
    /// A version this threadlab does not speak, or an event it does not know (a newer probe).
    Unknown,
}

/// Parse one line (without its newline).
pub fn parse(line: &[u8]) -> Result<(Stamp, Event), Rejected> {
    let value: Value = serde_json::from_slice(line).map_err(|_| Rejected::Malformed)?;
    let obj = value.as_object().ok_or(Rejected::Malformed)?;
    match obj.get("v").and_then(Value::as_u64) {
        Some(VERSION) => {}
        Some(_) => return Err(Rejected::Unknown),
        None => return Err(Rejected::Malformed),
    }
    let stamp = Stamp {
        t: obj
            .get("t")
            .and_then(Value::as_f64)
            .ok_or(Rejected::Malformed)?,
        pid: id(obj.get("pid")).ok_or(Rejected::Malformed)?,
        tid: id(obj.get("tid")).ok_or(Rejected::Malformed)?,
    };
    let ev = obj
        .get("ev")
        .and_then(Value::as_str)
        .ok_or(Rejected::Malformed)?;
    let s = |key: &str| obj.get(key).and_then(Value::as_str).map(str::to_string);
    let args = |key: &str| -> Result<Vec<Arg>, Rejected> {
        match obj.get(key) {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(v) => serde_json::from_value(v.clone()).map_err(|_| Rejected::Malformed),
        }
    };
    let item = || {
        obj.get("item")
            .and_then(Value::as_u64)
            .ok_or(Rejected::Malformed)
    };
    let event = match ev {
        "hello" => {
            Event::Hello(serde_json::from_value(value.clone()).map_err(|_| Rejected::Malformed)?)
        }
        "thread_start" => Event::ThreadStart {
            name: s("name").ok_or(Rejected::Malformed)?,
            daemon: obj.get("daemon").and_then(Value::as_bool).unwrap_or(false),
            class: s("cls").unwrap_or_default(),
            target: s("target"),
            args: args("args")?,
            parent: id(obj.get("parent")),
        },
        "thread_end" => Event::ThreadEnd {
            name: s("name").unwrap_or_default(),
            cpu: obj.get("cpu").and_then(Value::as_f64),
            error: s("error"),
        },
        "join" => Event::Join {
            target: id(obj.get("target")),
        },
        "joined" => Event::Joined {
            target: id(obj.get("target")),
        },
        "sleep" => Event::Sleep {
            d: obj
                .get("d")
                .and_then(Value::as_f64)
                .filter(|d| d.is_finite() && *d >= 0.0)
                .ok_or(Rejected::Malformed)?,
            w: obj.get("w").and_then(Value::as_u64),
            function: s("fn").unwrap_or_default(),
            site: s("site").unwrap_or_default(),
            args: args("args")?,
        },
        "wake" => Event::Wake {
            w: obj.get("w").and_then(Value::as_u64),
        },
        "submit" => Event::Submit {
            item: item()?,
            function: s("fn").unwrap_or_default(),
            args: args("args")?,
            pool: s("pool").unwrap_or_default(),
            max_workers: obj.get("max_workers").and_then(Value::as_u64),
        },
        "work_start" => Event::WorkStart { item: item()? },
        "work_end" => Event::WorkEnd {
            item: item()?,
            error: s("error"),
        },
        "print" => Event::Print {
            stderr: s("stream").as_deref() == Some("stderr"),
            text: s("text").ok_or(Rejected::Malformed)?,
        },
        "exit" => Event::Exit {
            code: obj.get("code").and_then(Value::as_i64),
            alive: match obj.get("alive") {
                None | Some(Value::Null) => Vec::new(),
                Some(v) => serde_json::from_value(v.clone()).map_err(|_| Rejected::Malformed)?,
            },
            cpu: obj.get("cpu").and_then(Value::as_f64),
            thread_cpu: obj.get("thread_cpu").and_then(Value::as_f64),
        },
        _ => return Err(Rejected::Unknown),
    };
    Ok((stamp, event))
}

fn id(v: Option<&Value>) -> Option<u32> {
    v.and_then(Value::as_u64)
        .and_then(|n| u32::try_from(n).ok())
}

/// An argument list as one label: `filename=a.pdf` reads `a.pdf`, several read `a, b`.
pub fn label(args: &[Arg]) -> String {
    match args {
        [(_, value)] => value.clone(),
        _ => args
            .iter()
            .map(|(k, v)| {
                if k.is_empty() {
                    v.clone()
                } else {
                    format!("{k}={v}")
                }
            })
            .collect::<Vec<_>>()
            .join(", "),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_sleep_with_its_arguments() {
        let line = br#"{"d":4.0,"fn":"download","site":"t.py:15","args":[["filename","a.pdf"]],"v":1,"ev":"sleep","t":12.5,"pid":7,"tid":9}"#;
        let (stamp, ev) = parse(line).unwrap();
        assert_eq!(
            stamp,
            Stamp {
                t: 12.5,
                pid: 7,
                tid: 9
            }
        );
        let Event::Sleep { d, args, .. } = ev else {
            panic!("{ev:?}")
        };
        assert_eq!(d, 4.0);
        assert_eq!(label(&args), "a.pdf");
    }

    #[test]
    fn refuses_what_it_cannot_read_without_failing() {
        assert_eq!(parse(b"not json"), Err(Rejected::Malformed));
        assert_eq!(parse(b"[1,2]"), Err(Rejected::Malformed));
        assert_eq!(
            parse(br#"{"v":1,"ev":"sleep","t":1,"pid":1,"tid":1}"#),
            Err(Rejected::Malformed),
            "a sleep without its duration"
        );
        assert_eq!(
            parse(br#"{"v":1,"ev":"sleep","d":-1,"t":1,"pid":1,"tid":1}"#),
            Err(Rejected::Malformed)
        );
        assert_eq!(
            parse(br#"{"v":2,"ev":"hello","t":1,"pid":1,"tid":1}"#),
            Err(Rejected::Unknown)
        );
        assert_eq!(
            parse(br#"{"v":1,"ev":"teleport","t":1,"pid":1,"tid":1}"#),
            Err(Rejected::Unknown)
        );
        assert_eq!(
            parse(br#"{"v":1,"ev":"wake","t":1,"pid":-1,"tid":1}"#),
            Err(Rejected::Malformed)
        );
    }

    #[test]
    fn labels_name_several_arguments() {
        let args = vec![("".into(), "Ping".into()), ("n".into(), "3".into())];
        assert_eq!(label(&args), "Ping, n=3");
        assert_eq!(label(&[]), "");
    }
}
