//! The `dedupe` stage itself.

use pipeline_core::{
    keys, text::byte_to_char_offsets, BuildContext, ConfigError, Document, RunLink, Stage,
    StageConfig, StageError, Verdict,
};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use xxhash_rust::xxh3::{xxh3_128, xxh3_64};

use crate::config::{Action, DedupConfig};
use crate::error::Result;
use crate::index::{DedupIndex, NearRule};
use crate::minhash::MinHasher;
use crate::normalize::{normalize_append, normalize_into};
use crate::spans::{quotations, Paragraphs};
use crate::store::{IndexStore, Opened};

/// Drop reason of an exact duplicate.
pub const REASON_EXACT: &str = "dedup_exact_duplicate";
/// Drop reason of a near duplicate.
pub const REASON_NEAR: &str = "dedup_near_duplicate";
/// Drop reason of a document of which nothing is left once its repeated paragraphs and
/// sentences are removed (`remove_repeated = true`).
pub const REASON_ALL_REPEATED: &str = "dedup_all_passages_repeated";

/// Cuts the paragraphs and sentences that `doc`'s `dedup.repeated_spans` lists out of its
/// text, each with the whitespace that follows it, and lists them under `dedup.removed`
/// (`at`: where each stood in the new text). Repeated quotations stay in the text (they sit
/// inside the outlet's own sentences) and in `repeated_spans`, their offsets moved to the
/// new text. Returns the rejection when nothing but whitespace is left.
pub fn remove_repeated(doc: Document) -> Verdict {
    let Some(spans) = doc
        .annotations
        .get(keys::DEDUP)
        .and_then(|d| d[fields::REPEATED_SPANS].as_array())
    else {
        return Verdict::Keep(doc);
    };
    let cut = |s: &Value| s[fields::KIND] != "quote";
    if !spans.iter().any(cut) {
        return Verdict::Keep(doc);
    }
    let span_of = |s: &Value| {
        let at = |f: &str| s[f].as_u64().unwrap_or(0) as usize;
        (at(fields::START), at(fields::END))
    };
    // Byte offset of every character, and of the end.
    let bytes: Vec<usize> = doc
        .text
        .char_indices()
        .map(|(b, _)| b)
        .chain([doc.text.len()])
        .collect();
    let chars = bytes.len() - 1;
    let mut text = String::with_capacity(doc.text.len());
    let (mut cursor, mut new_len, mut removed_chars) = (0usize, 0usize, 0usize);
    let mut removed = Vec::new();
    let mut kept = Vec::new();
    let mut first_source = Value::Null;
    for span in spans {
        let (start, end) = span_of(span);
        if start < cursor || end > chars || start > end {
            // Not sorted and disjoint: leave the text as it is.
            return Verdict::Keep(doc);
        }
        if !cut(span) {
            let mut moved = span.clone();
            moved[fields::START] = Value::from(start - removed_chars);
            moved[fields::END] = Value::from(end - removed_chars);
            kept.push(moved);
            continue;
        }
        let mut through = end;
        while through < chars && doc.text[bytes[through]..].starts_with(char::is_whitespace) {
            through += 1;
        }
        text.push_str(&doc.text[bytes[cursor]..bytes[start]]);
        new_len += start - cursor;
        if first_source.is_null() {
            first_source = span[fields::ALSO_IN].clone();
        }
        removed.push(json!({
            fields::AT: new_len,
            fields::TEXT: &doc.text[bytes[start]..bytes[end]],
            fields::ALSO_IN: span[fields::ALSO_IN],
            fields::KIND: span[fields::KIND],
        }));
        removed_chars += through - start;
        cursor = through;
    }
    text.push_str(&doc.text[bytes[cursor]..]);
    let mut doc = doc;
    let trimmed = text.trim_end().len();
    text.truncate(trimmed);
    let empty = text.trim().is_empty();
    doc.text = text;
    if let Some(dedup) = doc.annotations.get_mut(keys::DEDUP) {
        dedup[fields::REPEATED_SPANS] = Value::from(kept);
        dedup[fields::REMOVED] = Value::from(removed);
    }
    if empty {
        let detail = format!(
            "every paragraph also appears in earlier kept documents (first: {})",
            first_source.as_str().unwrap_or("?")
        );
        return Verdict::drop(doc, REASON_ALL_REPEATED, detail);
    }
    Verdict::Keep(doc)
}

/// Field names of the `dedup` annotation (stored under [`keys::DEDUP`]).
pub mod fields {
    /// `"unique"`, `"exact_duplicate"` or `"near_duplicate"`.
    pub const STATUS: &str = "status";
    /// Id of the kept document this one repeats, or `null`.
    pub const DUPLICATE_OF: &str = "duplicate_of";
    /// Jaccard similarity of the word-shingle sets to `duplicate_of` (1 for exact
    /// duplicates), or `null`.
    pub const SIMILARITY: &str = "similarity";
    /// `[{"start", "end", "also_in"}]`: passages seen in an earlier kept document.
    pub const REPEATED_SPANS: &str = "repeated_spans";
    /// Start of a span, in characters of `text`.
    pub const START: &str = "start";
    /// End of a span (exclusive), in characters of `text`.
    pub const END: &str = "end";
    /// Id of the first kept document that had the passage.
    pub const ALSO_IN: &str = "also_in";
    /// What the span is: `"paragraph"`, `"sentence"` or `"quote"`.
    pub const KIND: &str = "kind";
    /// `[{"at", "text", "also_in", "kind"}]`: paragraphs and sentences cut out of `text`
    /// (`remove_repeated = true`), `at` being where they stood in the new text.
    pub const REMOVED: &str = "removed";
    /// Where a removed passage stood, in characters of the new `text`.
    pub const AT: &str = "at";
    /// The removed passage.
    pub const TEXT: &str = "text";
}

/// The order in which documents compete for being kept: earliest `published` first
/// (documents without a date after all dated ones), then smallest id. See [`rank_key`].
pub type RankKey = (bool, String, String);

/// Where `doc` ranks among duplicates: its publication time (the cleaner's
/// `clean.published`, else the input's `published` or `date` field, compared as ISO 8601
/// text) and its id. Feeding the stage in this order makes the kept document of every
/// group the earliest published one, whatever the input order.
pub fn rank_key(doc: &Document) -> RankKey {
    let published = doc
        .annotations
        .get(keys::CLEAN_PUBLISHED)
        .or_else(|| doc.metadata.get("published"))
        .or_else(|| doc.metadata.get("date"))
        .and_then(Value::as_str);
    (
        published.is_none(),
        published.unwrap_or_default().to_owned(),
        doc.id.clone(),
    )
}

/// What the stage found about one document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Not a duplicate of any earlier kept document; it is indexed.
    Unique,
    /// Its normalised text equals that of an earlier kept document.
    ExactDuplicate,
    /// Its shingles are at least `threshold` similar to an earlier kept document's, or
    /// one of the two shingle sets is at least `containment` contained in the other.
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
pub(crate) struct RepeatedSpan {
    start: usize,
    end: usize,
    also_in: u32,
    kind: PassageKind,
}

/// What [`Dedupe::examine`] found about one document.
#[derive(Debug)]
pub(crate) struct Finding {
    pub(crate) status: Status,
    /// The kept document it duplicates, with the Jaccard similarity and containment.
    pub(crate) of: Option<(u32, f64, f64)>,
    pub(crate) spans: Vec<RepeatedSpan>,
}

