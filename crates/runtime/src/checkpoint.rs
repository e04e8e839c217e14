//! Checkpoints of a run under way, and resuming from the last one.
//!
//! The writer gets batches in input order. After a batch, every input item up to its last
//! one is in the temporary output files, so "the output files up to their current length"
//! and "the input up to that item" describe one consistent state. Now and then (every
//! `checkpoint_seconds`) the writer syncs both files and records that state in the
//! manifest database: their lengths, the input files completely behind them, and the file
//! being read with its last record written.
//!
//! A run that finds a checkpoint of the same config treats it like the output of an earlier
//! run: the temporary files, cut to their recorded lengths, are carried over as earlier
//! output, the files they cover are skipped as unchanged, and the file being read is
//! read on after its last written record. Because the output is in input order and the
//! stages keep no documents back, the final output is byte for byte that of a run never
//! interrupted.

use std::collections::{BTreeMap, HashMap};
use std::fs::OpenOptions;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use pipeline_read::{modified_ns, FileDone};

use crate::error::{Error, Result};
use crate::report::now_utc;
use crate::sink::{DOCUMENTS_FILE, REJECTED_FILE, SCHEMA_VERSION};
use crate::state::{Checkpoint, FileEntry, Manifest, PartialFile, PrefixFile};

/// Where the writer stands: `source.path` and record number of the last input item written.
pub(crate) type Position = (String, Option<u64>);

/// What the writer needs to take checkpoints.
pub(crate) struct Checkpoints {
    manifest: Arc<Manifest>,
    config_hash: String,
    program: String,
    every: Duration,
    last: Instant,
    /// The files the output covers before this run read anything (carried over); stored
    /// with the first checkpoint.
    base: Option<BTreeMap<String, FileEntry>>,
    /// The source's list of finished files, filled by the reader thread in input order.
    done_files: Arc<Mutex<Vec<FileDone>>>,
    /// How many of `done_files` the stored checkpoints cover.
    stored: usize,
    /// `source.path` → the file on disk, for the size and time of the file being read.
    inputs: HashMap<String, PathBuf>,
    /// How many checkpoints this run took.
    pub taken: u64,
}

/// The output files' state a checkpoint records: names and complete lengths.
pub(crate) struct Synced {
    pub documents: PrefixFile,
    pub rejected: PrefixFile,
}

impl Checkpoints {
    /// Checkpoints every `every` (zero: after every batch) of the run of `config_hash` by
    /// `program`.
    pub fn new(
        manifest: Arc<Manifest>,
        config_hash: &str,
        program: &str,
        every: Duration,
        base: BTreeMap<String, FileEntry>,
        done_files: Arc<Mutex<Vec<FileDone>>>,
        inputs: HashMap<String, PathBuf>,
    ) -> Checkpoints {
        Checkpoints {
            manifest,
            config_hash: config_hash.to_owned(),
            program: program.to_owned(),
            every,
            last: Instant::now(),
            base: Some(base),
            done_files,
            stored: 0,
            inputs,
            taken: 0,
        }
    }

    /// Whether it is time for the next checkpoint.
    pub fn due(&self) -> bool {
        self.last.elapsed() >= self.every
    }

    /// Records a checkpoint at `position` (the last item written) once `sync` has made the
    /// output durable and told its lengths. Some positions give no consistent cut (an
    /// unreadable folder's rejection, read before any file); then nothing is recorded.
    pub fn take(
        &mut self,
        position: &Position,
        sync: impl FnOnce() -> Result<Synced>,
    ) -> Result<()> {
        let (path, record) = position;
        let (complete, partial) = {
            let done = self.done_files.lock().map_err(|_| Error::StageFailed {
                stage: "write".to_owned(),
                message: "the reader panicked while listing finished files".to_owned(),
            })?;
            let found = done[self.stored..]
                .iter()
                .position(|file| &file.path == path)
                .map(|i| self.stored + i);
            // Files finish in input order, so a file not yet finished comes after every
            // finished one. A finished file may still have records on the way to the
            // writer: it is resumed after its last written record (and may have none).
            let (upto, partial) = match (record, found) {
                (None, Some(i)) => (i + 1, None),
                (None, None) => return Ok(()),
                (Some(record), Some(i)) => (i, Some(*record)),
                (Some(record), None) => (done.len(), Some(*record)),
            };
            let complete: Vec<(String, FileEntry)> = done[self.stored..upto]
                .iter()
                .map(|file| (file.path.clone(), FileEntry::from(file)))
                .collect();
            (complete, partial)
        };
        let partial = match partial {
            None => None,
            Some(record) => {
                let Some(file) = self.inputs.get(path) else {
                    return Ok(());
                };
                let Ok(metadata) = std::fs::metadata(file) else {
                    return Ok(());
                };
                Some(PartialFile {
                    path: path.clone(),
                    record,
                    size: metadata.len(),
                    modified_ns: modified_ns(&metadata),
                })
            }
        };
        let synced = sync()?;
        let checkpoint = Checkpoint {
            config_hash: self.config_hash.clone(),
            program: Some(self.program.clone()),
            schema_version: SCHEMA_VERSION.to_string(),
            documents: synced.documents,
            rejected: synced.rejected,
            partial,
            taken_at: now_utc(),
        };
        self.manifest
            .checkpoint(self.base.as_ref(), &complete, &checkpoint)?;
        self.base = None;
        self.stored += complete.len();
        self.taken += 1;
        self.last = Instant::now();
        Ok(())
    }
}

