//! The timeline's lanes: one per worker, kept in the workers' own order as they appear
//! (Thread-2 before Thread-10, lower pids first), each with the downloads it ran. Adding a lane or
//! a download costs the same at the ten-thousandth as at the first, so no frame sorts or scans.

use crate::oncore::OnCore;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// A name split into runs of text and numbers, numbers compared by value: `Thread-2` < `Thread-10`.
type NaturalKey = Vec<(String, u64)>;

/// One worker's lane.
#[derive(Debug, Clone)]
pub struct Lane {
    pub name: Arc<str>,
    /// Downloads this worker started, in the order it started them.
    pub tasks: Vec<usize>,
    /// When the worker's thread was on a core, oldest first (see [`Lanes::on_core`]).
    pub on_core: Vec<OnCore>,
    /// A thread juggling its downloads as tasks (async): they overlap, so each also gets a row
    /// of its own under this one.
    pub juggler: bool,
    /// A row of one task of the juggler lane named here.
    pub task_of: Option<Arc<str>>,
    key: NaturalKey,
}

/// Every worker of a run that has started a download.
#[derive(Debug, Clone, Default)]
pub struct Lanes {
    /// In order of first appearance; a lane's index here never changes.
    lanes: Vec<Lane>,
    index: HashMap<Arc<str>, usize>,
    /// Indexes into `lanes`, in the workers' natural order.
    order: Vec<usize>,
    /// The widest name, in bytes (names are the engine's ASCII worker names).
    widest: usize,
    /// Names as the kernel keeps them (15 bytes), to find the lanes' OS threads.
    kernel_names: HashSet<Box<[u8]>>,
}

impl Lanes {
    /// Note that `worker` started download `task`.
    pub fn add(&mut self, worker: &Arc<str>, task: usize) {
        if let Some(&i) = self.index.get(worker) {
            self.lanes[i].tasks.push(task);
            return;
        }
        let i = self.lanes.len();
        let key = natural_key(worker);
        // Workers mostly appear in order, so this lands at the end and moves nothing.
        let at = self.order.partition_point(|&j| self.lanes[j].key <= key);
        self.order.insert(at, i);
        self.index.insert(worker.clone(), i);
        self.widest = self.widest.max(worker.len());
        self.kernel_names
            .insert(worker.as_bytes()[..worker.len().min(15)].into());
        self.lanes.push(Lane {
            name: worker.clone(),
            tasks: vec![task],
            on_core: Vec::new(),
            juggler: false,
            task_of: None,
            key,
        });
    }

    /// Note that `worker` started download `task` as a task among others on its one thread
    /// (async): the thread's lane, and a row `worker/Task-N` for the task, named as Python's
    /// asyncio names tasks.
    pub fn add_task(&mut self, worker: &Arc<str>, task: usize) {
        self.add(worker, task);
        if let Some(&i) = self.index.get(worker) {
            self.lanes[i].juggler = true;
        }
        let row: Arc<str> = format!("{worker}/Task-{}", task + 1).into();
        self.add(&row, task);
        if let Some(&i) = self.index.get(&row) {
            self.lanes[i].task_of = Some(worker.clone());
        }
    }

    /// The lane of `worker`, if it has one.
    pub fn get(&self, worker: &str) -> Option<&Lane> {
        self.index.get(worker).map(|&i| &self.lanes[i])
    }

    /// `worker`'s thread was on a core for `seg`. A stretch that continues the last one at about
    /// the same share (within an eighth) extends it, so a thread computing for a minute keeps a
    /// handful of stretches rather than one per sample.
    pub fn on_core(&mut self, worker: &str, seg: OnCore) {
        let Some(&i) = self.index.get(worker) else {
            return;
        };
        let lane = &mut self.lanes[i].on_core;
        if let Some(last) = lane.last_mut()
            && (seg.from - last.to).abs() < 1e-9
            && (seg.share - last.share).abs() < 0.125
        {
            let (a, b) = (last.to - last.from, seg.to - seg.from);
            // The share over the whole stretch: weighted by each part's length.
            last.share = ((f64::from(last.share) * a + f64::from(seg.share) * b) / (a + b)) as f32;
            last.to = seg.to;
            return;
        }
        lane.push(seg);
    }

    pub fn len(&self) -> usize {
        self.lanes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.lanes.is_empty()
    }

    /// The lanes in the workers' natural order.
    pub fn in_order(&self) -> impl Iterator<Item = &Lane> {
        self.order.iter().map(|&i| &self.lanes[i])
    }