/// The deduplication stage: built from a [`DedupConfig`], it owns the index of every kept
/// document seen so far (see [`crate::DedupIndex`] for its memory cost per document).
///
/// For each document, in input order:
/// 1. the text is normalised (NFC, case-folded, punctuation and whitespace runs collapsed)
///    and hashed to 128 bits (xxh3-128); an earlier kept document with the same hash makes
///    it an `exact_duplicate`;
/// 2. otherwise its word shingles are hashed once each, giving a one-permutation MinHash
///    signature and the sorted set of shingle hashes; the signature's LSH bands find
///    candidates, each candidate is verified on its exact shingle set, and the most
///    similar one with a Jaccard similarity ≥ `threshold` (or a containment ≥
///    `containment` and a Jaccard similarity ≥ `containment_min_jaccard`) makes it a
///    `near_duplicate`;
/// 3. paragraphs, sentences and quotations (text between quotation marks) of at least
///    `min_span_chars` characters whose normalised hash an earlier kept document had are
///    recorded as `repeated_spans`;
/// 4. a unique document is added to the index; a duplicate is dropped or marked as
///    `action` says, and is never indexed, so `duplicate_of` always names a unique document.
///
/// Every document gets the [`keys::DEDUP`] annotation, dropped ones too.
#[derive(Debug)]
pub struct Dedupe {
    action: Action,
    rule: NearRule,
    remove_repeated: bool,
    fingerprinter: Fingerprinter,
    index: DedupIndex,
    /// The sketch of the document at hand, when the stage made it itself; its buffers are
    /// reused across documents.
    sketch: Sketch,
    span_hashes: Vec<u64>,
    /// The persistent index, when the run keeps one, and the token to commit it with.
    store: Option<(IndexStore, String)>,
    /// Whether the documents of earlier runs were loaded from the persistent index.
    recalled: bool,
}

impl Dedupe {
    /// A stage with an empty index. Fails with the first out-of-range setting.
    pub fn new(cfg: &DedupConfig) -> Result<Self> {
        if let Some(err) = cfg.check().into_iter().next() {
            return Err(err);
        }
        Ok(Dedupe {
            action: cfg.action,
            rule: near_rule(cfg),
            remove_repeated: cfg.remove_repeated,
            fingerprinter: Fingerprinter::new(cfg),
            index: DedupIndex::new(cfg.bands, cfg.rows),
            sketch: Sketch::default(),
            span_hashes: Vec::new(),
            store: None,
            recalled: false,
        })
    }

    /// Keeps the index in the database `dir/index.redb` between runs (see
    /// [`crate::store`]): when `link.previous` committed it, the documents earlier runs
    /// kept are loaded from it (except those of replaced files) and [`Stage::recalled`]
    /// says so; otherwise the database starts empty and the runtime hands the earlier
    /// documents to [`Stage::remember`]. Every document indexed from now on is written to
    /// it, and [`Stage::finish`] commits it with `link.token`. `settings` names what shapes
    /// the stored keys; a database made with other settings is not used.
    pub fn persist_in(
        &mut self,
        dir: &std::path::Path,
        link: &RunLink,
        settings: String,
    ) -> Result<()> {
        let index = &mut self.index;
        let (store, opened) = IndexStore::open(
            dir,
            settings,
            link.previous.as_deref(),
            &link.replaced,
            |number, record| {
                index
                    .insert_stored(&record.id, record.key, &record.bands, &record.spans, number)
                    .map(|_| ())
            },
        )?;
        if let Opened::Recalled(sets) = opened {
            self.index.read_stored_sets_from(Box::new(sets));
            self.recalled = true;
        }
        self.store = Some((store, link.token.clone()));
        Ok(())
    }

    /// Writes the document just judged unique (`sketch`) to the persistent index, if
    /// there is one.
    fn store_unique(&mut self, id: &str, source: &str, sketch: &Sketch) -> Result<()> {
        let Some((store, _)) = self.store.as_mut() else {
            return Ok(());
        };
        let set: &[u32] = if sketch.has_words { &sketch.set } else { &[] };
        let bands = self.index.last_band_keys();
        store.add(id, source, sketch.key, bands, set, &self.span_hashes)
    }

    /// Moves shingle sets to the file `path` whenever more than `budget_bytes` of them
    /// are in memory (see [`DedupIndex::spill_to`]).
    pub fn spill_to(&mut self, path: &std::path::Path, budget_bytes: usize) {
        self.index.spill_to(path, budget_bytes);
    }

    /// Keeps the key filters of the index's runs on disk within `budget_bytes` (see
    /// [`DedupIndex::limit_filters`]).
    pub fn limit_filters(&mut self, budget_bytes: usize) {
        self.index.limit_filters(budget_bytes);
    }

    /// The index of kept documents built so far.
    pub fn index(&self) -> &DedupIndex {
        &self.index
    }

    /// Finds what the document `id` with `text` (sketched in `sketch`) duplicates and, when
    /// it is unique, indexes it under `id` and stores it.
    fn examine(&mut self, id: &str, text: &str, source: &str, sketch: &Sketch) -> Result<Finding> {
        let mut finding = judge(
            &mut self.index,
            &self.rule,
            id,
            sketch.key,
            sketch.has_words.then_some((&sketch.sig, &sketch.set)),
            &sketch.passages,
            &mut self.span_hashes,
        )?;
        if finding.status == Status::Unique {
            self.store_unique(id, source, sketch)?;
        }
        if !finding.spans.is_empty() {
            // Spans are sorted and disjoint, so their bounds are ascending.
            let bytes: Vec<usize> = finding
                .spans
                .iter()
                .flat_map(|s| [s.start, s.end])
                .collect();
            let chars = byte_to_char_offsets(text, &bytes);
            for (span, c) in finding.spans.iter_mut().zip(chars.chunks_exact(2)) {
                (span.start, span.end) = (c[0], c[1]);
            }
        }
        Ok(finding)
    }

    /// The sketch the stage's preparation left in `doc`, or one made here (in
    /// `self.sketch`'s buffers) when there is none.
    fn sketch_of(&mut self, doc: &mut Document) -> Sketch {
        match doc.prepared.take::<Sketch>() {
            // Nothing edits the text between the preparation and this stage; the length
            // check only guards against a runtime that wires them otherwise.
            Some(sketch) if sketch.text_len == doc.text.len() => sketch,
            _ => {
                let mut sketch = std::mem::take(&mut self.sketch);
                self.fingerprinter.sketch(&doc.text, &mut sketch);
                sketch
            }
        }
    }

    /// The fingerprint of a document for the global (sharded) deduplication: everything
    /// [`judge`] needs to decide about it without its text, with passage offsets in
    /// characters. `pos` is its place in the global input order. The index is not used.
    pub fn fingerprint(&mut self, id: &str, text: &str, pos: (u64, u64)) -> Fingerprint {
        self.fingerprinter.sketch(text, &mut self.sketch);
        self.fingerprinter
            .offsets_in_chars(text, &mut self.sketch.passages);
        let sketch = &self.sketch;
        Fingerprint {
            pos,
            id: id.to_owned(),
            key: format!("{:032x}", sketch.key),
            sig: if sketch.has_words {
                sketch.sig.clone()
            } else {
                Vec::new()
            },
            set: if sketch.has_words {
                sketch.set.clone()
            } else {
                Vec::new()
            },
            passages: sketch.passages.clone(),
            published: None,
        }
    }
}

/// What deduplication reads of a document's text, made by a [`Fingerprinter`]: the exact
/// key, the shingle sketch and the passages that may repeat.
#[derive(Debug, Default)]
pub(crate) struct Sketch {
    /// Length in bytes of the text it was made from.
    text_len: usize,
    /// xxh3-128 of the normalised text.
    key: u128,
    /// Whether the text has words (else `sig` and `set` mean nothing).
    has_words: bool,
    /// The MinHash signature.
    sig: Vec<u32>,
    /// The sorted set of shingle hashes.
    set: Vec<u32>,
    /// Passages in the order [`repeated`] reads them, with byte offsets: for each
    /// paragraph its sentences, then the paragraph; then the quotations. Sentences and
    /// quotations too short to count are left out (they never match); paragraphs stay, as
    /// they close their sentences' group.
    passages: Vec<Passage>,
}

