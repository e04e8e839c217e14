//! What the index keeps per document besides its table entries, off the heap once it
//! outgrows a budget: its id and a fixed record (where its id and shingle set are, the
//! low half of its exact key). Without this, every kept document held about 80 bytes in
//! memory until the end of the run, however much of the rest of the index had moved to disk.
//!
//! Both are append-only [`SpillLog`]s, as the shingle sets are: the newest elements in
//! memory, the older ones in a file that is read (one `pread`, usually from the page cache)
//! only for the documents a finding names or a candidate needs.

use std::fs::File;
use std::io::Write;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// What a [`SpillLog`] holds: bytes (ids, records) or `u32`s (shingle sets), stored in the
/// file little-endian.
pub(crate) trait Element: Copy + Default + std::fmt::Debug {
    /// Bytes of one element in the file.
    const BYTES: usize;
    /// Appends the file form of `values` to `out`.
    fn encode(values: &[Self], out: &mut Vec<u8>);
    /// Replaces `out` with the elements of `bytes` (a multiple of [`Self::BYTES`]).
    fn decode(bytes: &[u8], out: &mut Vec<Self>);
}

impl Element for u8 {
    const BYTES: usize = 1;
    fn encode(values: &[u8], out: &mut Vec<u8>) {
        out.extend_from_slice(values);
    }
    fn decode(bytes: &[u8], out: &mut Vec<u8>) {
        out.clear();
        out.extend_from_slice(bytes);
    }
}

impl Element for u32 {
    const BYTES: usize = 4;
    fn encode(values: &[u32], out: &mut Vec<u8>) {
        out.extend(values.iter().flat_map(|v| v.to_le_bytes()));
    }
    fn decode(bytes: &[u8], out: &mut Vec<u32>) {
        out.clear();
        out.extend(
            bytes
                .chunks_exact(4)
                .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]])),
        );
    }
}

/// Elements converted to bytes and written at a time when the part in memory moves to the
/// file: a copy of all of it as bytes would double its memory.
const WRITE_ELEMENTS: usize = 1 << 14;

/// An append-only sequence whose newest elements stay in memory, up to a budget, and whose
/// older elements are moved to a file. Each append is moved out whole, so every appended
/// piece lies entirely in memory or entirely in the file.
#[derive(Debug)]
pub(crate) struct SpillLog<T: Element> {
    /// The elements not yet in the file.
    tail: Vec<T>,
    /// Elements before `tail` (all in the file).
    base: u64,
    /// Most elements held in memory before they are written out; `None` keeps all.
    budget: Option<usize>,
    path: Option<PathBuf>,
    /// Created when first written to.
    file: Option<File>,
    /// Scratch for pieces read back from the file.
    read_bytes: Vec<u8>,
    read_elements: Vec<T>,
}

impl<T: Element> Default for SpillLog<T> {
    fn default() -> Self {
        SpillLog {
            tail: Vec::new(),
            base: 0,
            budget: None,
            path: None,
            file: None,
            read_bytes: Vec::new(),
            read_elements: Vec::new(),
        }
    }
}

impl<T: Element> Drop for SpillLog<T> {
    /// The file holds part of one process's index only (a later run starts from the
    /// persistent index), so it goes with the log instead of taking disk space until the
    /// next run.
    fn drop(&mut self) {
        if let (Some(path), Some(_)) = (&self.path, &self.file) {
            let _ = std::fs::remove_file(path);
        }
    }
}

impl<T: Element> SpillLog<T> {
    /// Moves the older elements to `path` (created, or emptied, when first needed) whenever
    /// more than `budget_bytes` of them are in memory.
    pub(crate) fn spill_to(&mut self, path: &Path, budget_bytes: usize) {
        self.budget = Some(budget_bytes / std::mem::size_of::<T>());
        self.path = Some(path.to_owned());
    }

    /// Elements appended so far.
    pub(crate) fn len(&self) -> u64 {
        self.base + self.tail.len() as u64
    }

    /// Whether the element at `offset` is in the part in memory.
    pub(crate) fn in_memory(&self, offset: u64) -> bool {
        offset >= self.base
    }

