//! The in-memory index of kept documents: exact keys, LSH band tables, shingle sets for
//! verification, and hashes of passages (paragraphs, sentences, quotations).
//!
//! Documents are named by a `u32` number (their position among indexed documents); their
//! ids and fixed records are kept in [`crate::records`]. Documents an earlier run indexed
//! are loaded from the persistent index ([`crate::store`]) at start, their shingle sets
//! staying on disk.
//!
//! # Memory per indexed document
//!
//! With `B = bands`, `W` distinct shingles (≈ words) and `S` passages of at least
//! `min_span_chars`, a kept document costs about
//!
//! | table | bytes in memory |
//! |---|---|
//! | id and record (id, set, low half of the exact key) | `len(id) + 32` up to 1/32 of `spill_after_mb`, then 0 |
//! | exact key (high half) | 36 up to 1/32 of `spill_after_mb`, then 1.75 |
//! | shingle set `u32 × W` | `4 × W` up to a quarter of `spill_after_mb`, then 0 |
//! | band entries | `B × 36` up to a quarter of `spill_after_mb`, then `B × 1.75` |
//! | passage entries | `S × 36` up to a quarter of `spill_after_mb`, then `S × 1.75` |
//!
//! Without spilling (no state folder, or `spill_after_mb = 0`) everything stays in memory.
//! Beyond the budget, entries live in sorted runs on disk with a key filter in memory
//! ([`crate::table`]), and ids, records and sets in files, so memory grows by
//! `1.75 × (B + S + 1)` bytes per kept document (about 90 for a news article; 150 before
//! ids, records and exact keys moved to disk too) instead of well over a kilobyte.
//! [`DedupIndex::memory_bytes`] measures the real figure from the tables' capacities.
//! Duplicates are not indexed and cost nothing.

use std::path::Path;

use crate::error::{Error, Result};
use crate::minhash::similarity;
use crate::records::{Documents, SetPlace, SpillLog};
use crate::table::KeyTable;

/// Marks the end of a band chain.
const NO_DOC: u32 = u32::MAX;

/// How many documents of one band bucket are looked at as candidates, at most. A bucket
/// holds documents that agree on `rows` signature values; a long chain means many kept
/// documents that are alike yet below the threshold (boilerplate-heavy short texts), and
/// walking it all would make the stage quadratic.
const MAX_CHAIN: usize = 256;

/// When a verified candidate counts as a near duplicate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NearRule {
    /// Smallest exact Jaccard similarity of the shingle sets.
    pub jaccard: f64,
    /// Smallest containment (shared shingles ÷ those of the smaller set) that also makes a
    /// near duplicate, when the Jaccard similarity is at least `containment_min_jaccard`.
    pub containment: f64,
    /// Smallest Jaccard similarity for the containment rule.
    pub containment_min_jaccard: f64,
}

impl NearRule {
    /// Whether a pair with this Jaccard similarity and containment is a near duplicate.
    pub fn accepts(&self, jaccard: f64, containment: f64) -> bool {
        jaccard >= self.jaccard
            || (containment >= self.containment && jaccard >= self.containment_min_jaccard)
    }
}

/// A verified near duplicate found by [`DedupIndex::find_near`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Near {
    /// The indexed document.
    pub doc: u32,
    /// Exact Jaccard similarity of the two shingle sets.
    pub jaccard: f64,
    /// Shared shingles ÷ shingles of the smaller set.
    pub containment: f64,
}

/// Where the shingle sets of documents loaded from the persistent index are read from.
pub(crate) trait SetSource: Send + std::fmt::Debug {
    /// Replaces `out` with the set stored under `number`.
    fn read(&mut self, number: u64, out: &mut Vec<u32>) -> Result<()>;
}

/// The shingle sets of indexed documents made in this run, one after another, the oldest
/// moving to a file once the part in memory exceeds a budget; and the source of those the
/// persistent index holds.
#[derive(Debug, Default)]
struct ShingleStore {
    source: Option<Box<dyn SetSource>>,
    values: SpillLog<u32>,
    /// Scratch for sets read from `source`.
    recalled: Vec<u32>,
}

