//! The `dedupe` stage itself.

use pipeline_core::{keys, text::byte_to_char_offsets, Document, Stage, StageError, Verdict};
use serde_json::{json, Value};
use xxhash_rust::xxh3::{xxh3_128, xxh3_64};

use crate::config::{Action, DedupConfig};
use crate::error::Result;
use crate::index::DedupIndex;
use crate::minhash::MinHasher;
use crate::normalize::normalize_into;
use crate::spans::paragraphs;

/// Drop reason of an exact duplicate.
pub const REASON_EXACT: &str = "dedup_exact_duplicate";
/// Drop reason of a near duplicate.
pub const REASON_NEAR: &str = "dedup_near_duplicate";

/// Field names of the `dedup` annotation (stored under [`keys::DEDUP`]).
pub mod fields {
    /// `"unique"`, `"exact_duplicate"` or `"near_duplicate"`.
    pub const STATUS: &str = "status";
    /// Id of the kept document this one repeats, or `null`.
    pub const DUPLICATE_OF: &str = "duplicate_of";
    /// Estimated Jaccard similarity to `duplicate_of` (1 for exact duplicates), or `null`.
    pub const SIMILARITY: &str = "similarity";
    /// `[{"start", "end", "also_in"}]`: passages seen in an earlier kept document.
    pub const REPEATED_SPANS: &str = "repeated_spans";
    /// Start of a span, in characters of `text`.
    pub const START: &str = "start";
    /// End of a span (exclusive), in characters of `text`.
    pub const END: &str = "end";
    /// Id of the first kept document that had the passage.
    pub const ALSO_IN: &str = "also_in";
}

/// What the stage found about one document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Not a duplicate of any earlier kept document; it is indexed.
    Unique,
    /// Its normalised text equals that of an earlier kept document.
    ExactDuplicate,
    /// Its shingles are at least `threshold` similar to an earlier kept document's.
    NearDuplicate,
}

impl Status {
    /// The status as written to `dedup.status`.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Unique => "unique",
            Status::ExactDuplicate => "exact_duplicate",
            Status::NearDuplicate => "near_duplicate",
        }
    }
}

/// One passage of a document that an earlier kept document also has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct RepeatedSpan {
    start: usize,
    end: usize,
    also_in: u32,
}

/// The deduplication stage: built from a [`DedupConfig`], it owns the index of every kept
/// document seen so far (see [`crate::DedupIndex`] for its memory cost per document).
///
/// For each document, in input order:
/// 1. the text is normalised (NFC, case-folded, punctuation and whitespace runs collapsed)
///    and hashed to 128 bits (xxh3-128); an earlier kept document with the same hash makes
///    it an `exact_duplicate`;
/// 2. otherwise its MinHash signature is looked up in the LSH band tables, and the most
///    similar candidate with an estimated Jaccard similarity ≥ `threshold` makes it a
///    `near_duplicate`;
/// 3. paragraphs and sentences of at least `min_span_chars` characters whose normalised
///    hash an earlier kept document had are recorded as `repeated_spans`;
/// 4. a unique document is added to the index; a duplicate is dropped or marked as
///    `action` says, and is never indexed, so `duplicate_of` always names a unique document.
///
/// Every document gets the [`keys::DEDUP`] annotation, dropped ones too.
#[derive(Debug)]
pub struct Dedupe {
    action: Action,
    threshold: f64,
    repeated_spans: bool,
    min_span_chars: usize,
    hasher: MinHasher,
    index: DedupIndex,
    // Scratch buffers reused across documents.
    norm: String,
    words: Vec<(u32, u32)>,
    sig: Vec<u32>,
    span_norm: String,
    span_words: Vec<(u32, u32)>,
    span_hashes: Vec<u64>,
}

impl Dedupe {
    /// A stage with an empty index. Fails with the first out-of-range setting.
    pub fn new(cfg: &DedupConfig) -> Result<Self> {
        if let Some(err) = cfg.check().into_iter().next() {
            return Err(err);
        }
        Ok(Dedupe {
            action: cfg.action,
            threshold: cfg.threshold,
            repeated_spans: cfg.repeated_spans,
            min_span_chars: cfg.min_span_chars,
            hasher: MinHasher::new(cfg.bands * cfg.rows, cfg.shingle_size),
            index: DedupIndex::new(cfg.bands, cfg.rows),
            norm: String::new(),
            words: Vec::new(),
            sig: Vec::new(),
            span_norm: String::new(),
            span_words: Vec::new(),
            span_hashes: Vec::new(),
        })
    }

    /// The index of kept documents built so far.
    pub fn index(&self) -> &DedupIndex {
        &self.index
    }

