//! What `threadlab bench` measures of the screen: [`screen`], the real loop drawing 1,000
//! downloads into a byte counter, and [`scale`], big classes of work run live, one child
//! process a row. The strategies' timing figures are in `headless::bench`.

pub mod scale;
pub mod screen;
