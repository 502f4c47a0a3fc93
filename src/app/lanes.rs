//! The timeline's lanes: one per worker, kept in the workers' own order as they appear
//! (Thread-2 before Thread-10, lower pids first), each with the downloads it ran. Adding a lane or
//! a download costs the same at the ten-thousandth as at the first, so no frame sorts or scans.

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
            key,
        });
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
    fn the_kernels_fifteen_bytes_find_a_long_name() {
        let mut lanes = Lanes::default();
        lanes.add(&Arc::from("DownloadThread-12"), 0);
        assert!(lanes.has_kernel_name("DownloadThread-"));
        assert_eq!(lanes.widest(), 17);
    }
}
