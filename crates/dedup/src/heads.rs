//! The part of a [`crate::table::KeyTable`] in memory: key → its newest link, by open
//! addressing with linear probing.
//!
//! A `HashMap` hides where a key's slot lies until the key is asked for, so the lookups of
//! a document's keys waited for one cache miss after another (at 1 GB those misses were a
//! quarter of the dedupe thread's time). Here a key's first slot is known in advance:
//! [`Heads::touch`] loads it, and touching all of a document's keys before asking for them
//! lets their misses overlap.

/// The key that marks an empty slot, so that probing reads keys alone; the key itself,
/// when inserted, is held beside the slots.
const EMPTY: u64 = 0;

/// Bytes of one slot: the key, and its head link in a parallel array (probing reads only
/// keys, eight to a cache line).
pub(crate) const SLOT_BYTES: usize = std::mem::size_of::<u64>() + std::mem::size_of::<u32>();

/// Entries a table of `slots` slots holds before it grows: seven eighths, as a `HashMap`
/// holds, so that a budget sizes the table as it sized the map. Linear probing at 7/8
/// makes a key that is absent probe 32 slots (four cache lines of keys, one after
/// another) just before the table is written out, but 4.5 on average over its filling;
/// at 3/4 the budget's power of two of slots came out twice as large (the map had wasted
/// part of its budget), and the 1 GB pipeline held 12 MB more.
pub(crate) const fn capacity_of(slots: usize) -> usize {
    slots / 8 * 7
}

#[derive(Debug, Default)]
pub(crate) struct Heads {
    keys: Vec<u64>,
    heads: Vec<u32>,
    /// The head link of key [`EMPTY`], if it was inserted.
    empty_key_head: Option<u32>,
    len: usize,
    /// `64 - log2(slots)`: a key's first slot is its top bits (keys are uniform hashes), so
    /// that the slots hold the keys in about ascending order and a run is sorted from them
    /// cheaply (see [`Self::iter_by_home`]).
    shift: u32,
}

impl Heads {
    /// A table of the fewest slots (a power of two, at least 8) that holds `entries`
    /// without growing.
    pub(crate) fn with_capacity(entries: usize) -> Self {
        let mut slots = 8usize;
        while capacity_of(slots) < entries {
            slots *= 2;
        }
        Heads {
            keys: vec![EMPTY; slots],
            heads: vec![0; slots],
            empty_key_head: None,
            len: 0,
            shift: 64 - slots.trailing_zeros(),
        }
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Entries it holds before it grows.
    pub(crate) fn capacity(&self) -> usize {
        capacity_of(self.keys.len())
    }

    /// Heap bytes held.
    pub(crate) fn bytes(&self) -> usize {
        self.keys.capacity() * std::mem::size_of::<u64>()
            + self.heads.capacity() * std::mem::size_of::<u32>()
    }

    #[inline]
    fn home(&self, key: u64) -> usize {
        (key >> self.shift) as usize
    }

    /// The slot holding `key`, or else the empty slot where it would go. The table must
    /// have slots, and `key` must not be [`EMPTY`].
    #[inline]
    fn slot(&self, key: u64) -> Result<usize, usize> {
        let mask = self.keys.len() - 1;
        let mut i = self.home(key);
        loop {
            if self.keys[i] == key {
                return Ok(i);
            }
            if self.keys[i] == EMPTY {
                return Err(i);
            }
            i = (i + 1) & mask;
        }
    }

    /// The head link of `key`.
    #[inline]
    pub(crate) fn get(&self, key: u64) -> Option<u32> {
        if key == EMPTY {
            return self.empty_key_head;
        }
        if self.keys.is_empty() {
            return None;
        }
        self.slot(key).ok().map(|i| self.heads[i])
    }

    pub(crate) fn contains(&self, key: u64) -> bool {
        self.get(key).is_some()
    }

    /// Sets the head link of `key`, returning the one it replaces. Grows the table when
    /// it is full.
    pub(crate) fn insert(&mut self, key: u64, head: u32) -> Option<u32> {
        if key == EMPTY {
            let replaced = self.empty_key_head.replace(head);
            self.len += usize::from(replaced.is_none());
            return replaced;
        }
        if self.len >= self.capacity() {
            self.grow();
        }
        match self.slot(key) {
            Ok(i) => Some(std::mem::replace(&mut self.heads[i], head)),
            Err(i) => {
                self.keys[i] = key;
                self.heads[i] = head;
                self.len += 1;
                None
            }
        }
    }

    fn grow(&mut self) {
        self.reserve((self.capacity() * 2).max(1));
    }

    /// Makes room for `entries` entries without growing, keeping those it holds.
    pub(crate) fn reserve(&mut self, entries: usize) {
        if self.capacity() >= entries {
            return;
        }
        let mut grown = Heads::with_capacity(entries);
        for (key, head) in self.iter() {
            grown.insert(key, head);
        }
        *self = grown;
    }

    /// Empties the table, keeping its slots.
    pub(crate) fn clear(&mut self) {
        if self.len > 0 {
            self.keys.fill(EMPTY);
            self.empty_key_head = None;
            self.len = 0;
        }
    }

    /// The entries, in no particular order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (u64, u32)> + '_ {
        self.empty_key_head
            .map(|head| (EMPTY, head))
            .into_iter()
            .chain(
                self.keys
                    .iter()
                    .zip(&self.heads)
                    .filter(|&(&key, _)| key != EMPTY)
                    .map(|(&key, &head)| (key, head)),
            )
    }

