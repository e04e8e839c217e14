//! Shingle hashes and MinHash signatures.
//!
//! Each word of the normalised text is hashed once (xxh3-64); a shingle of `k` consecutive
//! words is one 64-bit hash of its word hashes (each rotated by its position, then mixed),
//! so it depends on word order. From the shingle hashes come:
//!
//! - the **signature**, by one-permutation hashing (Li, Owen & Zhang 2012): the high 32 bits
//!   of a shingle hash pick one of `n` bins, the low 32 bits are its value, and each bin
//!   keeps its minimum. Empty bins (texts with few shingles) are filled by optimal
//!   densification (Shrivastava 2017): bin `i` copies the value of the first non-empty bin
//!   in a fixed pseudo-random probe sequence of `i`. Two texts agree on a bin with a
//!   probability close to their Jaccard similarity, as with `n` independent permutations,
//!   but a shingle costs one hash and one comparison instead of `n`;
//! - the **shingle set**: the 32-bit shingle hashes, sorted and deduplicated, from which
//!   candidates are verified by their exact Jaccard similarity and containment.
//!
//! Everything derives from the fixed [`PERMUTATION_SEED`], so results are the same on
//! every run and machine (nothing depends on pointer width, endianness or random state).

use xxhash_rust::xxh3::xxh3_64;

/// The seed of the shingle hashes and the densification probes. Changing it changes
/// every signature, which would invalidate a persisted index.
pub const PERMUTATION_SEED: u64 = 0x6465_6475_7065_2d32; // "dedupe-2"

/// SplitMix64's output function: a cheap, well-mixing bijection on `u64`.
#[inline]
pub(crate) fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// `x` scaled from `[0, 2³²)` to `[0, n)` without a division.
#[inline]
fn reduce(x: u32, n: usize) -> usize {
    ((u64::from(x) * n as u64) >> 32) as usize
}

/// Marks an empty bin before densification.
const EMPTY: u32 = u32::MAX;

/// Computes signatures and shingle sets; holds the scratch buffers, so one value serves
/// every document without allocating.
#[derive(Debug, Clone)]
pub struct MinHasher {
    shingle_size: usize,
    bins: usize,
    /// Scratch: hashes of the current text's words.
    word_hashes: Vec<u64>,
    /// Scratch: the signature before densification.
    raw: Vec<u32>,
    /// Scratch of [`sort_hashes`].
    sorting: SortScratch,
}

impl MinHasher {
    /// A hasher for signatures of `bins` values over shingles of `shingle_size` words.
    pub fn new(bins: usize, shingle_size: usize) -> Self {
        MinHasher {
            shingle_size: shingle_size.max(1),
            bins: bins.max(1),
            word_hashes: Vec::new(),
            raw: Vec::new(),
            sorting: SortScratch::default(),
        }
    }

    /// Hashes the words of the normalised text `norm` (at the byte ranges `words`) into
    /// the shingle hashes `shingles` (cleared first; one per shingle, in text order, so a
    /// text with fewer words than the shingle size has one shingle of all its words).
    pub fn shingle_hashes(&mut self, norm: &[u8], words: &[(u32, u32)], shingles: &mut Vec<u64>) {
        shingles.clear();
        if words.is_empty() {
            return;
        }
        self.word_hashes.clear();
        self.word_hashes.extend(
            words
                .iter()
                .map(|&(s, e)| xxh3_64(&norm[s as usize..e as usize])),
        );
        let k = self.shingle_size.min(self.word_hashes.len());
        shingles_of(&self.word_hashes, k, shingles);
    }

