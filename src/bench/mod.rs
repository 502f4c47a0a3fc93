//! Everything `threadlab bench` measures: [`timing`], the strategies' overhead and what starting,
//! stopping and cores cost; [`screen`], the real loop drawing 1,000 downloads into a byte
//! counter; and [`scale`], big classes of work run live, one child process a row.

pub mod scale;
pub mod screen;
pub mod timing;
pub use timing::{BENCH_SPEED, BenchFigure, bench, median};
