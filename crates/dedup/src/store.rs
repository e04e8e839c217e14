//! The persistent index: what the stage indexed, kept in an embedded database (redb) in
//! the stage's state folder (`<output>/state/dedupe/index.redb`), so that an incremental
//! run compares new documents with every document earlier runs kept without reading or
//! hashing their text again.
//!
//! | table | key | value |
//! |---|---|---|
//! | `docs` | record number (`u64`, increasing across runs) | id, `source.path`, exact key, LSH band keys, passage hashes |
//! | `set_blocks` | number of the block's last record | the shingle sets of consecutive records of one run (see below) |
//! | `meta` | `format`, `token`, `settings`, `next` | the layout version ([`FORMAT_VERSION`]), the run that committed it, the settings that shape the keys, the next record number |
//!
//! A set block is `count: u32`, then `count` end offsets (`u32`, into the data after
//! them), then each record's set: empty for an empty set; else a byte saying how it is
//! stored. `0`: plain `u32` little-endian values. `1`, split, for a sorted set of `n`
//! values when that is smaller: `n` as a LEB128 varint, a bitmap of `n + 256` bits (least
//! significant first) whose `i`th one is at `i + (value_i >> 24)`, so that it tells each
//! value's high byte, then the low three bytes of each value. A block
//! holds records while it fits [`SET_BLOCK_BYTES`], so that redb stores each as one leaf of
//! whole pages instead of building and splitting a leaf per record; a lone record larger
//! than that gets a block of its own. Reading one record's set reads its block: keyed by
//! its last record, the block is the first at or after the record, one seek (keyed by its
//! first, the seek landed on the next block and stepped back: two leaves read).
//!
//! A run writes its new records in batches and commits the last batch together with its
//! run token ([`pipeline_core::RunLink`]). The next incremental run trusts the database only
//! when that token is the one the runtime stored with the output it carries over, and the
//! settings are the same; otherwise the stage rebuilds the index from the carried-over
//! documents ([`pipeline_core::Stage::remember`]) and rewrites the database. Records of files
//! an incremental run reads again (changed files) are left out when loading and deleted at
//! its end.
//!
//! On disk a kept document costs about `40 + len(id) + len(path) + 4 × bands + 8 × passages`
//! bytes in `docs`, plus the B-tree's slack, and `3 × shingles + (shingles + 256) / 8`
//! bytes in `set_blocks` (3.2 bytes a shingle instead of 4 for a typical set of 400).
//!
//! Databases written before the `format` key (one `sets` value per record) or with another
//! version are not trusted, like those of another run: the index is rebuilt once from the
//! carried-over documents.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::Arc;
use std::thread::JoinHandle;

use redb::{Database, Durability, ReadOnlyTable, ReadableDatabase, ReadableTable, TableDefinition};

use crate::error::{Error, Result};
use crate::index::SetSource;

const DOCS: TableDefinition<u64, &[u8]> = TableDefinition::new("docs");
const SET_BLOCKS: TableDefinition<u64, &[u8]> = TableDefinition::new("set_blocks");
const META: TableDefinition<&str, &str> = TableDefinition::new("meta");
const FORMAT: &str = "format";
/// The layout of the tables; a database with another (or none) is rebuilt, never read.
const FORMAT_VERSION: &str = "4";
const TOKEN: &str = "token";
const SETTINGS: &str = "settings";
const NEXT: &str = "next";

/// Name of the database file in the stage's state folder.
pub(crate) const FILE_NAME: &str = "index.redb";

/// Records are handed to the writer once this many bytes of them wait in memory (at most
/// two batches are held: one filling, one being written). Since the `dedupe` thread got
/// faster than the writer, both are held most of the time: 8 MB batches instead of 16
/// lowered the peak of a 1 GB run by 7 MB at the same CPU time, 4 MB by 6 to 8 MB more
/// for about 0.5 CPU-s more (the stage's 15.5 s).
const BATCH_BYTES: usize = 4 << 20;

/// Memory redb may use to cache pages; the index in memory is what makes lookups fast,
/// the database is read once at start and written in batches. 32 MB held about 25 MB more
/// at the peak of a 1 GB run than 8 MB, at the same speed. Since sets are written in
/// 16 KB blocks redb fills its cache with them: 8 MB then held 3 to 5 MB more than 4 MB at
/// the peak of a 100 MB run (fresh or incremental), at the same CPU time.
const CACHE_BYTES: usize = 4 << 20;

/// Largest set block, unless one record alone is larger: with redb's 16 bytes of leaf
/// header, key and length a block fills four 4 KB pages (redb allocates a power of two of
/// pages), so a block wastes nothing but the room the next record did not fit in.
const SET_BLOCK_BYTES: usize = (16 << 10) - 16;

/// The first byte of a set stored as plain `u32` little-endian values.
const PLAIN_SET: u8 = 0;
/// The first byte of a set stored split (see the module docs).
const SPLIT_SET: u8 = 1;
/// Values in a bucket of a split set (the high byte) are this many bits apart.
const LOW_BITS: u32 = 24;
const LOW_BYTES: usize = 3;

/// Appends `set` in the layout of a `set_blocks` record (see the module docs): split
/// when it is sorted (the stage's always are) and that is smaller, else plain.
fn encode_set(set: &[u32], out: &mut Vec<u8>) {
    if set.is_empty() {
        return;
    }
    let n = set.len();
    let bitmap_bytes = (n + 256).div_ceil(8);
    let split_bytes = 5 + bitmap_bytes + LOW_BYTES * n;
    let plain_bytes = 1 + 4 * n;
    if split_bytes >= plain_bytes || !set.is_sorted() {
        out.reserve(plain_bytes);
        out.push(PLAIN_SET);
        out.extend(set.iter().flat_map(|v| v.to_le_bytes()));
        return;
    }
    out.push(SPLIT_SET);
    push_varint(n as u64, out);
    let bitmap_at = out.len();
    let lows_at = bitmap_at + bitmap_bytes;
    // One byte more: each low part is stored as a whole `u32` (one store instead of a
    // call to copy three bytes), whose high byte the next one overwrites.
    out.resize(lows_at + LOW_BYTES * n + 1, 0);
    let (bitmap, lows) = out[bitmap_at..].split_at_mut(bitmap_bytes);
    for (i, &value) in set.iter().enumerate() {
        // Before the i-th value come i ones and a zero for each bucket below its own.
        let bit = i + (value >> LOW_BITS) as usize;
        bitmap[bit / 8] |= 1 << (bit % 8);
        let at = LOW_BYTES * i;
        lows[at..at + 4].copy_from_slice(&value.to_le_bytes());
    }
    out.pop();
}