    /// Whether `name` is one of these workers.
    pub fn contains(&self, name: &str) -> bool {
        self.index.contains_key(name)
    }

    /// The widest worker name, in bytes.
    pub fn widest(&self) -> usize {
        self.widest
    }

    /// Whether an OS thread named `comm` (cut by the kernel to 15 bytes) is one of these workers.
    pub fn has_kernel_name(&self, comm: &str) -> bool {
        self.kernel_names.contains(comm.as_bytes())
    }
}

fn natural_key(name: &str) -> NaturalKey {
    let mut key = Vec::new();
    let mut text = String::new();
    let mut chars = name.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_ascii_digit() {
            let mut n: u64 = 0;
            while let Some(d) = chars.peek().and_then(|c| c.to_digit(10)) {
                n = n.saturating_mul(10).saturating_add(u64::from(d));
                chars.next();
            }
            key.push((std::mem::take(&mut text), n));
        } else {
            text.push(c);
            chars.next();
        }
    }
    key.push((text, 0));
    key
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lanes_keep_their_numbers_order_not_their_letters_or_arrival() {
        let mut lanes = Lanes::default();
        for (i, w) in [
            "Thread-10",
            "Thread-2",
            "pid 9352/t1",
            "pid 9347/t2",
            "pid 9347/t1",
        ]
        .into_iter()
        .enumerate()
        {
            lanes.add(&Arc::from(w), i);
        }
        lanes.add(&Arc::from("Thread-2"), 9);
        let names: Vec<&str> = lanes.in_order().map(|l| &*l.name).collect();
        assert_eq!(
            names,
            [
                "Thread-2",
                "Thread-10",
                "pid 9347/t1",
                "pid 9347/t2",
                "pid 9352/t1"
            ]
        );
        let two = lanes.in_order().next().expect("a lane");
        assert_eq!(two.tasks, [1, 9]);
        assert_eq!(lanes.len(), 5);
        assert!(lanes.has_kernel_name("pid 9347/t1"));
        assert!(!lanes.has_kernel_name("Thread-3"));
    }

    #[test]
    fn async_tasks_get_a_row_each_under_their_thread() {
        let mut lanes = Lanes::default();
        let main: Arc<str> = Arc::from("main");
        for task in [1, 0, 9] {
            lanes.add_task(&main, task);
        }
        let rows: Vec<(&str, &[usize], bool)> = (lanes.in_order())
            .map(|l| (&*l.name, &l.tasks[..], l.juggler))
            .collect();
        assert_eq!(
            rows,
            [
                ("main", &[1, 0, 9][..], true),
                ("main/Task-1", &[0][..], false),
                ("main/Task-2", &[1][..], false),
                ("main/Task-10", &[9][..], false),
            ]
        );
        let task = lanes.get("main/Task-2").expect("a row");
        assert_eq!(task.task_of.as_deref(), Some("main"));
    }

    #[test]
    fn stretches_on_a_core_at_about_the_same_share_join() {
        let mut lanes = Lanes::default();
        lanes.add(&Arc::from("Thread-1"), 0);
        let on = |from, to, share| OnCore { from, to, share };
        lanes.on_core("Thread-1", on(0.0, 1.0, 1.0));
        lanes.on_core("Thread-1", on(1.0, 3.0, 0.94));
        // Half the time from here: a new stretch; so is one after a gap.
        lanes.on_core("Thread-1", on(3.0, 4.0, 0.5));
        lanes.on_core("Thread-1", on(5.0, 6.0, 0.5));
        // Nobody's thread: ignored.
        lanes.on_core("Thread-9", on(0.0, 1.0, 1.0));
        let got = &lanes.get("Thread-1").expect("a lane").on_core;
        assert_eq!(got.len(), 3, "{got:?}");
        assert_eq!((got[0].from, got[0].to), (0.0, 3.0));
        assert!((got[0].share - 0.96).abs() < 1e-6, "{got:?}");
        assert_eq!((got[2].from, got[2].share), (5.0, 0.5));
    }

    #[test]
    fn the_kernels_fifteen_bytes_find_a_long_name() {
        let mut lanes = Lanes::default();
        lanes.add(&Arc::from("DownloadThread-12"), 0);
        assert!(lanes.has_kernel_name("DownloadThread-"));
        assert_eq!(lanes.widest(), 17);
    }
}
