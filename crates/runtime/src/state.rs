//! The state of incremental runs: a manifest of the input files behind the output (path,
//! size, modification time, SHA-256), kept in an embedded database (redb) in
//! `<output>/state/manifest.redb`, and the plan that decides which files to read again.
//!
//! The same database holds the progress of a run under way ([`Checkpoint`]): how much of
//! its temporary output files is complete and which input files that part covers. A run
//! killed at any point leaves either no checkpoint or a consistent one, and the next run
//! resumes from it (see `run.rs`).

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use pipeline_read::{file_content_hash, modified_ns, FileDone, Listing};
use redb::{ReadableDatabase, ReadableTable, TableDefinition};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::sink::SCHEMA_VERSION;

const FILES: TableDefinition<&str, &[u8]> = TableDefinition::new("files");
const META: TableDefinition<&str, &str> = TableDefinition::new("meta");
const CONFIG_HASH: &str = "config_hash";
const SCHEMA: &str = "schema_version";
const RUN_TOKEN: &str = "run_token";
const PROGRAM: &str = "program";
/// The input files a checkpoint's output covers (a manifest in waiting).
const PROGRESS_FILES: TableDefinition<&str, &[u8]> = TableDefinition::new("progress_files");
/// The checkpoint itself, under [`CHECKPOINT`].
const PROGRESS: TableDefinition<&str, &[u8]> = TableDefinition::new("progress");
const CHECKPOINT: &str = "checkpoint";

/// The progress of a run under way: its output files hold `len` complete bytes, written
/// from the files of the progress table and, when `partial` is set, from the first records
/// of one more file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Checkpoint {
    /// The config of the run (its hash); another config starts afresh.
    pub config_hash: String,
    /// The program that ran ([`program_id`]); another build starts afresh. `None` in
    /// checkpoints of builds that did not record it.
    #[serde(default)]
    pub program: Option<String>,
    /// The output contract's version the lines were written in.
    pub schema_version: String,
    /// The kept documents so far.
    pub documents: PrefixFile,
    /// The rejections so far.
    pub rejected: PrefixFile,
    /// The file being read at the checkpoint, and the records of it already written.
    pub partial: Option<PartialFile>,
    /// When the checkpoint was taken (UTC, RFC 3339).
    pub taken_at: String,
}

/// A temporary output file and how many of its bytes are complete.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct PrefixFile {
    /// File name inside the output folder.
    pub name: String,
    /// Complete bytes (whole lines) from the start.
    pub len: u64,
}

/// An input file written up to a record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct PartialFile {
    /// Its `source.path`.
    pub path: String,
    /// The last record number (JSONL line, WARC record) in the output.
    pub record: u64,
    /// Size and modification time when the checkpoint was taken; the file is resumed
    /// only if both are unchanged.
    pub size: u64,
    pub modified_ns: Option<u128>,
}

/// What the manifest knows of one input file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct FileEntry {
    pub size: u64,
    pub modified_ns: Option<u128>,
    /// See [`file_content_hash`].
    #[serde(default)]
    pub content_hash: Option<String>,
}

impl From<&FileDone> for FileEntry {
    fn from(done: &FileDone) -> Self {
        FileEntry {
            size: done.size,
            modified_ns: done.modified_ns,
            content_hash: done.content_hash.clone(),
        }
    }
}

/// What the manifest holds: the files behind the output, and the config hash and schema
/// version of the run that wrote it.
#[derive(Debug, Default)]
pub(crate) struct Previous {
    pub files: BTreeMap<String, FileEntry>,
    pub config_hash: Option<String>,
    pub schema_version: Option<String>,
    /// The token of the run that wrote the output (see [`pipeline_core::RunLink`]).
    pub run_token: Option<String>,
    /// The program that wrote it ([`program_id`]).
    pub program: Option<String>,
}

/// Names this build of the program: its version and the size and modification time of its
/// executable. Output written by another build may differ (other rules, other models), so
/// an incremental run does not carry it over and a checkpoint of it is not resumed. A
/// binary copied without its time only costs one full run.
pub(crate) fn program_id() -> String {
    let version = env!("CARGO_PKG_VERSION");
    let executable = std::env::current_exe()
        .and_then(std::fs::metadata)
        .map(|m| format!(" {} {}", m.len(), modified_ns(&m).unwrap_or(0)));
    format!("{version}{}", executable.unwrap_or_default())
}

/// The manifest database of one output folder.
pub(crate) struct Manifest {
    path: PathBuf,
    db: redb::Database,
}

impl Manifest {
    /// Opens (or creates) `<state_dir>/manifest.redb`.
    pub fn open(state_dir: &Path) -> Result<Manifest> {
        let path = state_dir.join("manifest.redb");
        std::fs::create_dir_all(state_dir).map_err(|source| Error::Write {
            path: state_dir.to_path_buf(),
            source,
        })?;
        let db = redb::Database::create(&path).map_err(|e| state_error(&path, e))?;
        Ok(Manifest { path, db })
    }

