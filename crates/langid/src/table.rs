//! The scorer's tables of the n-grams of every compiled-in language, shared by the build
//! script (which builds them from lingua's models into `OUT_DIR`, compiled in with
//! `include_bytes!`) and the library (which reads them; its tests build them again and compare).
//! One table holds the uni- to trigrams ([`SHORT`]), two the four- and five-grams, of the
//! languages written in Latin letters ([`LONG_LATIN`]) and of the others ([`LONG_OTHER`]):
//! texts of 120 letters and more are scored on trigrams alone, in the small table that stays
//! in the caches.
//!
//! A short text reads a few hundred n-grams at random places of a long table, so a run over
//! many texts soon has all of a mapped table's pages resident: its size is memory every
//! process pays. Hence the split by script (a German text never reads the table of the other
//! scripts), the compact layout below (an n-gram's hash is stored once however many
//! languages know it, and each language's log-probability as a 17-bit index into a
//! dictionary of that language's values of that order, at most 95,408 distinct ones for all
//! 75 languages, most frequent first), and for the four- and five-gram tables a second
//! layout read from the executable file rather than from memory ([`group`], [`Grouped`]).
//! The values themselves are exact: the same sums, so the same answers, as a table of every
//! value.
//!
//! Layout, all integers little-endian: the table's magic (`Spec::magic`); the byte length of
//! the language codes and the codes (ISO 639-1, sorted, separated by spaces: the table's
//! language indices); for each of the `2^Spec::bucket_bits` buckets plus one, the index of
//! its first key and of its first entry (`u32` each); for each language and order plus one,
//! the index of the first value of its dictionary (`u32`); the keys, 4 bytes each:
//! `fingerprint << 8 | order - min_order << 6 | entries` (`u32`); the entries, 3 bytes each:
//! `language index << 17 | dictionary index`; the values, `round(-ln p * SCALE)` (`u32`).
//! Bucket `b` (the top `bucket_bits` bits of an n-gram's hash) holds the keys `key[b]..
//! key[b + 1]`, whose entries follow each other from `entry[b]` on; the fingerprint is the
//! low 24 bits of the hash. An n-gram known to more than 63 languages has several keys.

use std::borrow::Cow;
use std::cell::RefCell;
use std::fs::File;

/// Which n-grams a table holds, and how it is hashed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Spec {
    /// First bytes of the table.
    magic: [u8; 4],
    /// The shortest n-grams held (in letters).
    pub(crate) min_order: usize,
    /// The longest n-grams held (in letters).
    pub(crate) max_order: usize,
    /// log2 of the number of hash buckets (about eight keys each with all languages).
    bucket_bits: u32,
}

/// The table of uni- to trigrams (1.3 million entries for all 75 languages).
pub(crate) const SHORT: Spec = Spec {
    magic: *b"LGC3",
    min_order: 1,
    max_order: 3,
    bucket_bits: 16,
};

/// The table of four- and five-grams of the languages written in the Latin alphabet.
///
/// The four- and five-grams (19.8 million entries of 8.6 million n-grams for all 75
/// languages) are split by script: a text whose candidates are all written in Latin letters,
/// as German ones are, reads only this table, so the pages of the other never become
/// resident in its process.
pub(crate) const LONG_LATIN: Spec = Spec {
    magic: *b"LGL5",
    min_order: 4,
    max_order: 5,
    bucket_bits: 20,
};

/// The table of four- and five-grams of the languages written in other alphabets.
pub(crate) const LONG_OTHER: Spec = Spec {
    magic: *b"LGO5",
    min_order: 4,
    max_order: 5,
    bucket_bits: 19,
};

/// The shortest n-grams of the four- and five-gram tables.
pub(crate) const LONG_MIN_ORDER: usize = LONG_LATIN.min_order;

/// The compiled-in languages (ISO 639-1) lingua does not write in the Latin alphabet: their
/// four- and five-grams go to [`LONG_OTHER`].
pub(crate) const NOT_LATIN: &[&str] = &[
    "ar", "be", "bg", "bn", "el", "fa", "gu", "he", "hi", "hy", "ja", "ka", "kk", "ko", "mk", "mn",
    "mr", "pa", "ru", "sr", "ta", "te", "th", "uk", "ur", "zh",
];

/// Whether the four- and five-grams of language `code` are in [`LONG_LATIN`].
pub(crate) fn in_latin_table(code: &str) -> bool {
    !NOT_LATIN.contains(&code)
}

/// Stored log-probabilities are `round(-ln p * SCALE)` in a `u32` (lingua's smallest is
/// about -18.5; this holds down to -64): steps of 1.5e-8, so that sums of them rank languages
/// as lingua's sums of `f64`s do, even where those differ in the fifth digit.
pub(crate) const SCALE: f64 = (1u64 << 26) as f64;

/// Bytes of a bucket's starts (first key, first entry).
const BUCKET: usize = 8;
/// Bytes of a key.
const KEY: usize = 4;
/// Bytes of an entry.
const ENTRY: usize = 3;
/// Bytes of a value.
const VALUE: usize = 4;
/// Bits of a key that count its entries.
const COUNT_BITS: u32 = 6;
/// Bits of a key that hold the n-gram's order (minus the table's shortest).
const ORDER_BITS: u32 = 2;
/// Bits of an entry that index its language's dictionary.
const INDEX_BITS: u32 = 17;

