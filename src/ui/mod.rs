//! The classroom screen: `impl Widget for &App`, a pure function of the app's state; its parts
//! live in the submodules (geometry in layout, shared painting in paint, one file per pane).

mod chart;
mod code;
mod downloads;
mod header;
mod help;
pub use help::help_lines;
mod keybar;
mod layout;
mod lesson;
mod log;
mod paint;
mod side;
pub mod theme;
mod timeline;
mod watched;

pub use code::spare_subject;
pub(crate) use header::fmt_speed;
pub use keybar::keybar_rows;
pub use layout::{Areas, download_at, download_rows, hit, layout, tab_at, viewport};
pub use log::log_line;
pub(crate) use paint::{block, pane, put, put_on_bottom_border, put_row, theme_of};

use crate::app::App;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::widgets::Widget;

impl Widget for &App {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let area = area.intersection(buf.area);
        let a = layout::areas(self, area);
        header::tabs(self, a.tabs, buf);
        header::info(self, a.info, a.side_hidden, buf);
        downloads::render(self, a.downloads, buf);
        downloads::render_note(self, a.note, buf);
        // Lesson mode: the scene's card sits right under the downloads, always whole.
        lesson::render(self, a.card, area.height < layout::TALL_H, buf);
        let rest = (a.timeline.union(a.chart).union(a.ticker))
            .union(a.log)
            .union(a.code);
        if let Some(language) = self.code {
            // The code stands where the timeline and log were; the downloads stay in view.
            code::render(self, language, rest, buf);
        } else {
            timeline::render(self, a.timeline, buf);
            chart::render(self, a.chart, buf);
            side::ticker(self, a.ticker, buf);
            log::render(self, a.log, a.side_hidden, buf);
            code::render_spare(self, a.code, buf);
        }
        let ticker_in_main = a.ticker.height > 0 && self.code.is_none();
        side::render(self, ticker_in_main, a.side, buf);
        keybar::render(self, a.keybar, buf);
        if self.main_finished {
            help::main_finished(self, area, buf);
        } else if self.help {
            help::render(self, area, buf);
        }
    }
}
