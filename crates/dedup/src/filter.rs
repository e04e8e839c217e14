//! The key filter of a sorted run: a blocked Bloom filter for keys that are already uniform
//! hashes, laid out so that keys inserted in ascending order fill it front to back.
//!
//! All bits of one key lie in one 64-byte block (a cache line), so asking costs one memory
//! access. The block is chosen from the key's high bits (multiply-shift, monotone in the
//! key), so writing a run and merging runs, which insert keys in ascending order, walk the
//! filter sequentially; with the block chosen by a hash (as general filters do) every
//! insert into a large run's filter was a cache miss, about a fifth of the judging thread's
//! time at 1 GB. The bits within the block come from a mixed copy of the key.
//!
//! With [`BITS_PER_KEY`] bits per key and [`PROBES`] bits per key set, about 0.2 % of absent
//! keys pass (measured in the tests; a plain Bloom filter of the same size would let 0.12 %
//! pass). Every absent key that passes costs a read system call of its run: at 10 bits per
//! key (1 % passing) a 1 GB run made 1.42 M reads, at 14 bits 0.84 M, for 0.5 more bytes
//! per key, which the shingle sets give up (see [`crate::index::DedupIndex::spill_to`]).

use crate::minhash::mix64;

/// Filter bits per key the filter is made for.
const BITS_PER_KEY: usize = 14;
/// Bits set per key, all in the key's block.
const PROBES: u32 = 7;
/// Bits of the mixed key that choose one bit of a 512-bit block.
const BIT_INDEX: u32 = 9;
/// Filters of this many blocks or more have a multiple of it, so that they fold three
/// times block onto block: folding an odd count spreads most blocks over two, which let
/// 17 % of absent keys pass after one fold instead of 4 %.
const FOLDABLE: usize = 8;

/// One cache line of filter bits.
#[derive(Clone, Copy, Default)]
#[repr(align(64))]
struct Block([u64; 8]);

/// See the module documentation.
pub(crate) struct KeyFilter {
    blocks: Vec<Block>,
}

impl std::fmt::Debug for KeyFilter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyFilter")
            .field("bytes", &self.bytes())
            .finish()
    }
}

impl KeyFilter {
    /// An empty filter sized for `keys` keys.
    pub(crate) fn with_capacity(keys: usize) -> Self {
        KeyFilter {
            blocks: vec![Block::default(); Self::blocks_for(keys)],
        }
    }

    /// An empty filter sized for `keys` keys but within `max_bytes` (at least one block):
    /// what a filter of that size folded until it fits would answer, made at that size.
    pub(crate) fn within(keys: usize, max_bytes: usize) -> Self {
        KeyFilter {
            blocks: vec![Block::default(); Self::blocks_within(keys, max_bytes)],
        }
    }

    /// The bytes of [`KeyFilter::within`].
    pub(crate) fn bytes_within(keys: usize, max_bytes: usize) -> usize {
        Self::blocks_within(keys, max_bytes) * std::mem::size_of::<Block>()
    }

    fn blocks_within(keys: usize, max_bytes: usize) -> usize {
        let blocks = Self::blocks_for(keys);
        let mut most = (max_bytes / std::mem::size_of::<Block>()).max(1);
        if most >= FOLDABLE {
            // (So that it folds block onto block too.)
            most -= most % FOLDABLE;
        }
        blocks.min(most)
    }

    /// The bytes a filter sized for `keys` keys holds.
    #[cfg(test)]
    pub(crate) fn bytes_for(keys: usize) -> usize {
        Self::blocks_for(keys) * std::mem::size_of::<Block>()
    }

    /// Blocks of a filter for `keys` keys: a multiple of [`FOLDABLE`] from that many on, so
    /// that [`KeyFilter::fold`] maps each block onto one.
    fn blocks_for(keys: usize) -> usize {
        let blocks = (keys.max(1) * BITS_PER_KEY).div_ceil(512);
        if blocks < FOLDABLE {
            blocks
        } else {
            blocks.next_multiple_of(FOLDABLE)
        }
    }

    /// A filter that lets every key pass, in one block: what a run's filter becomes while
    /// the run is merged on the inserting thread (see [`crate::table`]), so that its memory
    /// is given back before the merged run's filter is filled, and a merge that fails
    /// half-way leaves runs that still answer rightly (by reading their files).
    pub(crate) fn pass_all() -> Self {
        KeyFilter {
            blocks: vec![Block([u64::MAX; 8])],
        }
    }

    /// The block of `key`: its high bits scaled to the number of blocks.
    #[inline]
    fn block_of(&self, key: u64) -> usize {
        ((u128::from(key) * self.blocks.len() as u128) >> 64) as usize
    }

    /// Adds `key`.
    pub(crate) fn insert(&mut self, key: u64) {
        let b = self.block_of(key);
        let block = &mut self.blocks[b].0;
        let mut bits = mix64(key);
        for _ in 0..PROBES {
            let bit = (bits & 511) as usize;
            block[bit >> 6] |= 1 << (bit & 63);
            bits >>= BIT_INDEX;
        }
    }

    /// Whether `key` may have been added: always when it was, rarely when not.
    #[inline]
    pub(crate) fn may_contain(&self, key: u64) -> bool {
        let block = &self.blocks[self.block_of(key)].0;
        let mut bits = mix64(key);
        let mut all = true;
        for _ in 0..PROBES {
            let bit = (bits & 511) as usize;
            all &= block[bit >> 6] & (1 << (bit & 63)) != 0;
            bits >>= BIT_INDEX;
        }
        all
    }

    /// Reads the block of `key` and returns one of its words, so that a caller can bring
    /// the blocks of many keys into the cache with loads that overlap, before asking.
    #[inline]
    pub(crate) fn touch(&self, key: u64) -> u64 {
        self.blocks[self.block_of(key)].0[0]
    }

