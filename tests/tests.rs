//! End-to-end tests of the `pipeline` binary. One test binary, one module per area.

#[macro_use]
mod util;

// The output contract: every line of every output file checked against SCHEMA.md.
mod schema;
// The shipped config on the shipped seeds: what a user sees on a fresh clone.
mod seeds;
// Every input format: text, Markdown, JSONL (plain, gzip, zstd), HTML, WARC/WET, encodings.
mod formats;
// Bad input: binary, undecodable, broken JSON, empty and oversized files.
mod bad_input;
// Config files: validation messages and command-line overrides.
mod config;
// Incremental runs: only new and changed files are read, earlier output is kept.
mod incremental;
// Stream mode: stdin to stdout, broken pipes.
mod stream;
// Crash safety: runs killed at seeded points complete to the same bytes when run again.
mod crash;
// Larger generated corpora: conservation, ordering and worker counts.
mod topology;
// Several machines: shards, and the dedup phases on files and streams.
mod shards;