/// Replaces `out` with the set [`encode_set`] wrote as `bytes`; `None` when they are
/// not such a set.
fn decode_set(bytes: &[u8], out: &mut Vec<u32>) -> Option<()> {
    out.clear();
    let Some((&kind, rest)) = bytes.split_first() else {
        return Some(());
    };
    match kind {
        PLAIN_SET => {
            if !rest.len().is_multiple_of(4) {
                return None;
            }
            out.extend(
                rest.chunks_exact(4)
                    .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]])),
            );
        }
        SPLIT_SET => {
            let mut reader = Reader(rest);
            let n = usize::try_from(reader.varint()?).ok()?;
            let bitmap = reader.take(n.checked_add(256)?.div_ceil(8))?;
            let lows = reader.take(n.checked_mul(LOW_BYTES)?)?;
            if !reader.0.is_empty() {
                return None;
            }
            if bitmap
                .iter()
                .map(|b| b.count_ones() as usize)
                .sum::<usize>()
                != n
            {
                return None;
            }
            out.extend(
                lows.chunks_exact(LOW_BYTES)
                    .map(|c| u32::from_le_bytes([c[0], c[1], c[2], 0])),
            );
            let full = bitmap.chunks_exact(8);
            let mut tail = [0u8; 8];
            tail[..full.remainder().len()].copy_from_slice(full.remainder());
            let words = full
                .map(|w| u64::from_le_bytes([w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7]]))
                .chain(std::iter::once(u64::from_le_bytes(tail)));
            // The bitmap holds n ones (checked above), so `index` stays below n. The i-th
            // one is at or after bit i, and high bytes never decrease: the last is the
            // largest, and a damaged bitmap shows in it.
            let mut index = 0;
            let mut high = 0;
            for (at, mut word) in words.enumerate() {
                while word != 0 {
                    let bit = at * 64 + word.trailing_zeros() as usize;
                    word &= word - 1;
                    high = bit - index;
                    out[index] |= (high as u32) << LOW_BITS;
                    index += 1;
                }
            }
            if high > 255 {
                return None;
            }
        }
        _ => return None,
    }
    Some(())
}

fn push_varint(mut n: u64, out: &mut Vec<u8>) {
    while n >= 0x80 {
        out.push(n as u8 | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

/// The sets of consecutive records being packed into one `set_blocks` value.
#[derive(Debug, Default)]
struct SetBlock {
    /// Record number of the first set.
    first: u64,
    /// End of each set in `data`.
    ends: Vec<u32>,
    data: Vec<u8>,
}

impl SetBlock {
    /// Bytes of the block with one more set of `len` bytes.
    fn size_with(&self, len: usize) -> usize {
        4 + 4 * (self.ends.len() + 1) + self.data.len() + len
    }

    fn push(&mut self, encoded: &[u8]) {
        self.data.extend_from_slice(encoded);
        // A block is at most one record plus SET_BLOCK_BYTES, and a record's set at most
        // five bytes per word of a document held in memory.
        self.ends
            .push(u32::try_from(self.data.len()).unwrap_or(u32::MAX));
    }

    /// The block's value; leaves the block empty.
    fn take(&mut self) -> Vec<u8> {
        let mut value = Vec::new();
        self.take_into(&mut value);
        value
    }

    /// Replaces `value` with the block's value; leaves the block empty.
    fn take_into(&mut self, value: &mut Vec<u8>) {
        value.clear();
        value.reserve(4 + 4 * self.ends.len() + self.data.len());
        value.extend_from_slice(&(self.ends.len() as u32).to_le_bytes());
        for end in &self.ends {
            value.extend_from_slice(&end.to_le_bytes());
        }
        value.extend_from_slice(&self.data);
        self.ends.clear();
        self.data.clear();
    }
}

/// The number of records in the block `block`.
fn block_len(block: &[u8]) -> Option<usize> {
    let count = u32::from_le_bytes(block.get(..4)?.try_into().ok()?) as usize;
    (block.len() >= 4 + 4 * count).then_some(count)
}

/// The encoded set of the `index`th record of the block `block`.
fn block_entry(block: &[u8], index: usize) -> Option<&[u8]> {
    let count = block_len(block)?;
    if index >= count {
        return None;
    }
    let end_at = |i: usize| -> Option<usize> {
        let at = 4 + 4 * i;
        Some(u32::from_le_bytes(block.get(at..at + 4)?.try_into().ok()?) as usize)
    };
    let start = if index == 0 { 0 } else { end_at(index - 1)? };
    block.get(4 + 4 * count..)?.get(start..end_at(index)?)
}

/// `block` (whose first record is `first`) with the sets of the records `gone` emptied.
fn block_without(block: &[u8], first: u64, gone: &[u64]) -> Option<Vec<u8>> {
    let mut kept = SetBlock::default();
    for index in 0..block_len(block)? {
        let number = first + index as u64;
        let entry = if gone.binary_search(&number).is_ok() {
            &[]
        } else {
            block_entry(block, index)?
        };
        kept.push(entry);
    }
    Some(kept.take())
}

/// One indexed document as stored in `docs`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DocRecord {
    pub id: String,
    pub source: String,
    pub key: u128,
    /// LSH band keys; empty for a text without words.
    pub bands: Vec<u32>,
    pub spans: Vec<u64>,
}

impl DocRecord {
    fn encode(id: &str, source: &str, key: u128, bands: &[u32], spans: &[u64]) -> Vec<u8> {
        let mut out = Vec::with_capacity(40 + id.len() + source.len() + 4 * bands.len());
        for text in [id, source] {
            out.extend_from_slice(&(text.len() as u32).to_le_bytes());
            out.extend_from_slice(text.as_bytes());
        }
        out.extend_from_slice(&key.to_le_bytes());
        out.extend_from_slice(&(bands.len() as u32).to_le_bytes());
        for band in bands {
            out.extend_from_slice(&band.to_le_bytes());
        }
        out.extend_from_slice(&(spans.len() as u32).to_le_bytes());
        for span in spans {
            out.extend_from_slice(&span.to_le_bytes());
        }
        out
    }

    fn decode(bytes: &[u8]) -> Option<DocRecord> {
        let mut reader = Reader(bytes);
        let id = reader.text()?;
        let source = reader.text()?;
        let key = u128::from_le_bytes(reader.take(16)?.try_into().ok()?);
        let bands = (0..reader.u32()?)
            .map(|_| reader.u32())
            .collect::<Option<Vec<u32>>>()?;
        let spans = (0..reader.u32()?)
            .map(|_| Some(u64::from_le_bytes(reader.take(8)?.try_into().ok()?)))
            .collect::<Option<Vec<u64>>>()?;
        reader.0.is_empty().then_some(DocRecord {
            id,
            source,
            key,
            bands,
            spans,
        })
    }
}

/// Reads a record from the front.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.0.len() < n {
            return None;
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Some(head)
    }
    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }
    fn text(&mut self) -> Option<String> {
        let len = self.u32()? as usize;
        String::from_utf8(self.take(len)?.to_vec()).ok()
    }
    fn varint(&mut self) -> Option<u64> {
        let mut n = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = *self.take(1)?.first()?;
            n |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Some(n);
            }
        }
        None
    }
}

