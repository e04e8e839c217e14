//! Sources for the pipeline: turn files into [`Document`]s.
//!
//! [`ReadConfig`] lists the inputs (files, folders, glob patterns) and [`FileSource`] reads
//! them in a stable order, one file at a time, streaming:
//!
//! - **text** (`.txt`, `.md`, anything that is not JSONL): one document per file, id = file
//!   stem; UTF-8 with or without BOM, UTF-16 with BOM, and Windows-1252 as the fallback for
//!   bytes that are not UTF-8 (recorded in `source.encoding`); CRLF becomes LF.
//! - **jsonl** (`.jsonl`, `.ndjson`): one document per line, text and id from configurable
//!   keys, every other field passed through as metadata; id = the record's id or
//!   `<stem>#<line>`.
//!
//! Either may be compressed with gzip (`.gz`) or zstd (`.zst`). Nothing is dropped silently:
//! a file or record that cannot be read (binary, empty, too large, broken JSON, truncated
//! archive, …) comes out of the iterator as a [`Rejected`] with a reason a person can act on.
//!
//! ```
//! use pipeline_read::{FileSource, ReadConfig};
//!
//! let dir = tempfile::tempdir().unwrap();
//! std::fs::write(dir.path().join("a.txt"), "Erster Text.").unwrap();
//! std::fs::write(dir.path().join("b.jsonl"), "{\"id\": \"x\", \"text\": \"Zweiter Text.\"}\n").unwrap();
//! let config = ReadConfig { paths: vec![dir.path().to_string_lossy().into_owned()], ..ReadConfig::default() };
//! let docs: Vec<_> = FileSource::open(&config, dir.path()).unwrap().map(Result::unwrap).collect();
//! assert_eq!(docs[0].id, "a");
//! assert_eq!(docs[1].id, "x");
//! assert_eq!(docs[1].text, "Zweiter Text.");
//! ```
#![deny(missing_docs)]
// A source yields `Result<Document, Rejected>`: both sides are whole records of similar
// size moved once per input, so boxing the error side would only add an allocation.
#![allow(clippy::result_large_err)]

mod config;
mod decode;
mod error;
mod html;
mod list;
mod markdown;
mod source;
mod warc;

pub use config::{Format, ReadConfig};
pub use error::{Error, Result};
pub use html::{extract_html, HtmlDocument};
pub use list::{list_inputs, Listing};
pub use source::{display_path, file_content_hash, modified_ns, FileDone, FileSource};
pub use warc::{CorruptGzipMember, GzipMembers, WarcItem, WarcReader, WarcRecord};

pub use pipeline_core::{Document, Rejected};