    /// Writes the signature of the shingle hashes `shingles` into `sig` (resized to the
    /// number of bins) and their sorted, deduplicated 32-bit set into `set`. Returns
    /// `false`, with `sig` all `u32::MAX` and `set` empty, when there is no shingle.
    pub fn sketch(&mut self, shingles: &[u64], sig: &mut Vec<u32>, set: &mut Vec<u32>) -> bool {
        let n = self.bins;
        sig.clear();
        sig.resize(n, EMPTY);
        set.clear();
        if shingles.is_empty() {
            return false;
        }
        for &h in shingles {
            let bin = reduce((h >> 32) as u32, n);
            // Branch-free min: the compiler turns this into a conditional move.
            sig[bin] = sig[bin].min(h as u32);
        }
        // Apart from the signature: extending from a slice checks the capacity once.
        set.extend(shingles.iter().map(|&h| h as u32 ^ (h >> 32) as u32));
        sort_hashes(set, &mut self.sorting);
        set.dedup();
        if sig.contains(&EMPTY) {
            self.raw.clear();
            self.raw.extend_from_slice(sig);
            for (i, slot) in sig.iter_mut().enumerate() {
                if self.raw[i] != EMPTY {
                    continue;
                }
                // At least one bin is filled, so the probe sequence ends (with
                // probability 1; the attempt bound only guards against a bad hash).
                for attempt in 1..=64 * n as u64 {
                    let probe = mix64(PERMUTATION_SEED ^ ((i as u64) << 32) ^ attempt);
                    let j = reduce((probe >> 32) as u32, n);
                    if self.raw[j] != EMPTY {
                        *slot = self.raw[j];
                        break;
                    }
                }
            }
        }
        true
    }
}

/// Appends the hash of each run of `k` consecutive words (`k` at most their number) to
/// `shingles`: `mix64` of the seed and the XOR of the word hashes, each rotated left by 11
/// bits per place in the run. Rotation distributes over XOR, so the next run's XOR is this
/// one's without the first word, with the new word at place `k`, rotated right by 11: two
/// XORs per shingle instead of `k`.
fn shingles_of(word_hashes: &[u64], k: usize, shingles: &mut Vec<u64>) {
    let place = |w: u64, i: usize| w.rotate_left((11 * i) as u32);
    let mut run = word_hashes[..k]
        .iter()
        .enumerate()
        .fold(0, |run, (i, &w)| run ^ place(w, i));
    shingles.push(mix64(PERMUTATION_SEED ^ run));
    // Extending from zipped slices reserves once, with no capacity check per shingle.
    shingles.extend(
        word_hashes
            .iter()
            .zip(&word_hashes[k..])
            .map(|(&leaving, &entering)| {
                run = (run ^ leaving ^ place(entering, k)).rotate_right(11);
                mix64(PERMUTATION_SEED ^ run)
            }),
    );
}

/// Below this many values [`sort_hashes`] leaves them to `sort_unstable`.
const BUCKET_SORT_MIN_LEN: usize = 64;

/// How many places, on average per value, the insertion sort after bucketing may move
/// values before [`sort_hashes`] gives the rest to `sort_unstable`; evenly spread values
/// move less than one place each.
const INSERTION_MOVES_PER_VALUE: usize = 4;

/// The buffers of [`sort_hashes`], kept between texts.
#[derive(Debug, Clone, Default)]
struct SortScratch {
    values: Vec<u32>,
    bucket_ends: Vec<usize>,
}

/// Sorts `values`, hashes spread evenly over `u32`. One counting pass places each by its
/// top bits into one of about `values.len()` buckets, so a bucket holds one or two values
/// and every value lies within a place or two of where it belongs; one insertion sort
/// over all of them then finishes the job in a few steps per value: for the hundreds of
/// shingle hashes of a text this takes about a quarter of the instructions of
/// `sort_unstable`. Values that are not evenly spread still come out sorted (once the
/// insertion sort has moved values too far, `sort_unstable` takes over), only slower.
fn sort_hashes(values: &mut [u32], scratch: &mut SortScratch) {
    let n = values.len();
    if n < BUCKET_SORT_MIN_LEN {
        values.sort_unstable();
        return;
    }
    let bits = n.ilog2();
    let shift = 32 - bits;
    let bucket_of = |value: u32| (value >> shift) as usize;
    // Counted one place up, so that the running sum gives each bucket's start.
    let ends = &mut scratch.bucket_ends;
    ends.clear();
    ends.resize((1 << bits) + 1, 0);
    for &value in values.iter() {
        ends[bucket_of(value) + 1] += 1;
    }
    for b in 1..ends.len() {
        ends[b] += ends[b - 1];
    }
    // Placing a value moves its bucket's start up.
    let placed = &mut scratch.values;
    placed.clear();
    placed.resize(n, 0);
    for &value in values.iter() {
        let next = &mut ends[bucket_of(value)];
        placed[*next] = value;
        *next += 1;
    }
    values.copy_from_slice(placed);
    // Buckets are in order, so no value moves past its bucket's start.
    if !insertion_sort_within(values, INSERTION_MOVES_PER_VALUE * n) {
        values.sort_unstable();
    }
}

