//! A multimap from 64-bit keys (already uniform hashes: LSH band keys, passage hashes) to
//! document numbers, whose memory stays bounded however many documents are indexed.
//!
//! New entries go to a hash table in memory. When it holds more than its budget, its
//! entries are sorted and written to a file of their own (a *run*), and only two small
//! things stay in memory per run: a filter of its keys ([`KeyFilter`], 1.75 bytes per key,
//! about 0.2 % false positives) and the first key of every block of [`BLOCK`] entries.
//! A lookup asks the filter of every run and reads one block (3 KB, usually from the page
//! cache) only where the filter says the key may be there. Most keys are new, so most
//! lookups never touch the disk.
//!
//! Every filter asked costs a cache miss or two, so runs are merged as they pile up:
//! [`MERGE`] runs of one level become one run of the next level, read and written in one
//! sequential pass, its filter built as the entries stream by: on a thread of its own,
//! while lookups go on in the runs being merged, when its filter fits in half the table's
//! budget, else on the inserting thread. A table of `n` budgets' worth of entries
//! has about `(MERGE - 1) × log_MERGE(n)` runs (a few more of level 0 while a merge runs).
//!
//! A passage repeated across a corpus (agency text, boilerplate) is asked for over and over,
//! and each time found on disk: [`KeyTable::first`] remembers the answers it read from runs
//! (a sixteenth of the table's budget, at most 1 MB), which saved a quarter of the stage's
//! block reads at 1 GB. Kept in sets of four slots, the least recently used given up, it
//! holds on to more of the hot passages than one slot per key did: a tenth fewer block
//! reads at 1 GB again (845 K to 761 K) in the same memory.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;

use crate::error::{Error, Result};
use crate::filter::KeyFilter;
use crate::heads::{self, Heads, SLOT_BYTES};

/// Runs of one level merged into one of the next.
const MERGE: usize = 4;

/// Entries per block of a run file; the sparse index keeps the first key of each.
const BLOCK: usize = 256;
/// Entries read around where a key should lie in its block (768 bytes), about eight
/// standard deviations of a uniform key's place among the block's entries.
const WINDOW: usize = 64;
/// Bytes of one entry in a run file: the key (u64) and the document (u32), little-endian.
const ENTRY: usize = 12;
/// Marks the end of a chain of entries with the same key.
const END: u32 = u32::MAX;
/// Bytes an entry costs in memory besides its bucket: its link (document, next) and its
/// place in the sorted copy made when the table is written out.
const LINK_BYTES: usize = std::mem::size_of::<(u32, u32)>() + std::mem::size_of::<(u64, u32)>();
/// A budget of `n` times this many bytes holds at least `n` entries in memory: the
/// smallest table that holds them has fewer than `16n/7` slots.
#[cfg(test)]
pub(crate) const MEMORY_PER_ENTRY: usize = (16 * SLOT_BYTES).div_ceil(7) + LINK_BYTES;

/// How many entries a table keeps in memory within `budget_bytes`: as many as fill a
/// table of a power of two slots to its capacity ([`heads::capacity_of`]), for the largest
/// such table that fits with their links and sorted copy. Filling the table, never
/// growing it, spends the budget on entries rather than on empty slots, and the table is
/// built once and reused.
fn entries_within(budget_bytes: usize) -> usize {
    let cost = |slots: usize| slots * SLOT_BYTES + heads::capacity_of(slots) * LINK_BYTES;
    let mut slots = 16;
    if cost(slots) > budget_bytes {
        return (budget_bytes / (2 * SLOT_BYTES + LINK_BYTES)).max(1);
    }
    while cost(slots * 2) <= budget_bytes {
        slots *= 2;
    }
    heads::capacity_of(slots)
}

/// One sorted file of entries, with what finds keys in it.
#[derive(Debug)]
struct Run {
    path: PathBuf,
    file: File,
    /// The run's keys (uniform in their high bits: see [`KeyFilter`]).
    filter: KeyFilter,
    /// First key of each block.
    first_keys: Vec<u64>,
    entries: u64,
    /// 0 for a run written from memory, `l + 1` for [`MERGE`] runs of level `l` merged.
    level: u32,
}

/// Writes a run: entries in order (keys ascending, a key's documents newest first), the
/// sparse index and the filter built as they go.
struct RunWriter {
    path: PathBuf,
    file: File,
    out: BufWriter<File>,
    filter: KeyFilter,
    first_keys: Vec<u64>,
    entries: u64,
}

impl RunWriter {
    fn create(path: PathBuf, expected_entries: usize) -> Result<Self> {
        Self::with_filter(
            path,
            expected_entries,
            KeyFilter::with_capacity(expected_entries),
        )
    }

    fn with_filter(path: PathBuf, expected_entries: usize, filter: KeyFilter) -> Result<Self> {
        let file = create_spill_file(&path)?;
        let out = BufWriter::with_capacity(
            1 << 16,
            file.try_clone().map_err(|source| Error::Spill {
                path: path.clone(),
                source,
            })?,
        );
        Ok(RunWriter {
            filter,
            first_keys: Vec::with_capacity(expected_entries / BLOCK + 1),
            path,
            file,
            out,
            entries: 0,
        })
    }

    fn push(&mut self, key: u64, doc: u32) -> Result<()> {
        if self.entries.is_multiple_of(BLOCK as u64) {
            self.first_keys.push(key);
        }
        self.filter.insert(key);
        let mut entry = [0u8; ENTRY];
        entry[..8].copy_from_slice(&key.to_le_bytes());
        entry[8..].copy_from_slice(&doc.to_le_bytes());
        self.entries += 1;
        self.out.write_all(&entry).map_err(|source| Error::Spill {
            path: self.path.clone(),
            source,
        })
    }

    fn finish(mut self, level: u32) -> Result<Run> {
        self.out.flush().map_err(|source| Error::Spill {
            path: self.path.clone(),
            source,
        })?;
        self.first_keys.shrink_to_fit();
        Ok(Run {
            path: self.path,
            file: self.file,
            filter: self.filter,
            first_keys: self.first_keys,
            entries: self.entries,
            level,
        })
    }
}

/// Reads a run's entries in order, for merging: a chunk of entries at a time, decoded
/// from the buffer (a buffered read of each 12-byte entry cost more than the merge).
struct RunReader {
    file: File,
    path: PathBuf,
    /// Entries not yet read from the file.
    left_in_file: u64,
    chunk: Vec<u8>,
    /// Byte offset in `chunk` of the next entry.
    at: usize,
    /// Byte offset in the file of the next chunk.
    offset: u64,
}

/// Entries read from a run file at once while merging (64 KB).
const MERGE_CHUNK: usize = 5461;

impl RunReader {
    fn open(run: &Run) -> Result<Self> {
        let file = File::open(&run.path).map_err(|source| Error::Spill {
            path: run.path.clone(),
            source,
        })?;
        Ok(RunReader {
            file,
            path: run.path.clone(),
            left_in_file: run.entries,
            chunk: Vec::with_capacity(MERGE_CHUNK * ENTRY),
            at: 0,
            offset: 0,
        })
    }

    #[inline]
    fn next(&mut self) -> Result<Option<(u64, u32)>> {
        if self.at == self.chunk.len() {
            if self.left_in_file == 0 {
                return Ok(None);
            }
            let count = self.left_in_file.min(MERGE_CHUNK as u64) as usize;
            self.chunk.resize(count * ENTRY, 0);
            self.file
                .read_exact_at(&mut self.chunk, self.offset)
                .map_err(|source| Error::Spill {
                    path: self.path.clone(),
                    source,
                })?;
            self.offset += (count * ENTRY) as u64;
            self.left_in_file -= count as u64;
            self.at = 0;
        }
        let entry = decode(&self.chunk[self.at..self.at + ENTRY]);
        self.at += ENTRY;
        Ok(Some(entry))
    }
}