/// The database of one output folder's index, open for this run.
pub(crate) struct IndexStore {
    path: PathBuf,
    settings: String,
    /// Record number of the next document indexed.
    next: u64,
    /// Records of replaced files, deleted when the run commits.
    retired: Vec<u64>,
    /// Records not yet handed to the writer.
    batch: Batch,
    batch_bytes: usize,
    /// [`BATCH_BYTES`]; smaller in tests.
    batch_limit: usize,
    writer: Writer,
}

impl std::fmt::Debug for IndexStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IndexStore")
            .field("path", &self.path)
            .field("next", &self.next)
            .finish_non_exhaustive()
    }
}

/// The thread that writes the batches to the database. B-tree inserts cost the one
/// `dedupe` thread, which every document passes through, about a fifth of its time; here
/// they overlap with it. The channel holds no batch: the stage hands one over only when
/// the writer has taken the last, so at most two batches are in memory.
struct Writer {
    jobs: Option<SyncSender<Job>>,
    /// The result of each commit, in order.
    acks: Receiver<Result<()>>,
    thread: Option<JoinHandle<Result<()>>>,
    /// The writer thread's CPU time after its last job, in nanoseconds.
    cpu_ns: Arc<AtomicU64>,
}

/// Records to write; with `commit`, the run's last write.
struct Job {
    records: Batch,
    commit: Option<Commit>,
}

/// Consecutive records: their `docs` values by number, and their sets, which the writer
/// encodes and packs into blocks (a batch's last block is not filled up by the next
/// batch: that costs under 1 % of `set_blocks`, and the writer keeps no state).
#[derive(Debug, Default)]
struct Batch {
    docs: Vec<(u64, Vec<u8>)>,
    /// One a record: one buffer for all sets of a batch held more memory at the peak
    /// (about 8 MB of a 100 MB run) for the few instructions its reuse saved.
    sets: Vec<Vec<u32>>,
}

impl Batch {
    /// The record number of the batch's first set.
    fn first(&self) -> Option<u64> {
        self.docs.first().map(|(number, _)| *number)
    }
}

/// What the run's commit stores besides its last records.
struct Commit {
    token: String,
    retired: Vec<u64>,
    settings: String,
    next: u64,
}

impl Writer {
    fn start(db: Database, path: PathBuf) -> Result<Writer> {
        let (jobs, inbox) = sync_channel::<Job>(0);
        let (acks_out, acks) = sync_channel(1);
        let cpu_ns = Arc::new(AtomicU64::new(0));
        let thread = std::thread::Builder::new()
            .name("dedupe_store".into())
            .spawn({
                let path = path.clone();
                let cpu_ns = Arc::clone(&cpu_ns);
                move || {
                    for job in inbox {
                        let acked = job.commit.is_some();
                        let written = write(&db, &path, job);
                        if let Some(ns) = pipeline_core::thread_cpu_ns() {
                            cpu_ns.store(ns, Ordering::Relaxed);
                        }
                        if acked {
                            // The store waits for this answer: sending fails only when
                            // the store is gone, and then nobody asks.
                            let _ = acks_out.send(written);
                        } else {
                            written?;
                        }
                    }
                    Ok(())
                }
            })
            .map_err(|e| store_error(&path, format!("cannot start its writer thread: {e}")))?;
        Ok(Writer {
            jobs: Some(jobs),
            acks,
            thread: Some(thread),
            cpu_ns,
        })
    }

    /// Hands `job` to the writer, waiting until it takes it. Fails with the writer's error
    /// when an earlier batch could not be written.
    fn send(&mut self, job: Job, path: &Path) -> Result<()> {
        let sent = match &self.jobs {
            Some(jobs) => jobs.send(job).is_ok(),
            None => false,
        };
        if sent {
            Ok(())
        } else {
            Err(self.failure(path))
        }
    }

    /// Why the writer stopped taking jobs: the error it stopped with.
    fn failure(&mut self, path: &Path) -> Error {
        match self.stop(path) {
            Err(e) => e,
            Ok(()) => store_error(path, "its writer thread has stopped"),
        }
    }

    /// Lets the writer finish what it was given and waits for it.
    fn stop(&mut self, path: &Path) -> Result<()> {
        self.jobs = None;
        match self.thread.take().map(JoinHandle::join) {
            Some(Ok(result)) => result,
            Some(Err(_)) => Err(store_error(path, "its writer thread panicked")),
            None => Ok(()),
        }
    }
}