/// The FNV-1a offset basis: the hash state before any byte.
pub(crate) const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
/// The FNV-1a prime: each step multiplies by it.
pub(crate) const FNV_PRIME: u64 = 0x0100_0000_01b3;

/// One step of FNV-1a over a byte of an n-gram.
#[inline]
pub(crate) fn fnv(h: u64, b: u8) -> u64 {
    (h ^ u64::from(b)).wrapping_mul(FNV_PRIME)
}

/// Mixes the FNV state into a hash whose high bits choose the bucket (murmur3's finaliser).
#[inline]
pub(crate) fn finish(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

/// The hash of a whole n-gram, as the scorer computes it incrementally.
// Used by the build script, and by the library in its tests only.
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) fn hash_of(ngram: &[u8]) -> u64 {
    let mut h = FNV_OFFSET;
    for &b in ngram {
        h = fnv(h, b);
    }
    finish(h)
}

/// A model's log-probability as stored: `round(-ln p * SCALE)`.
// Used by the build script, and by the library in its tests only.
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) fn quantise(bits: u64) -> u32 {
    let q = (-f64::from_bits(bits) * SCALE).round();
    q.clamp(0.0, f64::from(u32::MAX)) as u32
}

impl Spec {
    /// The bucket of hash `h`.
    #[inline]
    fn bucket(&self, h: u64) -> usize {
        (h >> (64 - self.bucket_bits)) as usize
    }

    fn buckets(&self) -> usize {
        1 << self.bucket_bits
    }

    fn orders(&self) -> usize {
        self.max_order - self.min_order + 1
    }

    /// The magic of the table's [`group`]ed layout.
    fn grouped_magic(&self) -> [u8; 4] {
        [b'G', self.magic[1], self.magic[2], self.magic[3]]
    }

    /// Which dictionary holds the values of language `lang` for n-grams of `order` letters
    /// beyond the shortest.
    fn dictionary(&self, lang: usize, order: usize) -> usize {
        lang * self.orders() + order
    }
}

/// The largest number of entries a key counts.
const MAX_COUNT: usize = (1 << COUNT_BITS) - 1;

#[inline]
fn fingerprint(h: u64) -> u32 {
    (h as u32) & 0x00ff_ffff
}

/// The little-endian `u32` at byte `at`.
#[inline]
fn u32_at(bytes: &[u8], at: usize) -> u32 {
    let mut word = [0u8; 4];
    word.copy_from_slice(&bytes[at..at + 4]);
    u32::from_le_bytes(word)
}

/// An [`fst::Automaton`] matching the keys of `min..=max` characters, so a stream skips the
/// longer n-grams without visiting them.
// Used by the build script, and by the library in its tests only.
#[cfg_attr(not(test), allow(dead_code))]
struct Keys {
    min: usize,
    max: usize,
}

impl fst::Automaton for Keys {
    /// Characters begun so far.
    type State = usize;

    fn start(&self) -> usize {
        0
    }

    fn is_match(&self, chars: &usize) -> bool {
        (self.min..=self.max).contains(chars)
    }

    fn can_match(&self, chars: &usize) -> bool {
        *chars <= self.max
    }

    fn accept(&self, chars: &usize, byte: u8) -> usize {
        // UTF-8 continuation bytes are 0b10xx_xxxx.
        chars + usize::from(byte & 0xc0 != 0x80)
    }
}