    /// The entries in about ascending key order: slot by slot, except that the keys that
    /// wrapped around the end of the table into its first slots come last.
    pub(crate) fn iter_by_home(&self) -> impl Iterator<Item = (u64, u32)> + '_ {
        let lead = self.keys.iter().position(|&k| k == EMPTY).unwrap_or(0);
        let wrapped = move |i: usize| i < lead && self.home(self.keys[i]) > i;
        let entries = move || {
            self.keys
                .iter()
                .zip(&self.heads)
                .enumerate()
                .filter(|&(_, (&key, _))| key != EMPTY)
                .map(|(i, (&key, &head))| (i, key, head))
        };
        let in_place = entries()
            .filter(move |&(i, _, _)| !wrapped(i))
            .map(|(_, key, head)| (key, head));
        let at_end = entries()
            .take_while(move |&(i, _, _)| i < lead)
            .filter(move |&(i, _, _)| wrapped(i))
            .map(|(_, key, head)| (key, head));
        self.empty_key_head
            .map(|head| (EMPTY, head))
            .into_iter()
            .chain(in_place)
            .chain(at_end)
    }

    /// Reads the first slot of `key` (see the module documentation) and returns a word of
    /// it, for the caller to combine so that the load is not optimised away.
    #[inline]
    pub(crate) fn touch(&self, key: u64) -> u64 {
        if self.keys.is_empty() {
            return 0;
        }
        self.keys[self.home(key)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn agrees_with_a_hash_map_while_growing_and_after_clearing() {
        let mut heads = Heads::default();
        let mut map: HashMap<u64, u32> = HashMap::new();
        // The key that marks empty slots, first, while the table has no slots.
        assert_eq!(heads.insert(EMPTY, 7), None);
        assert_eq!(heads.get(EMPTY), Some(7));
        assert_eq!(heads.get(1), None);
        assert_eq!(heads.touch(1), 0);
        map.insert(EMPTY, 7);
        // Keys alike in their high bits, in their low bits, and zero.
        let keys: Vec<u64> = (0..5000u64)
            .flat_map(|i| [i, i << 40, i.wrapping_mul(0x9e37_79b9_7f4a_7c15)])
            .collect();
        for round in 0..2 {
            for (n, &key) in keys.iter().enumerate() {
                let head = (n % 1000) as u32;
                assert_eq!(heads.insert(key, head), map.insert(key, head), "{key}");
            }
            assert_eq!(heads.len(), map.len());
            assert!(heads.len() <= heads.capacity());
            for &key in &keys {
                assert_eq!(heads.get(key), map.get(&key).copied());
            }
            for absent in [u64::MAX, 1 << 63, 123_456_789_012] {
                assert!(!heads.contains(absent));
            }
            let mut entries: Vec<(u64, u32)> = heads.iter().collect();
            let mut expected: Vec<(u64, u32)> = map.iter().map(|(&k, &v)| (k, v)).collect();
            entries.sort_unstable();
            expected.sort_unstable();
            assert_eq!(entries, expected, "round {round}");
            let capacity = heads.capacity();
            heads.clear();
            map.clear();
            assert_eq!(heads.capacity(), capacity, "clearing keeps the slots");
            assert_eq!(heads.get(keys[0]), None);
            assert_eq!(heads.iter().count(), 0);
        }
    }

    #[test]
    fn a_table_made_for_n_entries_holds_them_without_growing() {
        for n in [0, 1, 6, 7, 1000, 393_216] {
            let mut heads = Heads::with_capacity(n);
            let slots = heads.keys.len();
            assert!(slots.is_power_of_two());
            assert!(capacity_of(slots) >= n && (slots == 8 || capacity_of(slots / 2) < n));
            for key in 0..n as u64 {
                heads.insert(key.wrapping_mul(0xff51_afd7_ed55_8ccd), 1);
            }
            assert_eq!(heads.keys.len(), slots, "{n}");
            assert_eq!(heads.touch(12345), heads.touch(12345));
        }
    }
}
