//! Schedule-driven polling: the pure cadence planner (`cadence`) and, around it, the loop that
//! turns its decisions into upstream fetches, adapter calls and store writes.

pub mod cadence;