    /// Appends `elements`, first moving what is in memory to the file if they would not
    /// fit.
    pub(crate) fn append(&mut self, elements: &[T]) -> Result<()> {
        if let Some(budget) = self.budget {
            if !self.tail.is_empty() && self.tail.len() + elements.len() > budget {
                self.write_out()?;
            }
            // Grow by doubling as usual, but never past the budget (unless one piece is
            // larger): doubling past it would hold up to twice the budget.
            let needed = self.tail.len() + elements.len();
            if needed > self.tail.capacity() {
                let capacity = (self.tail.capacity() * 2).min(budget).max(needed);
                self.tail.reserve_exact(capacity - self.tail.len());
            }
        }
        self.tail.extend_from_slice(elements);
        Ok(())
    }

    fn write_out(&mut self) -> Result<()> {
        let Some(path) = self.path.as_ref() else {
            return Ok(());
        };
        if self.file.is_none() {
            self.file = Some(crate::table::create_spill_file(path)?);
        }
        if let Some(file) = self.file.as_mut() {
            let mut bytes = Vec::with_capacity(WRITE_ELEMENTS.min(self.tail.len()) * T::BYTES);
            for piece in self.tail.chunks(WRITE_ELEMENTS) {
                bytes.clear();
                T::encode(piece, &mut bytes);
                file.write_all(&bytes).map_err(|source| Error::Spill {
                    path: path.clone(),
                    source,
                })?;
            }
        }
        self.base += self.tail.len() as u64;
        self.tail.clear();
        Ok(())
    }

    /// The `len` elements at `offset`, which must be one appended piece or lie within one:
    /// borrowed from memory, or read back from the file.
    pub(crate) fn read(&mut self, offset: u64, len: usize) -> Result<&[T]> {
        if offset >= self.base {
            let start = (offset - self.base) as usize;
            return Ok(&self.tail[start..start + len]);
        }
        self.read_bytes.resize(len * T::BYTES, 0);
        if let (Some(file), Some(path)) = (self.file.as_ref(), self.path.as_ref()) {
            file.read_exact_at(&mut self.read_bytes, offset * T::BYTES as u64)
                .map_err(|source| Error::Spill {
                    path: path.clone(),
                    source,
                })?;
        }
        T::decode(&self.read_bytes, &mut self.read_elements);
        Ok(&self.read_elements)
    }

    /// Heap bytes held.
    pub(crate) fn memory_bytes(&self) -> usize {
        (self.tail.capacity() + self.read_elements.capacity()) * std::mem::size_of::<T>()
            + self.read_bytes.capacity()
    }
}

/// Where a document's shingle set is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SetPlace {
    /// Values `start..start + len` of the index's shingle store.
    Stored { start: u64, len: u32 },
    /// Record `number` of the persistent index (a document an earlier run indexed).
    Recalled { number: u64 },
}

/// The fixed part of what the index knows of one document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DocRecord {
    /// Byte offset of its id in the ids log, and its length.
    pub(crate) id_start: u64,
    pub(crate) id_len: u32,
    pub(crate) set: SetPlace,
    /// The low half of its exact key (the high half is its key in the exact table).
    pub(crate) exact_low: u64,
}

/// `set_len` of a record whose set is [`SetPlace::Recalled`].
const RECALLED: u32 = u32::MAX;

/// Bytes of one encoded [`DocRecord`].
const RECORD: usize = 32;

impl DocRecord {
    fn encode(&self) -> [u8; RECORD] {
        let (set_start, set_len) = match self.set {
            SetPlace::Stored { start, len } => (start, len),
            SetPlace::Recalled { number } => (number, RECALLED),
        };
        let mut out = [0u8; RECORD];
        out[0..8].copy_from_slice(&self.id_start.to_le_bytes());
        out[8..12].copy_from_slice(&self.id_len.to_le_bytes());
        out[12..16].copy_from_slice(&set_len.to_le_bytes());
        out[16..24].copy_from_slice(&set_start.to_le_bytes());
        out[24..32].copy_from_slice(&self.exact_low.to_le_bytes());
        out
    }