impl ShingleStore {
    /// Appends `set` and tells where it is.
    fn push(&mut self, set: &[u32]) -> Result<SetPlace> {
        let start = self.values.len();
        self.values.append(set)?;
        Ok(SetPlace::Stored {
            start,
            // Sets hold at most one value per word of a document held in memory.
            len: u32::try_from(set.len()).unwrap_or(u32::MAX),
        })
    }

    /// The set at `place`.
    fn get(&mut self, place: SetPlace) -> Result<&[u32]> {
        match place {
            SetPlace::Recalled { number } => {
                let Some(source) = self.source.as_mut() else {
                    return Ok(&[]);
                };
                source.read(number, &mut self.recalled)?;
                Ok(&self.recalled)
            }
            SetPlace::Stored { start, len } => self.values.read(start, len as usize),
        }
    }

    fn memory_bytes(&self) -> usize {
        self.values.memory_bytes() + self.recalled.capacity() * 4
    }
}

/// The index of kept documents. See the module docs for its memory cost.
#[derive(Debug)]
pub struct DedupIndex {
    bands: usize,
    rows: usize,
    /// Each document's id, where its shingle set is, and the low half of its exact key.
    docs: Documents,
    /// High half of the exact key (xxh3-128 of the normalised text) → the documents with
    /// it (each key is indexed once: a text with a key already indexed is a duplicate); the
    /// low half is compared with each document's record.
    exact: KeyTable,
    /// Scratch: the documents sharing the high half of the key asked for.
    exact_hits: Vec<u32>,
    /// (band, band hash) → the documents with it, newest first.
    buckets: KeyTable,
    /// Shingle sets for verifying candidates.
    sets: ShingleStore,
    /// Passage hash → first document that had it.
    spans: KeyTable,
    /// Scratch: candidate documents of the current query.
    candidates: Vec<u32>,
    /// Scratch: the bucket keys of the current query's bands.
    band_buckets: Vec<u64>,
    /// The band keys of the document inserted last (empty when it had no words).
    last_band_keys: Vec<u32>,
    /// The most bytes the runs' key filters may hold, if limited (see
    /// [`Self::limit_filters`]).
    filter_budget: Option<usize>,
    /// Filters folded so far to keep within `filter_budget`.
    folds: u64,
}

impl DedupIndex {
    /// An empty index for signatures of `bands × rows` values, held in memory.
    pub fn new(bands: usize, rows: usize) -> Self {
        DedupIndex {
            bands,
            rows,
            docs: Documents::default(),
            exact: KeyTable::new(),
            exact_hits: Vec::new(),
            buckets: KeyTable::new(),
            sets: ShingleStore::default(),
            spans: KeyTable::new(),
            candidates: Vec::new(),
            band_buckets: Vec::new(),
            last_band_keys: Vec::new(),
            filter_budget: None,
            folds: 0,
        }
    }

    /// Keeps the key filters of the runs on disk within `budget_bytes` (the one part of the
    /// index that grows with the input once it spills, by about 90 bytes per news
    /// article): when they would hold more, the filter with the most bits per key is
    /// folded to half its size ([`crate::filter::KeyFilter::fold`]) until they fit. A fold
    /// costs reads of that run's file for absent keys (4 % of them pass a filter folded
    /// once, two thirds one folded twice, against 0.2 %), so it trades speed for memory only
    /// beyond the budget.
    pub fn limit_filters(&mut self, budget_bytes: usize) {
        self.filter_budget = Some(budget_bytes);
        for table in [&mut self.exact, &mut self.buckets, &mut self.spans] {
            table.limit_filters();
        }
    }

    /// Filters folded so far to keep within [`Self::limit_filters`].
    pub fn filters_folded(&self) -> u64 {
        self.folds
    }

    /// Bytes the key filters of the runs on disk hold.
    pub fn filter_bytes(&self) -> usize {
        self.exact.filter_bytes() + self.buckets.filter_bytes() + self.spans.filter_bytes()
    }

