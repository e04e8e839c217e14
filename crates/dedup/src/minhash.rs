//! MinHash signatures over word shingles.
//!
//! Each word is hashed once (xxh3-64); a shingle of `k` consecutive words is hashed by
//! folding its word hashes through a 64-bit mixer, so it depends on word order. Each of
//! the `n` "permutations" is a multiply-add hash `(a·h + b) >> 32` with `a` odd, and the
//! signature keeps the minimum per permutation, as a `u32`. The `a`, `b` come from a fixed
//! seed through SplitMix64, so signatures are the same on every run and every machine
//! (nothing depends on pointer width, endianness or a random state).

use xxhash_rust::xxh3::xxh3_64;

/// The seed every permutation is drawn from. Changing it changes every signature, which
/// would invalidate a persisted index.
pub const PERMUTATION_SEED: u64 = 0x6465_6475_7065_2d31; // "dedupe-1"

/// SplitMix64's output function: a cheap, well-mixing bijection on `u64`.
#[inline]
pub(crate) fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Computes MinHash signatures with a fixed set of permutations.
#[derive(Debug, Clone)]
pub struct MinHasher {
    shingle_size: usize,
    a: Vec<u64>,
    b: Vec<u64>,
    /// Scratch: hashes of the current text's words.
    word_hashes: Vec<u64>,
}

impl MinHasher {
    /// A hasher with `permutations` permutations over shingles of `shingle_size` words.
    pub fn new(permutations: usize, shingle_size: usize) -> Self {
        let mut state = PERMUTATION_SEED;
        let mut next = || {
            state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
            mix64(state)
        };
        let mut a = Vec::with_capacity(permutations);
        let mut b = Vec::with_capacity(permutations);
        for _ in 0..permutations {
            a.push(next() | 1);
            b.push(next());
        }
        MinHasher {
            shingle_size: shingle_size.max(1),
            a,
            b,
            word_hashes: Vec::new(),
        }
    }

    /// Writes the signature of the normalised text `norm`, whose words are at the byte
    /// ranges `words`, into `sig` (resized to [`Self::permutations`]). A text with fewer
    /// words than the shingle size is one shingle of all its words. Returns `false`, and
    /// leaves `sig` all `u32::MAX`, when there is no word at all.
    pub fn signature(&mut self, norm: &str, words: &[(u32, u32)], sig: &mut Vec<u32>) -> bool {
        sig.clear();
        sig.resize(self.a.len(), u32::MAX);
        if words.is_empty() {
            return false;
        }
        self.word_hashes.clear();
        self.word_hashes.extend(
            words
                .iter()
                .map(|&(s, e)| xxh3_64(&norm.as_bytes()[s as usize..e as usize])),
        );
        let k = self.shingle_size.min(self.word_hashes.len());
        for window in self.word_hashes.windows(k) {
            let mut h = PERMUTATION_SEED;
            for &w in window {
                h = mix64(h ^ w);
            }
            for ((m, &a), &b) in sig.iter_mut().zip(&self.a).zip(&self.b) {
                let v = (a.wrapping_mul(h).wrapping_add(b) >> 32) as u32;
                if v < *m {
                    *m = v;
                }
            }
        }
        true
    }
}

/// The estimated Jaccard similarity of two signatures: the share of equal positions.
pub fn similarity(x: &[u32], y: &[u32]) -> f64 {
    if x.is_empty() {
        return 0.0;
    }
    let equal = x.iter().zip(y).filter(|(a, b)| a == b).count();
    equal as f64 / x.len() as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::normalize_into;

    fn sig(hasher: &mut MinHasher, text: &str) -> Vec<u32> {
        let (mut norm, mut words, mut out) = (String::new(), Vec::new(), Vec::new());
        normalize_into(text, &mut norm, &mut words);
        hasher.signature(&norm, &words, &mut out);
        out
    }

    #[test]
    fn permutations_are_fixed() {
        let h1 = MinHasher::new(4, 5);
        let h2 = MinHasher::new(4, 5);
        assert_eq!(h1.a, h2.a);
        assert_eq!(h1.b, h2.b);
        // Pin the first multiplier so an accidental change of the seed shows.
        assert_eq!(h1.a[0] & 1, 1);
        let mut h = MinHasher::new(8, 2);
        assert_eq!(
            sig(&mut h, "eins zwei drei"),
            sig(&mut h, "Eins, zwei, drei!")
        );
    }

    #[test]
    fn short_texts_get_one_shingle() {
        let mut h = MinHasher::new(16, 5);
        let a = sig(&mut h, "zwei Wörter");
        assert!(a.iter().all(|&v| v != u32::MAX));
        assert_ne!(a, sig(&mut h, "Wörter zwei"));
        let mut empty = Vec::new();
        assert!(!h.signature("", &[], &mut empty));
        assert!(empty.iter().all(|&v| v == u32::MAX));
    }

    #[test]
    fn estimate_tracks_jaccard() {
        let words: Vec<String> = (0..400).map(|i| format!("wort{i}")).collect();
        let a = words.join(" ");
        let mut edited = words.clone();
        for i in [50, 150, 250, 350] {
            edited[i] = format!("anders{i}");
        }
        let b = edited.join(" ");
        let mut h = MinHasher::new(112, 5);
        let s = similarity(&sig(&mut h, &a), &sig(&mut h, &b));
        // 4 edits break 20 of 396 shingles: Jaccard = 376 / 416 ≈ 0.90.
        assert!((0.8..=1.0).contains(&s), "similarity {s}");
        let other: Vec<String> = (0..400).map(|i| format!("anderes{i}")).collect();
        assert!(similarity(&sig(&mut h, &a), &sig(&mut h, &other.join(" "))) < 0.1);
    }
}
