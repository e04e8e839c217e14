//! The in-memory index of kept documents: exact keys, LSH band tables, signatures for
//! verification, and hashes of paragraphs and sentences.
//!
//! Documents are named by a `u32` number (their position among indexed documents); ids are
//! stored once, in one string buffer. Every table is a plain `Vec` or a `HashMap` of
//! integers, so that persisting the index (a later issue) is a matter of writing them out.
//!
//! # Memory per indexed document
//!
//! With `P = bands × rows` permutations, `B = bands` and `S` spans (paragraphs and
//! sentences of at least `min_span_chars`), a kept document costs about
//!
//! | table | bytes |
//! |---|---|
//! | id | `len(id) + 8` (string buffer + end offset) |
//! | exact-key map `(u64, u64) → u32` | 24 per entry + 1 control byte, ÷ load (0.44–0.875): ~30–57 |
//! | signature `u32 × P` | `4 × P` = 448 with the defaults |
//! | band tables `u32 → u32` + chain link `u32` | `B × (9 ÷ load + 4)` ≈ 14 × 18 ≈ 250 |
//! | span map `u64 → u32` | `S × 17 ÷ load` ≈ 25 × S (a news article has S ≈ 20–40) |
//!
//! so about 0.8 KB plus 25 bytes per long sentence or paragraph: ~1.5–2 KB for a typical
//! news article (measured: 1.8 KB per kept document of 4.4 KB text, growth slack included),
//! i.e. ~15–20 GB for 10 M articles, which is why bounded memory and persistence are a
//! separate step. Duplicates are not indexed and cost nothing.
//! [`DedupIndex::memory_bytes`] measures the real figure from the tables' capacities.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use crate::error::{Error, Result};
use crate::minhash::similarity;

/// A hasher for keys that are already uniform hashes: it only spreads the bits (one
/// multiplication) so that the table's control bytes see the high bits too.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct PrehashedHasher(u64);

impl Hasher for PrehashedHasher {
    fn finish(&self) -> u64 {
        self.0.wrapping_mul(0x9e37_79b9_7f4a_7c15)
    }
    fn write(&mut self, bytes: &[u8]) {
        // Not used by the integer keys of this module; kept correct for any key.
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
        }
    }
    fn write_u32(&mut self, n: u32) {
        self.write_u64(u64::from(n));
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = self.0.rotate_left(29) ^ n;
    }
}

type PrehashedMap<K, V> = HashMap<K, V, BuildHasherDefault<PrehashedHasher>>;

/// Marks the end of a band chain.
const NO_DOC: u32 = u32::MAX;

/// How many documents of one band bucket are looked at as candidates, at most. A bucket
/// holds documents that agree on `rows` signature values; a long chain means many kept
/// documents that are alike yet below the threshold (boilerplate-heavy short texts), and
/// walking it all would make the stage quadratic.
const MAX_CHAIN: usize = 256;

/// Approximate bytes a `HashMap<K, V>` with this capacity holds: entries plus one control
/// byte per bucket, buckets being the capacity ÷ 7/8 rounded up to a power of two.
fn map_bytes<K, V, S>(map: &HashMap<K, V, S>) -> usize {
    let cap = map.capacity();
    if cap == 0 {
        return 0;
    }
    let buckets = (cap * 8 / 7).next_power_of_two();
    buckets * (std::mem::size_of::<(K, V)>() + 1)
}

/// The index of kept documents. See the module docs for its memory cost.
#[derive(Debug)]
pub struct DedupIndex {
    bands: usize,
    rows: usize,
    /// Every id, one after another.
    ids: String,
    /// End of each id in `ids`.
    id_ends: Vec<u64>,
    /// Exact key (xxh3-128 of the normalised text) → document.
    exact: PrehashedMap<(u64, u64), u32>,
    /// All signatures, `bands × rows` values per document.
    signatures: Vec<u32>,
    /// Per band: band hash → most recent document with it (head of its chain).
    band_heads: Vec<PrehashedMap<u32, u32>>,
    /// `chain[doc × bands + band]`: the next older document in the same bucket.
    chain: Vec<u32>,
    /// Paragraph or sentence hash → first document that had it.
    spans: PrehashedMap<u64, u32>,
    /// Scratch: candidate documents of the current query.
    candidates: Vec<u32>,
}

impl DedupIndex {
    /// An empty index for signatures of `bands × rows` values.
    pub fn new(bands: usize, rows: usize) -> Self {
        DedupIndex {
            bands,
            rows,
            ids: String::new(),
            id_ends: Vec::new(),
            exact: PrehashedMap::default(),
            signatures: Vec::new(),
            band_heads: (0..bands).map(|_| PrehashedMap::default()).collect(),
            chain: Vec::new(),
            spans: PrehashedMap::default(),
            candidates: Vec::new(),
        }
    }

    /// Number of indexed documents.
    pub fn len(&self) -> usize {
        self.id_ends.len()
    }

    /// Whether nothing is indexed yet.
    pub fn is_empty(&self) -> bool {
        self.id_ends.is_empty()
    }

    /// The id of document `doc` (which must be a number this index returned).
    pub fn id(&self, doc: u32) -> &str {
        let i = doc as usize;
        let start = if i == 0 {
            0
        } else {
            self.id_ends[i - 1] as usize
        };
        &self.ids[start..self.id_ends[i] as usize]
    }

