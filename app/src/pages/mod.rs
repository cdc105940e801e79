//! One module per page; `history` is the event table several pages share.

pub mod audit;
pub mod history;
pub mod partners;
pub mod programs;
pub mod reports;
pub mod spiral_page;