/// The table `spec` of `models` (ISO 639-1 code and `ngrams.fst` bytes, sorted by code; a
/// model that does not parse is left out), in the layout above, with the entries of the
/// languages whose code `holds` accepts (the others keep their index, without entries). Reads the n-grams of the
/// spec's orders of every model once, places them by bucket (a counting sort), then sorts
/// each bucket by fingerprint, order and language. Written for the build script, whose code
/// is not optimised: plain loops and sorts, no hashing per entry.
// Used by the build script, and by the library in its tests only.
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) fn build(spec: Spec, models: &[(&str, &[u8])], holds: impl Fn(&str) -> bool) -> Vec<u8> {
    use fst::{IntoStreamer, Streamer};
    let codes: Vec<&str> = models.iter().map(|m| m.0).collect();
    let codes = codes.join(" ");
    let buckets = spec.buckets();
    let orders = spec.orders();
    assert!(
        models.len() <= 1 << (24 - INDEX_BITS),
        "too many languages for an entry"
    );
    // Bucket of each entry, the entry as sorted within its bucket (`(fingerprint <<
    // ORDER_BITS | order) << 8 | language`: the key's n-gram, then the language), its value.
    let mut found: Vec<u32> = Vec::new();
    let mut entries: Vec<(u64, u32)> = Vec::new();
    // The values of each language and order, as `models.len() * orders` lists.
    let mut values: Vec<Vec<u32>> = vec![Vec::new(); models.len() * orders];
    for (lang, (code, bytes)) in models.iter().enumerate() {
        if !holds(code) {
            continue;
        }
        let Ok(map) = fst::Map::new(*bytes) else {
            continue;
        };
        let mut stream = map
            .search(Keys {
                min: spec.min_order,
                max: spec.max_order,
            })
            .into_stream();
        while let Some((key, value)) = stream.next() {
            let order = key.iter().filter(|&&b| b & 0xc0 != 0x80).count() - spec.min_order;
            let h = hash_of(key);
            let q = quantise(value);
            found.push(spec.bucket(h) as u32);
            let ngram = u64::from(fingerprint(h) << ORDER_BITS) | order as u64;
            let sort_key = ngram << 8 | lang as u64;
            entries.push((sort_key, q));
            values[spec.dictionary(lang, order)].push(q);
        }
    }
    // Each dictionary: its distinct values, most frequent first (then smallest first); and
    // the same values sorted, with their index, to look an entry's index up.
    let mut dictionaries: Vec<Vec<u32>> = Vec::with_capacity(values.len());
    let mut lookups: Vec<Vec<(u32, u32)>> = Vec::with_capacity(values.len());
    for mut list in values {
        list.sort_unstable();
        let mut counted: Vec<(u32, u32)> = Vec::new();
        for q in list {
            match counted.last_mut() {
                Some((last, n)) if *last == q => *n += 1,
                _ => counted.push((q, 1)),
            }
        }
        counted.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        assert!(
            counted.len() <= 1 << INDEX_BITS,
            "a dictionary outgrows its index"
        );
        let dictionary: Vec<u32> = counted.iter().map(|c| c.0).collect();
        let mut lookup: Vec<(u32, u32)> = dictionary
            .iter()
            .enumerate()
            .map(|(i, &q)| (q, i as u32))
            .collect();
        lookup.sort_unstable();
        dictionaries.push(dictionary);
        lookups.push(lookup);
    }
    let mut starts = vec![0u32; buckets + 1];
    for &b in &found {
        starts[b as usize + 1] += 1;
    }
    for b in 0..buckets {
        starts[b + 1] += starts[b];
    }
    let mut placed = vec![(0u64, 0u32); entries.len()];
    let mut next = starts.clone();
    for (&b, &entry) in found.iter().zip(&entries) {
        let slot = &mut next[b as usize];
        placed[*slot as usize] = entry;
        *slot += 1;
    }
    drop((found, entries));
    let mut index: Vec<u8> = Vec::with_capacity(BUCKET * (buckets + 1));
    let mut keys: Vec<u8> = Vec::new();
    let mut cells: Vec<u8> = Vec::with_capacity(ENTRY * placed.len());
    let mut key_count = 0u32;
    for b in 0..buckets {
        index.extend_from_slice(&key_count.to_le_bytes());
        index.extend_from_slice(&starts[b].to_le_bytes());
        let bucket = &mut placed[starts[b] as usize..starts[b + 1] as usize];
        bucket.sort_unstable();
        let mut i = 0;
        while i < bucket.len() {
            // One key per n-gram (fingerprint and order), each for at most MAX_COUNT entries.
            let group = bucket[i].0 >> 8;
            let mut end = i;
            while end < bucket.len() && bucket[end].0 >> 8 == group && end - i < MAX_COUNT {
                end += 1;
            }
            let key = (group as u32) << COUNT_BITS | (end - i) as u32;
            keys.extend_from_slice(&key.to_le_bytes());
            key_count += 1;
            for &(sort_key, q) in &bucket[i..end] {
                let lang = (sort_key & 0xff) as usize;
                let order = (group & ((1 << ORDER_BITS) - 1)) as usize;
                let lookup = &lookups[spec.dictionary(lang, order)];
                let at = lookup
                    .binary_search_by(|probe| probe.0.cmp(&q))
                    .expect("every value is in its dictionary");
                let cell = (lang as u32) << INDEX_BITS | lookup[at].1;
                cells.extend_from_slice(&cell.to_le_bytes()[..ENTRY]);
            }
            i = end;
        }
    }
    index.extend_from_slice(&key_count.to_le_bytes());
    index.extend_from_slice(&starts[buckets].to_le_bytes());
    let mut value_count = 0u32;
    let mut dictionary_index: Vec<u8> = Vec::new();
    for dictionary in &dictionaries {
        dictionary_index.extend_from_slice(&value_count.to_le_bytes());
        value_count += dictionary.len() as u32;
    }
    dictionary_index.extend_from_slice(&value_count.to_le_bytes());
    let mut out = Vec::with_capacity(
        spec.magic.len()
            + 4
            + codes.len()
            + index.len()
            + dictionary_index.len()
            + keys.len()
            + cells.len()
            + VALUE * value_count as usize,
    );
    out.extend_from_slice(&spec.magic);
    out.extend_from_slice(&(codes.len() as u32).to_le_bytes());
    out.extend_from_slice(codes.as_bytes());
    out.extend_from_slice(&index);
    out.extend_from_slice(&dictionary_index);
    out.extend_from_slice(&keys);
    out.extend_from_slice(&cells);
    for dictionary in &dictionaries {
        for q in dictionary {
            out.extend_from_slice(&q.to_le_bytes());
        }
    }
    out
}

/// Buckets per group of a grouped table, as a power of two (see [`group`]).
const GROUP_BITS: u32 = 4;
/// Bytes of an entry of a grouped table: the language's index, then the value.
const GROUPED_ENTRY: usize = 1 + VALUE;