/// See the module documentation.
#[derive(Debug)]
pub(crate) struct KeyTable {
    /// Key -> its newest link in `links`.
    heads: Heads,
    /// (document, next older link of the same key or [`END`]).
    links: Vec<(u32, u32)>,
    /// Entries held in memory before they are written to a run; `None` keeps all.
    budget: Option<usize>,
    /// Where runs are written: `<folder>/<name>-<n>.run`.
    folder: Option<(PathBuf, &'static str)>,
    /// Oldest first; their levels never increase from one to the next.
    runs: Vec<Run>,
    /// Runs written so far, naming the next file.
    written: u64,
    block: Vec<u8>,
    /// The entries in memory, sorted, while they are written to a run: kept with its
    /// capacity (as `heads` and `links` are) so that each write-out reuses the pages of the
    /// last instead of growing a table anew.
    sorted: Vec<(u64, u32)>,
    /// Keys that [`Self::first`] found on disk and their oldest document: a key's oldest
    /// document never changes once it is on disk, as documents are added in ascending
    /// order, and the keys found are mostly the same repeated passages, asked for again and
    /// again.
    oldest_on_disk: OldestOnDisk,
    /// Slots of `oldest_on_disk` (a power of two, or 0 for none), allocated when the first
    /// key is found on disk.
    oldest_slots: usize,
    /// The merge running on a thread of its own, if any.
    merging: Option<Merging>,
    /// CPU time of the merges finished so far, in nanoseconds.
    merge_cpu_ns: u64,
    /// The largest merged filter a merge may fill on a thread of its own, besides its
    /// sources' filters (half the table's budget); a larger merge runs on the inserting
    /// thread and gives its sources' filters back first, so that the memory merging adds
    /// stays bounded however large the input.
    background_filter_bytes: usize,
    /// Whether the runs' filters are kept within a budget by folding them (see
    /// `DedupIndex::limit_filters`): a merged run's filter then holds no more than its
    /// sources' did, so that a merge never adds to what the filters hold.
    filters_limited: bool,
    /// Holds the next merge's thread until the test waits on it too.
    #[cfg(test)]
    hold_next_merge: Option<Arc<std::sync::Barrier>>,
}

/// A merge running on a thread of its own while lookups go on: its [`MERGE`] sources stay
/// in [`KeyTable::runs`], from `first` on, filters and all, and answer every lookup until
/// the merged run takes their place. On one thread the merges stalled the whole pipeline
/// behind the deduplication stage: a fifth of its judging thread's time at 1 GB went to
/// writing and merging runs, in bursts that left the other stages blocked.
#[derive(Debug)]
struct Merging {
    /// Where its sources start in [`KeyTable::runs`].
    first: usize,
    /// The merged run's file, removed if the merge stops or fails.
    path: PathBuf,
    /// Memory the merged run's filter and sparse index hold besides its sources' until
    /// they are given back.
    bytes: usize,
    /// Set when the table goes: the merge stops at its next chunk of entries.
    stop: Arc<AtomicBool>,
    /// The merged run and the thread's CPU time in nanoseconds, or `None` if it stopped.
    thread: JoinHandle<Result<Option<(Run, u64)>>>,
}

/// Entries a merge writes between two looks at its stop flag.
const STOP_EVERY: u64 = 1 << 16;

/// Merges `readers` (runs oldest first) into `writer`. Keys ascending; on equal keys the
/// newer run first, as its documents are newer: runs are looked at newest first and an
/// equal key does not displace. `None` when `stop` was set before it was done.
fn merge_into(
    mut writer: RunWriter,
    mut readers: Vec<RunReader>,
    level: u32,
    stop: &AtomicBool,
) -> Result<Option<Run>> {
    let mut heads = readers
        .iter_mut()
        .map(RunReader::next)
        .collect::<Result<Vec<_>>>()?;
    loop {
        let mut smallest: Option<(usize, u64, u32)> = None;
        for (i, head) in heads.iter().enumerate().rev() {
            if let &Some((key, doc)) = head {
                if smallest.is_none_or(|(_, k, _)| key < k) {
                    smallest = Some((i, key, doc));
                }
            }
        }
        let Some((i, key, doc)) = smallest else {
            break;
        };
        writer.push(key, doc)?;
        if writer.entries.is_multiple_of(STOP_EVERY) && stop.load(Ordering::Relaxed) {
            return Ok(None);
        }
        heads[i] = readers[i].next()?;
    }
    writer.finish(level + 1).map(Some)
}

/// Most slots of [`KeyTable::oldest_on_disk`]: 1 MB.
const MAX_OLDEST_SLOTS: usize = 1 << 16;

/// Slots of one set of [`OldestOnDisk`]: four of 16 bytes fill one cache line, so a
/// lookup still costs one miss, as a direct-mapped slot did.
const WAYS: usize = 4;

/// One set of [`OldestOnDisk`], most recently used first; `END` marks an empty slot.
#[derive(Debug, Clone, Copy)]
#[repr(align(64))]
struct Set([(u64, u32); WAYS]);

const EMPTY_SET: Set = Set([(0, END); WAYS]);

/// A set-associative cache from keys to documents, the set chosen by the key's low bits
/// and the least recently used of its slots given up for a new key. The hot passages of a
/// corpus collide in a direct-mapped table of the same size, where each evicts the
/// other, and a key asked for once evicts a hot one.
#[derive(Debug, Default)]
struct OldestOnDisk {
    sets: Vec<Set>,
}

impl OldestOnDisk {
    /// Sets for `slots` slots (at least one set when `slots` is not 0).
    fn with_slots(slots: usize) -> Self {
        let sets = match slots {
            0 => 0,
            _ => slots.div_ceil(WAYS).next_power_of_two(),
        };
        OldestOnDisk {
            sets: vec![EMPTY_SET; sets],
        }
    }

    fn is_empty(&self) -> bool {
        self.sets.is_empty()
    }

    fn set_of(&self, key: u64) -> usize {
        key as usize & (self.sets.len() - 1)
    }

    /// The document remembered for `key`, which becomes the most recently used of its set.
    fn get(&mut self, key: u64) -> Option<u32> {
        if self.sets.is_empty() {
            return None;
        }
        let set = self.set_of(key);
        let slots = &mut self.sets[set].0;
        let way = slots.iter().position(|&(k, doc)| k == key && doc != END)?;
        slots[..=way].rotate_right(1);
        Some(slots[0].1)
    }

    /// Remembers `doc` for `key` (not remembered yet) in place of the least recently used
    /// slot of its set.
    fn put(&mut self, key: u64, doc: u32) {
        if self.sets.is_empty() {
            return;
        }
        let set = self.set_of(key);
        let slots = &mut self.sets[set].0;
        slots.rotate_right(1);
        slots[0] = (key, doc);
    }

    /// Reads the set of `key` into the cache; returns something of it to keep the read.
    fn touch(&self, key: u64) -> u64 {
        if self.sets.is_empty() {
            return 0;
        }
        self.sets[self.set_of(key)].0[0].0
    }

    fn bytes(&self) -> usize {
        self.sets.capacity() * std::mem::size_of::<Set>()
    }
}

impl KeyTable {
    /// A table held in memory only.
    pub(crate) fn new() -> Self {
        KeyTable {
            heads: Heads::default(),
            links: Vec::new(),
            budget: None,
            folder: None,
            runs: Vec::new(),
            written: 0,
            block: Vec::new(),
            sorted: Vec::new(),
            oldest_on_disk: OldestOnDisk::default(),
            oldest_slots: 0,
            merging: None,
            merge_cpu_ns: 0,
            background_filter_bytes: 0,
            filters_limited: false,
            #[cfg(test)]
            hold_next_merge: None,
        }
    }