/// Makes [`Sketch`]es; owns the scratch buffers, so one value serves many documents.
#[derive(Debug)]
pub(crate) struct Fingerprinter {
    hasher: MinHasher,
    repeated_spans: bool,
    min_span_chars: usize,
    /// The normalised text (UTF-8), as bytes: it is only hashed.
    norm: Vec<u8>,
    words: Vec<(u32, u32)>,
    shingles: Vec<u64>,
    quote_norm: Vec<u8>,
    quote_words: Vec<(u32, u32)>,
    bounds: Vec<usize>,
    paragraphs: Paragraphs,
}

impl Fingerprinter {
    pub(crate) fn new(cfg: &DedupConfig) -> Self {
        Fingerprinter {
            hasher: MinHasher::new(cfg.bands * cfg.rows, cfg.shingle_size),
            repeated_spans: cfg.repeated_spans,
            min_span_chars: cfg.min_span_chars,
            norm: Vec::new(),
            words: Vec::new(),
            shingles: Vec::new(),
            quote_norm: Vec::new(),
            quote_words: Vec::new(),
            bounds: Vec::new(),
            paragraphs: Paragraphs::default(),
        }
    }

    /// Sketches `text` into `out` (reusing its buffers): one normalisation pass serves the
    /// exact key, the shingles and the passages.
    pub(crate) fn sketch(&mut self, text: &str, out: &mut Sketch) {
        out.text_len = text.len();
        out.passages.clear();
        if self.repeated_spans {
            self.find_passages(text, &mut out.passages);
        } else {
            normalize_into(text, &mut self.norm, &mut self.words);
        }
        out.key = xxh3_128(&self.norm);
        self.hasher
            .shingle_hashes(&self.norm, &self.words, &mut self.shingles);
        out.has_words = self
            .hasher
            .sketch(&self.shingles, &mut out.sig, &mut out.set);
    }

    /// Normalises `text` into `self.norm` and `self.words` piece by piece (sentence by
    /// sentence), and lists its passages in `passages` with byte offsets: for each
    /// paragraph its sentences, then the paragraph; then the quotations (the text between
    /// quotation marks, which other outlets embed in sentences of their own). Passages long
    /// enough to count carry the hash of their normalised text; sentences and quotations
    /// that are not are left out.
    fn find_passages(&mut self, text: &str, passages: &mut Vec<Passage>) {
        self.norm.clear();
        self.words.clear();
        self.paragraphs.split(text);
        // Enough for every paragraph and sentence; only quotations may grow it.
        passages.reserve(self.paragraphs.len());
        for (para_range, sentences) in self.paragraphs.iter() {
            let para_words = self.words.len();
            for &range in sentences {
                let first = self.words.len();
                let chars =
                    normalize_append(&text[range.0..range.1], &mut self.norm, &mut self.words);
                if let Some(hash) = self.span_hash(chars, first) {
                    passages.push(Passage::new(PassageKind::Sentence, range, Some(hash)));
                }
            }
            let (s, e) = para_range;
            let chars = if sentences.is_empty() {
                normalize_append(&text[s..e], &mut self.norm, &mut self.words)
            } else {
                // Only a short paragraph has its characters counted.
                count_chars_up_to(&text[s..e], self.min_span_chars)
            };
            let hash = self.span_hash(chars, para_words);
            passages.push(Passage::new(PassageKind::Paragraph, para_range, hash));
        }
        for range in quotations(text) {
            if let Some(hash) = self.quote_hash(text, range) {
                passages.push(Passage::new(PassageKind::Quote, range, Some(hash)));
            }
        }
    }

    /// Turns the byte offsets of `passages` into character offsets of `text` (for
    /// [`Fingerprint`]s, judged without the text; the stage converts only the spans found).
    fn offsets_in_chars(&mut self, text: &str, passages: &mut [Passage]) {
        self.bounds.clear();
        self.bounds
            .extend(passages.iter().flat_map(|p| [p.start, p.end]));
        self.bounds.sort_unstable();
        self.bounds.dedup();
        let chars = byte_to_char_offsets(text, &self.bounds);
        let bounds = &self.bounds;
        let to_chars = |byte: usize| chars[bounds.partition_point(|&b| b < byte)];
        for p in passages {
            (p.start, p.end) = (to_chars(p.start), to_chars(p.end));
        }
    }

    /// The hash of a passage of `chars` characters whose normalised words are
    /// `self.words[first..]`, if it is long enough to count.
    fn span_hash(&self, chars: usize, first: usize) -> Option<u64> {
        if chars < self.min_span_chars {
            return None;
        }
        let (start, end) = match (self.words.get(first), self.words.last()) {
            (Some(&(start, _)), Some(&(_, end))) => (start as usize, end as usize),
            _ => return None,
        };
        Some(xxh3_64(&self.norm[start..end]))
    }

    /// Like [`Self::span_hash`] for a quotation, normalised on its own (a quotation may
    /// start or end inside a word range of `self.words`).
    fn quote_hash(&mut self, text: &str, range: (usize, usize)) -> Option<u64> {
        let passage = &text[range.0..range.1];
        if !has_chars(passage, self.min_span_chars) {
            return None;
        }
        normalize_into(passage, &mut self.quote_norm, &mut self.quote_words);
        if self.quote_norm.is_empty() {
            return None;
        }
        Some(xxh3_64(&self.quote_norm))
    }
}

/// Whether `passage` has at least `min` characters.
fn has_chars(passage: &str, min: usize) -> bool {
    count_chars_up_to(passage, min) >= min
}

/// The number of characters of `passage` when it is below `min`; otherwise a number of at
/// least `min` (its length in bytes, when that alone shows it is long enough). A character
/// takes one to four bytes, so they are counted only when the length in bytes leaves it
/// open: most paragraphs are long enough by their bytes alone.
fn count_chars_up_to(passage: &str, min: usize) -> usize {
    if passage.len() >= min.saturating_mul(4) {
        passage.len()
    } else {
        passage.chars().count()
    }
}

/// The parallel part of the `dedupe` stage ([`DedupConfig`]'s preparation): sketches each
/// document and leaves the [`Sketch`] in [`Document::prepared`] for [`Dedupe`], which then
/// only looks the sketch up in its index.
#[derive(Debug)]
pub(crate) struct Sketcher {
    pub(crate) fingerprinter: Fingerprinter,
}

/// The config of the `dedupe` stage's preparation ([`StageConfig::preparation`]).
#[derive(Debug)]
pub(crate) struct Sketching(pub(crate) DedupConfig);

impl StageConfig for Sketching {
    fn build(&self, _: &BuildContext) -> std::result::Result<Box<dyn Stage>, ConfigError> {
        Ok(Box::new(Sketcher {
            fingerprinter: Fingerprinter::new(&self.0),
        }))
    }
}

impl Stage for Sketcher {
    fn process(&mut self, mut doc: Document) -> std::result::Result<Verdict, StageError> {
        let mut sketch = Sketch::default();
        self.fingerprinter.sketch(&doc.text, &mut sketch);
        doc.prepared.put(sketch);
        Ok(Verdict::Keep(doc))
    }
}

/// The near-duplicate rule of `cfg`.
pub(crate) fn near_rule(cfg: &DedupConfig) -> NearRule {
    NearRule {
        jaccard: cfg.threshold,
        containment: cfg.containment,
        containment_min_jaccard: cfg.containment_min_jaccard,
    }
}

/// What kind of text a [`Passage`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PassageKind {
    /// A sentence of a paragraph of several sentences.
    #[serde(rename = "s")]
    Sentence,
    /// A paragraph (after its sentences in a passage list).
    #[serde(rename = "p")]
    Paragraph,
    /// The text between quotation marks (after all paragraphs in a passage list).
    #[serde(rename = "q")]
    Quote,
}