    fn decode(bytes: &[u8]) -> Self {
        let u64_at = |i: usize| {
            let mut b = [0u8; 8];
            b.copy_from_slice(&bytes[i..i + 8]);
            u64::from_le_bytes(b)
        };
        let u32_at = |i: usize| {
            let mut b = [0u8; 4];
            b.copy_from_slice(&bytes[i..i + 4]);
            u32::from_le_bytes(b)
        };
        let set_len = u32_at(12);
        let set_start = u64_at(16);
        DocRecord {
            id_start: u64_at(0),
            id_len: u32_at(8),
            set: if set_len == RECALLED {
                SetPlace::Recalled { number: set_start }
            } else {
                SetPlace::Stored {
                    start: set_start,
                    len: set_len,
                }
            },
            exact_low: u64_at(24),
        }
    }
}

/// Most slots of [`Documents`]' caches of records and ids read back from the files: at
/// 1 GB the documents named over and over (the first with a boilerplate paragraph, a
/// much-copied article) were some tens of thousands, and with 4,096 slots 60 % of the ids
/// asked for were read from the file again.
const MAX_CACHED: usize = 1 << 16;

/// Bytes a cache slot of a record and one of an id (of 20 bytes) take, about.
const SLOT_BYTES: usize = 100;

/// The ids and records of all indexed documents, in the order they were numbered.
#[derive(Debug, Default)]
pub(crate) struct Documents {
    ids: SpillLog<u8>,
    records: SpillLog<u8>,
    /// Records and ids read back from the files, by document (one slot per hash of the
    /// number): the same few documents are named again and again (the first to carry a
    /// boilerplate paragraph, a much-copied article), and each read is a system call.
    cached_records: Vec<Option<(u32, DocRecord)>>,
    cached_ids: Vec<Option<(u32, String)>>,
    /// Slots of each cache (a power of two), allocated when first needed.
    cache_slots: usize,
}

impl Documents {
    /// Keeps about `budget_bytes` in memory, moving older ids and records to
    /// `folder/ids.bin` and `folder/documents.bin`, and caches those read back in about
    /// `cache_bytes` more (at most [`MAX_CACHED`] slots).
    pub(crate) fn spill_to(&mut self, folder: &Path, budget_bytes: usize, cache_bytes: usize) {
        // Records take 32 bytes per document, ids usually 10 to 40.
        self.records
            .spill_to(&folder.join("documents.bin"), budget_bytes / 2);
        self.ids.spill_to(&folder.join("ids.bin"), budget_bytes / 2);
        let slots = (cache_bytes / SLOT_BYTES).clamp(1, MAX_CACHED);
        // The largest power of two within the share: `slot` takes the high bits of a hash.
        self.cache_slots = 1 << slots.ilog2();
    }

    /// The cache slot of document `doc`.
    fn slot(&self, doc: u32) -> usize {
        let bits = self.cache_slots.trailing_zeros();
        if bits == 0 {
            return 0;
        }
        (doc.wrapping_mul(0x9E37_79B9) >> (32 - bits)) as usize
    }

    /// Documents numbered so far.
    pub(crate) fn len(&self) -> u64 {
        self.records.len() / RECORD as u64
    }

    /// Numbers the next document.
    pub(crate) fn push(&mut self, id: &str, set: SetPlace, exact_low: u64) -> Result<()> {
        let record = DocRecord {
            id_start: self.ids.len(),
            id_len: u32::try_from(id.len()).unwrap_or(u32::MAX),
            set,
            exact_low,
        };
        let id = &id.as_bytes()[..record.id_len as usize];
        self.ids.append(id)?;
        self.records.append(&record.encode())
    }

    /// The record of document `doc` (a number [`Self::push`] gave).
    pub(crate) fn record(&mut self, doc: u32) -> Result<DocRecord> {
        let offset = u64::from(doc) * RECORD as u64;
        if self.records.in_memory(offset) {
            return Ok(DocRecord::decode(self.records.read(offset, RECORD)?));
        }
        if self.cached_records.is_empty() {
            self.cached_records = vec![None; self.cache_slots.max(1)];
        }
        let slot = self.slot(doc);
        let slot = &mut self.cached_records[slot];
        if let Some((cached, record)) = *slot {
            if cached == doc {
                return Ok(record);
            }
        }
        let record = DocRecord::decode(self.records.read(offset, RECORD)?);
        *slot = Some((doc, record));
        Ok(record)
    }