    /// Writes entries to runs `folder/<name>-<n>.run` whenever more than `budget_bytes` of
    /// them are in memory. A sixteenth of `budget_bytes` more (at most 1 MB) remembers the
    /// answers [`Self::first`] found on disk.
    /// Runs that a killed process left there are removed (best effort: a file that cannot
    /// be removed is only wasted space, as runs are never read by another process).
    pub(crate) fn spill_to(&mut self, folder: &Path, name: &'static str, budget_bytes: usize) {
        let entries = entries_within(budget_bytes);
        self.budget = Some(entries);
        self.background_filter_bytes = budget_bytes / 2;
        // The largest power of two of slots within a sixteenth of the budget.
        let slots = budget_bytes / 16 / std::mem::size_of::<(u64, u32)>();
        self.oldest_slots = slots
            .checked_ilog2()
            .map_or(0, |log| (1 << log).min(MAX_OLDEST_SLOTS));
        self.heads.reserve(entries);
        self.links.reserve(entries.saturating_sub(self.links.len()));
        self.folder = Some((folder.to_owned(), name));
        let prefix = format!("{name}-");
        for entry in std::fs::read_dir(folder).into_iter().flatten().flatten() {
            let file_name = entry.file_name();
            let file_name = file_name.to_string_lossy();
            if file_name.starts_with(&prefix) && file_name.ends_with(".run") {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }

    /// Adds `doc` under `key`. Documents are added in ascending order.
    pub(crate) fn insert(&mut self, key: u64, doc: u32) -> Result<()> {
        // Written out before the entry that would make the table grow.
        if self.budget.is_some_and(|b| self.links.len() >= b) {
            self.write_run()?;
        } else if self.merge_done() {
            // The merged run takes its sources' place (giving their filters back) as soon as
            // it is done, and the merge that may follow it starts.
            if let Some((folder, name)) = self.folder.clone() {
                self.merge_runs(&folder, name)?;
            }
        }
        let link = self.links.len() as u32;
        let next = self.heads.insert(key, link).unwrap_or(END);
        self.links.push((doc, next));
        Ok(())
    }

    /// Adds `doc` under `key` unless the part in memory has the key already: for tables
    /// where only the first document of a key is ever asked for ([`Self::first`]).
    pub(crate) fn insert_first(&mut self, key: u64, doc: u32) -> Result<()> {
        if self.heads.contains(key) {
            return Ok(());
        }
        self.insert(key, doc)
    }

    /// The oldest document under `key`.
    pub(crate) fn first(&mut self, key: u64) -> Result<Option<u32>> {
        if !self.runs.is_empty() {
            if let Some(doc) = self.oldest_on_disk.get(key) {
                return Ok(Some(doc));
            }
            for i in 0..self.runs.len() {
                let mut oldest = None;
                self.scan_run(i, key, |doc| {
                    oldest = Some(doc);
                    true
                })?;
                if let Some(doc) = oldest {
                    if self.oldest_on_disk.is_empty() {
                        self.oldest_on_disk = OldestOnDisk::with_slots(self.oldest_slots);
                    }
                    self.oldest_on_disk.put(key, doc);
                    return Ok(oldest);
                }
            }
        }
        let mut link = self.heads.get(key).unwrap_or(END);
        let mut oldest = None;
        while link != END {
            let (doc, next) = self.links[link as usize];
            oldest = Some(doc);
            link = next;
        }
        Ok(oldest)
    }

    /// Reads what looking up each of `keys` reads first: its slot in memory, its slot of
    /// the oldest documents found on disk and its filter block in every run. All reads are
    /// independent of each other, so that they overlap: the lookups of these keys that
    /// follow then find them in the cache instead of waiting for one miss after another
    /// (with several runs of millions of keys, those misses were most of a lookup's time).
    pub(crate) fn prefetch(&self, keys: impl Iterator<Item = u64> + Clone) {
        let mut touched = 0;
        for key in keys.clone() {
            touched ^= self.heads.touch(key);
            touched ^= self.oldest_on_disk.touch(key);
        }
        for run in &self.runs {
            for key in keys.clone() {
                touched ^= run.filter.touch(key);
            }
        }
        std::hint::black_box(touched);
    }

    /// Appends to `out` the documents under `key`, newest first, at most `limit`.
    pub(crate) fn newest(&mut self, key: u64, limit: usize, out: &mut Vec<u32>) -> Result<()> {
        let mut taken = 0;
        let mut link = self.heads.get(key).unwrap_or(END);
        while link != END && taken < limit {
            let (doc, next) = self.links[link as usize];
            out.push(doc);
            taken += 1;
            link = next;
        }
        for i in (0..self.runs.len()).rev() {
            if taken == limit {
                break;
            }
            self.scan_run(i, key, |doc| {
                out.push(doc);
                taken += 1;
                taken < limit
            })?;
        }
        Ok(())
    }

    /// Calls `each` with the documents under `key` in run `i`, newest first, while it
    /// returns `true`.
    fn scan_run(&mut self, i: usize, key: u64, mut each: impl FnMut(u32) -> bool) -> Result<()> {
        if !self.runs[i].filter.may_contain(key) {
            return Ok(());
        }
        if self.scan_window(i, key, &mut each)? {
            return Ok(());
        }
        self.scan_blocks(i, key, each)
    }

    /// Like [`Self::scan_blocks`], reading only the [`WINDOW`] entries around where `key`
    /// should lie in its block, told by its place between the block's first key and the
    /// next block's (keys are uniform): a read of a whole block copied four times as many
    /// bytes and often touched two pages, and these reads were a tenth of the dedupe
    /// thread's time at 1 GB. Returns `false`, having called nothing, when the window may
    /// not hold all of the key's entries (it has no smaller and no larger key around them).
    fn scan_window(
        &mut self,
        i: usize,
        key: u64,
        each: &mut impl FnMut(u32) -> bool,
    ) -> Result<bool> {
        let run = &self.runs[i];
        let block = keys_below(&run.first_keys, key);
        if block == 0 {
            return Ok(false);
        }
        let block = block - 1;
        let low = run.first_keys[block];
        let high = run.first_keys.get(block + 1).copied().unwrap_or(u64::MAX);
        let start = block * BLOCK;
        let count = (run.entries as usize - start).min(BLOCK);
        if count <= WINDOW || high <= low {
            return Ok(false);
        }
        let share = (key - low) as f64 / (high - low) as f64;
        let middle = (share * count as f64) as usize;
        let first = middle.saturating_sub(WINDOW / 2).min(count - WINDOW);
        self.block.resize(WINDOW * ENTRY, 0);
        run.file
            .read_exact_at(&mut self.block, ((start + first) * ENTRY) as u64)
            .map_err(|source| Error::Spill {
                path: run.path.clone(),
                source,
            })?;
        let (smallest, _) = decode(&self.block[..ENTRY]);
        let (largest, _) = decode(&self.block[(WINDOW - 1) * ENTRY..]);
        if smallest >= key || largest <= key {
            return Ok(false);
        }
        for entry in self.block.chunks_exact(ENTRY) {
            let (k, doc) = decode(entry);
            if k > key || (k == key && !each(doc)) {
                break;
            }
        }
        Ok(true)
    }

    /// Calls `each` with the documents under `key` in run `i`, newest first, while it
    /// returns `true`, reading the whole blocks that may hold them.
    fn scan_blocks(&mut self, i: usize, key: u64, mut each: impl FnMut(u32) -> bool) -> Result<()> {
        let run = &self.runs[i];
        // The key's entries may begin in the block before the first one starting with it.
        let mut block = keys_below(&run.first_keys, key).saturating_sub(1);
        while block < run.first_keys.len() && run.first_keys[block] <= key {
            let start = block * BLOCK;
            let count = (run.entries as usize - start).min(BLOCK);
            self.block.resize(count * ENTRY, 0);
            run.file
                .read_exact_at(&mut self.block, (start * ENTRY) as u64)
                .map_err(|source| Error::Spill {
                    path: run.path.clone(),
                    source,
                })?;
            for entry in self.block.chunks_exact(ENTRY) {
                let (k, doc) = decode(entry);
                if k > key {
                    return Ok(());
                }
                if k == key && !each(doc) {
                    return Ok(());
                }
            }
            block += 1;
        }
        Ok(())
    }

    /// Writes the entries in memory to a new run and empties the table.
    fn write_run(&mut self) -> Result<()> {
        let Some((folder, name)) = self.folder.clone() else {
            return Ok(());
        };
        let mut entries = std::mem::take(&mut self.sorted);
        entries.clear();
        entries.reserve(self.links.len());
        for (key, head) in self.heads.iter_by_home() {
            let mut link = head;
            while link != END {
                let (doc, next) = self.links[link as usize];
                entries.push((key, doc));
                link = next;
            }
        }
        // Emptied with their capacity: the next run fills them to the same size.
        self.heads.clear();
        self.links.clear();
        sort_entries(&mut entries);
        let mut writer = RunWriter::create(self.next_path(&folder, name), entries.len())?;
        for &(key, doc) in &entries {
            writer.push(key, doc)?;
        }
        self.sorted = entries;
        self.runs.push(writer.finish(0)?);
        self.merge_runs(&folder, name)
    }

    fn next_path(&mut self, folder: &Path, name: &str) -> PathBuf {
        self.written += 1;
        folder.join(format!("{name}-{}.run", self.written - 1))
    }

    /// Starts the merges that wait ([`Self::next_merge`]), after the merge running now, if
    /// any, is done: as soon as it is done when nothing waits to be merged, else waiting for
    /// it (one merge at a time, so that at most one merged run's filter is held besides its
    /// sources'). Returns when a merge runs on its own thread or none waits.
    fn merge_runs(&mut self, folder: &Path, name: &'static str) -> Result<()> {
        loop {
            if self.merge_done() {
                self.settle_merge()?;
            }
            let Some(first) = self.next_merge() else {
                return Ok(());
            };
            if self.merging.is_some() {
                self.settle_merge()?;
                continue;
            }
            self.start_merge(first, folder, name)?;
            if self.merging.is_some() {
                return Ok(());
            }
        }
    }

    /// Whether a merge ran on a thread of its own and is done (one atomic load).
    fn merge_done(&self) -> bool {
        self.merging
            .as_ref()
            .is_some_and(|m| m.thread.is_finished())
    }

    /// Where the oldest [`MERGE`] runs of the oldest level with at least as many start,
    /// among the runs no merge reads. Merging the oldest of a level keeps levels from
    /// increasing from one run to the next: while a merge runs, new runs of level 0 can
    /// pile up beyond [`MERGE`].
    fn next_merge(&self) -> Option<usize> {
        let from = self.merging.as_ref().map_or(0, |m| m.first + MERGE);
        let runs = self.runs.get(from..)?;
        let mut start = 0;
        for i in 1..=runs.len() {
            if i == runs.len() || runs[i].level != runs[start].level {
                if i - start >= MERGE {
                    return Some(from + start);
                }
                start = i;
            }
        }
        None
    }

    /// Starts merging the [`MERGE`] runs from `first` on into one run of the next level: on
    /// a thread of its own when its filter is within `background_filter_bytes`, else here
    /// and now. Files that cannot be opened or created fail here; what fails later, on the
    /// merge's thread, fails when the merge is settled, and its sources stay as they were.
    fn start_merge(&mut self, first: usize, folder: &Path, name: &'static str) -> Result<()> {
        let sources = &mut self.runs[first..first + MERGE];
        let level = sources[0].level;
        let expected: u64 = sources.iter().map(|r| r.entries).sum();
        let readers = sources
            .iter()
            .map(RunReader::open)
            .collect::<Result<Vec<_>>>()?;
        // Sources folded to keep within the filters' budget give the merged run a filter as
        // dense as theirs: made at full size, it held up to 112 MB more at the peak of an
        // 8 GB run, before it was folded in turn.
        let most_bytes = if self.filters_limited {
            sources.iter().map(|r| r.filter.bytes()).sum()
        } else {
            usize::MAX
        };
        let in_background =
            KeyFilter::bytes_within(expected as usize, most_bytes) <= self.background_filter_bytes;
        if !in_background {
            // Nothing is looked up while the runs merge here: their filters go before the
            // merged run's is filled, so that the peak holds one of the two.
            for run in sources.iter_mut() {
                run.filter = KeyFilter::pass_all();
            }
        }
        let path = self.next_path(folder, name);
        let filter = KeyFilter::within(expected as usize, most_bytes);
        let writer = RunWriter::with_filter(path.clone(), expected as usize, filter)?;
        if !in_background {
            let merged =
                merge_into(writer, readers, level, &AtomicBool::new(false)).inspect_err(|_| {
                    let _ = std::fs::remove_file(&path);
                })?;
            // (`None` only for a merge asked to stop, which this one is not.)
            if let Some(merged) = merged {
                self.replace_sources(first, merged);
            }
            return Ok(());
        }
        let bytes = writer.filter.bytes() + writer.first_keys.capacity() * 8;
        let stop = Arc::new(AtomicBool::new(false));
        #[cfg(test)]
        let hold = self.hold_next_merge.take();
        let thread = std::thread::Builder::new()
            .name("dedupe_merge".into())
            .spawn({
                let stop = Arc::clone(&stop);
                move || {
                    #[cfg(test)]
                    if let Some(hold) = hold {
                        hold.wait();
                    }
                    let merged = merge_into(writer, readers, level, &stop)?;
                    let cpu_ns = pipeline_core::thread_cpu_ns().unwrap_or(0);
                    Ok(merged.map(|run| (run, cpu_ns)))
                }
            })
            .map_err(|source| Error::Spill {
                path: path.clone(),
                source,
            })?;
        self.merging = Some(Merging {
            first,
            path,
            bytes,
            stop,
            thread,
        });
        Ok(())
    }

    /// Puts `merged` in the place of the [`MERGE`] runs from `first` on and removes their
    /// files.
    fn replace_sources(&mut self, first: usize, merged: Run) {
        for run in self.runs.splice(first..first + MERGE, [merged]) {
            let _ = std::fs::remove_file(&run.path);
        }
    }

    /// Waits for the running merge, if any, and puts the merged run in its sources' place,
    /// removing their files. A merge that failed leaves its sources as they were.
    fn settle_merge(&mut self) -> Result<()> {
        let Some(merging) = self.merging.take() else {
            return Ok(());
        };
        let outcome = merging.thread.join().unwrap_or_else(|_| {
            Err(Error::Spill {
                path: merging.path.clone(),
                source: std::io::Error::other("the merge's thread panicked"),
            })
        });
        match outcome {
            Ok(Some((merged, cpu_ns))) => {
                self.merge_cpu_ns += cpu_ns;
                self.replace_sources(merging.first, merged);
                Ok(())
            }
            Ok(None) => {
                let _ = std::fs::remove_file(&merging.path);
                Ok(())
            }
            Err(error) => {
                let _ = std::fs::remove_file(&merging.path);
                Err(error)
            }
        }
    }

    /// CPU time of the merges finished so far, in nanoseconds: they run on threads of
    /// their own.
    pub(crate) fn merge_cpu_ns(&self) -> u64 {
        self.merge_cpu_ns
    }

    /// Waits until no merge runs and none waits to be run: the runs are as a merge on the
    /// inserting thread would have left them.
    #[cfg(test)]
    fn finish_merges(&mut self) -> Result<()> {
        let Some((folder, name)) = self.folder.clone() else {
            return Ok(());
        };
        loop {
            self.settle_merge()?;
            self.merge_runs(&folder, name)?;
            if self.merging.is_none() {
                return Ok(());
            }
        }
    }

    /// Approximate heap bytes held in memory.
    pub(crate) fn memory_bytes(&self) -> usize {
        self.heads.bytes()
            + self.links.capacity() * 8
            + self.sorted.capacity() * std::mem::size_of::<(u64, u32)>()
            + self.block.capacity()
            + self.oldest_on_disk.bytes()
            + self
                .runs
                .iter()
                .map(|r| r.filter.bytes() + r.first_keys.capacity() * 8)
                .sum::<usize>()
            + self.merging.as_ref().map_or(0, |m| m.bytes)
    }

    /// Makes merged runs' filters no larger than their sources' (see `filters_limited`).
    pub(crate) fn limit_filters(&mut self) {
        self.filters_limited = true;
    }

    /// Bytes the filters of the runs hold (not that of a merged run still being filled).
    pub(crate) fn filter_bytes(&self) -> usize {
        self.runs.iter().map(|r| r.filter.bytes()).sum()
    }

    /// The run whose filter to fold first, if any can be: the one with the most filter
    /// bits per entry (the one a fold costs least, and that evens out the share of absent
    /// keys passing), the larger of equals. `((bits per entry × 1024, bytes), run)`.
    pub(crate) fn densest_filter(&self) -> Option<((u64, usize), usize)> {
        (self.runs.iter().enumerate())
            .filter(|(_, run)| run.filter.bytes() > 64)
            .map(|(i, run)| {
                let bytes = run.filter.bytes();
                let density = (bytes as u64 * 8 * 1024) / run.entries.max(1);
                ((density, bytes), i)
            })
            .max()
    }

    /// Folds the filter of run `run` ([`KeyFilter::fold`]); whether it could.
    pub(crate) fn fold_filter(&mut self, run: usize) -> bool {
        self.runs.get_mut(run).is_some_and(|r| r.filter.fold())
    }

    /// Entries written to runs on disk so far.
    #[cfg(test)]
    fn entries_on_disk(&self) -> u64 {
        self.runs.iter().map(|r| r.entries).sum()
    }
}

impl Drop for KeyTable {
    /// Runs belong to one process's index; a later run starts from the persistent index.
    fn drop(&mut self) {
        if let Some(merging) = self.merging.take() {
            merging.stop.store(true, Ordering::Relaxed);
            let _ = merging.thread.join();
            let _ = std::fs::remove_file(&merging.path);
        }
        for run in &self.runs {
            let _ = std::fs::remove_file(&run.path);
        }
    }
}

/// Creates (or empties) a file the index moves part of itself to, and its folder, for
/// reading and writing.
pub(crate) fn create_spill_file(path: &Path) -> Result<File> {
    let fail = |path: &Path, source| Error::Spill {
        path: path.to_owned(),
        source,
    };
    if let Some(folder) = path.parent() {
        std::fs::create_dir_all(folder).map_err(|e| fail(folder, e))?;
    }
    File::options()
        .create(true)
        .truncate(true)
        .read(true)
        .write(true)
        .open(path)
        .map_err(|e| fail(path, e))
}

/// How many of the ascending `keys` are below `key`, as `partition_point` tells, starting
/// from where a uniform key should lie and widening the bracket around it step by doubling
/// step: a binary search over the first keys of a large run waited for a cache miss at
/// almost every step (a third of the time of a lookup that reached a run at 1 GB), while
/// the guess is usually within a few cache lines of the answer.
fn keys_below(keys: &[u64], key: u64) -> usize {
    let n = keys.len();
    let guess = ((u128::from(key) * n as u128) >> 64) as usize;
    let (mut low, mut high) = (guess, guess);
    let mut step = 1;
    // Invariant once set: every key before `low` is below `key`, none from `high` on is.
    while low > 0 && keys[low - 1] >= key {
        high = low - 1;
        low = low.saturating_sub(step);
        step *= 2;
    }
    step = 1;
    while high < n && keys[high] < key {
        low = high + 1;
        high = (high + step).min(n);
        step *= 2;
    }
    low + keys[low..high].partition_point(|&k| k < key)
}

/// Sorts `entries` by key ascending, a key's documents newest first. They come from
/// [`Heads::iter_by_home`], each key's documents newest first, so each entry is at most a
/// few places from where it belongs: an insertion sort puts them in order in a few steps
/// each, where a general sort took about 20 comparisons per entry (a quarter of writing
/// a run). Entries much further out of order (keys that are not uniform hashes) fall back
/// to the general sort.
fn sort_entries(entries: &mut [(u64, u32)]) {
    let goes_before = |a: (u64, u32), b: (u64, u32)| a.0 < b.0 || (a.0 == b.0 && a.1 > b.1);
    let most_moves = entries.len().saturating_mul(8);
    let mut moves = 0;
    for i in 1..entries.len() {
        let entry = entries[i];
        let mut j = i;
        while j > 0 && goes_before(entry, entries[j - 1]) {
            entries[j] = entries[j - 1];
            j -= 1;
        }
        entries[j] = entry;
        moves += i - j;
        if moves > most_moves {
            entries.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
            return;
        }
    }
}

fn decode(entry: &[u8]) -> (u64, u32) {
    let mut key = [0u8; 8];
    let mut doc = [0u8; 4];
    key.copy_from_slice(&entry[..8]);
    doc.copy_from_slice(&entry[8..ENTRY]);
    (u64::from_le_bytes(key), u32::from_le_bytes(doc))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The same answers with and without runs on disk.
    fn tables(budget_entries: usize) -> (KeyTable, KeyTable, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let mut spilling = KeyTable::new();
        spilling.spill_to(dir.path(), "t", budget_entries * MEMORY_PER_ENTRY);
        (KeyTable::new(), spilling, dir)
    }

    fn spread(i: u64) -> u64 {
        i.wrapping_mul(0x9e37_79b9_7f4a_7c15)
    }

    #[test]
    fn newest_first_across_memory_and_runs() {
        let (mut memory, mut spilling, dir) = tables(100);
        // 3,000 documents; key k gets every document d with d % 7 == k % 7 among keys 0..50.
        for doc in 0..3000u32 {
            for key in [u64::from(doc % 7), 1000 + u64::from(doc % 50)] {
                memory.insert(spread(key), doc).unwrap();
                spilling.insert(spread(key), doc).unwrap();
            }
        }
        // 60 budgets' worth of entries: merged into at most 3 runs per level.
        spilling.finish_merges().unwrap();
        assert!(spilling.runs.len() <= 9, "{} runs", spilling.runs.len());
        assert!(spilling.runs.iter().any(|r| r.level >= 2));
        assert!(spilling.entries_on_disk() > 5000);
        for key in (0..7).chain(1000..1050).chain([77, 5000]) {
            for limit in [1, 5, 256, 10_000] {
                let (mut a, mut b) = (Vec::new(), Vec::new());
                memory.newest(spread(key), limit, &mut a).unwrap();
                spilling.newest(spread(key), limit, &mut b).unwrap();
                assert_eq!(a, b, "key {key}, limit {limit}");
                assert!(a.windows(2).all(|w| w[0] > w[1]), "newest first");
                assert!(a.len() <= limit);
            }
            assert_eq!(
                memory.first(spread(key)).unwrap(),
                spilling.first(spread(key)).unwrap()
            );
        }
        assert_eq!(spilling.first(spread(3)).unwrap(), Some(3));
        assert_eq!(spilling.first(spread(77)).unwrap(), None);
        let run_files = std::fs::read_dir(dir.path()).unwrap().count();
        assert_eq!(run_files, spilling.runs.len());
        drop(spilling);
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            0,
            "runs removed"
        );
    }

    /// Asserts that `spilling` answers every key of `keys` as `memory` does.
    fn same_answers(
        memory: &mut KeyTable,
        spilling: &mut KeyTable,
        keys: impl Iterator<Item = u64>,
    ) {
        for key in keys {
            for limit in [1, 5, 10_000] {
                let (mut a, mut b) = (Vec::new(), Vec::new());
                memory.newest(spread(key), limit, &mut a).unwrap();
                spilling.newest(spread(key), limit, &mut b).unwrap();
                assert_eq!(a, b, "key {key}, limit {limit}");
            }
            assert_eq!(
                memory.first(spread(key)).unwrap(),
                spilling.first(spread(key)).unwrap()
            );
        }
    }

    #[test]
    fn lookups_while_runs_merge_answer_as_the_table_in_memory() {
        let (mut memory, mut spilling, dir) = tables(100);
        let hold = Arc::new(std::sync::Barrier::new(2));
        spilling.hold_next_merge = Some(Arc::clone(&hold));
        let mut doc = 0u32;
        let insert = |memory: &mut KeyTable, spilling: &mut KeyTable, doc: &mut u32| {
            let key = spread(u64::from(*doc % 40));
            memory.insert(key, *doc).unwrap();
            spilling.insert(key, *doc).unwrap();
            *doc += 1;
        };
        while spilling.merging.is_none() {
            insert(&mut memory, &mut spilling, &mut doc);
        }
        // The first merge waits to begin: its four sources answer, as they do while it runs.
        assert_eq!(spilling.runs.len(), 4);
        for _ in 0..50 {
            insert(&mut memory, &mut spilling, &mut doc);
        }
        same_answers(&mut memory, &mut spilling, (0..40).chain([77, 5000]));
        hold.wait();
        for _ in 0..6000 {
            insert(&mut memory, &mut spilling, &mut doc);
            if doc.is_multiple_of(50) {
                same_answers(&mut memory, &mut spilling, (0..40).chain([77, 5000]));
            }
        }
        let doc = u64::from(doc);
        // However far the merges got, the runs hold every entry written out once.
        let on_disk = |t: &KeyTable| t.entries_on_disk();
        assert_eq!(on_disk(&spilling), doc - spilling.links.len() as u64);
        spilling.finish_merges().unwrap();
        assert!(spilling.merging.is_none());
        assert_eq!(on_disk(&spilling), doc - spilling.links.len() as u64);
        assert!(spilling.runs.windows(2).all(|w| w[0].level >= w[1].level));
        same_answers(&mut memory, &mut spilling, (0..40).chain([77, 5000]));
        // Merged runs' sources are removed: one file per run.
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            spilling.runs.len()
        );
    }

