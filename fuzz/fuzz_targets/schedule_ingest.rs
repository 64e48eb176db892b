//! libFuzzer target `schedule_ingest`: the body is [`scoreline_fuzz::schedule_ingest`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| scoreline_fuzz::schedule_ingest(data));