    /// The id of document `doc`.
    pub(crate) fn id(&mut self, doc: u32) -> Result<String> {
        // An id in the cache was read back from the file, where it stays: its record,
        // another read from the file when it is not cached either, is not needed.
        if !self.cached_ids.is_empty() {
            if let Some((cached, id)) = &self.cached_ids[self.slot(doc)] {
                if *cached == doc {
                    return Ok(id.clone());
                }
            }
        }
        let record = self.record(doc)?;
        if self.ids.in_memory(record.id_start) {
            return self.read_id(&record);
        }
        if self.cached_ids.is_empty() {
            self.cached_ids = vec![None; self.cache_slots.max(1)];
        }
        let id = self.read_id(&record)?;
        let slot = self.slot(doc);
        self.cached_ids[slot] = Some((doc, id.clone()));
        Ok(id)
    }

    fn read_id(&mut self, record: &DocRecord) -> Result<String> {
        let bytes = self.ids.read(record.id_start, record.id_len as usize)?;
        // Ids are appended whole from `&str`s, so this never replaces anything.
        Ok(String::from_utf8_lossy(bytes).into_owned())
    }

    /// Heap bytes held.
    pub(crate) fn memory_bytes(&self) -> usize {
        let cached_ids: usize = self
            .cached_ids
            .iter()
            .flatten()
            .map(|(_, id)| id.capacity())
            .sum();
        self.ids.memory_bytes()
            + self.records.memory_bytes()
            + self.cached_records.capacity() * std::mem::size_of::<Option<(u32, DocRecord)>>()
            + self.cached_ids.capacity() * std::mem::size_of::<Option<(u32, String)>>()
            + cached_ids
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_round_trip() {
        for set in [
            SetPlace::Stored {
                start: 1 << 40,
                len: 17,
            },
            SetPlace::Recalled { number: 5 },
        ] {
            let record = DocRecord {
                id_start: 123_456_789_012,
                id_len: 9,
                set,
                exact_low: u64::MAX - 3,
            };
            assert_eq!(DocRecord::decode(&record.encode()), record);
        }
    }

    #[test]
    fn pieces_are_read_back_from_memory_and_from_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log.bin");
        let mut log = SpillLog::<u8>::default();
        log.spill_to(&path, 10);
        let pieces: Vec<Vec<u8>> = (0..50u8).map(|i| vec![i; usize::from(i % 7) + 1]).collect();
        let mut offsets = Vec::new();
        for piece in &pieces {
            offsets.push(log.len());
            log.append(piece).unwrap();
            assert!(log.memory_bytes() <= 10, "{}", log.memory_bytes());
        }
        assert!(log.base > 0, "most of it moved to the file");
        for (piece, &offset) in pieces.iter().zip(&offsets) {
            assert_eq!(log.read(offset, piece.len()).unwrap(), piece);
        }
    }

    #[test]
    fn ids_and_records_survive_spilling() {
        let dir = tempfile::tempdir().unwrap();
        let mut docs = Documents::default();
        docs.spill_to(dir.path(), 200, 200);
        let id_of = |d: u32| "ä".repeat(d as usize % 5) + &format!("doc-{d}");
        // The first ten as if loaded from the persistent index.
        let place_of = |d: u32| {
            if d < 10 {
                SetPlace::Recalled {
                    number: u64::from(d) * 3,
                }
            } else {
                SetPlace::Stored {
                    start: u64::from(d) * 100,
                    len: d,
                }
            }
        };
        for d in 0..1000u32 {
            docs.push(&id_of(d), place_of(d), u64::from(d) << 33)
                .unwrap();
            assert!(docs.memory_bytes() <= 200 + 64, "{}", docs.memory_bytes());
        }
        assert_eq!(docs.len(), 1000);
        assert!(dir.path().join("ids.bin").exists());
        assert!(dir.path().join("documents.bin").exists());
        // Twice, the second time partly from the caches (and slots taken by others).
        for d in (0..1000u32).rev().chain(0..1000) {
            assert_eq!(docs.id(d).unwrap(), id_of(d), "doc {d}");
            let record = docs.record(d).unwrap();
            assert_eq!(record.exact_low, u64::from(d) << 33);
            assert_eq!(record.set, place_of(d));
        }
        drop(docs);
        assert!(
            !dir.path().join("ids.bin").exists(),
            "removed with the index"
        );
        assert!(!dir.path().join("documents.bin").exists());
    }
}