    /// The document indexed under this exact key, if any.
    pub fn find_exact(&self, key: u128) -> Option<u32> {
        self.exact.get(&split(key)).copied()
    }

    /// The first document that had this span hash, if any.
    pub fn find_span(&self, hash: u64) -> Option<u32> {
        self.spans.get(&hash).copied()
    }

    /// The most similar indexed document among those sharing a band with `sig`, if its
    /// estimated Jaccard similarity is at least `threshold`; ties go to the older document.
    pub fn find_near(&mut self, sig: &[u32], threshold: f64) -> Option<(u32, f64)> {
        debug_assert_eq!(sig.len(), self.bands * self.rows);
        self.candidates.clear();
        for band in 0..self.bands {
            let key = band_key(sig, band, self.rows);
            let mut doc = match self.band_heads[band].get(&key) {
                Some(&doc) => doc,
                None => continue,
            };
            for _ in 0..MAX_CHAIN {
                if doc == NO_DOC {
                    break;
                }
                self.candidates.push(doc);
                doc = self.chain[doc as usize * self.bands + band];
            }
        }
        self.candidates.sort_unstable();
        self.candidates.dedup();
        let p = self.bands * self.rows;
        let mut best: Option<(u32, f64)> = None;
        for &doc in &self.candidates {
            let start = doc as usize * p;
            let s = similarity(sig, &self.signatures[start..start + p]);
            if s >= threshold && best.map_or(true, |(_, b)| s > b) {
                best = Some((doc, s));
            }
        }
        best
    }

    /// Indexes a kept document: its id, exact key, signature (`None` when the text has no
    /// word; it then never becomes a near-duplicate candidate) and span hashes (a hash
    /// already indexed keeps its first document). Returns the document's number.
    pub fn insert(
        &mut self,
        id: &str,
        key: u128,
        sig: Option<&[u32]>,
        span_hashes: &[u64],
    ) -> Result<u32> {
        let doc = u32::try_from(self.id_ends.len())
            .ok()
            .filter(|&d| d != NO_DOC)
            .ok_or(Error::IndexFull {
                docs: self.id_ends.len() as u64,
            })?;
        self.ids.push_str(id);
        self.id_ends.push(self.ids.len() as u64);
        self.exact.entry(split(key)).or_insert(doc);
        let p = self.bands * self.rows;
        match sig {
            Some(sig) => {
                debug_assert_eq!(sig.len(), p);
                self.signatures.extend_from_slice(sig);
                for band in 0..self.bands {
                    let key = band_key(sig, band, self.rows);
                    let prev = self.band_heads[band].insert(key, doc).unwrap_or(NO_DOC);
                    self.chain.push(prev);
                }
            }
            None => {
                self.signatures.resize(self.signatures.len() + p, 0);
                self.chain.resize(self.chain.len() + self.bands, NO_DOC);
            }
        }
        for &h in span_hashes {
            self.spans.entry(h).or_insert(doc);
        }
        Ok(doc)
    }

    /// Approximate heap bytes the index holds (from capacities, not lengths).
    pub fn memory_bytes(&self) -> usize {
        self.ids.capacity()
            + self.id_ends.capacity() * 8
            + map_bytes(&self.exact)
            + self.signatures.capacity() * 4
            + self.band_heads.iter().map(map_bytes).sum::<usize>()
            + self.chain.capacity() * 4
            + map_bytes(&self.spans)
    }
}

fn split(key: u128) -> (u64, u64) {
    ((key >> 64) as u64, key as u64)
}

/// The bucket key of one band: its `rows` values hashed together to 32 bits. Two bands
/// colliding by chance only adds a candidate, which verification then rejects.
fn band_key(sig: &[u32], band: usize, rows: usize) -> u32 {
    let mut h = band as u64;
    for &v in &sig[band * rows..(band + 1) * rows] {
        h = crate::minhash::mix64(h ^ u64::from(v));
    }
    (h >> 32) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stores_ids_and_finds_exact_keys() {
        let mut index = DedupIndex::new(2, 2);
        let a = index.insert("a", 1, Some(&[1, 2, 3, 4]), &[10]).unwrap();
        let b = index.insert("bee", 2, None, &[10, 11]).unwrap();
        assert_eq!((a, b), (0, 1));
        assert_eq!(index.id(0), "a");
        assert_eq!(index.id(1), "bee");
        assert_eq!(index.find_exact(2), Some(1));
        assert_eq!(index.find_exact(3), None);
        assert_eq!(index.find_span(10), Some(0), "first document wins");
        assert_eq!(index.find_span(11), Some(1));
        assert!(index.memory_bytes() > 0);
    }

    #[test]
    fn near_candidates_share_a_band_and_pass_the_threshold() {
        let mut index = DedupIndex::new(2, 2);
        index.insert("a", 1, Some(&[1, 2, 3, 4]), &[]).unwrap();
        index.insert("b", 2, Some(&[1, 2, 7, 8]), &[]).unwrap();
        // Shares band 0 with both; 3 of 4 values with "a".
        assert_eq!(index.find_near(&[1, 2, 3, 9], 0.7), Some((0, 0.75)));
        assert_eq!(index.find_near(&[1, 2, 3, 9], 0.8), None);
        // Equal similarity to both: the older wins.
        assert_eq!(index.find_near(&[1, 2, 5, 6], 0.5), Some((0, 0.5)));
        // No shared band: no candidate even though one value matches.
        assert_eq!(index.find_near(&[1, 5, 3, 6], 0.1), None);
    }
}
