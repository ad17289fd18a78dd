//! Scheduling's pure rules: the history's rows, festival dates, periods, seasonality and
//! its statistics, and the implementation-window rules. No I/O; unit-tested in place.

pub mod festival;
pub mod montecarlo;
pub mod periods;
pub mod risk;
pub mod rng;
pub mod seasonality;
pub mod spell;
pub mod stats;
#[cfg(test)]
pub(crate) mod synthetic;
pub mod window;
