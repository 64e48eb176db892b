//! libFuzzer target `espn_summary`: the body is [`scoreline_fuzz::espn_summary`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| scoreline_fuzz::espn_summary(data));