    /// Every file entry and the config hash and schema version of the run that wrote them.
    pub fn load(&self) -> Result<Previous> {
        let fail = |e: &dyn std::fmt::Display| state_error(&self.path, e);
        let txn = self.db.begin_read().map_err(|e| fail(&e))?;
        let mut files = BTreeMap::new();
        let (mut config_hash, mut schema, mut run_token, mut program) = (None, None, None, None);
        if let Ok(table) = txn.open_table(FILES) {
            for row in table.iter().map_err(|e| fail(&e))? {
                let (key, value) = row.map_err(|e| fail(&e))?;
                if let Ok(entry) = serde_json::from_slice::<FileEntry>(value.value()) {
                    files.insert(key.value().to_owned(), entry);
                }
            }
        }
        if let Ok(table) = txn.open_table(META) {
            config_hash = table
                .get(CONFIG_HASH)
                .map_err(|e| fail(&e))?
                .map(|v| v.value().to_owned());
            schema = table
                .get(SCHEMA)
                .map_err(|e| fail(&e))?
                .map(|v| v.value().to_owned());
            run_token = table
                .get(RUN_TOKEN)
                .map_err(|e| fail(&e))?
                .map(|v| v.value().to_owned());
            program = table
                .get(PROGRAM)
                .map_err(|e| fail(&e))?
                .map(|v| v.value().to_owned());
        }
        Ok(Previous {
            files,
            config_hash,
            schema_version: schema,
            run_token,
            program,
        })
    }

    /// Replaces the manifest with `files`, written by the run `run_token` of the config
    /// `config_hash` with the program `program`.
    pub fn store(
        &self,
        files: &BTreeMap<String, FileEntry>,
        config_hash: &str,
        program: &str,
        run_token: &str,
    ) -> Result<()> {
        let fail = |e: &dyn std::fmt::Display| state_error(&self.path, e);
        let txn = self.db.begin_write().map_err(|e| fail(&e))?;
        {
            txn.delete_table(FILES).map_err(|e| fail(&e))?;
            let mut table = txn.open_table(FILES).map_err(|e| fail(&e))?;
            for (path, entry) in files {
                let value = serde_json::to_vec(entry).map_err(|e| fail(&e))?;
                table
                    .insert(path.as_str(), value.as_slice())
                    .map_err(|e| fail(&e))?;
            }
            let mut meta = txn.open_table(META).map_err(|e| fail(&e))?;
            meta.insert(CONFIG_HASH, config_hash)
                .map_err(|e| fail(&e))?;
            let schema = SCHEMA_VERSION.to_string();
            meta.insert(SCHEMA, schema.as_str()).map_err(|e| fail(&e))?;
            meta.insert(RUN_TOKEN, run_token).map_err(|e| fail(&e))?;
            meta.insert(PROGRAM, program).map_err(|e| fail(&e))?;
            // The output is in place: the run's progress has done its work.
            txn.delete_table(PROGRESS).map_err(|e| fail(&e))?;
            txn.delete_table(PROGRESS_FILES).map_err(|e| fail(&e))?;
        }
        txn.commit().map_err(|e| fail(&e))
    }

    /// Forgets any checkpoint, before a run that does not resume creates its temporary
    /// files (so no checkpoint can describe them).
    pub fn clear_progress(&self) -> Result<()> {
        let fail = |e: &dyn std::fmt::Display| state_error(&self.path, e);
        let txn = self.db.begin_write().map_err(|e| fail(&e))?;
        txn.delete_table(PROGRESS).map_err(|e| fail(&e))?;
        txn.delete_table(PROGRESS_FILES).map_err(|e| fail(&e))?;
        txn.commit().map_err(|e| fail(&e))
    }

    /// Records `checkpoint` in one transaction with the files it covers: `base` replaces
    /// them all (the first checkpoint of a run), then `done` is added.
    pub fn checkpoint(
        &self,
        base: Option<&BTreeMap<String, FileEntry>>,
        done: &[(String, FileEntry)],
        checkpoint: &Checkpoint,
    ) -> Result<()> {
        let fail = |e: &dyn std::fmt::Display| state_error(&self.path, e);
        let txn = self.db.begin_write().map_err(|e| fail(&e))?;
        {
            if base.is_some() {
                txn.delete_table(PROGRESS_FILES).map_err(|e| fail(&e))?;
            }
            let mut table = txn.open_table(PROGRESS_FILES).map_err(|e| fail(&e))?;
            let base = base.into_iter().flat_map(|b| b.iter());
            for (path, entry) in base.chain(done.iter().map(|(p, e)| (p, e))) {
                let value = serde_json::to_vec(entry).map_err(|e| fail(&e))?;
                table
                    .insert(path.as_str(), value.as_slice())
                    .map_err(|e| fail(&e))?;
            }
            let mut progress = txn.open_table(PROGRESS).map_err(|e| fail(&e))?;
            let value = serde_json::to_vec(checkpoint).map_err(|e| fail(&e))?;
            progress
                .insert(CHECKPOINT, value.as_slice())
                .map_err(|e| fail(&e))?;
        }
        txn.commit().map_err(|e| fail(&e))
    }

