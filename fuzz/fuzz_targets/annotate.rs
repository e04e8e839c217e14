//! `cargo fuzz run annotate`: see [`pipeline_fuzz::annotate`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| pipeline_fuzz::annotate(data));
