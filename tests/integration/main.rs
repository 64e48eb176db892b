//! Scoreline's one integration test binary: a module per area, helpers in `util`.

mod cli;
mod emulator;
mod sandbox;
mod util;
