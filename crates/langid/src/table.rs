//! The scorer's tables of the n-grams of every compiled-in language, shared by the build
//! script (which builds them from lingua's models into `OUT_DIR`, compiled in with
//! `include_bytes!`) and the library (which reads them; its tests build them again and compare).
//! One table holds the uni- to trigrams ([`SHORT`]), one the four-
//! and five-grams ([`LONG`]): texts of 120 letters and more are scored on trigrams alone, in
//! the small table that stays in the caches.
//!
//! Layout, all integers little-endian: the table's magic (`Spec::magic`); the byte length of
//! the language codes and the codes (ISO 639-1, sorted, separated by spaces: the table's
//! language indices); then for each of the `2^Spec::bucket_bits` buckets plus one, the index
//! of its first entry (`u32`); then the entries, 8 bytes each: `fingerprint << 8 | language
//! index` (`u32`) and `round(-ln p * SCALE)` (`u32`). Bucket `b` (the top `bucket_bits` bits
//! of an n-gram's hash) holds the entries `start[b]..start[b + 1]`; the fingerprint is the
//! low 24 bits.

use std::borrow::Cow;

/// Which n-grams a table holds, and how it is hashed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Spec {
    /// First bytes of the table.
    magic: [u8; 4],
    /// The shortest n-grams held (in letters).
    pub(crate) min_order: usize,
    /// The longest n-grams held (in letters).
    pub(crate) max_order: usize,
    /// log2 of the number of hash buckets (about five entries each with all languages).
    bucket_bits: u32,
}

/// The table of uni- to trigrams (1.3 million entries for all 75 languages, 11.5 MB).
pub(crate) const SHORT: Spec = Spec {
    magic: *b"LGT2",
    min_order: 1,
    max_order: 3,
    bucket_bits: 18,
};

/// The table of four- and five-grams (19.8 million entries for all 75 languages, 175 MB).
pub(crate) const LONG: Spec = Spec {
    magic: *b"LGT5",
    min_order: 4,
    max_order: 5,
    bucket_bits: 22,
};

/// Stored log-probabilities are `round(-ln p * SCALE)` in a `u32` (lingua's smallest is
/// about -18.5; this holds down to -64): steps of 1.5e-8, so that sums of them rank languages
/// as lingua's sums of `f64`s do, even where those differ in the fifth digit.
pub(crate) const SCALE: f64 = (1u64 << 26) as f64;

/// Bytes of one entry.
const ENTRY: usize = 8;

/// The FNV-1a offset basis: the hash state before any byte.
pub(crate) const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

/// One step of FNV-1a over a byte of an n-gram.
#[inline]
pub(crate) fn fnv(h: u64, b: u8) -> u64 {
    (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
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
}

#[inline]
fn fingerprint(h: u64) -> u32 {
    (h as u32) & 0x00ff_ffff
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
/// model that does not parse is left out), in the layout above. Reads the n-grams of the
/// spec's orders of every model once, then places them by bucket (a counting sort). Written
/// for the build script, whose code is not optimised: plain loops, few calls per entry.
// Used by the build script, and by the library in its tests only.
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) fn build(spec: Spec, models: &[(&str, &[u8])]) -> Vec<u8> {
    use fst::{IntoStreamer, Streamer};
    let codes: Vec<&str> = models.iter().map(|m| m.0).collect();
    let codes = codes.join(" ");
    let buckets = spec.buckets();
    // Bucket of each entry, and the entry as stored: `q << 32 | fingerprint << 8 | lang`.
    let mut found: Vec<u32> = Vec::new();
    let mut entries: Vec<u64> = Vec::new();
    for (lang, (_, bytes)) in models.iter().enumerate() {
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
            let h = hash_of(key);
            found.push(spec.bucket(h) as u32);
            let key = u64::from(fingerprint(h) << 8 | lang as u32);
            entries.push(u64::from(quantise(value)) << 32 | key);
        }
    }
    let mut starts = vec![0u32; buckets + 1];
    for &b in &found {
        starts[b as usize + 1] += 1;
    }
    for b in 0..buckets {
        starts[b + 1] += starts[b];
    }
    let mut placed = vec![0u64; entries.len()];
    let mut next = starts.clone();
    for (&b, &entry) in found.iter().zip(&entries) {
        let slot = &mut next[b as usize];
        placed[*slot as usize] = entry;
        *slot += 1;
    }
    drop((found, entries));
    let head = spec.magic.len() + 4 + codes.len();
    let mut out = Vec::with_capacity(head + 4 * (buckets + 1) + ENTRY * placed.len());
    out.extend_from_slice(&spec.magic);
    out.extend_from_slice(&(codes.len() as u32).to_le_bytes());
    out.extend_from_slice(codes.as_bytes());
    for start in &starts {
        out.extend_from_slice(&start.to_le_bytes());
    }
    for entry in &placed {
        out.extend_from_slice(&entry.to_le_bytes());
    }
    out
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
    starts_at: usize,
    /// Where the entries begin.
    entries_at: usize,
}

impl Table {
    /// The table `spec` in `bytes`, if they hold one for the languages `codes` (ISO 639-1,
    /// in index order).
    pub(crate) fn new(spec: Spec, bytes: Cow<'static, [u8]>, codes: &[&str]) -> Option<Table> {
        let len = u32::from_le_bytes(bytes.get(4..8)?.try_into().ok()?) as usize;
        let starts_at = 8 + len;
        let entries_at = starts_at + 4 * (spec.buckets() + 1);
        let ok = bytes.get(..4)? == spec.magic
            && bytes.get(8..starts_at)? == codes.join(" ").as_bytes()
            && bytes.len() >= entries_at;
        let table = Table {
            spec,
            bytes,
            starts_at,
            entries_at,
        };
        (ok && table.bytes.len() == entries_at + ENTRY * table.entries()).then_some(table)
    }

    #[inline]
    fn start(&self, b: usize) -> usize {
        let at = self.starts_at + 4 * b;
        let mut word = [0u8; 4];
        word.copy_from_slice(&self.bytes[at..at + 4]);
        u32::from_le_bytes(word) as usize
    }

    /// Calls `found(language index, quantised -ln p)` for each language knowing the n-gram
    /// with hash `h`.
    #[inline]
    pub(crate) fn lookup(&self, h: u64, mut found: impl FnMut(usize, u32)) {
        let b = self.spec.bucket(h);
        let (from, to) = (self.start(b), self.start(b + 1));
        let fp = fingerprint(h);
        let entries = &self.bytes[self.entries_at + ENTRY * from..self.entries_at + ENTRY * to];
        for entry in entries.chunks_exact(ENTRY) {
            let key = u32::from_le_bytes([entry[0], entry[1], entry[2], entry[3]]);
            if key >> 8 == fp {
                found(
                    (key & 0xff) as usize,
                    u32::from_le_bytes([entry[4], entry[5], entry[6], entry[7]]),
                );
            }
        }
    }

    /// Reads the first entry of the bucket of hash `h` (0 for an empty bucket), bringing the
    /// bucket into the caches: reading those of many n-grams before looking them up lets
    /// the reads, most of them cache misses, overlap.
    #[inline]
    pub(crate) fn touch(&self, h: u64) -> u8 {
        let b = self.spec.bucket(h);
        let at = self.entries_at + ENTRY * self.start(b);
        self.bytes.get(at).copied().unwrap_or(0)
    }

    /// How many (language, n-gram) entries the table holds.
    pub(crate) fn entries(&self) -> usize {
        self.start(self.spec.buckets())
    }
}
