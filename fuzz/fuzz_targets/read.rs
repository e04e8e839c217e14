//! `cargo fuzz run read`: see [`pipeline_fuzz::read`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| pipeline_fuzz::read(data));
