//! libFuzzer target `config`: the body is [`scoreline_fuzz::config`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| scoreline_fuzz::config(data));