    #[test]
    fn a_merge_that_cannot_start_leaves_its_runs_answering_rightly() {
        let (mut memory, mut spilling, dir) = tables(100);
        // The fourth run of level 0 is merged into `t-4.run`, which cannot be created.
        std::fs::create_dir(dir.path().join("t-4.run")).unwrap();
        let mut failed = None;
        for doc in 0..3000u32 {
            let key = spread(u64::from(doc % 40));
            if spilling.insert(key, doc).is_err() {
                failed = Some(doc);
                break;
            }
            memory.insert(key, doc).unwrap();
        }
        let doc = failed.expect("the merge failed");
        assert_eq!(spilling.runs.len(), 4);
        assert!(spilling.merging.is_none());
        // Every entry added before the failed one is found where it was.
        assert!(doc > 300, "{doc}");
        same_answers(&mut memory, &mut spilling, (0..40).chain([77, 5000]));
    }

    #[test]
    fn a_merged_run_of_folded_filters_gets_a_filter_no_larger_than_theirs() {
        for background in [true, false] {
            let (mut memory, mut spilling, _dir) = tables(100);
            spilling.limit_filters();
            if !background {
                spilling.background_filter_bytes = 0;
            }
            let mut doc = 0u32;
            let mut insert = |memory: &mut KeyTable, spilling: &mut KeyTable| {
                let key = spread(u64::from(doc));
                memory.insert(key, doc).unwrap();
                spilling.insert(key, doc).unwrap();
                doc += 1;
            };
            while spilling.runs.len() < 3 {
                insert(&mut memory, &mut spilling);
            }
            // Three runs of level 0, folded once each as the index would; the fourth (of
            // as many entries, unfolded) starts their merge.
            let fourth = spilling.runs[0].filter.bytes();
            for run in 0..3 {
                assert!(spilling.fold_filter(run));
            }
            let folded: usize = spilling.filter_bytes();
            while spilling.runs.len() == 3 {
                insert(&mut memory, &mut spilling);
            }
            spilling.finish_merges().unwrap();
            let merged = &spilling.runs[0];
            assert_eq!(merged.level, 1);
            assert!(
                merged.filter.bytes() <= folded + fourth,
                "{} > {folded} + {fourth}",
                merged.filter.bytes()
            );
            assert!(merged.filter.bytes() < KeyFilter::bytes_for(merged.entries as usize));
            same_answers(&mut memory, &mut spilling, (0..u64::from(doc)).step_by(3));
        }
    }