/// Sorts `values` by insertion if that takes at most `max_moves` moves of one place;
/// returns `false`, with `values` reordered but not sorted, once it would take more.
fn insertion_sort_within(values: &mut [u32], max_moves: usize) -> bool {
    let mut moves = 0;
    for i in 1..values.len() {
        let value = values[i];
        // Most values are in place already.
        if values[i - 1] <= value {
            continue;
        }
        let mut j = i;
        while j > 0 && values[j - 1] > value {
            values[j] = values[j - 1];
            j -= 1;
        }
        values[j] = value;
        moves += i - j;
        if moves > max_moves {
            return false;
        }
    }
    true
}

/// The size of the intersection of two sorted, deduplicated sets.
pub fn intersection(a: &[u32], b: &[u32]) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        let (x, y) = (a[i], b[j]);
        n += usize::from(x == y);
        i += usize::from(x <= y);
        j += usize::from(y <= x);
    }
    n
}

/// Jaccard similarity and containment (intersection ÷ the smaller set) of two sorted,
/// deduplicated sets; both 0 when either is empty.
pub fn similarity(a: &[u32], b: &[u32]) -> (f64, f64) {
    if a.is_empty() || b.is_empty() {
        return (0.0, 0.0);
    }
    let inter = intersection(a, b);
    (
        inter as f64 / (a.len() + b.len() - inter) as f64,
        inter as f64 / a.len().min(b.len()) as f64,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::normalize_into;
    use crate::test_rng::XorShift;

    fn sketch(hasher: &mut MinHasher, text: &str) -> (Vec<u32>, Vec<u32>) {
        let (mut norm, mut words, mut sh) = (Vec::new(), Vec::new(), Vec::new());
        normalize_into(text, &mut norm, &mut words);
        hasher.shingle_hashes(&norm, &words, &mut sh);
        let (mut sig, mut set) = (Vec::new(), Vec::new());
        hasher.sketch(&sh, &mut sig, &mut set);
        (sig, set)
    }

    fn agreement(x: &[u32], y: &[u32]) -> f64 {
        x.iter().zip(y).filter(|(a, b)| a == b).count() as f64 / x.len() as f64
    }

    #[test]
    fn sketches_are_fixed_and_ignore_case_and_punctuation() {
        let mut h = MinHasher::new(8, 2);
        assert_eq!(
            sketch(&mut h, "eins zwei drei"),
            sketch(&mut h, "Eins, zwei, drei!")
        );
        let (sig, set) = sketch(&mut h, "eins zwei drei");
        assert_eq!(set.len(), 2);
        assert!(sig.iter().all(|&v| v != EMPTY), "densified: {sig:?}");
    }

    #[test]
    fn short_texts_get_one_shingle_and_empty_texts_none() {
        let mut h = MinHasher::new(16, 5);
        let (a, set) = sketch(&mut h, "zwei Wörter");
        assert_eq!(set.len(), 1);
        assert!(a.iter().all(|&v| v != EMPTY));
        assert_ne!(a, sketch(&mut h, "Wörter zwei").0);
        let (mut sig, mut set) = (Vec::new(), Vec::new());
        assert!(!h.sketch(&[], &mut sig, &mut set));
        assert!(sig.iter().all(|&v| v == EMPTY) && set.is_empty());
    }

    #[test]
    fn signature_agreement_and_sets_track_jaccard() {
        let words: Vec<String> = (0..400).map(|i| format!("wort{i}")).collect();
        let a = words.join(" ");
        let mut edited = words.clone();
        for i in [50, 150, 250, 350] {
            edited[i] = format!("anders{i}");
        }
        let b = edited.join(" ");
        let mut h = MinHasher::new(128, 5);
        let (sa, xa) = sketch(&mut h, &a);
        let (sb, xb) = sketch(&mut h, &b);
        // 4 edits break 20 of 396 shingles: Jaccard = 376 / 416 ≈ 0.904.
        let (j, c) = similarity(&xa, &xb);
        assert!((j - 376.0 / 416.0).abs() < 1e-9, "jaccard {j}");
        assert!((c - 376.0 / 396.0).abs() < 1e-9, "containment {c}");
        let est = agreement(&sa, &sb);
        assert!((0.8..=1.0).contains(&est), "estimate {est}");
        let other: Vec<String> = (0..400).map(|i| format!("anderes{i}")).collect();
        let (so, xo) = sketch(&mut h, &other.join(" "));
        assert!(agreement(&sa, &so) < 0.1);
        assert_eq!(similarity(&xa, &xo), (0.0, 0.0));
    }

    /// The shingle hashes as `shingle_hashes` made them: each run hashed from scratch.
    fn shingles_run_by_run(word_hashes: &[u64], k: usize) -> Vec<u64> {
        word_hashes
            .windows(k)
            .map(|window| {
                let mut h = PERMUTATION_SEED;
                for (i, &w) in window.iter().enumerate() {
                    h ^= w.rotate_left(11 * i as u32);
                }
                mix64(h)
            })
            .collect()
    }

    #[test]
    fn rolling_shingles_match_hashing_each_run() {
        let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
        for words in 1..40 {
            let hashes: Vec<u64> = (0..words).map(|_| rng.next()).collect();
            // Up to runs whose rotations pass 64 bits (11 × 6 = 66).
            for k in 1..=words.min(12) {
                let mut rolled = vec![7];
                shingles_of(&hashes, k, &mut rolled);
                assert_eq!(rolled[0], 7, "appends");
                assert_eq!(
                    rolled[1..],
                    shingles_run_by_run(&hashes, k),
                    "{words} words, k {k}"
                );
            }
        }
    }

    /// `sort_hashes` as it was: each bucket sorted on its own.
    fn sort_hashes_bucket_by_bucket(values: &mut [u32], scratch: &mut SortScratch) {
        let n = values.len();
        if n < BUCKET_SORT_MIN_LEN {
            values.sort_unstable();
            return;
        }
        let bits = n.ilog2();
        let shift = 32 - bits;
        let bucket_of = |value: u32| (value >> shift) as usize;
        // Counted one place up, so that the running sum gives each bucket's start.
        let ends = &mut scratch.bucket_ends;
        ends.clear();
        ends.resize((1 << bits) + 1, 0);
        for &value in values.iter() {
            ends[bucket_of(value) + 1] += 1;
        }
        for b in 1..ends.len() {
            ends[b] += ends[b - 1];
        }
        // Placing a value moves its bucket's start up; in the end each start is the end.
        let placed = &mut scratch.values;
        placed.clear();
        placed.resize(n, 0);
        for &value in values.iter() {
            let next = &mut ends[bucket_of(value)];
            placed[*next] = value;
            *next += 1;
        }
        values.copy_from_slice(placed);
        let mut start = 0;
        for &end in &ends[..1 << bits] {
            let bucket = &mut values[start..end];
            if bucket.len() > 16 {
                bucket.sort_unstable();
            } else {
                insertion_sort_bucket(bucket);
            }
            start = end;
        }
    }

    fn insertion_sort_bucket(values: &mut [u32]) {
        for i in 1..values.len() {
            let value = values[i];
            let mut j = i;
            while j > 0 && values[j - 1] > value {
                values[j] = values[j - 1];
                j -= 1;
            }
            values[j] = value;
        }
    }

    /// `MinHasher::sketch` as it was: the set pushed in the signature's loop and sorted
    /// bucket by bucket.
    fn sketch_previous(n: usize, shingles: &[u64], sig: &mut Vec<u32>, set: &mut Vec<u32>) -> bool {
        let mut raw = Vec::new();
        let mut sorting = SortScratch::default();
        sig.clear();
        sig.resize(n, EMPTY);
        set.clear();
        if shingles.is_empty() {
            return false;
        }
        set.reserve(shingles.len());
        for &h in shingles {
            let bin = reduce((h >> 32) as u32, n);
            let value = h as u32;
            // Branch-free min: the compiler turns this into a conditional move.
            sig[bin] = sig[bin].min(value);
            set.push(value ^ (h >> 32) as u32);
        }
        sort_hashes_bucket_by_bucket(set, &mut sorting);
        set.dedup();
        if sig.contains(&EMPTY) {
            raw.clear();
            raw.extend_from_slice(sig);
            for (i, slot) in sig.iter_mut().enumerate() {
                if raw[i] != EMPTY {
                    continue;
                }
                // At least one bin is filled, so the probe sequence ends (with
                // probability 1; the attempt bound only guards against a bad hash).
                for attempt in 1..=64 * n as u64 {
                    let probe = mix64(PERMUTATION_SEED ^ ((i as u64) << 32) ^ attempt);
                    let j = reduce((probe >> 32) as u32, n);
                    if raw[j] != EMPTY {
                        *slot = raw[j];
                        break;
                    }
                }
            }
        }
        true
    }

    #[test]
    fn sketches_are_the_ones_the_previous_sketch_made() {
        let mut rng = XorShift(0x6a09_e667_f3bc_c908);
        for round in 0..3_000 {
            let len = [0, 1, 2, 7, 63, 64, 65, 200, 1_000, 4_000][round % 10];
            // Evenly spread, and crowded into few bins and buckets.
            let mask = [u64::MAX, 0x0000_00ff_ffff_ffff, 0xf000_000f_f000_000f][round / 10 % 3];
            let shingles: Vec<u64> = (0..len).map(|_| rng.next() & mask).collect();
            for bins in [1, 16, 128] {
                let mut hasher = MinHasher::new(bins, 5);
                let (mut sig, mut set) = (vec![9], vec![9]);
                let made = hasher.sketch(&shingles, &mut sig, &mut set);
                let (mut old_sig, mut old_set) = (Vec::new(), Vec::new());
                let old_made = sketch_previous(bins, &shingles, &mut old_sig, &mut old_set);
                assert_eq!(
                    (made, sig, set),
                    (old_made, old_sig, old_set),
                    "round {round}"
                );
            }
        }
    }

    #[test]
    fn sort_hashes_sorts_as_sort_unstable_does() {
        let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
        let mut scratch = SortScratch::default();
        for round in 0..3_000 {
            let len = [0, 1, 5, 63, 64, 65, 350, 1_000, 5_000][round % 9];
            // Evenly spread, crowded into few buckets, few distinct values, all equal.
            let mask = [u32::MAX, 0x00ff_ffff, 0xf000_000f, 0][round / 9 % 4];
            let mut values: Vec<u32> = (0..len).map(|_| rng.next() as u32 & mask).collect();
            match round / 36 % 3 {
                0 => {}
                1 => values.sort_unstable(),
                _ => values.sort_unstable_by(|a, b| b.cmp(a)),
            }
            let mut expected = values.clone();
            expected.sort_unstable();
            let mut previous = values.clone();
            sort_hashes_bucket_by_bucket(&mut previous, &mut scratch);
            assert_eq!(previous, expected, "round {round}");
            sort_hashes(&mut values, &mut scratch);
            assert_eq!(values, expected, "round {round}");
        }
    }

    #[test]
    fn a_prefix_is_contained() {
        let words: Vec<String> = (0..300).map(|i| format!("w{i}")).collect();
        let mut h = MinHasher::new(64, 5);
        let (_, full) = sketch(&mut h, &words.join(" "));
        let (_, half) = sketch(&mut h, &words[..150].join(" "));
        let (j, c) = similarity(&full, &half);
        assert_eq!(c, 1.0);
        assert!((j - 146.0 / 296.0).abs() < 1e-9, "jaccard {j}");
        assert_eq!(intersection(&[1, 3, 5, 7], &[2, 3, 4, 7, 9]), 2);
    }
}