/// A passage of a document that another document may repeat.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Passage {
    /// Sentence, paragraph or quotation.
    #[serde(rename = "k")]
    pub kind: PassageKind,
    /// Start offset (characters of `text` in a [`Fingerprint`]).
    #[serde(rename = "s")]
    pub start: usize,
    /// End offset, exclusive.
    #[serde(rename = "e")]
    pub end: usize,
    /// Hash of the normalised passage, when it is long enough to count.
    #[serde(rename = "h", default, skip_serializing_if = "Option::is_none")]
    pub hash: Option<u64>,
}

impl PassageKind {
    /// The name written to `repeated_spans[].kind`.
    pub fn name(self) -> &'static str {
        match self {
            PassageKind::Sentence => "sentence",
            PassageKind::Paragraph => "paragraph",
            PassageKind::Quote => "quote",
        }
    }
}

impl Passage {
    fn new(kind: PassageKind, range: (usize, usize), hash: Option<u64>) -> Self {
        Passage {
            kind,
            start: range.0,
            end: range.1,
            hash,
        }
    }
}

/// What the stage needs to know of a document to judge it, without its text: computed by
/// [`Dedupe::fingerprint`] on each shard and judged by [`crate::global::decide`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fingerprint {
    /// Place in the global input order: (file or partition, record).
    pub pos: (u64, u64),
    /// The document's id.
    pub id: String,
    /// The 128-bit exact key of the normalised text, as 32 hex digits.
    pub key: String,
    /// The MinHash signature; empty for a text without words.
    #[serde(default)]
    pub sig: Vec<u32>,
    /// The sorted set of shingle hashes; empty for a text without words.
    #[serde(default)]
    pub set: Vec<u32>,
    /// Passages in the order [`repeated`] reads them.
    #[serde(default)]
    pub passages: Vec<Passage>,
    /// Publication time, as [`rank_key`] reads it (for `keep = "earliest"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
}

/// Judges one document against `index` (the kept documents before it) and indexes it when
/// it is unique. `spans` of the finding use the offsets of `passages`.
pub(crate) fn judge(
    index: &mut DedupIndex,
    rule: &NearRule,
    id: &str,
    key: u128,
    sketch: Option<(&[u32], &[u32])>,
    passages: &[Passage],
    hashes: &mut Vec<u64>,
) -> Result<Finding> {
    index.prefetch_spans(passages.iter().filter_map(|p| p.hash));
    let spans = repeated(passages, |h| index.find_span(h))?;
    if let Some(doc) = index.find_exact(key)? {
        return Ok(Finding {
            status: Status::ExactDuplicate,
            of: Some((doc, 1.0, 1.0)),
            spans,
        });
    }
    if let Some((sig, set)) = sketch {
        if let Some(near) = index.find_near(sig, set, rule)? {
            return Ok(Finding {
                status: Status::NearDuplicate,
                of: Some((near.doc, near.jaccard, near.containment)),
                spans,
            });
        }
    }
    hashes.clear();
    hashes.extend(passages.iter().filter_map(|p| p.hash));
    index.insert(id, key, sketch, hashes)?;
    Ok(Finding {
        status: Status::Unique,
        of: None,
        spans,
    })
}

/// The passages an earlier kept document had (`lookup` names it), sorted and not
/// overlapping: a repeated paragraph is one span, otherwise its repeated sentences are,
/// and then repeated quotations that overlap neither.
fn repeated(
    passages: &[Passage],
    mut lookup: impl FnMut(u64) -> Result<Option<u32>>,
) -> Result<Vec<RepeatedSpan>> {
    let mut found: Vec<RepeatedSpan> = Vec::new();
    let mut sentence_hits: Vec<RepeatedSpan> = Vec::new();
    let mut sentence_spans: Option<usize> = None;
    for p in passages {
        let hit = p.hash.map(&mut lookup).transpose()?.flatten();
        let hit = hit.map(|also_in| RepeatedSpan {
            start: p.start,
            end: p.end,
            also_in,
            kind: p.kind,
        });
        match p.kind {
            PassageKind::Sentence => sentence_hits.extend(hit),
            PassageKind::Paragraph => {
                match hit {
                    Some(span) => found.push(span),
                    None => found.extend_from_slice(&sentence_hits),
                }
                sentence_hits.clear();
            }
            PassageKind::Quote => {
                let before = *sentence_spans.get_or_insert(found.len());
                if let Some(span) = hit {
                    let overlaps = found[..before]
                        .iter()
                        .any(|f| f.start < span.end && span.start < f.end);
                    if !overlaps {
                        found.push(span);
                    }
                }
            }
        }
    }
    found.sort_unstable_by_key(|s| s.start);
    Ok(found)
}

/// The ids of the documents a finding names (as duplicate or in repeated spans), read
/// from the index once each.
pub(crate) struct NamedIds(Vec<(u32, String)>);

impl NamedIds {
    pub(crate) fn of(finding: &Finding, index: &mut DedupIndex) -> Result<Self> {
        let mut ids: Vec<(u32, String)> = Vec::new();
        let named = finding.of.map(|(doc, _, _)| doc).into_iter();
        for doc in named.chain(finding.spans.iter().map(|s| s.also_in)) {
            if !ids.iter().any(|(seen, _)| *seen == doc) {
                ids.push((doc, index.id(doc)?));
            }
        }
        Ok(NamedIds(ids))
    }

    /// The id of `doc`, which the finding names.
    pub(crate) fn id(&self, doc: u32) -> &str {
        self.0
            .iter()
            .find(|(named, _)| *named == doc)
            .map_or("", |(_, id)| id.as_str())
    }
}

/// The `dedup` annotation of `finding`, naming documents with `id_of`.
pub(crate) fn annotation<'a>(finding: &Finding, id_of: impl Fn(u32) -> &'a str) -> Value {
    let spans: Vec<Value> = finding
        .spans
        .iter()
        .map(|s| {
            json!({
                fields::START: s.start,
                fields::END: s.end,
                fields::ALSO_IN: id_of(s.also_in),
                fields::KIND: s.kind.name(),
            })
        })
        .collect();
    let (dup, sim) = match finding.of {
        Some((doc, sim, _)) => (
            Value::from(id_of(doc)),
            Value::from((sim * 1000.0).round() / 1000.0),
        ),
        None => (Value::Null, Value::Null),
    };
    json!({
        fields::STATUS: finding.status.as_str(),
        fields::DUPLICATE_OF: dup,
        fields::SIMILARITY: sim,
        fields::REPEATED_SPANS: spans,
    })
}

/// The drop reason and detail of a duplicate under `action = "drop"`, or `None`.
pub(crate) fn drop_reason<'a>(
    finding: &Finding,
    rule: &NearRule,
    action: Action,
    id_of: impl Fn(u32) -> &'a str,
) -> Option<(&'static str, String)> {
    match (finding.status, finding.of, action) {
        (Status::ExactDuplicate, Some((of, _, _)), Action::Drop) => {
            Some((REASON_EXACT, format!("same text as {}", id_of(of))))
        }
        (Status::NearDuplicate, Some((of, sim, contained)), Action::Drop) => {
            let detail = if sim >= rule.jaccard {
                format!(
                    "near duplicate of {} (similarity {sim:.2} ≥ threshold {:.2})",
                    id_of(of),
                    rule.jaccard
                )
            } else {
                format!(
                    "near duplicate of {} (containment {contained:.2} ≥ {:.2}, \
                     similarity {sim:.2})",
                    id_of(of),
                    rule.containment
                )
            };
            Some((REASON_NEAR, detail))
        }
        _ => None,
    }
}