    #[test]
    fn a_merge_too_large_for_the_background_gives_the_filters_back_first() {
        let (mut memory, mut spilling, dir) = tables(100);
        spilling.background_filter_bytes = 0;
        for doc in 0..3000u32 {
            let key = spread(u64::from(doc % 40));
            memory.insert(key, doc).unwrap();
            spilling.insert(key, doc).unwrap();
            // Merged where they were inserted: no merge is ever left running.
            assert!(spilling.merging.is_none());
        }
        assert!(spilling.runs.len() <= 9, "{} runs", spilling.runs.len());
        assert!(spilling.runs.iter().any(|r| r.level >= 1));
        same_answers(&mut memory, &mut spilling, (0..40).chain([77, 5000]));
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            spilling.runs.len()
        );

        // The fourth run of level 0 is merged into `t-4.run`, which cannot be created.
        let (mut memory, mut spilling, dir) = tables(100);
        spilling.background_filter_bytes = 0;
        std::fs::create_dir(dir.path().join("t-4.run")).unwrap();
        let mut failed = None;
        for doc in 0..3000u32 {
            let key = spread(u64::from(doc % 40));
            let before = spilling.memory_bytes();
            if spilling.insert(key, doc).is_err() {
                failed = Some((doc, before));
                break;
            }
            memory.insert(key, doc).unwrap();
        }
        let (doc, before) = failed.expect("the merge failed");
        assert_eq!(spilling.runs.len(), 4);
        // The four filters were given back before the merged run's was made.
        assert!(spilling.runs.iter().all(|r| r.filter.bytes() == 64));
        assert!(
            spilling.memory_bytes() < before,
            "{} >= {before}",
            spilling.memory_bytes()
        );
        // Every entry added before the failed one is found where it was.
        assert!(doc > 300, "{doc}");
        same_answers(&mut memory, &mut spilling, (0..40).chain([77, 5000]));
    }