    /// Bytes the filter holds.
    pub(crate) fn bytes(&self) -> usize {
        self.blocks.len() * std::mem::size_of::<Block>()
    }

    /// Halves the filter's memory (to `ceil(blocks / 2)` blocks) at the cost of letting
    /// more absent keys pass: each block's bits go to the block or blocks its keys fall in
    /// among the fewer blocks (one when the count is even), so every key added still
    /// passes. Where the index would outgrow its memory for filters, this is what it gives
    /// up: reads of a run's file for keys that are not there. Returns whether it folded
    /// (a filter of one block cannot).
    pub(crate) fn fold(&mut self) -> bool {
        let n = self.blocks.len();
        if n < 2 {
            return false;
        }
        let halved = n.div_ceil(2);
        let mut folded = vec![Block::default(); halved];
        for (b, block) in self.blocks.iter().enumerate() {
            // The keys of block `b` have `key * n / 2^64` in `[b, b + 1)`, so their block
            // among `halved` is from `b * halved / n` to `((b + 1) * halved - 1) / n`.
            let first = b * halved / n;
            let last = ((b + 1) * halved - 1) / n;
            for target in &mut folded[first..=last] {
                for (word, bits) in target.0.iter_mut().zip(block.0) {
                    *word |= bits;
                }
            }
        }
        self.blocks = folded;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A filter sized for `n` keys, with `n` keys added, and the keys.
    fn filled(n: usize) -> (KeyFilter, Vec<u64>) {
        let mut filter = KeyFilter::with_capacity(n);
        let keys: Vec<u64> = (0..n as u64).map(|i| mix64(i ^ 0x5555)).collect();
        for &k in &keys {
            filter.insert(k);
        }
        (filter, keys)
    }

    /// The share of 200,000 keys never added that `filter` lets pass.
    fn passing(filter: &KeyFilter) -> f64 {
        let probes = 200_000u64;
        let passed = (0..probes)
            .filter(|&i| filter.may_contain(mix64(i ^ 0xaaaa_0000_0000)))
            .count();
        passed as f64 / probes as f64
    }

    #[test]
    fn added_keys_are_found_and_about_one_in_five_hundred_others_pass() {
        for n in [1usize, 100, 10_000, 200_000] {
            let (filter, keys) = filled(n);
            assert!(keys.iter().all(|&k| filter.may_contain(k)), "n = {n}");
            let rate = passing(&filter);
            assert!(rate < 0.0025, "n = {n}: {rate}");
            if n >= 10_000 {
                assert!(
                    rate > 0.0012,
                    "n = {n}: {rate} (too good to be a sized filter)"
                );
            }
        }
    }

    #[test]
    fn a_folded_filter_finds_every_key_in_half_the_memory() {
        // Small filters have odd block counts too (3, 5): their blocks fold into one or two
        // blocks each.
        for n in [100usize, 150, 10_000, 20_000] {
            let (mut filter, keys) = filled(n);
            let mut rates = vec![passing(&filter)];
            while filter.bytes() > 64 {
                let blocks = filter.blocks.len();
                assert!(filter.fold());
                assert_eq!(filter.blocks.len(), blocks.div_ceil(2), "n = {n}");
                assert!(keys.iter().all(|&k| filter.may_contain(k)), "n = {n}");
                rates.push(passing(&filter));
            }
            assert!(!filter.fold());
            // 14 bits a key: 0.2 % pass; 7 bits: 4 %; 3.5 bits (seven probes are far too
            // many for them): two thirds.
            if n >= 10_000 {
                assert!(rates[1] > 0.02 && rates[1] < 0.08, "n = {n}: {rates:?}");
            }
            assert!(rates.windows(2).all(|w| w[0] <= w[1]), "n = {n}: {rates:?}");
        }
    }

    #[test]
    fn ascending_keys_fill_ascending_blocks() {
        let filter = KeyFilter::with_capacity(10_000);
        let keys = [
            0,
            1 << 20,
            1 << 40,
            1 << 62,
            u64::MAX / 2,
            u64::MAX - 1,
            u64::MAX,
        ];
        let blocks: Vec<usize> = keys.iter().map(|&k| filter.block_of(k)).collect();
        assert!(blocks.windows(2).all(|w| w[0] <= w[1]), "{blocks:?}");
        assert_eq!(blocks[0], 0);
        assert_eq!(*blocks.last().unwrap(), filter.blocks.len() - 1);
    }

    #[test]
    fn a_pass_all_filter_passes_every_key_in_one_block() {
        let filter = KeyFilter::pass_all();
        assert_eq!(filter.bytes(), 64);
        for i in 0..10_000u64 {
            let key = mix64(i);
            assert!(filter.may_contain(key));
            assert_eq!(filter.touch(key), u64::MAX);
        }
        assert!(filter.may_contain(0) && filter.may_contain(u64::MAX));
    }

    #[test]
    fn blocks_are_cache_lines() {
        assert_eq!(std::mem::size_of::<Block>(), 64);
        assert_eq!(std::mem::align_of::<Block>(), 64);
        assert_eq!(KeyFilter::with_capacity(0).bytes(), 64);
        // 14,000 bits in 512-bit blocks: 28, rounded up to a multiple of 8.
        assert_eq!(KeyFilter::with_capacity(1_000).bytes(), 32 * 64);
        assert_eq!(KeyFilter::with_capacity(100).bytes(), 3 * 64);
        for keys in [0, 1, 36, 37, 1_000, 123_457] {
            assert_eq!(
                KeyFilter::with_capacity(keys).bytes(),
                KeyFilter::bytes_for(keys)
            );
        }
    }
}
