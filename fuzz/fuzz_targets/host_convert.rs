//! libFuzzer target `host_convert`: the body is [`scoreline_fuzz::host_convert`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| scoreline_fuzz::host_convert(data));