impl Checkpoints {
    /// Forgets the run's checkpoints when it fails with an error and removes its
    /// temporary files (a killed run keeps both and is resumed).
    pub fn forget(&self) {
        // Best effort: a checkpoint naming removed files is refused at the next start.
        let _ = self.manifest.clear_progress();
    }
}

/// A checkpoint ready to resume from: the output so far in two files of the output folder
/// (to be carried over), the input files it covers, and the file to read on.
#[derive(Debug)]
pub(crate) struct Resume {
    pub documents: PathBuf,
    pub rejected: PathBuf,
    pub files: BTreeMap<String, FileEntry>,
    pub checkpoint: Checkpoint,
}

impl Resume {
    /// Removes the files the resumed output came from (after the run committed).
    pub fn remove_files(&self) {
        // Best effort: leftovers are overwritten by the next resume and never read
        // without a checkpoint naming them.
        let _ = std::fs::remove_file(&self.documents);
        let _ = std::fs::remove_file(&self.rejected);
    }
}

/// Name of the file a resumed run carries its output over from.
fn resume_name(output: &str) -> String {
    format!(".{output}.resume")
}

/// Finds the last checkpoint in `manifest` and readies it: the temporary files are cut to
/// their recorded lengths and set aside under `.<name>.resume`, where the new run's own
/// temporary files cannot overwrite them. `Ok(Err(why))` when there is nothing to resume;
/// the checkpoint is then forgotten.
pub(crate) fn prepare(
    manifest: &Manifest,
    output_dir: &Path,
    config_hash: &str,
    program: &str,
) -> Result<std::result::Result<Resume, String>> {
    let Some((mut checkpoint, files)) = manifest.load_progress()? else {
        return Ok(Err("no checkpoint".to_owned()));
    };
    let refused = |why: String| -> Result<std::result::Result<Resume, String>> {
        manifest.clear_progress()?;
        Ok(Err(why))
    };
    if checkpoint.config_hash != config_hash {
        return refused("the config changed since the interrupted run".to_owned());
    }
    if checkpoint.schema_version != SCHEMA_VERSION.to_string() {
        return refused("the interrupted run wrote another schema version".to_owned());
    }
    if checkpoint.program.as_deref() != Some(program) {
        return refused("another build of the pipeline ran the interrupted run".to_owned());
    }
    let mut cut = Vec::new();
    for (prefix, output) in [
        (&checkpoint.documents, DOCUMENTS_FILE),
        (&checkpoint.rejected, REJECTED_FILE),
    ] {
        let path = output_dir.join(&prefix.name);
        match complete_prefix(&path, prefix.len) {
            Ok(true) => cut.push((path, output_dir.join(resume_name(output)))),
            Ok(false) => {
                return refused(format!(
                    "{} is shorter than its checkpoint or does not end a line there",
                    path.display()
                ))
            }
            Err(error) => return refused(format!("{}: {error}", path.display())),
        }
    }
    let write_error = |path: &Path| {
        let path = path.to_path_buf();
        move |source| Error::Write { path, source }
    };
    for ((path, resume), prefix) in cut
        .iter()
        .zip([&checkpoint.documents, &checkpoint.rejected])
    {
        let file = OpenOptions::new()
            .write(true)
            .open(path)
            .map_err(write_error(path))?;
        file.set_len(prefix.len).map_err(write_error(path))?;
        file.sync_all().map_err(write_error(path))?;
        if path != resume {
            std::fs::rename(path, resume).map_err(write_error(resume))?;
        }
    }
    // From here on the checkpoint names the set-aside files; a kill before this commit
    // leaves it naming files that are gone, which only loses the progress.
    checkpoint.documents.name = resume_name(DOCUMENTS_FILE);
    checkpoint.rejected.name = resume_name(REJECTED_FILE);
    manifest.checkpoint(None, &[], &checkpoint)?;
    let (documents, rejected) = (cut[0].1.clone(), cut[1].1.clone());
    Ok(Ok(Resume {
        documents,
        rejected,
        files,
        checkpoint,
    }))
}