    /// The last checkpoint of an unfinished run and the files it covers, if there is one.
    pub fn load_progress(&self) -> Result<Option<(Checkpoint, BTreeMap<String, FileEntry>)>> {
        let fail = |e: &dyn std::fmt::Display| state_error(&self.path, e);
        let txn = self.db.begin_read().map_err(|e| fail(&e))?;
        let Ok(progress) = txn.open_table(PROGRESS) else {
            return Ok(None);
        };
        let Some(value) = progress.get(CHECKPOINT).map_err(|e| fail(&e))? else {
            return Ok(None);
        };
        let Ok(checkpoint) = serde_json::from_slice::<Checkpoint>(value.value()) else {
            return Ok(None);
        };
        let mut files = BTreeMap::new();
        if let Ok(table) = txn.open_table(PROGRESS_FILES) {
            for row in table.iter().map_err(|e| fail(&e))? {
                let (key, value) = row.map_err(|e| fail(&e))?;
                let entry =
                    serde_json::from_slice::<FileEntry>(value.value()).map_err(|e| fail(&e))?;
                files.insert(key.value().to_owned(), entry);
            }
        }
        Ok(Some((checkpoint, files)))
    }
}

fn state_error(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::State {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

/// Which files this run reads, and what it carries over from the last one.
#[derive(Debug, Default)]
pub(crate) struct Plan {
    /// Files to read.
    pub listing: Listing,
    /// `source.path` of files whose earlier output is replaced (read again now).
    pub replaced: HashSet<String>,
    /// Files skipped because they are unchanged.
    pub skipped: u64,
    /// Whether earlier output is carried over.
    pub incremental: bool,
    /// Why the run reads everything, when it does.
    pub full_reason: Option<String>,
    /// The manifest as it will be after this run, before the files read now are added.
    pub entries: BTreeMap<String, FileEntry>,
}

/// Decides which of `listing`'s files to read: all of them for a full run (`full_reason`
/// says why), else those that are new or whose size, time or content changed.
pub(crate) fn plan(
    listing: Listing,
    display: impl Fn(&Path) -> String,
    previous: Option<Previous>,
    config_hash: &str,
    program: &str,
    full_reason: Option<String>,
) -> Plan {
    let reason = full_reason.or_else(|| match &previous {
        None => Some("no earlier run in this output folder".to_owned()),
        Some(p) if p.config_hash.as_deref() != Some(config_hash) => {
            Some("the config changed since the last run".to_owned())
        }
        Some(p) if p.schema_version != Some(SCHEMA_VERSION.to_string()) => {
            Some("the output was written with another schema version".to_owned())
        }
        Some(p) if p.program.as_deref() != Some(program) => Some(
            "the output was written by another build of the pipeline, whose rules or models \
             may differ"
                .to_owned(),
        ),
        _ => None,
    });
    if let Some(reason) = reason {
        return Plan {
            replaced: listing.files.iter().map(|f| display(f)).collect(),
            listing,
            full_reason: Some(reason),
            ..Plan::default()
        };
    }
    let mut entries = previous.map(|p| p.files).unwrap_or_default();
    let mut files = Vec::new();
    let mut replaced = HashSet::new();
    let mut skipped = 0;
    for file in listing.files {
        let key = display(&file);
        let metadata = std::fs::metadata(&file).ok();
        let size = metadata.as_ref().map(|m| m.len());
        let modified_ns = metadata.as_ref().and_then(modified_ns);
        let unchanged = match entries.get_mut(&key) {
            Some(entry) if Some(entry.size) == size => {
                if entry.modified_ns.is_some() && entry.modified_ns == modified_ns {
                    true
                } else if entry.content_hash.is_some()
                    && file_content_hash(&file).ok() == entry.content_hash
                {
                    entry.modified_ns = modified_ns;
                    true
                } else {
                    false
                }
            }
            _ => false,
        };
        if unchanged {
            skipped += 1;
        } else {
            replaced.insert(key);
            files.push(file);
        }
    }
    Plan {
        listing: Listing {
            files,
            unreadable: listing.unreadable,
        },
        replaced,
        skipped,
        incremental: true,
        full_reason: None,
        entries,
    }
}