    #[test]
    fn a_table_dropped_while_a_merge_runs_leaves_no_file() {
        let (_, mut spilling, dir) = tables(2000);
        // Large runs, so that the merge is likely still running when the table goes (the
        // files must be gone either way).
        for doc in 0..(4 * 2100) {
            spilling.insert(spread(u64::from(doc)), doc).unwrap();
        }
        assert!(spilling.merging.is_some() || spilling.runs.iter().any(|r| r.level == 1));
        drop(spilling);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    /// How runs were sorted before [`sort_entries`].
    fn sort_entries_reference(entries: &mut [(u64, u32)]) {
        entries.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
    }

    #[test]
    fn sort_entries_sorts_as_the_general_sort_did() {
        let mut rng = crate::test_rng::XorShift(0x2545_f491_4f6c_dd1d);
        let mut inputs: Vec<Vec<(u64, u32)>> = vec![vec![], vec![(5, 1)]];
        for n in [2, 3, 50, 1000, 20_000] {
            // A table's entries (uniform keys, some with several documents) read by home.
            let mut heads = Heads::with_capacity(n);
            let mut links: Vec<(u32, u32)> = Vec::new();
            let mut keys: Vec<u64> = Vec::new();
            for doc in 0..n as u32 {
                let key = if rng.next().is_multiple_of(4) && doc > 0 {
                    keys[rng.next() as usize % keys.len()]
                } else {
                    rng.next()
                };
                keys.push(key);
                let next = heads.insert(key, links.len() as u32).unwrap_or(END);
                links.push((doc, next));
            }
            let mut entries = Vec::new();
            for (key, head) in heads.iter_by_home() {
                let mut link = head;
                while link != END {
                    entries.push((key, links[link as usize].0));
                    link = links[link as usize].1;
                }
            }
            inputs.push(entries);
            // Random order, reversed, and small keys with equal keys spread out.
            inputs.push((0..n).map(|_| (rng.next(), rng.next() as u32)).collect());
            inputs.push((0..n as u64).rev().map(|k| (k, k as u32)).collect());
            inputs.push(
                (0..n)
                    .map(|_| (rng.next() % 7, rng.next() as u32 % 5))
                    .collect(),
            );
        }
        for input in inputs {
            let (mut ours, mut reference) = (input.clone(), input);
            sort_entries(&mut ours);
            sort_entries_reference(&mut reference);
            assert_eq!(ours, reference, "{} entries", ours.len());
        }
    }

    #[test]
    fn keys_below_agrees_with_a_binary_search() {
        let uniform = |n: u64| -> Vec<u64> {
            let mut keys: Vec<u64> = (0..n).map(spread).collect();
            keys.sort_unstable();
            keys
        };
        let mut lists = vec![vec![], vec![5], vec![u64::MAX], vec![0, 0, 7]];
        lists.extend([2, 3, 100, 10_000].map(uniform));
        // Skewed: all in a narrow range near the bottom, or near the top, and repeated keys.
        lists.push((0..5000).map(|i| i * 3).collect());
        lists.push((0..5000).map(|i| u64::MAX - 5000 + i).collect());
        lists.push((0..3000).map(|i| spread(i / 100) >> 1).collect::<Vec<_>>());
        lists.last_mut().unwrap().sort_unstable();
        lists.push(vec![42; 1000]);
        for keys in &lists {
            let queries = keys
                .iter()
                .flat_map(|&k| [k, k.wrapping_sub(1), k.wrapping_add(1)])
                .chain((0..2000).map(|i| spread(i + 1_000_000)))
                .chain([0, 1, 42, u64::MAX / 2, u64::MAX]);
            for key in queries {
                assert_eq!(
                    keys_below(keys, key),
                    keys.partition_point(|&k| k < key),
                    "{} keys, key {key:#x}",
                    keys.len()
                );
            }
        }
    }

    /// A way of scanning run 0 of a table for a key.
    type Scan = fn(&mut KeyTable, u64, &mut dyn FnMut(u32) -> bool) -> Result<()>;

    /// The documents `scan` gives for `key` in run 0, stopping after `limit`.
    fn scanned(table: &mut KeyTable, key: u64, limit: usize, scan: Scan) -> Vec<u32> {
        let mut docs = Vec::new();
        scan(table, key, &mut |doc| {
            docs.push(doc);
            docs.len() < limit
        })
        .unwrap();
        docs
    }

    #[test]
    fn reading_a_window_finds_what_reading_whole_blocks_finds() {
        let (_, mut spilling, _dir) = tables(100_000);
        // Uniform keys, with some keys of 3, 40 and 600 documents (the last crossing
        // blocks) and a run of consecutive keys that defeats the estimate.
        let mut doc = 0u32;
        for i in 0..20_000u64 {
            let copies = match i % 5000 {
                0 => 600,
                1..=20 => 40,
                21..=500 => 3,
                _ => 1,
            };
            let key = if (7000..7300).contains(&i) {
                spread(7000) + i
            } else {
                spread(i)
            };
            for _ in 0..copies {
                spilling.insert(key, doc).unwrap();
                doc += 1;
            }
        }
        spilling.write_run().unwrap();
        assert_eq!(spilling.runs.len(), 1);
        let whole: Scan = |t, key, each| t.scan_blocks(0, key, each);
        let window: Scan = |t, key, each| t.scan_run(0, key, each);
        let mut answered_by_window = 0;
        let queries = (0..20_000u64)
            .map(spread)
            .chain((7000..7300).map(|i| spread(7000) + i))
            .chain((0..2000).map(|i| spread(i) + 1))
            .chain([0, 1, u64::MAX, u64::MAX - 1]);
        for key in queries {
            for limit in [1, 2, 39, usize::MAX] {
                let expected = scanned(&mut spilling, key, limit, whole);
                assert_eq!(
                    scanned(&mut spilling, key, limit, window),
                    expected,
                    "key {key:#x}, limit {limit}"
                );
            }
            answered_by_window += usize::from(spilling.scan_window(0, key, &mut |_| true).unwrap());
        }
        // Most lookups read the window alone; the rest fell back to whole blocks.
        assert!(answered_by_window > 20_000, "{answered_by_window}");
        assert!(answered_by_window < 22_304, "{answered_by_window}");
    }

    #[test]
    fn a_key_spanning_blocks_is_read_whole() {
        let (mut memory, mut spilling, _dir) = tables(2000);
        // One key with 500 documents amid others: its entries cross block bounds. No
        // document has 750 as its own key (750 is a multiple of 3).
        for doc in 0..1500u32 {
            let key = if doc % 3 == 0 { 750 } else { u64::from(doc) };
            memory.insert(key, doc).unwrap();
            spilling.insert(key, doc).unwrap();
        }
        spilling.write_run().unwrap();
        assert_eq!(spilling.runs.len(), 1);
        let (mut a, mut b) = (Vec::new(), Vec::new());
        memory.newest(750, usize::MAX, &mut a).unwrap();
        spilling.newest(750, usize::MAX, &mut b).unwrap();
        assert_eq!(a.len(), 500);
        assert_eq!(a, b);
        assert_eq!(spilling.first(1499).unwrap(), Some(1499));
    }

    #[test]
    fn the_oldest_documents_remembered_from_disk_are_the_right_ones() {
        let (mut memory, mut spilling, dir) = tables(100);
        // Keys 0..600 and, for every key, one that falls in the same slot of the memory of
        // keys found on disk; each key gets documents `key`, `key + 600`, … .
        let keys: Vec<u64> = (0..600u64)
            .flat_map(|k| [spread(k), spread(k) ^ (1 << 40)])
            .collect();
        for doc in 0..6000u32 {
            let key = keys[doc as usize % keys.len()];
            memory.insert_first(key, doc).unwrap();
            spilling.insert_first(key, doc).unwrap();
        }
        assert!(spilling.runs.len() >= 2);
        // Asked three times in alternating order, so that remembered answers are used and
        // slots shared by two keys are overwritten.
        for round in 0..3 {
            for (i, &key) in keys.iter().enumerate() {
                let key = if round == 1 {
                    keys[keys.len() - 1 - i]
                } else {
                    key
                };
                assert_eq!(
                    spilling.first(key).unwrap(),
                    memory.first(key).unwrap(),
                    "round {round}"
                );
            }
            assert_eq!(spilling.first(spread(9999)).unwrap(), None);
        }
        assert!(spilling
            .oldest_on_disk
            .sets
            .iter()
            .any(|set| set.0.iter().any(|&(_, doc)| doc != END)));
        // A sixteenth of the budget in slots of 16 bytes, rounded down to a power of two.
        assert_eq!(spilling.oldest_slots, 16);
        let mut default = KeyTable::new();
        default.spill_to(dir.path(), "d", 16 << 20);
        assert_eq!(default.oldest_slots, 1 << 16);
        default.spill_to(dir.path(), "d", 32 << 20);
        assert_eq!(default.oldest_slots, MAX_OLDEST_SLOTS);
    }

    /// Keys of set `set` of a cache of `sets` sets, told apart by their high bits.
    fn key_in_set(set: u64, sets: u64, i: u64) -> u64 {
        set + sets * (i + 1)
    }

    #[test]
    fn the_cache_hits_misses_and_evicts_the_least_recently_used() {
        let mut cache = OldestOnDisk::with_slots(8);
        assert_eq!(cache.sets.len(), 2);
        assert_eq!(cache.bytes(), 8 * std::mem::size_of::<(u64, u32)>());
        let keys: Vec<u64> = (0..5).map(|i| key_in_set(1, 2, i)).collect();
        assert_eq!(cache.get(keys[0]), None, "an empty cache misses");
        for (doc, &key) in keys[..4].iter().enumerate() {
            cache.put(key, doc as u32);
        }
        assert_eq!(cache.get(keys[0]), Some(0), "four keys of one set all stay");
        for (doc, &key) in keys[..4].iter().enumerate() {
            assert_eq!(cache.get(key), Some(doc as u32));
        }
        // keys[0] is now the least recently used; asking for it makes keys[1] so.
        assert_eq!(cache.get(keys[0]), Some(0));
        cache.put(keys[4], 4);
        assert_eq!(
            cache.get(keys[1]),
            None,
            "the least recently used is evicted"
        );
        for (doc, &key) in keys.iter().enumerate().filter(|&(doc, _)| doc != 1) {
            assert_eq!(cache.get(key), Some(doc as u32));
        }
        // The other set is untouched, and a key that only shares the set misses.
        assert_eq!(cache.get(key_in_set(0, 2, 0)), None);
        assert_eq!(cache.get(key_in_set(1, 2, 99)), None);
        let mut none = OldestOnDisk::with_slots(0);
        none.put(7, 7);
        assert_eq!(none.get(7), None);
        assert_eq!(none.touch(7), 0);
    }

    /// The direct-mapped memory of keys found on disk that [`OldestOnDisk`] replaced, as it
    /// was in [`KeyTable::first`]: one slot per key, a new key overwriting the old.
    struct DirectMapped(Vec<(u64, u32)>);

    impl DirectMapped {
        fn get(&self, key: u64) -> Option<u32> {
            let (k, doc) = self.0[key as usize & (self.0.len() - 1)];
            (k == key && doc != END).then_some(doc)
        }
        fn put(&mut self, key: u64, doc: u32) {
            let slot = key as usize & (self.0.len() - 1);
            self.0[slot] = (key, doc);
        }
    }

    #[test]
    fn the_cache_never_answers_wrongly_and_keeps_more_hot_keys_than_direct_mapping() {
        let slots = 256;
        let mut cache = OldestOnDisk::with_slots(slots);
        let mut direct = DirectMapped(vec![(0, END); slots]);
        let mut truth = std::collections::HashMap::new();
        let mut rng = crate::test_rng::XorShift(0x2545_f491_4f6c_dd1d);
        let (mut hits, mut direct_hits) = (0, 0);
        for step in 0..200_000u32 {
            // Half the lookups go to 100 hot keys, the rest to 100 000 rarely asked ones;
            // key 0 and keys differing only in high bits are among them.
            let r = rng.next();
            let key = if r.is_multiple_of(2) {
                spread(r % 200 / 2)
            } else {
                spread(1000 + r % 100_000) & !(0xff << 56)
            };
            let doc = *truth.entry(key).or_insert(step);
            match cache.get(key) {
                Some(found) => {
                    assert_eq!(found, doc, "key {key:#x}");
                    hits += 1;
                }
                None => cache.put(key, doc),
            }
            match direct.get(key) {
                Some(found) => {
                    assert_eq!(found, doc);
                    direct_hits += 1;
                }
                None => direct.put(key, doc),
            }
        }
        assert!(
            hits > direct_hits,
            "{hits} hits, direct-mapped {direct_hits}"
        );
    }

    #[test]
    fn first_keeps_the_oldest_document() {
        let (_, mut spilling, _dir) = tables(10);
        spilling.insert_first(42, 0).unwrap();
        spilling.insert_first(42, 1).unwrap();
        for doc in 2..40 {
            spilling.insert_first(spread(u64::from(doc)), doc).unwrap();
        }
        spilling.insert_first(42, 40).unwrap();
        assert!(!spilling.runs.is_empty());
        assert_eq!(spilling.first(42).unwrap(), Some(0));
        assert_eq!(spilling.first(spread(39)).unwrap(), Some(39));
    }

    #[test]
    fn runs_left_by_a_killed_process_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        for file in ["t-0.run", "t-7.run", "other-0.run", "t-notes.txt"] {
            std::fs::write(dir.path().join(file), b"x").unwrap();
        }
        KeyTable::new().spill_to(dir.path(), "t", 1 << 20);
        let mut left: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(left, ["other-0.run", "t-notes.txt"]);
    }