    /// Folds filters until they are within the budget (see [`Self::limit_filters`]).
    fn fit_filters(&mut self) {
        let Some(budget) = self.filter_budget else {
            return;
        };
        while self.filter_bytes() > budget {
            let tables = [&mut self.exact, &mut self.buckets, &mut self.spans];
            let Some((table, run)) = (tables.into_iter())
                .filter_map(|t| t.densest_filter().map(|(rank, run)| (rank, run, t)))
                .max_by_key(|(rank, _, _)| *rank)
                .map(|(_, run, table)| (table, run))
            else {
                return;
            };
            if !table.fold_filter(run) {
                return;
            }
            self.folds += 1;
        }
    }

    /// Keeps about `budget_bytes` of the index in memory: a quarter for shingle sets, moved to
    /// the file `path` (created, or emptied, when first needed) beyond that; a quarter each
    /// for the newest band and passage entries and 1/32 for exact keys, the older ones
    /// moving to sorted runs beside `path` (see [`crate::table`]); and 1/32 for the newest
    /// documents' ids and records, the older ones moving to files beside `path`, with 1/8
    /// more (at most 6.5 MB) caching those read back.
    pub fn spill_to(&mut self, path: &Path, budget_bytes: usize) {
        // A quarter rather than 7/16 since the key filters grew from 10 to 14 bits per key:
        // at 1 GB what they take more is about what the sets give up (peak RSS measured).
        self.sets.values.spill_to(path, budget_bytes / 4);
        let folder = path.parent().unwrap_or(Path::new("."));
        self.buckets.spill_to(folder, "bands", budget_bytes / 4);
        self.spans.spill_to(folder, "passages", budget_bytes / 4);
        self.exact.spill_to(folder, "exact", budget_bytes / 32);
        self.docs
            .spill_to(folder, budget_bytes / 32, budget_bytes / 8);
    }

    /// Number of indexed documents.
    pub fn len(&self) -> usize {
        self.docs.len() as usize
    }

    /// Whether nothing is indexed yet.
    pub fn is_empty(&self) -> bool {
        self.docs.len() == 0
    }

    /// The id of document `doc` (which must be a number this index returned). Fails only
    /// when the part of the index moved to disk cannot be read.
    pub fn id(&mut self, doc: u32) -> Result<String> {
        self.docs.id(doc)
    }

    /// The document indexed under this exact key, if any. Fails only when a part of the
    /// index moved to disk cannot be read.
    pub fn find_exact(&mut self, key: u128) -> Result<Option<u32>> {
        let (high, low) = split(key);
        self.exact_hits.clear();
        self.exact.newest(high, usize::MAX, &mut self.exact_hits)?;
        for i in 0..self.exact_hits.len() {
            let doc = self.exact_hits[i];
            if self.docs.record(doc)?.exact_low == low {
                return Ok(Some(doc));
            }
        }
        Ok(None)
    }

    /// Brings what looking up one document's passage hashes will read first into the cache
    /// (see [`KeyTable::prefetch`]).
    pub(crate) fn prefetch_spans(&self, span_hashes: impl Iterator<Item = u64> + Clone) {
        self.spans.prefetch(span_hashes);
    }

    /// The first document that had this passage hash, if any. Fails only when a part of
    /// the index moved to disk cannot be read.
    pub fn find_span(&mut self, hash: u64) -> Result<Option<u32>> {
        self.spans.first(hash)
    }