/// The four- and five-gram tables as compiled in: the entries of [`build`]'s layout grouped
/// for reading from a file, one read per lookup.
///
/// Those tables serve few texts (lingua reads them for texts under 120 letters; on the 1 GB
/// bench corpus about 150,000 lookups), but each lookup of the flat layout reads four places
/// at random (the bucket's starts, its keys, the entries and each entry's value), so those
/// few texts page in nearly all of the 86 MB of the Latin one and keep it resident. Read with
/// `pread` instead, what they read goes through the page cache (shared by every process,
/// kept or dropped by the kernel as memory allows), and the process holds only the groups'
/// offsets. Here a lookup is one read: the group of `2^GROUP_BITS` buckets of its hash
/// (about 1.4 KB), holding the numbers of keys of its buckets, their keys, and their entries
/// with the values themselves (not indices into dictionaries).
///
/// Layout, integers little-endian: the grouped magic (`Spec::grouped_magic`); the byte length
/// of the language codes and the codes (as in [`build`]); the number of keys and of entries
/// (`u32` each); for each group plus one, the byte offset of its data from the end of these
/// offsets (`u32`); each group's data: the number of keys of each of its buckets (`u8`), the
/// keys (as in [`build`]), and the entries, 5 bytes each: the language index (`u8`) and the
/// value (`u32`).
// Used by the build script, and by the library in its tests only.
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) fn group(spec: Spec, flat: Vec<u8>) -> Vec<u8> {
    let codes: Vec<String> = codes(&flat)
        .expect("a table of `build`")
        .into_iter()
        .map(str::to_owned)
        .collect();
    let codes: Vec<&str> = codes.iter().map(String::as_str).collect();
    let table = Table::new(spec, Cow::Owned(flat), &codes).expect("a table of `spec`");
    let (keys, entries) = table.starts(spec.buckets());
    let groups = spec.buckets() >> GROUP_BITS;
    let mut offsets: Vec<u8> = Vec::with_capacity(4 * (groups + 1));
    let mut data: Vec<u8> =
        Vec::with_capacity(spec.buckets() + KEY * keys + GROUPED_ENTRY * entries);
    for g in 0..groups {
        offsets.extend_from_slice(&(data.len() as u32).to_le_bytes());
        let first = g << GROUP_BITS;
        let last = first + (1 << GROUP_BITS);
        let ((key_from, entry_from), (key_to, entry_to)) =
            (table.starts(first), table.starts(last));
        for b in first..last {
            let count = table.starts(b + 1).0 - table.starts(b).0;
            data.push(u8::try_from(count).expect("a bucket holds at most 255 keys"));
        }
        let keys = &table.bytes[table.keys_at + KEY * key_from..table.keys_at + KEY * key_to];
        data.extend_from_slice(keys);
        let mut entry = entry_from;
        for key in keys.chunks_exact(KEY) {
            let key = u32::from_le_bytes([key[0], key[1], key[2], key[3]]);
            let order = ((key >> COUNT_BITS) & ((1 << ORDER_BITS) - 1)) as usize;
            for _ in 0..(key & ((1 << COUNT_BITS) - 1)) {
                let at = table.entries_at + ENTRY * entry;
                let cell = &table.bytes[at..at + ENTRY];
                let cell = u32::from_le_bytes([cell[0], cell[1], cell[2], 0]);
                let lang = (cell >> INDEX_BITS) as usize;
                let index = (cell & ((1 << INDEX_BITS) - 1)) as usize;
                let value = table.dictionaries[spec.dictionary(lang, order)] + VALUE * index;
                data.push(lang as u8);
                data.extend_from_slice(&table.bytes[value..value + VALUE]);
                entry += 1;
            }
        }
        assert_eq!(entry, entry_to);
    }
    offsets.extend_from_slice(&(data.len() as u32).to_le_bytes());
    let codes = codes.join(" ");
    let mut out = Vec::with_capacity(16 + codes.len() + offsets.len() + data.len());
    out.extend_from_slice(&spec.grouped_magic());
    out.extend_from_slice(&(codes.len() as u32).to_le_bytes());
    out.extend_from_slice(codes.as_bytes());
    out.extend_from_slice(&(keys as u32).to_le_bytes());
    out.extend_from_slice(&(entries as u32).to_le_bytes());
    out.extend_from_slice(&offsets);
    out.extend_from_slice(&data);
    out
}

/// Fills `buf` from `file` at `offset`; false if it cannot.
#[cfg(unix)]
fn read_exact_at(file: &File, buf: &mut [u8], offset: u64) -> bool {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, offset).is_ok()
}

#[cfg(not(unix))]
fn read_exact_at(_: &File, _: &mut [u8], _: u64) -> bool {
    false
}

/// The file mapped at the address of `bytes` (the process's executable, for compiled-in
/// bytes) and the offset in it where they begin, if the process's map (`/proc/self/maps`)
/// names one and it holds the same bytes there (checked at both ends).
fn file_holding(bytes: &'static [u8]) -> Option<(File, u64)> {
    let begin = bytes.as_ptr() as u64;
    let end = begin + bytes.len() as u64;
    let maps = std::fs::read_to_string("/proc/self/maps").ok()?;
    let (offset, path) = maps.lines().find_map(|line| {
        // `start-end perms offset device inode path`
        let mut fields = line.split_ascii_whitespace();
        let (from, to) = fields.next()?.split_once('-')?;
        let (from, to) = (
            u64::from_str_radix(from, 16).ok()?,
            u64::from_str_radix(to, 16).ok()?,
        );
        let offset = u64::from_str_radix(fields.nth(1)?, 16).ok()?;
        let path = fields.nth(2)?;
        (from <= begin && end <= to).then(|| (offset + (begin - from), path.to_owned()))
    })?;
    let check = bytes.len().min(4096);
    let holds = |file: &File| {
        let mut head = vec![0u8; check];
        let mut tail = vec![0u8; check];
        read_exact_at(file, &mut head, offset)
            && read_exact_at(file, &mut tail, offset + (bytes.len() - check) as u64)
            && head == bytes[..check]
            && tail == bytes[bytes.len() - check..]
    };
    // An executable replaced since the start (a rebuild) is still the process's own
    // through `/proc/self/exe`.
    let file = [path.as_str(), "/proc/self/exe"]
        .into_iter()
        .filter_map(|path| File::open(path).ok())
        .find(holds)?;
    Some((file, offset))
}

