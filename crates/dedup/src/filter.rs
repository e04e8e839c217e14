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

    /// The bytes a filter sized for `keys` keys holds.
    pub(crate) fn bytes_for(keys: usize) -> usize {
        Self::blocks_for(keys) * std::mem::size_of::<Block>()
    }

    fn blocks_for(keys: usize) -> usize {
        (keys.max(1) * BITS_PER_KEY).div_ceil(512)
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn added_keys_are_found_and_about_one_in_five_hundred_others_pass() {
        for n in [1usize, 100, 10_000, 200_000] {
            let mut filter = KeyFilter::with_capacity(n);
            let keys: Vec<u64> = (0..n as u64).map(|i| mix64(i ^ 0x5555)).collect();
            for &k in &keys {
                filter.insert(k);
            }
            assert!(keys.iter().all(|&k| filter.may_contain(k)), "n = {n}");
            let probes = 200_000u64;
            let passed = (0..probes)
                .filter(|&i| filter.may_contain(mix64(i ^ 0xaaaa_0000_0000)))
                .count();
            let rate = passed as f64 / probes as f64;
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
        // 14,000 bits in 512-bit blocks.
        assert_eq!(KeyFilter::with_capacity(1_000).bytes(), 28 * 64);
        for keys in [0, 1, 36, 37, 1_000, 123_457] {
            assert_eq!(
                KeyFilter::with_capacity(keys).bytes(),
                KeyFilter::bytes_for(keys)
            );
        }
    }
}