    /// Among the indexed documents sharing a band with `sig`, the one with the highest
    /// exact Jaccard similarity to the shingle set `set` that `rule` accepts; ties go to
    /// the older document. Fails only when a spilled set cannot be read.
    pub fn find_near(&mut self, sig: &[u32], set: &[u32], rule: &NearRule) -> Result<Option<Near>> {
        debug_assert_eq!(sig.len(), self.bands * self.rows);
        self.candidates.clear();
        self.band_buckets.clear();
        self.band_buckets
            .extend((0..self.bands).map(|band| bucket(band, band_key(sig, band, self.rows))));
        self.buckets.prefetch(self.band_buckets.iter().copied());
        for &key in &self.band_buckets {
            self.buckets.newest(key, MAX_CHAIN, &mut self.candidates)?;
        }
        self.candidates.sort_unstable();
        self.candidates.dedup();
        let mut best: Option<Near> = None;
        for i in 0..self.candidates.len() {
            let doc = self.candidates[i];
            let place = self.docs.record(doc)?.set;
            let (jaccard, containment) = similarity(set, self.sets.get(place)?);
            if rule.accepts(jaccard, containment)
                && !matches!(best, Some(b) if b.jaccard >= jaccard)
            {
                best = Some(Near {
                    doc,
                    jaccard,
                    containment,
                });
            }
        }
        Ok(best)
    }

    /// Indexes a kept document: its id, exact key, signature and shingle set (`None` when
    /// the text has no word; it then never becomes a near-duplicate candidate) and passage
    /// hashes (a hash already indexed keeps its first document). Returns its number.
    pub fn insert(
        &mut self,
        id: &str,
        key: u128,
        sketch: Option<(&[u32], &[u32])>,
        span_hashes: &[u64],
    ) -> Result<u32> {
        let place = self.sets.push(sketch.map_or(&[], |(_, set)| set))?;
        let doc = self.add(id, key, span_hashes, place)?;
        self.last_band_keys.clear();
        if let Some((sig, _)) = sketch {
            debug_assert_eq!(sig.len(), self.bands * self.rows);
            for band in 0..self.bands {
                let key = band_key(sig, band, self.rows);
                self.buckets.insert(bucket(band, key), doc)?;
                self.last_band_keys.push(key);
            }
        }
        self.fit_filters();
        Ok(doc)
    }

    /// Indexes a document loaded from the persistent index: `band_keys` as
    /// [`band_key`] made them (empty for a text without words), its shingle set stored
    /// under `number` in `source` (see [`Self::read_stored_sets_from`]). Stored documents
    /// come before any other.
    pub(crate) fn insert_stored(
        &mut self,
        id: &str,
        key: u128,
        band_keys: &[u32],
        span_hashes: &[u64],
        number: u64,
    ) -> Result<u32> {
        let doc = self.add(id, key, span_hashes, SetPlace::Recalled { number })?;
        if band_keys.len() == self.bands {
            for (band, &key) in band_keys.iter().enumerate() {
                self.buckets.insert(bucket(band, key), doc)?;
            }
        }
        self.fit_filters();
        Ok(doc)
    }

    /// Reads the shingle sets of stored documents from `source`.
    pub(crate) fn read_stored_sets_from(&mut self, source: Box<dyn SetSource>) {
        self.sets.source = Some(source);
    }

    /// Numbers a new document and indexes its id, exact key and passage hashes.
    fn add(&mut self, id: &str, key: u128, span_hashes: &[u64], set: SetPlace) -> Result<u32> {
        let doc = u32::try_from(self.docs.len())
            .ok()
            .filter(|&d| d != NO_DOC)
            .ok_or(Error::IndexFull {
                docs: self.docs.len(),
            })?;
        let (high, low) = split(key);
        self.docs.push(id, set, low)?;
        self.exact.insert(high, doc)?;
        for &h in span_hashes {
            self.spans.insert_first(h, doc)?;
        }
        Ok(doc)
    }

    /// The LSH band keys of the document [`Self::insert`] indexed last, as the persistent
    /// index stores them; empty for a text without words.
    pub(crate) fn last_band_keys(&self) -> &[u32] {
        &self.last_band_keys
    }

    /// CPU time of the merges of runs on disk finished so far, in nanoseconds: they run
    /// on threads of their own (see [`crate::table`]).
    pub fn merge_cpu_ns(&self) -> u64 {
        self.exact.merge_cpu_ns() + self.buckets.merge_cpu_ns() + self.spans.merge_cpu_ns()
    }