/// Groups each thread keeps of the grouped tables read from a file ([`GroupCache`]).
const CACHED_GROUPS: usize = 2048;

/// Bytes of a [`GroupCache`] slot, the largest group it keeps: groups are 0.5 to 3 KB, and
/// 95 % of the groups read are 2 KB or less; a larger one is read anew each time.
const CACHED_GROUP_BYTES: usize = 2048;

thread_local! {
    static GROUP_CACHE: RefCell<GroupCache> = RefCell::new(GroupCache::default());
}

/// The groups a thread read last from the grouped tables' files, direct-mapped by table and
/// group index: short texts look up the same common n-grams again and again, and each read
/// from the file is a system call and a copy of the group. Its slots are one block of
/// `CACHED_GROUPS × CACHED_GROUP_BYTES` (4 MB), allocated at the first read and resident
/// only as far as slots are filled: a thread that never reads the tables holds nothing.
#[derive(Default)]
struct GroupCache {
    /// The (table, group) each slot holds, `None` for an empty slot.
    tags: Vec<Option<(usize, usize)>>,
    /// The length of each slot's group.
    lens: Vec<u16>,
    /// The slots' bytes, [`CACHED_GROUP_BYTES`] each.
    slots: Vec<u8>,
}

impl GroupCache {
    /// The `len` bytes (at most [`CACHED_GROUP_BYTES`]) of group `key` (a table's address
    /// and a group index): the slot's copy, or read into the slot by `read` (which fills the
    /// buffer it gets, or returns false: then `None`, and the slot is left empty).
    fn group(
        &mut self,
        key: (usize, usize),
        len: usize,
        read: impl FnOnce(&mut [u8]) -> bool,
    ) -> Option<&[u8]> {
        debug_assert!(len <= CACHED_GROUP_BYTES);
        if self.tags.is_empty() {
            self.tags = vec![None; CACHED_GROUPS];
            self.lens = vec![0; CACHED_GROUPS];
            // Zeroed pages come from the system untouched: resident once written.
            self.slots = vec![0; CACHED_GROUPS * CACHED_GROUP_BYTES];
        }
        // Group indices come from the hashes' top bits, so their low bits spread well; the
        // table's address keeps two tables' groups of one index apart.
        let slot = (key.1 ^ key.0 >> 4) % CACHED_GROUPS;
        let at = slot * CACHED_GROUP_BYTES;
        if self.tags[slot] == Some(key) {
            return Some(&self.slots[at..at + usize::from(self.lens[slot])]);
        }
        let read = read(&mut self.slots[at..at + len]);
        self.tags[slot] = read.then_some(key);
        self.lens[slot] = len as u16;
        read.then_some(&self.slots[at..at + len])
    }
}

/// A table of [`group`]'s layout, compiled in (or built, in tests).
pub(crate) struct Grouped {
    spec: Spec,
    bytes: Cow<'static, [u8]>,
    /// Where the groups' offsets begin.
    offsets_at: usize,
    /// Where the groups' data begin.
    data_at: usize,
    /// When set, lookups read the bytes from this file at this offset (see
    /// [`Grouped::read_from_file`]).
    file: Option<(File, u64)>,
}

impl Grouped {
    /// The grouped table `spec` in `bytes`, if they hold one for the languages `codes`
    /// (ISO 639-1, in index order).
    pub(crate) fn new(spec: Spec, bytes: Cow<'static, [u8]>, codes: &[&str]) -> Option<Grouped> {
        let len = u32::from_le_bytes(bytes.get(4..8)?.try_into().ok()?) as usize;
        let counts_at = 8 + len;
        let offsets_at = counts_at + 8;
        let groups = spec.buckets() >> GROUP_BITS;
        let data_at = offsets_at + 4 * (groups + 1);
        if bytes.get(..4)? != spec.grouped_magic()
            || bytes.get(8..counts_at)? != codes.join(" ").as_bytes()
            || bytes.len() < data_at
        {
            return None;
        }
        let end = data_at + u32_at(&bytes, data_at - 4) as usize;
        (bytes.len() == end).then_some(Grouped {
            spec,
            bytes,
            offsets_at,
            data_at,
            file: None,
        })
    }

    /// The table with its lookups reading its bytes (compiled in) from the executable file
    /// that holds them, when that can be found (else the table as it is).
    pub(crate) fn read_from_file(mut self) -> Grouped {
        if let Cow::Borrowed(bytes) = self.bytes {
            self.file = file_holding(bytes);
        }
        self
    }

    /// Whether lookups read the table's bytes from a file.
    #[cfg(test)]
    pub(crate) fn reads_from_file(&self) -> bool {
        self.file.is_some()
    }

    /// How many (language, n-gram) entries the table holds.
    #[cfg(test)]
    pub(crate) fn entries(&self) -> usize {
        u32_at(&self.bytes, self.offsets_at - 4) as usize
    }

