//! The persistent index: what the stage indexed, kept in an embedded database (redb) in
//! the stage's state folder (`<output>/state/dedupe/index.redb`), so that an incremental
//! run compares new documents with every document earlier runs kept without reading or
//! hashing their text again.
//!
//! | table | key | value |
//! |---|---|---|
//! | `docs` | record number (`u64`, increasing across runs) | id, `source.path`, exact key, LSH band keys, passage hashes |
//! | `sets` | record number | the sorted shingle set (`u32` little-endian) |
//! | `meta` | `token`, `settings`, `next` | the run that committed it, the settings that shape the keys, the next record number |
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
//! bytes in `docs` and `4 × shingles` in `sets`, plus the B-tree's slack.

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
const SETS: TableDefinition<u64, &[u8]> = TableDefinition::new("sets");
const META: TableDefinition<&str, &str> = TableDefinition::new("meta");
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
/// at the peak of a 1 GB run than 8 MB, at the same speed.
const CACHE_BYTES: usize = 8 << 20;

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

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Option<&[u8]> {
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
}

/// The database of one output folder's index, open for this run.
pub(crate) struct IndexStore {
    path: PathBuf,
    settings: String,
    /// Record number of the next document indexed.
    next: u64,
    /// Records of replaced files, deleted when the run commits.
    retired: Vec<u64>,
    /// Records (number, `docs` value, `sets` value) not yet handed to the writer.
    batch: Vec<(u64, Vec<u8>, Vec<u8>)>,
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
    records: Vec<(u64, Vec<u8>, Vec<u8>)>,
    commit: Option<Commit>,
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
        let mut sets = txn.open_table(SETS).map_err(|e| fail(&e))?;
        for (number, record, set) in &job.records {
            docs.insert(number, record.as_slice())
                .map_err(|e| fail(&e))?;
            sets.insert(number, set.as_slice()).map_err(|e| fail(&e))?;
        }
        if let Some(commit) = &job.commit {
            for &number in &commit.retired {
                docs.remove(number).map_err(|e| fail(&e))?;
                sets.remove(number).map_err(|e| fail(&e))?;
            }
            meta.insert(SETTINGS, commit.settings.as_str())
                .map_err(|e| fail(&e))?;
            let next = commit.next.to_string();
            meta.insert(NEXT, next.as_str()).map_err(|e| fail(&e))?;
        }
    }
    txn.commit().map_err(|e| fail(&e))
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
            batch: Vec::new(),
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
        let set: Vec<u8> = set.iter().flat_map(|v| v.to_le_bytes()).collect();
        self.batch_bytes += record.len() + set.len() + 16;
        self.batch.push((self.next, record, set));
        self.next += 1;
        if self.batch_bytes >= self.batch_limit {
            self.hand_over_batch()?;
        }
        Ok(())
    }

    /// Writes the waiting records, deletes the retired ones and stores `token`: the index
    /// now belongs to this run. Durable when it returns.
    pub fn commit(&mut self, token: &str) -> Result<()> {
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

    fn take_batch(&mut self) -> Vec<(u64, Vec<u8>, Vec<u8>)> {
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
    if get(TOKEN)?.as_deref() != Some(previous) || get(SETTINGS)?.as_deref() != Some(settings) {
        return Ok(None);
    }
    let next = get(NEXT)?.and_then(|n| n.parse::<u64>().ok());
    let (Some(next), Ok(docs), Ok(sets)) = (next, txn.open_table(DOCS), txn.open_table(SETS))
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
        out.clear();
        let value = self
            .table
            .get(number)
            .map_err(|e| store_error(&self.path, e))?
            .ok_or_else(|| {
                store_error(
                    &self.path,
                    format!("the shingle set of record {number} is missing"),
                )
            })?;
        out.extend(
            value
                .value()
                .chunks_exact(4)
                .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]])),
        );
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