    #[test]
    fn the_table_in_memory_stays_within_its_budget_and_never_grows() {
        for budget in [2_000, 100_000, 1 << 20, (3 << 20) + 123] {
            let dir = tempfile::tempdir().unwrap();
            let mut table = KeyTable::new();
            table.spill_to(dir.path(), "t", budget);
            let entries = table.budget.unwrap();
            // At least half of what `MEMORY_PER_ENTRY` promises: the next power of two of
            // slots would not have fitted.
            assert!(entries * MEMORY_PER_ENTRY * 2 > budget, "{budget}");
            let capacity = table.heads.capacity();
            for doc in 0..(3 * entries as u32 + 7) {
                table.insert(spread(u64::from(doc)), doc).unwrap();
                let in_memory = table.heads.bytes()
                    + table.links.capacity() * std::mem::size_of::<(u32, u32)>()
                    + table.sorted.capacity() * std::mem::size_of::<(u64, u32)>();
                assert!(in_memory <= budget, "{budget}: {in_memory} bytes");
                assert_eq!(table.heads.capacity(), capacity, "{budget}");
            }
            assert!(table.runs.len() >= 2);
        }
    }

    #[test]
    fn memory_stays_bounded() {
        let (_, mut spilling, _dir) = tables(10_000);
        for doc in 0..200_000u32 {
            spilling.insert(spread(u64::from(doc)), doc).unwrap();
        }
        // Within the budget in memory, plus about 1.3 bytes per key on disk.
        assert!(
            spilling.memory_bytes() <= 10_000 * MEMORY_PER_ENTRY + 200_000 * 2,
            "{} bytes",
            spilling.memory_bytes()
        );
    }
}