    /// Calls `found(language index, quantised -ln p)` for each language knowing the n-gram
    /// of `order` letters with hash `h` (none for an order the table does not hold), as
    /// [`Table::lookup`] does.
    pub(crate) fn lookup(&self, h: u64, order: usize, mut found: impl FnMut(usize, u32)) {
        let Some(order) = order
            .checked_sub(self.spec.min_order)
            .filter(|&order| order < self.spec.orders())
        else {
            return;
        };
        let b = self.spec.bucket(h);
        let g = b >> GROUP_BITS;
        let offset = self.offsets_at + 4 * g;
        let (from, to) = (
            u32_at(&self.bytes, offset) as usize,
            u32_at(&self.bytes, offset + 4) as usize,
        );
        let range = self.data_at + from..self.data_at + to;
        let Some((file, at)) = &self.file else {
            return find_in_group(&self.bytes[range], b, order, h, &mut found);
        };
        let read = |buf: &mut [u8]| read_exact_at(file, buf, at + range.start as u64);
        // On an I/O error the same bytes are in memory.
        if range.len() > CACHED_GROUP_BYTES {
            // A group too large for the cache's slots goes on the stack (4 KB holds every
            // group of the compiled-in tables), a larger one in the heap.
            let mut small = [0u8; 4096];
            let mut large = Vec::new();
            let buf = if range.len() <= small.len() {
                &mut small[..range.len()]
            } else {
                large.resize(range.len(), 0);
                &mut large[..]
            };
            let data = if read(buf) {
                &buf[..]
            } else {
                &self.bytes[range.clone()]
            };
            return find_in_group(data, b, order, h, &mut found);
        }
        GROUP_CACHE.with_borrow_mut(|cache| {
            let key = (self.bytes.as_ptr() as usize, g);
            let data = cache
                .group(key, range.len(), read)
                .unwrap_or(&self.bytes[range.clone()]);
            find_in_group(data, b, order, h, &mut found);
        });
    }
}

/// Calls `found` for each entry of the n-gram of hash `h` and `order` (less the table's
/// least) in bucket `b`, whose group's bytes are `data`.
fn find_in_group(data: &[u8], b: usize, order: usize, h: u64, found: &mut impl FnMut(usize, u32)) {
    let buckets = 1 << GROUP_BITS;
    let (counts, rest) = data.split_at(buckets);
    let in_group = b & (buckets - 1);
    let before: usize = counts[..in_group].iter().map(|&c| usize::from(c)).sum();
    let keys_in_group: usize = counts.iter().map(|&c| usize::from(c)).sum();
    let (keys, cells) = rest.split_at(KEY * keys_in_group);
    let wanted = fingerprint(h) << ORDER_BITS | order as u32;
    let mut entry = 0;
    for (i, key) in keys[..KEY * (before + usize::from(counts[in_group]))]
        .chunks_exact(KEY)
        .enumerate()
    {
        let key = u32::from_le_bytes([key[0], key[1], key[2], key[3]]);
        let count = (key & ((1 << COUNT_BITS) - 1)) as usize;
        if i >= before && key >> COUNT_BITS == wanted {
            let at = GROUPED_ENTRY * entry;
            for cell in cells[at..at + GROUPED_ENTRY * count].chunks_exact(GROUPED_ENTRY) {
                found(
                    usize::from(cell[0]),
                    u32::from_le_bytes([cell[1], cell[2], cell[3], cell[4]]),
                );
            }
        }
        entry += count;
    }
}

/// The language codes of the table in `bytes` (ISO 639-1, in index order), if it is one.
pub(crate) fn codes(bytes: &[u8]) -> Option<Vec<&str>> {
    let len = u32::from_le_bytes(bytes.get(4..8)?.try_into().ok()?) as usize;
    let codes = std::str::from_utf8(bytes.get(8..8 + len)?).ok()?;
    Some(codes.split(' ').collect())
}

/// A table in the layout above, compiled in (or built, in tests).
pub(crate) struct Table {
    spec: Spec,
    bytes: Cow<'static, [u8]>,
    /// Where the bucket starts begin.
    index_at: usize,
    /// Where the keys begin.
    keys_at: usize,
    /// Where the entries begin.
    entries_at: usize,
    /// Where each dictionary (by language and order) begins, in bytes.
    dictionaries: Vec<usize>,
}

impl Table {
    /// The table `spec` in `bytes`, if they hold one for the languages `codes` (ISO 639-1,
    /// in index order).
    pub(crate) fn new(spec: Spec, bytes: Cow<'static, [u8]>, codes: &[&str]) -> Option<Table> {
        let len = u32::from_le_bytes(bytes.get(4..8)?.try_into().ok()?) as usize;
        let index_at = 8 + len;
        let dictionaries_at = index_at + BUCKET * (spec.buckets() + 1);
        let keys_at = dictionaries_at + 4 * (codes.len() * spec.orders() + 1);
        if bytes.get(..4)? != spec.magic
            || bytes.get(8..index_at)? != codes.join(" ").as_bytes()
            || bytes.len() < keys_at
        {
            return None;
        }
        let last = dictionaries_at - BUCKET;
        let (keys, entries) = (u32_at(&bytes, last), u32_at(&bytes, last + 4));
        let entries_at = keys_at + KEY * keys as usize;
        let values_at = entries_at + ENTRY * entries as usize;
        let dictionaries: Vec<usize> = (0..=codes.len() * spec.orders())
            .map(|d| values_at + VALUE * u32_at(&bytes, dictionaries_at + 4 * d) as usize)
            .collect();
        let end = *dictionaries.last()?;
        (bytes.len() == end).then_some(Table {
            spec,
            bytes,
            index_at,
            keys_at,
            entries_at,
            dictionaries,
        })
    }