impl Stage for Dedupe {
    /// Classifies `doc`, annotates it, indexes it when unique, and keeps it unless it is a
    /// duplicate and `action = "drop"`. Fails (fatally) only when the index is full.
    fn process(&mut self, mut doc: Document) -> std::result::Result<Verdict, StageError> {
        let sketch = self.sketch_of(&mut doc);
        let finding = self.examine(&doc.id, &doc.text, &doc.source.path, &sketch);
        // Its buffers serve the next document the stage sketches itself.
        self.sketch = sketch;
        let finding = finding?;
        let ids = NamedIds::of(&finding, &mut self.index)?;
        let id_of = |d| ids.id(d);
        let value = annotation(&finding, id_of);
        doc.annotations.insert(keys::DEDUP.to_owned(), value);
        match drop_reason(&finding, &self.rule, self.action, id_of) {
            Some((reason, detail)) => Ok(Verdict::drop(doc, reason, detail)),
            None if self.remove_repeated => Ok(remove_repeated(doc)),
            None => Ok(Verdict::Keep(doc)),
        }
    }

    /// Indexes a document an earlier run kept, so that documents of this run are compared
    /// with it; it is examined like a new one (a duplicate among them is not indexed twice).
    fn remember(&mut self, doc: &Document) -> std::result::Result<(), StageError> {
        let mut sketch = std::mem::take(&mut self.sketch);
        self.fingerprinter.sketch(&doc.text, &mut sketch);
        let finding = self.examine(&doc.id, &doc.text, &doc.source.path, &sketch);
        self.sketch = sketch;
        finding?;
        Ok(())
    }

    /// Commits the persistent index, if there is one, with this run's token.
    fn finish(&mut self) -> std::result::Result<Vec<Verdict>, StageError> {
        if let Some((store, token)) = self.store.as_mut() {
            store.commit(token)?;
        }
        Ok(Vec::new())
    }

    fn recalled(&self) -> bool {
        self.recalled
    }

    fn helper_cpu_ns(&self) -> u64 {
        let store = self
            .store
            .as_ref()
            .map_or(0, |(store, _)| store.writer_cpu_ns());
        store + self.index.merge_cpu_ns()
    }

    fn index_bytes(&self) -> u64 {
        self.index.memory_bytes() as u64
    }