    /// Approximate heap bytes the index holds in memory (from capacities, not lengths).
    pub fn memory_bytes(&self) -> usize {
        self.docs.memory_bytes()
            + self.exact.memory_bytes()
            + self.buckets.memory_bytes()
            + self.sets.memory_bytes()
            + self.spans.memory_bytes()
    }
}

/// The key of a band's bucket in the one table of all bands. Both halves must be uniform:
/// the filters of spilled runs and the hash table in memory choose a key's block or slot
/// by its high bits, the memory of keys found on disk by its low bits. So the band key goes
/// in the high half and again, mixed with the band, in the low half (which tells the bands
/// apart).
fn bucket(band: usize, key: u32) -> u64 {
    (u64::from(key) << 32) | u64::from(key ^ band as u32)
}

fn split(key: u128) -> (u64, u64) {
    ((key >> 64) as u64, key as u64)
}

/// The bucket key of one band: its `rows` values hashed together to 32 bits. Two bands
/// colliding by chance only adds a candidate, which verification then rejects.
pub(crate) fn band_key(sig: &[u32], band: usize, rows: usize) -> u32 {
    let mut h = band as u64;
    for &v in &sig[band * rows..(band + 1) * rows] {
        h = crate::minhash::mix64(h ^ u64::from(v));
    }
    (h >> 32) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULE: NearRule = NearRule {
        jaccard: 0.8,
        containment: 0.9,
        containment_min_jaccard: 0.5,
    };

    #[test]
    fn stores_ids_and_finds_exact_keys() {
        let mut index = DedupIndex::new(2, 2);
        let a = index
            .insert("a", 1, Some((&[1, 2, 3, 4], &[1, 2])), &[10])
            .unwrap();
        let b = index.insert("bee", 2, None, &[10, 11]).unwrap();
        assert_eq!((a, b), (0, 1));
        assert_eq!(index.id(0).unwrap(), "a");
        assert_eq!(index.id(1).unwrap(), "bee");
        assert_eq!(index.find_exact(2).unwrap(), Some(1));
        assert_eq!(index.find_exact(3).unwrap(), None);
        assert_eq!(index.find_span(10).unwrap(), Some(0), "first document wins");
        assert_eq!(index.find_span(11).unwrap(), Some(1));
        assert!(index.memory_bytes() > 0);
    }

    #[test]
    fn candidates_share_a_band_and_are_verified_on_their_sets() {
        let mut index = DedupIndex::new(2, 2);
        let set_a: Vec<u32> = (0..100).collect();
        let set_b: Vec<u32> = (50..150).collect();
        index
            .insert("a", 1, Some((&[1, 2, 3, 4], &set_a)), &[])
            .unwrap();
        index
            .insert("b", 2, Some((&[1, 2, 7, 8], &set_b)), &[])
            .unwrap();
        // Shares band 0 with both; 90 of 100 shingles with "a" (Jaccard 90/100).
        let query: Vec<u32> = (0..90).collect();
        let found = index
            .find_near(&[1, 2, 3, 9], &query, &RULE)
            .unwrap()
            .unwrap();
        assert_eq!(found.doc, 0);
        assert!((found.jaccard - 0.9).abs() < 1e-12);
        assert_eq!(found.containment, 1.0);
        // Half of "a" but all contained: the containment rule accepts it.
        let half: Vec<u32> = (0..50).collect();
        let found = index
            .find_near(&[1, 2, 5, 6], &half, &RULE)
            .unwrap()
            .unwrap();
        assert_eq!((found.doc, found.jaccard), (0, 0.5), "ties go to the older");
        // Too little of it: rejected although it shares a band.
        let few: Vec<u32> = (0..40).collect();
        assert_eq!(index.find_near(&[1, 2, 5, 6], &few, &RULE).unwrap(), None);
        // No shared band: no candidate even though the sets are equal.
        assert_eq!(index.find_near(&[1, 5, 3, 6], &set_a, &RULE).unwrap(), None);
    }

    #[test]
    fn sets_in_memory_never_take_more_than_the_budget() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("shingles.bin");
        let mut index = DedupIndex::new(1, 1);
        // 35,000 values in memory (a quarter of the budget): each write-out goes to the file
        // in several pieces.
        index.spill_to(&path, 560_000);
        let set_of = |d: u32| -> Vec<u32> { (d * 1000..d * 1000 + 999).collect() };
        for d in 0..100u32 {
            index
                .insert(
                    &format!("d{d}"),
                    u128::from(d),
                    Some((&[d], &set_of(d))),
                    &[],
                )
                .unwrap();
            assert!(
                index.sets.memory_bytes() <= 35_000 * 4,
                "doc {d}: {}",
                index.sets.memory_bytes()
            );
        }
        assert!(!index.sets.values.in_memory(2 * 35 * 999 - 1));
        for d in 0..100u32 {
            let place = index.docs.record(d).unwrap().set;
            assert_eq!(
                index.sets.get(place).unwrap(),
                set_of(d).as_slice(),
                "doc {d}"
            );
        }
    }

    #[test]
    fn spilled_sets_are_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("dedupe/shingles.bin");
        let mut index = DedupIndex::new(1, 1);
        index.spill_to(&path, 40);
        for d in 0..20u32 {
            let set: Vec<u32> = (d * 100..d * 100 + 7).collect();
            index
                .insert(&format!("d{d}"), u128::from(d), Some((&[d], &set)), &[])
                .unwrap();
        }
        assert!(path.exists());
        // Each set is larger than the budget of 2 values: only the newest stays.
        assert!(index.sets.memory_bytes() <= 7 * 4);
        for d in 0..20u32 {
            let set: Vec<u32> = (d * 100..d * 100 + 7).collect();
            let place = index.docs.record(d).unwrap().set;
            assert_eq!(index.sets.get(place).unwrap(), set.as_slice(), "doc {d}");
            let found = index.find_near(&[d], &set, &RULE).unwrap().unwrap();
            assert_eq!((found.doc, found.jaccard), (d, 1.0));
        }
    }

    #[test]
    fn filters_fold_to_stay_within_their_budget_and_every_key_is_still_found() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("shingles.bin");
        // 4 bands and 3 passages a document; tables of a few thousand entries in memory,
        // so that some forty runs are written and merged.
        let (bands, rows) = (4, 1);
        let key_of = |d: u32, k: u32| crate::minhash::mix64(u64::from(d) << 8 | u64::from(k));
        let insert_all = |index: &mut DedupIndex, docs: u32| {
            for d in 0..docs {
                let sig: Vec<u32> = (0..bands).map(|b| key_of(d, b) as u32).collect();
                let passages: Vec<u64> = (0..3).map(|p| key_of(d, 100 + p)).collect();
                let set = [d];
                index
                    .insert(
                        &format!("d{d}"),
                        u128::from(key_of(d, 200)),
                        Some((&sig, &set)),
                        &passages,
                    )
                    .unwrap();
            }
        };
        let docs = 20_000;
        let mut unlimited = DedupIndex::new(bands as usize, rows);
        unlimited.spill_to(&path, 256 << 10);
        insert_all(&mut unlimited, docs);
        let full = unlimited.filter_bytes();
        assert_eq!(unlimited.filters_folded(), 0);
        drop(unlimited);

        let mut index = DedupIndex::new(bands as usize, rows);
        index.spill_to(&path, 256 << 10);
        let budget = full / 3;
        index.limit_filters(budget);
        insert_all(&mut index, docs);
        assert!(
            index.filter_bytes() <= budget,
            "{} > {budget}",
            index.filter_bytes()
        );
        assert!(index.filters_folded() > 0);
        // Folded filters let more absent keys through, never an added key past.
        for d in (0..docs).step_by(89) {
            assert_eq!(
                index.find_exact(u128::from(key_of(d, 200))).unwrap(),
                Some(d)
            );
            for p in 0..3 {
                assert_eq!(
                    index.find_span(key_of(d, 100 + p)).unwrap(),
                    Some(d),
                    "doc {d}"
                );
            }
        }
        assert_eq!(index.find_span(key_of(docs + 1, 100)).unwrap(), None);
    }
}