/// Whether `path` holds at least `len` bytes and its first `len` end a line.
fn complete_prefix(path: &Path, len: u64) -> std::io::Result<bool> {
    let mut file = std::fs::File::open(path)?;
    if file.metadata()?.len() < len {
        return Ok(false);
    }
    if len == 0 {
        return Ok(true);
    }
    file.seek(SeekFrom::Start(len - 1))?;
    let mut last = [0u8];
    file.read_exact(&mut last)?;
    Ok(last[0] == b'\n')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn checkpoint(documents: u64, rejected: u64) -> Checkpoint {
        Checkpoint {
            config_hash: "h".to_owned(),
            program: Some("p".to_owned()),
            schema_version: SCHEMA_VERSION.to_string(),
            documents: PrefixFile {
                name: ".documents.jsonl.partial".to_owned(),
                len: documents,
            },
            rejected: PrefixFile {
                name: ".rejected.jsonl.partial".to_owned(),
                len: rejected,
            },
            partial: None,
            taken_at: now_utc(),
        }
    }

    #[test]
    fn a_checkpoint_is_cut_to_its_length_and_set_aside() {
        let dir = tempfile::tempdir().unwrap();
        let manifest = Manifest::open(&dir.path().join("state")).unwrap();
        std::fs::write(dir.path().join(".documents.jsonl.partial"), "a\nb\nhalf").unwrap();
        std::fs::write(dir.path().join(".rejected.jsonl.partial"), "").unwrap();
        let entry = FileEntry {
            size: 3,
            modified_ns: Some(1),
            content_hash: None,
        };
        let base = BTreeMap::from([("old.txt".to_owned(), entry.clone())]);
        manifest
            .checkpoint(Some(&base), &[], &checkpoint(2, 0))
            .unwrap();
        manifest
            .checkpoint(None, &[("new.txt".to_owned(), entry)], &checkpoint(4, 0))
            .unwrap();

        let resume = prepare(&manifest, dir.path(), "h", "p").unwrap().unwrap();
        assert_eq!(
            std::fs::read_to_string(&resume.documents).unwrap(),
            "a\nb\n"
        );
        assert!(!dir.path().join(".documents.jsonl.partial").exists());
        assert_eq!(
            resume.files.keys().collect::<Vec<_>>(),
            vec!["new.txt", "old.txt"]
        );
        // A second kill before the resumed run's first checkpoint resumes the same way.
        let again = prepare(&manifest, dir.path(), "h", "p").unwrap().unwrap();
        assert_eq!(again.checkpoint, resume.checkpoint);
        assert_eq!(std::fs::read_to_string(&again.documents).unwrap(), "a\nb\n");
    }

    #[test]
    fn a_checkpoint_of_another_config_or_build_or_a_torn_file_is_forgotten() {
        let dir = tempfile::tempdir().unwrap();
        let manifest = Manifest::open(&dir.path().join("state")).unwrap();
        std::fs::write(dir.path().join(".documents.jsonl.partial"), "a\nb").unwrap();
        std::fs::write(dir.path().join(".rejected.jsonl.partial"), "").unwrap();
        // Each refusal forgets the checkpoint; the next one is recorded afresh.
        let refused = |documents: u64, config: &str, program: &str| {
            manifest
                .checkpoint(Some(&BTreeMap::new()), &[], &checkpoint(documents, 0))
                .unwrap();
            let why = prepare(&manifest, dir.path(), config, program)
                .unwrap()
                .unwrap_err();
            assert!(manifest.load_progress().unwrap().is_none(), "{why}");
            why
        };
        let why = refused(2, "other", "p");
        assert!(why.contains("config changed"), "{why}");
        let why = refused(2, "h", "a newer build");
        assert!(why.contains("another build"), "{why}");
        let why = refused(3, "h", "p");
        assert!(why.contains("does not end a line"), "{why}");
    }
}
