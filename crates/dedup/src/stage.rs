//! The `dedupe` stage itself.

use pipeline_core::{keys, text::byte_to_char_offsets, Document, Stage, StageError, Verdict};
use serde_json::{json, Value};
use xxhash_rust::xxh3::{xxh3_128, xxh3_64};

use crate::config::{Action, DedupConfig};
use crate::error::Result;
use crate::index::DedupIndex;
use crate::minhash::MinHasher;
use crate::normalize::{normalize_append, normalize_into};
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

/// What [`Dedupe::examine`] found about one document.
#[derive(Debug)]
struct Finding {
    status: Status,
    /// The kept document it duplicates, with the similarity.
    of: Option<(u32, f64)>,
    spans: Vec<RepeatedSpan>,
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
            span_hashes: Vec::new(),
        })
    }

    /// The index of kept documents built so far.
    pub fn index(&self) -> &DedupIndex {
        &self.index
    }

    /// Finds what `text` duplicates and, when it is unique, indexes it under `id`.
    fn examine(&mut self, id: &str, text: &str) -> Result<Finding> {
        // One normalisation pass serves the exact key, the shingles and the passages.
        let spans = if self.repeated_spans {
            self.normalize_and_find_spans(text)
        } else {
            normalize_into(text, &mut self.norm, &mut self.words);
            Vec::new()
        };
        let key = xxh3_128(self.norm.as_bytes());
        if let Some(doc) = self.index.find_exact(key) {
            return Ok(Finding {
                status: Status::ExactDuplicate,
                of: Some((doc, 1.0)),
                spans,
            });
        }
        let has_words = self
            .hasher
            .signature(&self.norm, &self.words, &mut self.sig);
        if has_words {
            if let Some(found) = self.index.find_near(&self.sig, self.threshold) {
                return Ok(Finding {
                    status: Status::NearDuplicate,
                    of: Some(found),
                    spans,
                });
            }
        }
        let sig = has_words.then_some(self.sig.as_slice());
        self.index.insert(id, key, sig, &self.span_hashes)?;
        Ok(Finding {
            status: Status::Unique,
            of: None,
            spans,
        })
    }

    /// Normalises `text` into `self.norm` and `self.words` piece by piece (sentence by
    /// sentence), and returns the passages of `text` an earlier kept document had, in order
    /// and not overlapping: a repeated paragraph is one span, otherwise its repeated
    /// sentences are. Leaves the hashes of all long-enough passages in `self.span_hashes`
    /// for indexing.
    fn normalize_and_find_spans(&mut self, text: &str) -> Vec<RepeatedSpan> {
        self.norm.clear();
        self.words.clear();
        self.span_hashes.clear();
        let mut found: Vec<(usize, usize, u32)> = Vec::new();
        let mut sentence_hits: Vec<(usize, usize, u32)> = Vec::new();
        for para in paragraphs(text) {
            let para_words = self.words.len();
            sentence_hits.clear();
            for &range in &para.sentences {
                let first = self.words.len();
                normalize_append(&text[range.0..range.1], &mut self.norm, &mut self.words);
                if let Some(doc) = self.check_span(text, range, first) {
                    sentence_hits.push((range.0, range.1, doc));
                }
            }
            if para.sentences.is_empty() {
                let (s, e) = para.range;
                normalize_append(&text[s..e], &mut self.norm, &mut self.words);
            }
            match self.check_span(text, para.range, para_words) {
                Some(doc) => found.push((para.range.0, para.range.1, doc)),
                None => found.extend_from_slice(&sentence_hits),
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

    /// For the passage `range` of `text`, whose normalised words are `self.words[first..]`:
    /// if it is long enough, hashes it, remembers the hash for indexing, and returns the
    /// earlier document that had it.
    fn check_span(&mut self, text: &str, range: (usize, usize), first: usize) -> Option<u32> {
        let passage = &text[range.0..range.1];
        // Bytes bound chars from above: skip the count for clearly short passages.
        if passage.len() < self.min_span_chars || passage.chars().count() < self.min_span_chars {
            return None;
        }
        let (start, end) = match (self.words.get(first), self.words.last()) {
            (Some(&(start, _)), Some(&(_, end))) => (start as usize, end as usize),
            _ => return None,
        };
        let h = xxh3_64(&self.norm.as_bytes()[start..end]);
        self.span_hashes.push(h);
        self.index.find_span(h)
    }

    fn annotation(&self, finding: &Finding) -> Value {
        let spans: Vec<Value> = finding
            .spans
            .iter()
            .map(|s| {
                json!({
                    fields::START: s.start,
                    fields::END: s.end,
                    fields::ALSO_IN: self.index.id(s.also_in),
                })
            })
            .collect();
        let (dup, sim) = match finding.of {
            Some((doc, sim)) => (
                Value::from(self.index.id(doc)),
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
}

impl Stage for Dedupe {
    /// Classifies `doc`, annotates it, indexes it when unique, and keeps it unless it is a
    /// duplicate and `action = "drop"`. Fails (fatally) only when the index is full.
    fn process(&mut self, mut doc: Document) -> std::result::Result<Verdict, StageError> {
        let finding = self.examine(&doc.id, &doc.text)?;
        let value = self.annotation(&finding);
        doc.annotations.insert(keys::DEDUP.to_owned(), value);
        match (finding.status, finding.of, self.action) {
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

#[cfg(test)]
mod tests {
    use super::*;

    const VOCAB: &[&str] = &[
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
            json!([{"start": start, "end": b.chars().count(), "also_in": "a"}])
        );
    }

    #[test]
    fn piecewise_normalisation_equals_whole_text() {
        let texts = [
            "",
            "  Erster Satz. Zweiter Satz! „Dritter?“ Er fragte.\n\n\nNeuer Absatz… Ende",
            "Ein Absatz ohne Punkt\n\n  \n\nGru\u{308}ße. Straße!",
        ];
        for text in texts {
            let mut s = stage(Action::Drop);
            s.normalize_and_find_spans(text);
            assert_eq!(s.norm, crate::normalize(text), "{text:?}");
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
}
