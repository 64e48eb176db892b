//! libFuzzer target `espn_scoreboard`: the body is [`scoreline_fuzz::espn_scoreboard`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| scoreline_fuzz::espn_scoreboard(data));
