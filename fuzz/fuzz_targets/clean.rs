//! `cargo fuzz run clean`: see [`pipeline_fuzz::clean`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| pipeline_fuzz::clean(data));
