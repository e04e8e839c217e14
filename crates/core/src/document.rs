use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::spans::Spans;

/// Where a document sits in the input: the shard that read it and its position in that
/// shard's stream. Set by the source, never serialised; ordered output and deterministic
/// deduplication depend on it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DocRef {
    /// The shard (0 when the run is not sharded).
    pub shard: u32,
    /// Position of the document in the shard's input stream, from 0.
    pub seq: u64,
}

/// Where a document came from, as written to the output's `source` field.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceInfo {
    /// Path of the input file as given (relative paths stay relative).
    pub path: String,
    /// Input format: `text` or `jsonl`.
    pub format: String,
    /// Hex SHA-256 of the raw bytes this document was read from: the whole file for a
    /// one-document file, the record's line for JSONL.
    pub sha256: Option<String>,
    /// Size in bytes of the same raw input.
    pub bytes: u64,
    /// Line number (from 1) of the record in a JSONL file; `None` for one-document files.
    pub record: Option<u64>,
    /// Compression the file was read through (`gzip`, `zstd`), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compression: Option<String>,
    /// Text encoding the bytes were decoded from, and what was done (`utf-8`, `utf-8-bom`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encoding: Option<String>,
}

/// One document on its way through the pipeline.
///
/// Documents move by value through the channels; stages change `text` in place and record
/// what they find in `annotations` under `<stage>.<field>` keys (see [`crate::keys`]); the
/// annotate stage's span lists, hundreds per document, are typed in `spans`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Document {
    /// Stable identifier (the file stem, or the record's id).
    pub id: String,
    /// The text; after cleaning, paragraphs separated by one blank line.
    pub text: String,
    /// Where the document came from.
    pub source: SourceInfo,
    /// Fields of the input record passed through unchanged.
    pub metadata: Map<String, Value>,
    /// What the pipeline's stages added, keyed `<stage>.<field>`. A `BTreeMap` keeps the
    /// serialised order stable.
    pub annotations: BTreeMap<String, Value>,
    /// Sentences, entities, dates, quotations and tokens found by the annotate stage.
    #[serde(default, skip_serializing_if = "Spans::is_empty")]
    pub spans: Spans,
    /// Position in the input; set by the source.
    #[serde(skip)]
    pub origin: DocRef,
    /// Work done for a later stage by its preparation ([`crate::StageConfig::preparation`]);
    /// never serialised.
    #[serde(skip)]
    pub prepared: Prepared,
}

/// Work a stage's preparation did on a document, side by side on several workers, for the
/// stage itself, which runs on one worker (deduplication: the text's fingerprint). It is a
/// cache of what the text determines: a clone of the document leaves it behind, documents
/// compare equal whatever it holds, and a stage that finds it empty does the work itself.
#[derive(Default)]
pub struct Prepared(Option<Box<dyn std::any::Any + Send>>);

impl Prepared {
    /// Holds `work` for the stage that reads it with [`Prepared::take`].
    pub fn put<T: std::any::Any + Send>(&mut self, work: T) {
        self.0 = Some(Box::new(work));
    }

    /// Takes the work out if it is a `T`; leaves the slot empty either way.
    pub fn take<T: std::any::Any>(&mut self) -> Option<T> {
        self.0.take()?.downcast::<T>().ok().map(|work| *work)
    }

    /// Whether the slot holds work.
    pub fn is_empty(&self) -> bool {
        self.0.is_none()
    }
}

impl Clone for Prepared {
    fn clone(&self) -> Self {
        Prepared(None)
    }
}

impl PartialEq for Prepared {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl std::fmt::Debug for Prepared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() {
            "Prepared(..)"
        } else {
            "Prepared(empty)"
        })
    }
}

impl Document {
    /// A document with the given id and text and nothing else, for tests and examples.
    pub fn new(id: impl Into<String>, text: impl Into<String>) -> Self {
        Document {
            id: id.into(),
            text: text.into(),
            ..Document::default()
        }
    }

    /// Size of the text in bytes (UTF-8), the unit of the throughput counters.
    pub fn text_bytes(&self) -> u64 {
        self.text.len() as u64
    }
}

/// A document or file that was not kept, with the reason: one line of `rejected.jsonl`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rejected {
    /// The document's id, or the file stem when the file could not be read at all.
    pub id: String,
    /// Where it came from.
    pub source: SourceInfo,
    /// The stage that rejected it (`read`, `clean`, `dedupe`, …).
    pub stage: String,
    /// A snake_case reason from a fixed set, prefixed with the stage (`read_invalid_utf8`).
    pub reason: &'static str,
    /// What a person needs to act on it, e.g. `same text as 002_1a67b9573dd5dde7`.
    pub detail: String,
    /// The text as it was when rejected, when there was one.
    pub text: Option<String>,
    /// Byte offset in the file where the problem starts, for read errors.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub byte_offset: Option<u64>,
    /// Position in the input, for ordered output.
    #[serde(skip)]
    pub origin: DocRef,
}

impl Rejected {
    /// The rejection of a whole document by `stage`.
    pub fn of_document(doc: Document, stage: &str, reason: &'static str, detail: String) -> Self {
        Rejected {
            id: doc.id,
            source: doc.source,
            stage: stage.to_owned(),
            reason,
            detail,
            text: Some(doc.text),
            byte_offset: None,
            origin: doc.origin,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prepared_work_is_taken_once_and_only_as_its_own_type() {
        let mut doc = Document::new("a", "text");
        assert!(doc.prepared.is_empty());
        doc.prepared.put(7_u64);
        assert_eq!(doc.prepared.take::<u64>(), Some(7));
        assert_eq!(doc.prepared.take::<u64>(), None);

        doc.prepared.put(7_u64);
        assert_eq!(
            doc.prepared.take::<u32>(),
            None,
            "another type is not handed out"
        );
        assert!(doc.prepared.is_empty(), "and the slot is emptied");
    }

    #[test]
    fn a_clone_leaves_prepared_work_behind_and_equality_ignores_it() {
        let mut doc = Document::new("a", "text");
        doc.prepared.put(String::from("fingerprint"));
        let mut copy = doc.clone();
        assert!(copy.prepared.is_empty());
        assert_eq!(copy, doc);
        assert_eq!(copy.prepared.take::<String>(), None);
        assert_eq!(
            doc.prepared.take::<String>().as_deref(),
            Some("fingerprint")
        );
    }
}
