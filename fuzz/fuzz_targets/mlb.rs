//! libFuzzer target `mlb`: the body is [`scoreline_fuzz::mlb`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| scoreline_fuzz::mlb(data));
