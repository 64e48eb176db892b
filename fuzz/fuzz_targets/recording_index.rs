//! libFuzzer target `recording_index`: the body is [`scoreline_fuzz::recording_index`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| scoreline_fuzz::recording_index(data));
