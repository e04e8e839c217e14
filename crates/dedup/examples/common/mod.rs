//! Helpers shared by the `make_corpus` and `eval` examples: a seeded random generator,
//! the reference shingle sets, argument parsing.
#![allow(dead_code)]

use std::collections::HashSet;

use pipeline_dedup::normalize;
use xxhash_rust::xxh3::xxh3_64;

/// A small deterministic random generator (SplitMix64).
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    pub fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
    pub fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }
    pub fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = self.below(i + 1);
            v.swap(i, j);
        }
    }
}

/// The reference shingle set: xxh3-64 of every run of `k` consecutive words of the
/// normalised text (one shingle of all words when there are fewer than `k`).
pub fn shingles(text: &str, k: usize) -> HashSet<u64> {
    let norm = normalize(text);
    let words: Vec<&str> = norm.split(' ').filter(|w| !w.is_empty()).collect();
    if words.is_empty() {
        return HashSet::new();
    }
    if words.len() < k {
        return std::iter::once(xxh3_64(words.join(" ").as_bytes())).collect();
    }
    words
        .windows(k)
        .map(|w| xxh3_64(w.join(" ").as_bytes()))
        .collect()
}

/// (Jaccard, containment of the smaller set in the larger).
pub fn similarity(a: &HashSet<u64>, b: &HashSet<u64>) -> (f64, f64) {
    if a.is_empty() || b.is_empty() {
        return (0.0, 0.0);
    }
    let inter = a.intersection(b).count();
    (
        inter as f64 / (a.len() + b.len() - inter) as f64,
        inter as f64 / a.len().min(b.len()) as f64,
    )
}

/// The value of `--name value` in the command line, if given.
pub fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

/// Whether `--name` is on the command line.
pub fn flag(name: &str) -> bool {
    std::env::args().any(|a| a == name)
}