    /// The first key and the first entry of bucket `b`.
    #[inline]
    fn starts(&self, b: usize) -> (usize, usize) {
        let at = self.index_at + BUCKET * b;
        (
            u32_at(&self.bytes, at) as usize,
            u32_at(&self.bytes, at + 4) as usize,
        )
    }

    /// Calls `found(language index, quantised -ln p)` for each language knowing the n-gram
    /// of `order` letters with hash `h` (none for an order the table does not hold).
    #[inline]
    pub(crate) fn lookup(&self, h: u64, order: usize, mut found: impl FnMut(usize, u32)) {
        let b = self.spec.bucket(h);
        let ((from, mut entry), (to, _)) = (self.starts(b), self.starts(b + 1));
        let orders = self.spec.orders();
        let Some(order) = order
            .checked_sub(self.spec.min_order)
            .filter(|&order| order < orders)
        else {
            return;
        };
        let wanted = fingerprint(h) << ORDER_BITS | order as u32;
        let keys = &self.bytes[self.keys_at + KEY * from..self.keys_at + KEY * to];
        for key in keys.chunks_exact(KEY) {
            let key = u32::from_le_bytes([key[0], key[1], key[2], key[3]]);
            let count = (key & ((1 << COUNT_BITS) - 1)) as usize;
            if key >> COUNT_BITS == wanted {
                let at = self.entries_at + ENTRY * entry;
                for cell in self.bytes[at..at + ENTRY * count].chunks_exact(ENTRY) {
                    let cell = u32::from_le_bytes([cell[0], cell[1], cell[2], 0]);
                    let lang = (cell >> INDEX_BITS) as usize;
                    let index = (cell & ((1 << INDEX_BITS) - 1)) as usize;
                    let value =
                        self.dictionaries[self.spec.dictionary(lang, order)] + VALUE * index;
                    found(lang, u32_at(&self.bytes, value));
                }
            }
            entry += count;
        }
    }

    /// Reads the first key and the first entry of the bucket of hash `h` (0 for an empty
    /// bucket), bringing the bucket into the caches: reading those of many n-grams before
    /// looking them up lets the reads, most of them cache misses, overlap.
    #[inline]
    pub(crate) fn touch(&self, h: u64) -> u8 {
        let (key, entry) = self.starts(self.spec.bucket(h));
        let key = self.bytes.get(self.keys_at + KEY * key).copied();
        let entry = self.bytes.get(self.entries_at + ENTRY * entry).copied();
        key.unwrap_or(0) ^ entry.unwrap_or(0)
    }