    /// Finds what `text` duplicates and, when it is unique, indexes it under `id`.
    fn examine(
        &mut self,
        id: &str,
        text: &str,
    ) -> Result<(Status, Option<(u32, f64)>, Vec<RepeatedSpan>)> {
        normalize_into(text, &mut self.norm, &mut self.words);
        let key = xxh3_128(self.norm.as_bytes());
        let spans = if self.repeated_spans {
            self.repeated_spans(text)
        } else {
            Vec::new()
        };
        if let Some(doc) = self.index.find_exact(key) {
            return Ok((Status::ExactDuplicate, Some((doc, 1.0)), spans));
        }
        let has_words = self.hasher.signature(&self.norm, &self.words, &mut self.sig);
        if has_words {
            if let Some(found) = self.index.find_near(&self.sig, self.threshold) {
                return Ok((Status::NearDuplicate, Some(found), spans));
            }
        }
        let sig = has_words.then_some(self.sig.as_slice());
        self.index.insert(id, key, sig, &self.span_hashes)?;
        Ok((Status::Unique, None, spans))
    }

    /// Passages of `text` an earlier kept document had, in order and not overlapping; also
    /// leaves the hashes of all long-enough passages in `self.span_hashes` for indexing.
    fn repeated_spans(&mut self, text: &str) -> Vec<RepeatedSpan> {
        self.span_hashes.clear();
        let mut found: Vec<(usize, usize, u32)> = Vec::new();
        for para in paragraphs(text) {
            let para_hit = self.check_span(text, para.range);
            if let Some(doc) = para_hit {
                found.push((para.range.0, para.range.1, doc));
            }
            for &range in &para.sentences {
                let hit = self.check_span(text, range);
                if let (None, Some(doc)) = (para_hit, hit) {
                    found.push((range.0, range.1, doc));
                }
            }
        }
        if found.is_empty() {
            return Vec::new();
        }
        // Spans are sorted and disjoint, so their bounds are ascending.
        let bytes: Vec<usize> = found.iter().flat_map(|&(s, e, _)| [s, e]).collect();
        let chars = byte_to_char_offsets(text, &bytes);
        found
            .iter()
            .zip(chars.chunks_exact(2))
            .map(|(&(_, _, also_in), c)| RepeatedSpan {
                start: c[0],
                end: c[1],
                also_in,
            })
            .collect()
    }

    /// Hashes the passage `range` of `text` if it is long enough, remembers the hash for
    /// indexing, and returns the earlier document that had it.
    fn check_span(&mut self, text: &str, range: (usize, usize)) -> Option<u32> {
        let passage = &text[range.0..range.1];
        // Bytes bound chars from above: skip the count for clearly short passages.
        if passage.len() < self.min_span_chars || passage.chars().count() < self.min_span_chars
        {
            return None;
        }
        normalize_into(passage, &mut self.span_norm, &mut self.span_words);
        if self.span_norm.is_empty() {
            return None;
        }
        let h = xxh3_64(self.span_norm.as_bytes());
        self.span_hashes.push(h);
        self.index.find_span(h)
    }

    fn annotation(
        &self,
        status: Status,
        found: Option<(u32, f64)>,
        spans: &[RepeatedSpan],
    ) -> Value {
        let spans: Vec<Value> = spans
            .iter()
            .map(|s| {
                json!({
                    fields::START: s.start,
                    fields::END: s.end,
                    fields::ALSO_IN: self.index.id(s.also_in),
                })
            })
            .collect();
        let (dup, sim) = match found {
            Some((doc, sim)) => (
                Value::from(self.index.id(doc)),
                Value::from((sim * 1000.0).round() / 1000.0),
            ),
            None => (Value::Null, Value::Null),
        };
        json!({
            fields::STATUS: status.as_str(),
            fields::DUPLICATE_OF: dup,
            fields::SIMILARITY: sim,
            fields::REPEATED_SPANS: spans,
        })
    }
}

impl Stage for Dedupe {
    /// Classifies `doc`, annotates it, indexes it when unique, and keeps it unless it is a
    /// duplicate and `action = "drop"`. Fails (fatally) only when the index is full.
    fn process(&mut self, mut doc: Document) -> std::result::Result<Verdict, StageError> {
        let (status, found, spans) = self.examine(&doc.id, &doc.text)?;
        let value = self.annotation(status, found, &spans);
        doc.annotations.insert(keys::DEDUP.to_owned(), value);
        match (status, found, self.action) {
            (Status::ExactDuplicate, Some((of, _)), Action::Drop) => {
                let detail = format!("same text as {}", self.index.id(of));
                Ok(Verdict::drop(doc, REASON_EXACT, detail))
            }
            (Status::NearDuplicate, Some((of, sim)), Action::Drop) => {
                let detail = format!(
                    "near duplicate of {} (similarity {sim:.2} ≥ threshold {:.2})",
                    self.index.id(of),
                    self.threshold
                );
                Ok(Verdict::drop(doc, REASON_NEAR, detail))
            }
            _ => Ok(Verdict::Keep(doc)),
        }
    }
}