impl Drop for IndexStore {
    /// Waits for the writer, so that the database is closed when the store is gone and the
    /// next run (or test) can open it; an error has been reported or does not matter: a
    /// run that never commits leaves a database that no later run trusts.
    fn drop(&mut self) {
        let _ = self.writer.stop(&self.path);
    }
}

/// Writes `job`'s records. Without a commit (a batch in the middle of the run) the stored
/// token is cleared first, so a run that never commits leaves a database no later run
/// trusts, and the write need not be durable. A commit also deletes the retired records
/// and stores its token: the index then belongs to this run. Durable when it returns.
fn write(db: &Database, path: &Path, job: Job) -> Result<()> {
    let fail = |e: &dyn std::fmt::Display| store_error(path, e);
    let mut txn = db.begin_write().map_err(|e| fail(&e))?;
    if job.commit.is_none() {
        txn.set_durability(Durability::None).map_err(|e| fail(&e))?;
    }
    {
        let mut meta = txn.open_table(META).map_err(|e| fail(&e))?;
        let token = job.commit.as_ref().map_or("", |c| c.token.as_str());
        meta.insert(TOKEN, token).map_err(|e| fail(&e))?;
        let mut docs = txn.open_table(DOCS).map_err(|e| fail(&e))?;
        let mut blocks = txn.open_table(SET_BLOCKS).map_err(|e| fail(&e))?;
        for (number, record) in &job.records.docs {
            docs.insert(number, record.as_slice())
                .map_err(|e| fail(&e))?;
        }
        write_sets(&mut blocks, &job.records, path)?;
        if let Some(commit) = &job.commit {
            for &number in &commit.retired {
                docs.remove(number).map_err(|e| fail(&e))?;
            }
            retire_sets(&mut blocks, &commit.retired, path)?;
            meta.insert(FORMAT, FORMAT_VERSION).map_err(|e| fail(&e))?;
            meta.insert(SETTINGS, commit.settings.as_str())
                .map_err(|e| fail(&e))?;
            let next = commit.next.to_string();
            meta.insert(NEXT, next.as_str()).map_err(|e| fail(&e))?;
        }
    }
    txn.commit().map_err(|e| fail(&e))
}

/// Encodes the sets of `batch` and writes them in blocks.
fn write_sets(blocks: &mut redb::Table<u64, &[u8]>, batch: &Batch, path: &Path) -> Result<()> {
    let Some(first) = batch.first() else {
        return Ok(());
    };
    let mut block = SetBlock::default();
    let mut encoded = Vec::new();
    let mut value = Vec::new();
    let mut insert = |block: &mut SetBlock| -> Result<()> {
        let last = block.first + block.ends.len() as u64 - 1;
        block.take_into(&mut value);
        blocks
            .insert(last, value.as_slice())
            .map(|_| ())
            .map_err(|e| store_error(path, e))
    };
    for (number, set) in (first..).zip(&batch.sets) {
        encoded.clear();
        encode_set(set, &mut encoded);
        if !block.ends.is_empty() && block.size_with(encoded.len()) > SET_BLOCK_BYTES {
            insert(&mut block)?;
        }
        if block.ends.is_empty() {
            block.first = number;
        }
        block.push(&encoded);
    }
    if !block.ends.is_empty() {
        insert(&mut block)?;
    }
    Ok(())
}

/// Removes the sets of the `retired` records (ascending) from their blocks: a block all
/// of whose records retire is deleted, any other is rewritten with their sets emptied
/// (nothing reads them: their `docs` records are gone).
fn retire_sets(blocks: &mut redb::Table<u64, &[u8]>, retired: &[u64], path: &Path) -> Result<()> {
    let fail = |e: &dyn std::fmt::Display| store_error(path, e);
    let mut rest = retired;
    while let Some(&number) = rest.first() {
        let found = blocks
            .range(number..)
            .map_err(|e| fail(&e))?
            .next()
            .transpose()
            .map_err(|e| fail(&e))?
            .map(|(last, block)| (last.value(), block.value().to_vec()));
        let Some((last, block)) = found else {
            rest = &rest[1..];
            continue;
        };
        let damaged = || fail(&format!("the set block of record {last} is damaged"));
        let first = (last + 1)
            .checked_sub(block_len(&block).ok_or_else(damaged)? as u64)
            .ok_or_else(damaged)?;
        let in_block = rest
            .iter()
            .take_while(|&&n| (first..=last).contains(&n))
            .count();
        if in_block == 0 {
            rest = &rest[1..];
            continue;
        }
        let (gone, after) = rest.split_at(in_block);
        if gone.len() as u64 == last + 1 - first {
            blocks.remove(last).map_err(|e| fail(&e))?;
        } else {
            let kept = block_without(&block, first, gone).ok_or_else(damaged)?;
            blocks.insert(last, kept.as_slice()).map_err(|e| fail(&e))?;
        }
        rest = after;
    }
    Ok(())
}

/// What [`IndexStore::open`] found.
pub(crate) enum Opened {
    /// The database belongs to the run whose output is carried over: its records were
    /// handed out, and the sets are read from it on demand.
    Recalled(StoredSets),
    /// A new, empty database: the index is rebuilt from the carried-over documents.
    Fresh,
}