    /// How many (language, n-gram) entries the table holds.
    pub(crate) fn entries(&self) -> usize {
        self.starts(self.spec.buckets()).1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An `ngrams.fst` model of `(n-gram, ln p)` pairs.
    fn model(ngrams: &[(&str, f64)]) -> Vec<u8> {
        let mut sorted = ngrams.to_vec();
        sorted.sort_by(|a, b| a.0.cmp(b.0));
        let mut builder = fst::MapBuilder::memory();
        for (ngram, log_p) in sorted {
            builder.insert(ngram, log_p.to_bits()).unwrap();
        }
        builder.into_inner().unwrap()
    }

    fn found(table: &Table, ngram: &str) -> Vec<(usize, u32)> {
        found_by(ngram, |h, order, add| table.lookup(h, order, add))
    }

    /// [`found`] for a grouped table.
    fn found_grouped(table: &Grouped, ngram: &str) -> Vec<(usize, u32)> {
        found_by(ngram, |h, order, add| table.lookup(h, order, add))
    }

    /// The sorted (language, value) pairs `lookup` finds for `ngram`.
    fn found_by(
        ngram: &str,
        lookup: impl FnOnce(u64, usize, &mut dyn FnMut(usize, u32)),
    ) -> Vec<(usize, u32)> {
        let mut all = Vec::new();
        lookup(
            hash_of(ngram.as_bytes()),
            ngram.chars().count(),
            &mut |lang, q| all.push((lang, q)),
        );
        all.sort_unstable();
        all
    }

    #[test]
    fn every_language_of_an_ngram_is_found_with_its_own_value() {
        // 70 languages know `schön` (more than one key holds), each with a value of its
        // own; every third one also knows `über` with the value another gives `schön`,
        // so that dictionaries share values and differ in order.
        let codes: Vec<String> = (0..70).map(|i| format!("l{i:02}")).collect();
        let log_p = |i: usize| -1.0 - i as f64 / 7.0;
        let models: Vec<Vec<u8>> = (0..70)
            .map(|i| {
                let mut ngrams = vec![("schön", log_p(i)), ("ab", -0.5), ("abcdef", -0.1)];
                if i % 3 == 0 {
                    ngrams.push(("über", log_p(69 - i)));
                }
                model(&ngrams)
            })
            .collect();
        let models: Vec<(&str, &[u8])> = codes
            .iter()
            .zip(&models)
            .map(|(c, m)| (c.as_str(), m.as_slice()))
            .collect();
        let codes: Vec<&str> = codes.iter().map(String::as_str).collect();
        let bytes = build(LONG_LATIN, &models, |_| true);
        let table = Table::new(LONG_LATIN, Cow::Owned(bytes), &codes).unwrap();
        let q = |i: usize| quantise(log_p(i).to_bits());
        assert_eq!(
            found(&table, "schön"),
            (0..70).map(|i| (i, q(i))).collect::<Vec<_>>()
        );
        let uber: Vec<(usize, u32)> = (0..70).step_by(3).map(|i| (i, q(69 - i))).collect();
        assert_eq!(found(&table, "über"), uber);
        assert_eq!(table.entries(), 70 + uber.len());
        // Neither the bigram nor the six-gram is of the table's orders; the four-gram's
        // hash asked as a five-gram is not the five-gram.
        assert!(found(&table, "ab").is_empty());
        assert!(found(&table, "abcdef").is_empty());
        let mut as_five_gram = Vec::new();
        table.lookup(hash_of("über".as_bytes()), 5, |lang, q| {
            as_five_gram.push((lang, q))
        });
        assert!(as_five_gram.is_empty());
        assert!(found(&table, "schon").is_empty());
        // The bytes of another language list, or cut short, are no table.
        let bytes = build(LONG_LATIN, &models, |_| true);
        let cut = bytes[..bytes.len() - 1].to_vec();
        assert!(Table::new(LONG_LATIN, Cow::Owned(cut), &codes).is_none());
        assert!(Table::new(LONG_LATIN, Cow::Owned(bytes.clone()), &codes[1..]).is_none());
        assert!(Table::new(SHORT, Cow::Owned(bytes), &codes).is_none());

        // The grouped layout finds the same, read from memory or from a file.
        let grouped = group(LONG_LATIN, build(LONG_LATIN, &models, |_| true));
        assert!(Grouped::new(LONG_LATIN, Cow::Owned(grouped.clone()), &codes[1..]).is_none());
        let cut = grouped[..grouped.len() - 1].to_vec();
        assert!(Grouped::new(LONG_LATIN, Cow::Owned(cut), &codes).is_none());
        let grouped = Grouped::new(LONG_LATIN, Cow::Owned(grouped), &codes).unwrap();
        assert_eq!(grouped.entries(), table.entries());
        // Bytes of the heap are in no file, so an owned table stays in memory.
        let heap: &'static [u8] = Box::leak(vec![7u8; 10_000].into_boxed_slice());
        assert!(file_holding(heap).is_none());
        let mut grouped = grouped.read_from_file();
        assert!(!grouped.reads_from_file());
        let ngrams = ["schön", "über", "schon", "ab", "abcdef"];
        for ngram in ngrams {
            assert_eq!(
                found_grouped(&grouped, ngram),
                found(&table, ngram),
                "{ngram}"
            );
        }
        // A file every read of which fails (an empty one): the bytes in memory answer.
        let path = std::env::temp_dir().join(format!("langid-grouped-{}", std::process::id()));
        std::fs::write(&path, b"").unwrap();
        grouped.file = Some((File::open(&path).unwrap(), 0));
        assert!(grouped.reads_from_file());
        for ngram in ngrams {
            assert_eq!(
                found_grouped(&grouped, ngram),
                found(&table, ngram),
                "{ngram}"
            );
        }
        std::fs::remove_file(&path).unwrap();
    }

    #[test]
    fn the_group_cache_reads_a_group_once_and_never_keeps_a_failed_read() {
        let mut cache = GroupCache::default();
        let fill = |byte: u8| {
            move |buf: &mut [u8]| {
                buf.fill(byte);
                true
            }
        };
        let unread = |_: &mut [u8]| -> bool { panic!("read again") };
        assert_eq!(cache.group((1, 5), 3, fill(7)), Some(&[7u8, 7, 7][..]));
        assert_eq!(cache.group((1, 5), 3, unread), Some(&[7u8, 7, 7][..]));
        // Another table's group of the same index, and another group of the slot.
        assert_eq!(cache.group((1 << 20, 5), 2, fill(8)), Some(&[8u8, 8][..]));
        assert_eq!(
            cache.group((1, 5 + CACHED_GROUPS), 1, fill(9)),
            Some(&[9u8][..])
        );
        assert_eq!(cache.group((1, 5), 3, fill(6)), Some(&[6u8, 6, 6][..]));
        // A failed read answers nothing and leaves the slot empty.
        assert_eq!(cache.group((1, 6), 4, |_| false), None);
        assert_eq!(cache.group((1, 6), 4, fill(5)), Some(&[5u8; 4][..]));
        assert_eq!(cache.group((1, 6), 4, unread), Some(&[5u8; 4][..]));
        assert_eq!(cache.tags.len(), CACHED_GROUPS);
    }

    #[test]
    fn a_table_holds_only_the_languages_asked_for_and_keeps_every_index() {
        let models: Vec<Vec<u8>> = [-1.0, -2.0, -3.0]
            .iter()
            .map(|&log_p| model(&[("haus", log_p), ("ab", -0.5)]))
            .collect();
        let codes = ["de", "ru", "zh"];
        let models: Vec<(&str, &[u8])> = codes
            .iter()
            .zip(&models)
            .map(|(c, m)| (*c, m.as_slice()))
            .collect();
        let q = |log_p: f64| quantise(f64::to_bits(log_p));
        let latin = build(LONG_LATIN, &models, in_latin_table);
        let latin = Table::new(LONG_LATIN, Cow::Owned(latin), &codes).unwrap();
        assert_eq!(found(&latin, "haus"), [(0, q(-1.0))]);
        let other = build(LONG_OTHER, &models, |code| !in_latin_table(code));
        let other = Table::new(LONG_OTHER, Cow::Owned(other), &codes).unwrap();
        assert_eq!(found(&other, "haus"), [(1, q(-2.0)), (2, q(-3.0))]);
        assert_eq!(latin.entries() + other.entries(), 3);
    }
}