    fn index_folds(&self) -> u64 {
        self.index.filters_folded()
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::test_rng::XorShift;

    #[test]
    fn has_chars_counts_as_counting_every_character_does() {
        let pieces = ["a", "ä", "€", "😀", " ", "ß", "\u{301}", "Wort "];
        let mut rng = XorShift(0x2545_f491_4f6c_dd1d);
        for _ in 0..20_000 {
            let mut passage = String::new();
            for _ in 0..rng.0 % 90 {
                passage.push_str(pieces[(rng.next() % pieces.len() as u64) as usize]);
            }
            for min in [0, 1, 2, 7, 20, 60, 61, usize::MAX] {
                let counted = passage.len() >= min && passage.chars().count() >= min;
                assert_eq!(has_chars(&passage, min), counted, "{passage:?} {min}");
            }
        }
        // Runs of one width, up to four bytes a character, around the byte bound.
        for piece in ["a", "ä", "€", "😀"] {
            for count in 0..300 {
                let passage = piece.repeat(count);
                for min in [1, 59, 60, 61, 75] {
                    assert_eq!(has_chars(&passage, min), count >= min, "{passage:?} {min}");
                }
            }
        }
    }

    /// German words for generated test texts (also used by `global`'s tests).
    pub(crate) const VOCAB: &[&str] = &[
        "Regierung",
        "sagte",
        "am",
        "Montag",
        "in",
        "Berlin",
        "die",
        "Kanzlerin",
        "Wirtschaft",
        "wächst",
        "langsamer",
        "als",
        "erwartet",
        "Experten",
        "warnen",
        "vor",
        "höheren",
        "Preisen",
        "für",
        "Energie",
        "und",
        "Lebensmittel",
        "während",
        "Gewerkschaften",
        "mehr",
        "Lohn",
        "fordern",
        "Opposition",
        "kritisiert",
        "Haushalt",
        "scharf",
        "Bund",
        "Länder",
        "streiten",
        "über",
        "Geld",
        "Schulen",
        "Straßen",
        "Brücken",
        "Bahn",
        "verspätet",
        "sich",
        "erneut",
        "Pendler",
        "ärgern",
        "Minister",
        "verspricht",
        "Besserung",
        "bis",
        "Jahresende",
        "Zahlen",
        "zeigen",
        "deutlich",
        "weniger",
        "Aufträge",
        "Industrie",
        "Export",
        "China",
        "Amerika",
        "Zölle",
    ];

    /// A pseudo-random text of `n` words from `VOCAB`, the same for the same `seed`.
    fn words(seed: u64, n: usize) -> Vec<String> {
        let mut state = seed;
        (0..n)
            .map(|_| {
                state = crate::minhash::mix64(state.wrapping_add(0x9e37_79b9_7f4a_7c15));
                VOCAB[(state % VOCAB.len() as u64) as usize].to_owned()
            })
            .collect()
    }

    fn stage(action: Action) -> Dedupe {
        Dedupe::new(&DedupConfig {
            action,
            ..DedupConfig::default()
        })
        .unwrap()
    }

    fn annotation(verdict: &Verdict) -> &Value {
        match verdict {
            Verdict::Keep(doc) => &doc.annotations[keys::DEDUP],
            Verdict::Drop(d) => &d.doc.annotations[keys::DEDUP],
        }
    }

    fn run(stage: &mut Dedupe, id: &str, text: &str) -> Verdict {
        stage.process(Document::new(id, text)).unwrap()
    }

    #[test]
    fn case_whitespace_and_punctuation_do_not_matter() {
        let mut s = stage(Action::Drop);
        let a = run(
            &mut s,
            "a",
            "Die Bahn verspätet sich erneut. Pendler ärgern sich!",
        );
        assert_eq!(annotation(&a)["status"], "unique");
        let b = run(
            &mut s,
            "b",
            "die BAHN  verspätet sich erneut –\n\npendler ärgern sich",
        );
        let Verdict::Drop(dropped) = b else {
            panic!("not dropped")
        };
        assert_eq!(dropped.reason, REASON_EXACT);
        assert_eq!(dropped.detail, "same text as a");
        let value = &dropped.doc.annotations[keys::DEDUP];
        assert_eq!(value["status"], "exact_duplicate");
        assert_eq!(value["duplicate_of"], "a");
        assert_eq!(value["similarity"], 1.0);
    }

    #[test]
    fn a_few_changed_words_make_a_near_duplicate() {
        let original = words(1, 400);
        let mut copy = original.clone();
        for i in [40, 120, 200, 280, 360] {
            copy[i] = "Änderung".to_owned();
        }
        let mut s = stage(Action::Drop);
        run(&mut s, "orig", &original.join(" "));
        let Verdict::Drop(dropped) = run(&mut s, "copy", &copy.join(" ")) else {
            panic!("near duplicate not dropped")
        };
        assert_eq!(dropped.reason, REASON_NEAR);
        let value = &dropped.doc.annotations[keys::DEDUP];
        assert_eq!(value["status"], "near_duplicate");
        assert_eq!(value["duplicate_of"], "orig");
        let sim = value["similarity"].as_f64().unwrap();
        // 5 edits break 25 of 396 shingles: Jaccard 371 / 421 ≈ 0.88.
        assert!((0.8..1.0).contains(&sim), "similarity {sim}");
        assert_eq!(
            dropped.detail,
            format!("near duplicate of orig (similarity {sim:.2} ≥ threshold 0.80)")
        );
    }

    #[test]
    fn unrelated_texts_are_unique() {
        let mut s = stage(Action::Drop);
        for seed in 0..20 {
            let v = run(&mut s, &format!("d{seed}"), &words(seed, 200).join(" "));
            assert!(matches!(v, Verdict::Keep(_)));
            let value = annotation(&v);
            assert_eq!(value["status"], "unique");
            assert_eq!(value["duplicate_of"], Value::Null);
            assert_eq!(value["similarity"], Value::Null);
        }
        assert_eq!(s.index().len(), 20);
    }

    #[test]
    fn the_index_memory_reported_is_the_index_s_and_grows_with_kept_documents() {
        let mut s = stage(Action::Drop);
        let mut reported = Vec::new();
        for seed in 0..200 {
            run(&mut s, &format!("d{seed}"), &words(seed, 200).join(" "));
            reported.push(s.index_bytes());
        }
        assert_eq!(reported[199], s.index().memory_bytes() as u64);
        assert!(reported[199] > reported[9], "{reported:?}");
        // A duplicate is not indexed.
        run(&mut s, "copy", &words(7, 200).join(" "));
        assert_eq!(s.index_bytes(), reported[199]);
    }

    #[test]
    fn an_index_spilled_to_disk_decides_like_one_in_memory() {
        let docs = crate::global::tests::corpus(11, 600);
        let dir = tempfile::tempdir().unwrap();
        let decide = |s: &mut Dedupe| -> Vec<String> {
            docs.iter()
                .map(|(id, text)| match run(s, id, text) {
                    Verdict::Keep(doc) => format!("keep {}", doc.annotations[keys::DEDUP]),
                    Verdict::Drop(d) => format!(
                        "drop {} {} {}",
                        d.reason,
                        d.detail,
                        d.doc.annotations[keys::DEDUP]
                    ),
                })
                .collect()
        };
        let in_memory = decide(&mut stage(Action::Drop));
        // A budget of 16 KB: ids, records, exact keys, band and passage entries and sets of
        // all but the newest few dozen documents go to disk.
        let mut spilling = stage(Action::Drop);
        spilling.spill_to(&dir.path().join("shingles.bin"), 16 << 10);
        let spilled = decide(&mut spilling);
        assert!(spilling.index().memory_bytes() < 64 << 10);
        for file in ["shingles.bin", "ids.bin", "documents.bin"] {
            assert!(dir.path().join(file).exists(), "{file}");
        }
        for prefix in ["exact-", "bands-", "passages-"] {
            let runs = std::fs::read_dir(dir.path())
                .unwrap()
                .filter(|e| {
                    let name = e.as_ref().unwrap().file_name();
                    name.to_string_lossy().starts_with(prefix)
                })
                .count();
            assert!(runs > 0, "no {prefix} run");
        }
        let kinds = |v: &[String], what: &str| v.iter().filter(|d| d.contains(what)).count();
        assert!(kinds(&in_memory, "exact_duplicate") > 50, "{in_memory:?}");
        assert!(kinds(&in_memory, "near_duplicate") > 50);
        assert!(kinds(&in_memory, "\"also_in\"") > 50);
        for (i, (a, b)) in in_memory.iter().zip(&spilled).enumerate() {
            assert_eq!(a, b, "document {i}");
        }
        // Its key filters kept within 4 KB (a few blocks a run), folded again and again:
        // the same decisions.
        let dir = tempfile::tempdir().unwrap();
        let mut folding = stage(Action::Drop);
        folding.spill_to(&dir.path().join("shingles.bin"), 16 << 10);
        folding.limit_filters(4 << 10);
        let folded = decide(&mut folding);
        assert!(folding.index_folds() > 10, "{}", folding.index_folds());
        let filter_bytes = folding.index().filter_bytes();
        assert!(filter_bytes <= 4 << 10, "{filter_bytes}");
        for (i, (a, b)) in in_memory.iter().zip(&folded).enumerate() {
            assert_eq!(a, b, "document {i}");
        }
    }

    #[test]
    fn mark_keeps_duplicates_with_their_status() {
        let text = words(7, 300).join(" ");
        let mut near = words(7, 300);
        near[150] = "anders".to_owned();
        let near = near.join(" ");
        let mut s = stage(Action::Mark);
        for (id, t) in [("a", &text), ("b", &text), ("c", &near)] {
            let v = run(&mut s, id, t);
            assert!(matches!(v, Verdict::Keep(_)), "{id} dropped");
        }
        let mut s = stage(Action::Mark);
        run(&mut s, "a", &text);
        assert_eq!(
            annotation(&run(&mut s, "b", &text))["status"],
            "exact_duplicate"
        );
        let c = run(&mut s, "c", &near);
        assert_eq!(annotation(&c)["status"], "near_duplicate");
        assert_eq!(annotation(&c)["duplicate_of"], "a");
        // Duplicates are not indexed, in either mode.
        assert_eq!(s.index().len(), 1);
    }

    #[test]
    fn results_are_deterministic_and_the_first_is_kept() {
        let base = words(3, 300);
        let mut inputs: Vec<(String, String)> = Vec::new();
        for i in 0..12 {
            let mut w = if i % 3 == 0 {
                words(100 + i, 300)
            } else {
                base.clone()
            };
            if i % 3 == 2 {
                w[i as usize * 7] = "Zwischenruf".to_owned();
            }
            inputs.push((format!("doc{i}"), w.join(" ")));
        }
        let outputs = || -> Vec<String> {
            let mut s = stage(Action::Drop);
            inputs
                .iter()
                .map(|(id, t)| {
                    let v = run(&mut s, id, t);
                    format!("{}", annotation(&v))
                })
                .collect()
        };
        let first = outputs();
        assert_eq!(first, outputs());
        assert_eq!(first, outputs());
        // doc1 is the first with `base`; doc2, doc4, doc5, … repeat it.
        assert!(first[1].contains("\"status\":\"unique\""), "{}", first[1]);
        for i in [2, 4, 5, 7, 8, 10, 11] {
            assert!(
                first[i].contains("\"duplicate_of\":\"doc1\""),
                "{i}: {}",
                first[i]
            );
        }
    }

    #[test]
    fn repeated_sentence_is_found_with_char_offsets() {
        let shared = "Die Regierung in Berlin kündigte am Montag überraschend an, die Zölle \
                      für Stahl aus Übersee zu senken.";
        assert!(shared.chars().count() >= 100);
        let short = "Das ist kurz genug, um nicht zu zählen.";
        let a = format!("Ärger über Brücken und Straßen in Köln. {shared} {short}\n\nEnde.");
        let b = format!(
            "Größere Änderungen stehen bevor, sagt der Bürgermeister. {short} {shared} \
             Mehr dazu später."
        );
        let mut s = stage(Action::Drop);
        let va = run(&mut s, "a", &a);
        assert_eq!(annotation(&va)["repeated_spans"], json!([]));
        let vb = run(&mut s, "b", &b);
        let value = annotation(&vb);
        assert_eq!(value["status"], "unique");
        let spans = value["repeated_spans"].as_array().unwrap();
        assert_eq!(spans.len(), 1, "{spans:?}");
        let start = spans[0]["start"].as_u64().unwrap() as usize;
        let end = spans[0]["end"].as_u64().unwrap() as usize;
        let got: String = b.chars().skip(start).take(end - start).collect();
        assert_eq!(got, shared);
        assert_eq!(spans[0]["also_in"], "a");
        // The offsets count characters, not bytes.
        assert_eq!(start, b[..b.find(shared).unwrap()].chars().count());
        assert_ne!(start, b.find(shared).unwrap());
    }

    #[test]
    fn repeated_paragraph_is_one_span_and_never_its_own() {
        let para = "Gewerkschaften fordern mehr Lohn, während die Preise für Energie und \
                    Lebensmittel weiter steigen. Die Regierung verspricht Besserung.";
        // A paragraph repeated inside one document is not reported against itself.
        let a = format!("{para}\n\n{para}\n\nSchluss mit dem ersten Text.");
        let b = format!("Ganz anderer Anfang hier, ohne Bezug.\n\n{para}");
        let mut s = stage(Action::Drop);
        assert_eq!(
            annotation(&run(&mut s, "a", &a))["repeated_spans"],
            json!([])
        );
        let vb = run(&mut s, "b", &b);
        let spans = annotation(&vb)["repeated_spans"].clone();
        let start = b.chars().count() - para.chars().count();
        assert_eq!(
            spans,
            json!([{"start": start, "end": b.chars().count(), "also_in": "a", "kind": "paragraph"}])
        );
    }

    /// Each document's annotation and drop, with the stage's preparation run before it
    /// (as the runtime does) or not.
    fn decisions(cfg: &DedupConfig, docs: &[(String, String)], prepared: bool) -> Vec<String> {
        let mut stage = Dedupe::new(cfg).unwrap();
        let preparation = cfg.preparation().expect("dedupe has a preparation");
        let mut sketcher = preparation.build(&BuildContext::default()).unwrap();
        docs.iter()
            .map(|(id, text)| {
                let mut doc = Document::new(id, text);
                if prepared {
                    let Verdict::Keep(ready) = sketcher.process(doc).unwrap() else {
                        panic!("the preparation keeps every document")
                    };
                    assert!(!ready.prepared.is_empty());
                    doc = ready;
                }
                match stage.process(doc).unwrap() {
                    Verdict::Keep(doc) => format!("{}", doc.annotations[keys::DEDUP]),
                    Verdict::Drop(d) => format!(
                        "{} {}: {}",
                        d.doc.annotations[keys::DEDUP],
                        d.reason,
                        d.detail
                    ),
                }
            })
            .collect()
    }

    #[test]
    fn prepared_sketches_decide_like_the_stage_alone() {
        let docs = crate::global::tests::corpus(11, 400);
        for cfg in [
            DedupConfig::default(),
            DedupConfig {
                repeated_spans: false,
                ..DedupConfig::default()
            },
        ] {
            let alone = decisions(&cfg, &docs, false);
            assert_eq!(decisions(&cfg, &docs, true), alone);
            // The corpus has every kind of finding, so the comparison covers them.
            for kind in ["exact_duplicate", "near_duplicate", "\"unique\""] {
                assert!(alone.iter().any(|d| d.contains(kind)), "{kind}");
            }
        }
        let spans = decisions(&DedupConfig::default(), &docs, true);
        assert!(spans.iter().any(|d| d.contains("\"also_in\"")));
    }

    #[test]
    fn a_sketch_of_another_text_is_not_used() {
        let mut s = stage(Action::Drop);
        let text = "Die Regierung sagte am Montag in Berlin, die Wirtschaft wachse langsamer.";
        run(&mut s, "a", text);
        let mut sketcher = Sketcher {
            fingerprinter: Fingerprinter::new(&DedupConfig::default()),
        };
        let Verdict::Keep(mut other) = sketcher
            .process(Document::new("x", "Ganz andere Worte über das Wetter."))
            .unwrap()
        else {
            panic!("kept")
        };
        // The copy of `a` carries the sketch of another, shorter text.
        let mut copy = Document::new("b", text);
        copy.prepared = std::mem::take(&mut other.prepared);
        let Verdict::Drop(dropped) = s.process(copy).unwrap() else {
            panic!("the copy is found although its sketch belongs to another text")
        };
        assert_eq!(dropped.reason, REASON_EXACT);
    }

    #[test]
    fn piecewise_normalisation_equals_whole_text() {
        let texts = [
            "",
            "  Erster Satz. Zweiter Satz! „Dritter?“ Er fragte.\n\n\nNeuer Absatz… Ende",
            "Ein Absatz ohne Punkt\n\n  \n\nGru\u{308}ße. Straße!",
        ];
        for text in texts {
            let mut f = Fingerprinter::new(&DedupConfig::default());
            f.find_passages(text, &mut Vec::new());
            assert_eq!(f.norm, crate::normalize(text).as_bytes(), "{text:?}");
        }
    }

    #[test]
    fn spans_can_be_turned_off() {
        let mut s = Dedupe::new(&DedupConfig {
            repeated_spans: false,
            ..DedupConfig::default()
        })
        .unwrap();
        let para = "Gewerkschaften fordern mehr Lohn, während die Preise für Energie und \
                    Lebensmittel weiter steigen.";
        run(&mut s, "a", &format!("Eins.\n\n{para}"));
        let v = run(&mut s, "b", &format!("Zwei.\n\n{para}"));
        assert_eq!(annotation(&v)["repeated_spans"], json!([]));
    }

    /// `n` paragraphs of pseudo-random words, 60 words each.
    fn paragraphs_of(seed: u64, n: usize) -> Vec<String> {
        (0..n)
            .map(|i| words(seed * 100 + i as u64, 60).join(" ") + ".")
            .collect()
    }

    fn near_of(s: &mut Dedupe, id: &str, text: &str) -> Option<(String, f64)> {
        let v = run(s, id, text);
        let a = annotation(&v);
        (a["status"] == "near_duplicate").then(|| {
            (
                a["duplicate_of"].as_str().unwrap().to_owned(),
                a["similarity"].as_f64().unwrap(),
            )
        })
    }

    #[test]
    fn near_duplicates_by_edit_type() {
        let paras = paragraphs_of(11, 8);
        let original = paras.join("\n\n");
        let mut s = stage(Action::Mark);
        run(&mut s, "orig", &original);
        // Boilerplate lines added above and below.
        let boiler = format!(
            "Kostenlose Beratung\n\nNewsletter abonnieren\n\n{original}\n\nArtikel drucken"
        );
        let (of, sim) = near_of(&mut s, "boiler", &boiler).expect("boilerplate copy");
        assert_eq!(of, "orig");
        assert!(sim < 1.0);
        // Paragraphs in another order: only the shingles across paragraph ends change.
        let mut shuffled = paras.clone();
        shuffled.reverse();
        let (of, sim) = near_of(&mut s, "reordered", &shuffled.join("\n\n")).expect("reordered");
        assert_eq!(of, "orig");
        assert!(sim >= 0.8, "similarity {sim}");
        // Truncated to 5 of 8 paragraphs: Jaccard ≈ 0.62, but fully contained.
        let (of, sim) = near_of(&mut s, "truncated", &paras[..5].join("\n\n")).expect("truncated");
        assert_eq!(of, "orig");
        assert!((0.5..0.8).contains(&sim), "similarity {sim}");
        // Truncated to 3 of 8: contained, but below `containment_min_jaccard`.
        assert_eq!(near_of(&mut s, "stub", &paras[..3].join("\n\n")), None);
        // The first half of one text and the second half of another: neither.
        let other = paragraphs_of(12, 8);
        let mixed = [&paras[..4], &other[4..]].concat().join("\n\n");
        assert_eq!(near_of(&mut s, "mixed", &mixed), None);
    }

    #[test]
    fn the_detail_names_the_containment_rule() {
        let paras = paragraphs_of(21, 8);
        let mut s = stage(Action::Drop);
        run(&mut s, "full", &paras.join("\n\n"));
        let Verdict::Drop(d) = run(&mut s, "part", &paras[..5].join("\n\n")) else {
            panic!("truncated copy kept")
        };
        assert_eq!(d.reason, REASON_NEAR);
        assert!(
            d.detail
                .starts_with("near duplicate of full (containment 1.00 ≥ 0.90, similarity 0.6"),
            "{}",
            d.detail
        );
    }

    #[test]
    fn a_quotation_shared_by_two_seeds_is_a_repeated_span() {
        let first = include_str!("../../../seeds/000_4cc634fd74ce4d48.txt");
        let second = include_str!("../../../seeds/002_1a67b9573dd5dde7.txt");
        let quote = "Die Welt weiß sehr gut, was die USA tun, nachdem sie andere gezwungen \
                     haben, ihr Atomprogramm aufzugeben und abzurüsten";
        let mut s = stage(Action::Drop);
        let v1 = run(&mut s, "000", first);
        assert_eq!(annotation(&v1)["status"], "unique");
        let v2 = run(&mut s, "002", second);
        let a = annotation(&v2);
        assert_eq!(a["status"], "unique", "two articles, both kept");
        let spans: Vec<(String, String)> = a["repeated_spans"]
            .as_array()
            .unwrap()
            .iter()
            .map(|sp| {
                let (start, end) = (sp["start"].as_u64().unwrap(), sp["end"].as_u64().unwrap());
                let text: String = second
                    .chars()
                    .skip(start as usize)
                    .take((end - start) as usize)
                    .collect();
                (text, sp["also_in"].as_str().unwrap().to_owned())
            })
            .collect();
        assert!(
            spans.contains(&(quote.to_owned(), "000".to_owned())),
            "{spans:#?}"
        );
        // In 000 the quotation ends with a full stop inside the marks; that is the same
        // passage after normalisation, and it is not marked in 000 itself.
        assert!(first.contains(&format!("„{quote}.\"")));
        assert_eq!(annotation(&v1)["repeated_spans"], json!([]));
    }

    #[test]
    fn rank_order_gives_the_same_output_for_any_input_order() {
        let base = paragraphs_of(31, 6);
        let mut docs: Vec<Document> = (0..9)
            .map(|i| {
                let text = match i % 3 {
                    0 => paragraphs_of(40 + i, 6).join("\n\n"),
                    1 => base.join("\n\n"),
                    _ => base[..5].join("\n\n"),
                };
                let mut doc = Document::new(format!("doc{i}"), text);
                doc.metadata
                    .insert("published".into(), json!(format!("2025-01-{:02}", 9 - i)));
                doc
            })
            .collect();
        let output = |docs: &[Document]| -> Vec<String> {
            let mut sorted = docs.to_vec();
            sorted.sort_by_cached_key(crate::rank_key);
            let mut s = stage(Action::Mark);
            let mut out: Vec<String> = sorted
                .into_iter()
                .map(|d| {
                    let v = s.process(d).unwrap();
                    let Verdict::Keep(d) = v else {
                        panic!("mark keeps")
                    };
                    format!("{} {}", d.id, d.annotations[keys::DEDUP])
                })
                .collect();
            out.sort();
            out
        };
        let first = output(&docs);
        for seed in 0..5u64 {
            // A seeded Fisher–Yates shuffle.
            for i in (1..docs.len()).rev() {
                let j = (crate::minhash::mix64(seed * 31 + i as u64) % (i as u64 + 1)) as usize;
                docs.swap(i, j);
            }
            assert_eq!(output(&docs), first, "shuffle {seed}");
        }
        // The earliest published of the group is kept: doc8 (2025-01-01, the truncated
        // copy); doc7 (the full text, 2025-01-02) and the others name it.
        assert!(first
            .iter()
            .any(|l| l.starts_with("doc8 ") && l.contains("\"unique\"")));
        for dup in ["doc7 ", "doc5 ", "doc1 "] {
            assert!(
                first
                    .iter()
                    .any(|l| l.starts_with(dup) && l.contains("\"duplicate_of\":\"doc8\"")),
                "{dup}: {first:#?}"
            );
        }
    }

    #[test]
    fn remembered_documents_are_found_as_originals() {
        let mut s = stage(Action::Drop);
        let text = words(7, 300).join(" ");
        s.remember(&Document::new("old", text.clone())).unwrap();
        let verdict = run(&mut s, "new", &text);
        match verdict {
            Verdict::Drop(dropped) => assert_eq!(dropped.detail, "same text as old"),
            Verdict::Keep(_) => panic!("a copy of a remembered document is a duplicate"),
        }
    }

    #[test]
    fn empty_texts() {
        let mut s = stage(Action::Drop);
        let v = run(&mut s, "e1", "");
        assert_eq!(
            *annotation(&v),
            json!({"status": "unique", "duplicate_of": null, "similarity": null,
                   "repeated_spans": []})
        );
        // Only punctuation normalises to the same empty text.
        let Verdict::Drop(d) = run(&mut s, "e2", " … !\n\n") else {
            panic!("kept")
        };
        assert_eq!(d.detail, "same text as e1");
        // A text without words is never a near-duplicate candidate.
        let v = run(&mut s, "w", "Wort");
        assert_eq!(annotation(&v)["status"], "unique");
    }

    #[test]
    fn repeated_paragraphs_and_sentences_can_be_removed() {
        let p1 = "Die Regierung in Berlin hat am Montag einen neuen Haushalt vorgelegt, der \
                  deutlich weniger Geld für Straßen und Brücken vorsieht als erwartet.";
        let s1 = "Experten warnen vor höheren Preisen für Energie und Lebensmittel in den \
                  kommenden Monaten des Jahres.";
        let quote = "„Wir werden nicht nachgeben, solange die Preise für Energie weiter steigen“";
        let a = format!(
            "{p1}\n\n{s1} Die Opposition kritisiert den Haushalt scharf und fordert mehr \
             Geld für Schulen.\n\nDer Minister sagte {quote}, und ging."
        );
        let b = format!(
            "Ein ganz anderer Anfang über die Bahn, die sich erneut verspätet hat, so dass \
             Pendler sich ärgern.\n\n{p1}\n\n{s1} Gewerkschaften fordern mehr Lohn für \
             alle Beschäftigten im Land.\n\nDie Ministerin erklärte {quote} am Dienstag."
        );
        let mut s = Dedupe::new(&DedupConfig {
            remove_repeated: true,
            ..DedupConfig::default()
        })
        .unwrap();
        run(&mut s, "a", &a);
        let Verdict::Keep(doc) = run(&mut s, "b", &b) else {
            panic!("b is not a duplicate")
        };
        assert!(
            !doc.text.contains(p1) && !doc.text.contains(s1),
            "{}",
            doc.text
        );
        assert!(doc.text.starts_with("Ein ganz anderer Anfang"));
        assert!(
            doc.text.contains("\n\nGewerkschaften fordern"),
            "{}",
            doc.text
        );
        let dedup = &doc.annotations[keys::DEDUP];
        let removed = dedup["removed"].as_array().unwrap();
        let texts: Vec<(&str, &str, &str)> = removed
            .iter()
            .map(|r| {
                (
                    r["kind"].as_str().unwrap(),
                    r["text"].as_str().unwrap(),
                    r["also_in"].as_str().unwrap(),
                )
            })
            .collect();
        assert_eq!(texts, [("paragraph", p1, "a"), ("sentence", s1, "a")]);
        // `at` is where the passage stood in the new text.
        let chars: Vec<char> = doc.text.chars().collect();
        let at = |i: usize| removed[i]["at"].as_u64().unwrap() as usize;
        assert_eq!(
            chars[at(0)..].iter().take(12).collect::<String>(),
            "Gewerkschaft"
        );
        assert_eq!(at(0), at(1));
        let spans = dedup["repeated_spans"].as_array().unwrap();
        assert_eq!(spans.len(), 1);
        assert_eq!(spans[0]["kind"], "quote");
        let (start, end) = (
            spans[0]["start"].as_u64().unwrap() as usize,
            spans[0]["end"].as_u64().unwrap() as usize,
        );
        assert!(quote.contains(&chars[start..end].iter().collect::<String>()));

        // Nothing left but a repeated paragraph: rejected with its own reason.
        let Verdict::Drop(dropped) = run(&mut s, "c", p1) else {
            panic!("an all-repeated document is kept")
        };
        assert_eq!(dropped.reason, REASON_ALL_REPEATED);
        assert!(dropped.detail.contains("(first: a)"), "{}", dropped.detail);
    }
}