impl IndexStore {
    /// Opens `<dir>/index.redb`. When `previous` is the token stored in it and `settings`
    /// match, hands every record whose source is not in `replaced` to `each` (in record
    /// order, which is the order they were indexed) and returns [`Opened::Recalled`];
    /// otherwise starts an empty database. A database that cannot be opened is replaced:
    /// it is only ever a cache of what the output holds.
    pub fn open(
        dir: &Path,
        settings: String,
        previous: Option<&str>,
        replaced: &HashSet<String>,
        mut each: impl FnMut(u64, DocRecord) -> Result<()>,
    ) -> Result<(IndexStore, Opened)> {
        let path = dir.join(FILE_NAME);
        std::fs::create_dir_all(dir).map_err(|e| store_error(dir, e))?;
        if let Some(previous) = previous {
            if let Ok(db) = builder().create(&path) {
                if let Some((recalled, sets)) =
                    recall(&db, &path, &settings, previous, replaced, &mut each)?
                {
                    let mut store = IndexStore::new(path, db, settings)?;
                    store.next = recalled.next;
                    store.retired = recalled.retired;
                    return Ok((store, Opened::Recalled(sets)));
                }
            }
        }
        match std::fs::remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(store_error(&path, e)),
        }
        let db = builder().create(&path).map_err(|e| store_error(&path, e))?;
        Ok((IndexStore::new(path, db, settings)?, Opened::Fresh))
    }

    fn new(path: PathBuf, db: Database, settings: String) -> Result<IndexStore> {
        Ok(IndexStore {
            writer: Writer::start(db, path.clone())?,
            path,
            settings,
            next: 0,
            retired: Vec::new(),
            batch: Batch::default(),
            batch_bytes: 0,
            batch_limit: BATCH_BYTES,
        })
    }

    /// Adds a document the stage indexed; written with the next batch.
    pub fn add(
        &mut self,
        id: &str,
        source: &str,
        key: u128,
        bands: &[u32],
        set: &[u32],
        spans: &[u64],
    ) -> Result<()> {
        let record = DocRecord::encode(id, source, key, bands, spans);
        self.batch_bytes += record.len() + 4 * set.len() + 16;
        self.batch.docs.push((self.next, record));
        self.batch.sets.push(set.to_vec());
        self.next += 1;
        if self.batch_bytes >= self.batch_limit {
            self.hand_over_batch()?;
        }
        Ok(())
    }

    /// Writes the waiting records, deletes the retired ones and stores `token`: the index
    /// now belongs to this run. Durable when it returns.
    pub fn commit(&mut self, token: &str) -> Result<()> {
        self.retired.sort_unstable();
        let job = Job {
            records: self.take_batch(),
            commit: Some(Commit {
                token: token.to_owned(),
                retired: std::mem::take(&mut self.retired),
                settings: self.settings.clone(),
                next: self.next,
            }),
        };
        self.writer.send(job, &self.path)?;
        match self.writer.acks.recv() {
            Ok(written) => written,
            Err(_) => Err(self.writer.failure(&self.path)),
        }
    }

    /// CPU time, in nanoseconds, the writer thread has spent on the batches it was given.
    pub fn writer_cpu_ns(&self) -> u64 {
        self.writer.cpu_ns.load(Ordering::Relaxed)
    }

    /// Hands the waiting records to the writer, to be written without a commit.
    fn hand_over_batch(&mut self) -> Result<()> {
        let job = Job {
            records: self.take_batch(),
            commit: None,
        };
        self.writer.send(job, &self.path)
    }

    fn take_batch(&mut self) -> Batch {
        self.batch_bytes = 0;
        std::mem::take(&mut self.batch)
    }
}

/// What [`recall`] found besides the records it handed out.
struct Recalled {
    /// The next record number.
    next: u64,
    /// Records of replaced files, to delete when the run commits.
    retired: Vec<u64>,
}

/// Loads the records when the database was committed by the run `previous` with
/// `settings`; `None` when it was not (nothing was handed to `each` then).
fn recall(
    db: &Database,
    path: &Path,
    settings: &str,
    previous: &str,
    replaced: &HashSet<String>,
    each: &mut impl FnMut(u64, DocRecord) -> Result<()>,
) -> Result<Option<(Recalled, StoredSets)>> {
    let fail = |e: &dyn std::fmt::Display| store_error(path, e);
    let txn = db.begin_read().map_err(|e| fail(&e))?;
    let Ok(meta) = txn.open_table(META) else {
        return Ok(None);
    };
    let get = |key: &str| -> Result<Option<String>> {
        Ok(meta
            .get(key)
            .map_err(|e| fail(&e))?
            .map(|v| v.value().to_owned()))
    };
    if get(FORMAT)?.as_deref() != Some(FORMAT_VERSION)
        || get(TOKEN)?.as_deref() != Some(previous)
        || get(SETTINGS)?.as_deref() != Some(settings)
    {
        return Ok(None);
    }
    let next = get(NEXT)?.and_then(|n| n.parse::<u64>().ok());
    let (Some(next), Ok(docs), Ok(sets)) = (next, txn.open_table(DOCS), txn.open_table(SET_BLOCKS))
    else {
        return Ok(None);
    };
    let mut retired = Vec::new();
    for row in docs.iter().map_err(|e| fail(&e))? {
        let (key, value) = row.map_err(|e| fail(&e))?;
        let number = key.value();
        let record = DocRecord::decode(value.value())
            .ok_or_else(|| fail(&format!("record {number} is damaged")))?;
        if replaced.contains(&record.source) {
            retired.push(number);
        } else {
            each(number, record)?;
        }
    }
    let sets = StoredSets {
        path: path.to_owned(),
        table: sets,
    };
    Ok(Some((Recalled { next, retired }, sets)))
}

fn builder() -> redb::Builder {
    let mut builder = Database::builder();
    builder.set_cache_size(CACHE_BYTES);
    builder
}

fn store_error(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::Store {
        path: path.to_owned(),
        message: e.to_string(),
    }
}

/// The shingle sets of the documents an earlier run indexed, read from the database when a
/// candidate needs verification.
pub(crate) struct StoredSets {
    path: PathBuf,
    table: ReadOnlyTable<u64, &'static [u8]>,
}

