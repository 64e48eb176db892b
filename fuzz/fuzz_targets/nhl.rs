//! libFuzzer target `nhl`: the body is [`scoreline_fuzz::nhl`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| scoreline_fuzz::nhl(data));