impl std::fmt::Debug for StoredSets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredSets")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl SetSource for StoredSets {
    fn read(&mut self, number: u64, out: &mut Vec<u32>) -> Result<()> {
        let fail = |e: &dyn std::fmt::Display| store_error(&self.path, e);
        // The first block whose last record is at or after `number` holds it, if any does.
        let (last, block) = self
            .table
            .range(number..)
            .map_err(|e| fail(&e))?
            .next()
            .transpose()
            .map_err(|e| fail(&e))?
            .ok_or_else(|| fail(&format!("the shingle set of record {number} is missing")))?;
        let block = block.value();
        // Its index is `number - first`, with `first = last + 1 - len`.
        let entry = block_len(block)
            .and_then(|len| (number + len as u64).checked_sub(last.value() + 1))
            .and_then(|index| block_entry(block, usize::try_from(index).ok()?))
            .ok_or_else(|| fail(&format!("the shingle set of record {number} is missing")))?;
        decode_set(entry, out)
            .ok_or_else(|| fail(&format!("the shingle set of record {number} is damaged")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_rng::XorShift;
    use redb::ReadableTableMetadata;

    /// How sets were stored up to format 2 (before it one `sets` value per record, in it
    /// in blocks): the reference the compact encoding is measured against, and the old
    /// layout a test writes.
    fn plain_set_bytes(set: &[u32]) -> Vec<u8> {
        set.iter().flat_map(|v| v.to_le_bytes()).collect()
    }

    /// A sorted set of `len` distinct values spread over `0..=max`.
    fn sorted_set(rng: &mut XorShift, len: usize, max: u32) -> Vec<u32> {
        let mut set: Vec<u32> = (0..len)
            .map(|_| (rng.next() % (u64::from(max) + 1)) as u32)
            .collect();
        set.sort_unstable();
        set.dedup();
        set
    }

    fn round_trip(set: &[u32]) -> Vec<u8> {
        let mut bytes = vec![0xee];
        encode_set(set, &mut bytes);
        let mut back = vec![7];
        decode_set(&bytes[1..], &mut back).unwrap();
        assert_eq!(back, set, "{} values", set.len());
        bytes.split_off(1)
    }

    #[test]
    fn sets_round_trip() {
        assert!(round_trip(&[]).is_empty());
        for set in [
            &[0][..],
            &[u32::MAX],
            &[0, u32::MAX],
            &[5, 6, 7, 8],
            &[1, 1 << 31, u32::MAX - 1, u32::MAX],
            // Not sorted: stored plain.
            &[9, 3, 3, 0],
        ] {
            round_trip(set);
        }
        let dense: Vec<u32> = (0..10_000).collect();
        round_trip(&dense);
        let mut rng = XorShift(0x5eed);
        for len in [1, 2, 3, 31, 32, 33, 400, 5_000, 100_000] {
            for max in [u32::MAX, 1 << 20, 100_000] {
                round_trip(&sorted_set(&mut rng, len, max));
            }
        }
        // Every size around where split gets smaller than plain.
        for len in 1..80 {
            round_trip(&sorted_set(&mut rng, len, u32::MAX));
        }
        let mut skewed: Vec<u32> = (0..1_000).collect();
        skewed.push(u32::MAX);
        round_trip(&skewed);
        round_trip(&[1 << 30; 100]);
        let high: Vec<u32> = (0..300).map(|i| u32::MAX - 300 + i).collect();
        round_trip(&high);
    }

    #[test]
    fn typical_sets_take_about_four_fifths_of_the_plain_bytes() {
        let mut rng = XorShift(42);
        let set = sorted_set(&mut rng, 400, u32::MAX);
        let compact = round_trip(&set).len() as f64;
        let plain = plain_set_bytes(&set).len() as f64;
        assert!(compact / plain < 0.81, "{compact} of {plain} bytes");
        let mut large = Vec::new();
        encode_set(&sorted_set(&mut rng, 5_000, u32::MAX), &mut large);
        assert!(large.len() < 5_000 * 4 * 80 / 100, "{} bytes", large.len());
    }

    #[test]
    fn damaged_sets_are_refused_not_misread() {
        let mut rng = XorShift(7);
        let set = sorted_set(&mut rng, 300, u32::MAX);
        let mut bytes = Vec::new();
        encode_set(&set, &mut bytes);
        let mut out = Vec::new();
        assert_eq!(bytes[0], SPLIT_SET);
        for cut in 1..bytes.len() {
            assert!(
                decode_set(&bytes[..cut], &mut out).is_none(),
                "cut at {cut}"
            );
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(decode_set(&longer, &mut out).is_none());
        assert!(decode_set(&[7, 1, 0], &mut out).is_none(), "no such kind");
        // One value whose one sits at bit 255 (high byte 255), then at bit 256 (none).
        let mut one = vec![SPLIT_SET, 1];
        one.extend([0; 31]);
        one.extend([0x80, 0, 1, 2, 3]);
        decode_set(&one, &mut out).unwrap();
        assert_eq!(out, vec![0xff03_0201]);
        one[33] = 0;
        one[34] = 1;
        assert!(decode_set(&one, &mut out).is_none(), "a high byte of 256");
        assert!(
            decode_set(&[PLAIN_SET, 1, 0], &mut out).is_none(),
            "half a value"
        );
        // Garbage never panics.
        for _ in 0..2_000 {
            let len = (rng.next() % 40) as usize;
            let garbage: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
            let _ = decode_set(&garbage, &mut out);
        }
    }

    #[test]
    fn blocks_hand_out_each_record_at_every_split() {
        let mut rng = XorShift(99);
        // Sizes around the block's edge, so that blocks split after every record count;
        // some larger than a whole block.
        let sets: Vec<Vec<u32>> = (0..300)
            .map(|i| {
                let len = match i % 7 {
                    0 => 0,
                    1 => 1,
                    2 => 6_000,
                    _ => (rng.next() % 1_500) as usize,
                };
                sorted_set(&mut rng, len, u32::MAX)
            })
            .collect();
        let dir = tempfile::tempdir().unwrap();
        let (mut store, _, _) = records(dir.path(), None, &[]);
        store.batch_limit = 30_000;
        for (n, set) in sets.iter().enumerate() {
            store
                .add(&format!("d{n}"), "one.txt", n as u128, &[1], set, &[])
                .unwrap();
        }
        store.commit("run-1").unwrap();
        drop(store);
        {
            let db = Database::create(dir.path().join(FILE_NAME)).unwrap();
            let txn = db.begin_read().unwrap();
            let blocks = txn.open_table(SET_BLOCKS).unwrap().len().unwrap();
            assert!(blocks > 20, "{blocks} blocks");
        }
        let (_store, opened) = IndexStore::open(
            dir.path(),
            "s1".into(),
            Some("run-1"),
            &HashSet::new(),
            |_, _| Ok(()),
        )
        .unwrap();
        let Opened::Recalled(mut stored) = opened else {
            panic!("not recalled")
        };
        let mut out = Vec::new();
        for (n, set) in sets.iter().enumerate().rev() {
            stored.read(n as u64, &mut out).unwrap();
            assert_eq!(&out, set, "record {n}");
        }
        assert!(stored.read(sets.len() as u64, &mut out).is_err());
    }

    #[test]
    fn block_split_points_follow_the_size_limit() {
        let mut block = SetBlock::default();
        let encoded = vec![1u8; 1_000];
        let mut closed = Vec::new();
        for _ in 0..40 {
            if !block.ends.is_empty() && block.size_with(encoded.len()) > SET_BLOCK_BYTES {
                closed.push(block.take());
            }
            block.push(&encoded);
        }
        closed.push(block.take());
        for value in &closed[..closed.len() - 1] {
            assert!(value.len() <= SET_BLOCK_BYTES);
            assert!(
                value.len() + 1_004 > SET_BLOCK_BYTES,
                "the next one did not fit"
            );
        }
        let records: usize = closed.iter().map(|b| block_len(b).unwrap()).sum();
        assert_eq!(records, 40);
        for value in &closed {
            for index in 0..block_len(value).unwrap() {
                assert_eq!(block_entry(value, index).unwrap(), &encoded[..]);
            }
            assert!(block_entry(value, block_len(value).unwrap()).is_none());
        }
    }

    #[test]
    fn retired_records_leave_the_others_readable() {
        let dir = tempfile::tempdir().unwrap();
        let (mut store, _, _) = records(dir.path(), None, &[]);
        let mut rng = XorShift(3);
        let sets: Vec<Vec<u32>> = (0..200)
            .map(|_| sorted_set(&mut rng, 400, u32::MAX))
            .collect();
        for (n, set) in sets.iter().enumerate() {
            // Whole blocks of `gone.txt` (records 0..40) and single records in others.
            let source = if n < 40 || n % 9 == 0 {
                "gone.txt"
            } else {
                "kept.txt"
            };
            store
                .add(&format!("d{n}"), source, n as u128, &[1], set, &[])
                .unwrap();
        }
        store.commit("run-1").unwrap();
        drop(store);

        let replaced: HashSet<String> = ["gone.txt".to_owned()].into();
        let (mut store, _) =
            IndexStore::open(dir.path(), "s1".into(), Some("run-1"), &replaced, |_, _| {
                Ok(())
            })
            .unwrap();
        store.commit("run-2").unwrap();
        drop(store);

        let mut kept = Vec::new();
        let (_store, opened) = IndexStore::open(
            dir.path(),
            "s1".into(),
            Some("run-2"),
            &HashSet::new(),
            |n, _| {
                kept.push(n);
                Ok(())
            },
        )
        .unwrap();
        let Opened::Recalled(mut stored) = opened else {
            panic!("not recalled")
        };
        let expected: Vec<u64> = (40..200).filter(|n| n % 9 != 0).collect();
        assert_eq!(kept, expected);
        let mut out = Vec::new();
        for &n in &kept {
            stored.read(n, &mut out).unwrap();
            assert_eq!(out, sets[n as usize]);
        }
        assert!(
            stored.read(0, &mut out).is_err(),
            "the first blocks are deleted"
        );
    }

    #[test]
    fn an_index_of_another_format_version_is_rebuilt_not_read() {
        let dir = tempfile::tempdir().unwrap();
        let (mut store, _, _) = records(dir.path(), None, &[]);
        store.add("a", "one.txt", 1, &[5], &[10, 20], &[]).unwrap();
        store.commit("run-1").unwrap();
        drop(store);
        {
            // Format 2 had the same tables, its sets plain in the blocks.
            let db = Database::create(dir.path().join(FILE_NAME)).unwrap();
            let txn = db.begin_write().unwrap();
            txn.open_table(META).unwrap().insert(FORMAT, "2").unwrap();
            txn.commit().unwrap();
        }
        let (_store, seen, recalled) = records(dir.path(), Some("run-1"), &[]);
        assert!(seen.is_empty() && !recalled);
    }

    #[test]
    fn an_index_in_the_old_layout_is_rebuilt_not_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        // What the code before FORMAT_VERSION 2 committed: no `format` key, one `sets`
        // value per record.
        {
            let old_sets: TableDefinition<u64, &[u8]> = TableDefinition::new("sets");
            let db = Database::create(&path).unwrap();
            let txn = db.begin_write().unwrap();
            {
                let mut meta = txn.open_table(META).unwrap();
                meta.insert(TOKEN, "run-1").unwrap();
                meta.insert(SETTINGS, "s1").unwrap();
                meta.insert(NEXT, "1").unwrap();
                let mut docs = txn.open_table(DOCS).unwrap();
                let record = DocRecord::encode("a", "one.txt", 1, &[5], &[]);
                docs.insert(0, record.as_slice()).unwrap();
                let mut sets = txn.open_table(old_sets).unwrap();
                sets.insert(0, plain_set_bytes(&[10, 20]).as_slice())
                    .unwrap();
            }
            txn.commit().unwrap();
        }
        let (mut store, seen, recalled) = records(dir.path(), Some("run-1"), &[]);
        assert!(seen.is_empty() && !recalled, "old records were handed out");
        // The rebuilt index is the new layout and is trusted by the next run.
        store.add("a", "one.txt", 1, &[5], &[10, 20], &[]).unwrap();
        store.commit("run-2").unwrap();
        drop(store);
        let (_store, seen, recalled) = records(dir.path(), Some("run-2"), &[]);
        assert!(recalled);
        assert_eq!(seen.len(), 1);
    }

    fn records(
        dir: &Path,
        previous: Option<&str>,
        replaced: &[&str],
    ) -> (IndexStore, Vec<(u64, DocRecord)>, bool) {
        let replaced: HashSet<String> = replaced.iter().map(|s| s.to_string()).collect();
        let mut seen = Vec::new();
        let (store, opened) = IndexStore::open(dir, "s1".into(), previous, &replaced, |n, r| {
            seen.push((n, r));
            Ok(())
        })
        .unwrap();
        (store, seen, matches!(opened, Opened::Recalled(_)))
    }

    #[test]
    fn records_round_trip() {
        let bytes = DocRecord::encode(
            "a-1",
            "in/ä.jsonl",
            u128::MAX - 7,
            &[1, 2, 3],
            &[9, u64::MAX],
        );
        let record = DocRecord::decode(&bytes).unwrap();
        assert_eq!(record.id, "a-1");
        assert_eq!(record.source, "in/ä.jsonl");
        assert_eq!(record.key, u128::MAX - 7);
        assert_eq!(record.bands, vec![1, 2, 3]);
        assert_eq!(record.spans, vec![9, u64::MAX]);
        assert!(DocRecord::decode(&bytes[..bytes.len() - 1]).is_none());
    }

    #[test]
    fn only_the_committing_run_token_is_trusted() {
        let dir = tempfile::tempdir().unwrap();
        let (mut store, seen, recalled) = records(dir.path(), None, &[]);
        assert!(seen.is_empty() && !recalled);
        store
            .add("a", "one.txt", 1, &[5, 6], &[10, 20], &[7])
            .unwrap();
        store.add("b", "two.txt", 2, &[], &[], &[]).unwrap();
        store.commit("run-1").unwrap();
        drop(store);

        // Another token: the database is not trusted and starts empty.
        let (store, seen, recalled) = records(dir.path(), Some("run-0"), &[]);
        assert!(seen.is_empty() && !recalled);
        drop(store);
        let (store, seen, recalled) = records(dir.path(), Some("run-1"), &[]);
        assert!(seen.is_empty() && !recalled, "the mismatch emptied it");
        drop(store);
    }

    #[test]
    fn a_recalled_index_forgets_replaced_files_and_reads_sets() {
        let dir = tempfile::tempdir().unwrap();
        let (mut store, _, _) = records(dir.path(), None, &[]);
        store
            .add("a", "one.txt", 1, &[5, 6], &[10, 20], &[7])
            .unwrap();
        store.add("b", "two.txt", 2, &[8, 9], &[30], &[]).unwrap();
        store.commit("run-1").unwrap();
        drop(store);

        let dir_path = dir.path();
        let replaced: HashSet<String> = ["two.txt".to_owned()].into();
        let mut seen = Vec::new();
        let (mut store, opened) =
            IndexStore::open(dir_path, "s1".into(), Some("run-1"), &replaced, |n, r| {
                seen.push((n, r));
                Ok(())
            })
            .unwrap();
        let Opened::Recalled(mut sets) = opened else {
            panic!("not recalled")
        };
        assert_eq!(seen.len(), 1);
        assert_eq!((seen[0].0, seen[0].1.id.as_str()), (0, "a"));
        let mut set = Vec::new();
        sets.read(0, &mut set).unwrap();
        assert_eq!(set, vec![10, 20]);
        store.add("c", "three.txt", 3, &[1], &[40], &[]).unwrap();
        store.commit("run-2").unwrap();
        drop((store, sets));

        let (_store, seen, recalled) = records(dir_path, Some("run-2"), &[]);
        assert!(recalled);
        let ids: Vec<(u64, &str)> = seen.iter().map(|(n, r)| (*n, r.id.as_str())).collect();
        assert_eq!(
            ids,
            vec![(0, "a"), (2, "c")],
            "b was deleted, numbers go on"
        );
    }

    #[test]
    fn records_written_in_many_batches_are_recalled_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let (mut store, _, _) = records(dir.path(), None, &[]);
        // Every few records make a batch, so the writer takes most of them while the
        // store fills the next.
        store.batch_limit = 200;
        for n in 0..2_000u32 {
            let id = format!("doc-{n}");
            let set = [n, n + 1, n + 2];
            store
                .add(
                    &id,
                    "one.txt",
                    u128::from(n),
                    &[n % 7],
                    &set,
                    &[u64::from(n)],
                )
                .unwrap();
        }
        store.commit("run-1").unwrap();
        drop(store);

        let (_store, seen, recalled) = records(dir.path(), Some("run-1"), &[]);
        assert!(recalled);
        assert_eq!(seen.len(), 2_000);
        for (i, (number, record)) in seen.iter().enumerate() {
            assert_eq!(*number, i as u64);
            assert_eq!(record.id, format!("doc-{i}"));
            assert_eq!(record.key, i as u128);
            assert_eq!(record.spans, vec![i as u64]);
        }
    }

    #[test]
    fn a_run_that_never_commits_leaves_an_untrusted_index() {
        let dir = tempfile::tempdir().unwrap();
        let (mut store, _, _) = records(dir.path(), None, &[]);
        store.add("a", "one.txt", 1, &[5], &[10], &[]).unwrap();
        store.commit("run-1").unwrap();
        store.add("b", "one.txt", 2, &[6], &[11], &[]).unwrap();
        store.hand_over_batch().unwrap();
        drop(store);
        let (_store, seen, recalled) = records(dir.path(), Some("run-1"), &[]);
        assert!(!recalled && seen.is_empty());
    }

    #[test]
    fn other_settings_are_not_trusted() {
        let dir = tempfile::tempdir().unwrap();
        let (mut store, _, _) = records(dir.path(), None, &[]);
        store.add("a", "one.txt", 1, &[5], &[10], &[]).unwrap();
        store.commit("run-1").unwrap();
        drop(store);
        let (_store, opened) = IndexStore::open(
            dir.path(),
            "s2".into(),
            Some("run-1"),
            &HashSet::new(),
            |_, _| panic!("handed out a record made with other settings"),
        )
        .unwrap();
        assert!(matches!(opened, Opened::Fresh));
    }
}
