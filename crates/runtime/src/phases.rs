//! Running one pipeline over several machines: shards of the inputs (`--shard i/n`) and
//! the global deduplication in phases an engine can schedule (see
//! [`pipeline_dedup::global`]):
//!
//! | phase | in | out |
//! |---|---|---|
//! | signatures (per shard) | the shard's inputs | `pending.jsonl`: documents after the stages before `dedupe`, each with its fingerprint |
//! | bands (a shuffle, per key partition) | every `pending.jsonl` | `groups-K-of-M.jsonl`: documents sharing a key |
//! | clusters | groups, pending documents | `decisions.jsonl` |
//! | filter (per shard) | `pending.jsonl`, decisions | the shard's `documents.jsonl`, `rejected.jsonl`, `report.json`, `_SUCCESS` |
//!
//! `pipeline stream --phase signatures|filter` runs the per-shard phases on stdin/stdout
//! for engines such as Spark, which then do the shuffle themselves from `pipeline dedup keys`.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Instant;

use pipeline_core::{keys, DocRef, Document, Rejected, Stage, StageError, Verdict};
use pipeline_dedup::global::{self, Decision, Pos};
use pipeline_dedup::{DedupConfig, Dedupe, Fingerprint, REASON_EXACT, REASON_NEAR};
use pipeline_read::{display_path, list_inputs, FileSource, ReadConfig};
use serde::Deserialize;

use crate::config::{available_cores, AnyStageConfig, Config};
use crate::error::{Error, Result};
use crate::progress::ProgressMode;
use crate::report::{now_utc, Report};
use crate::run::{
    assemble_report, execute_lineup, lineup, make_report, write_report_to, Lineup, RunFacts,
    RunOptions,
};
use crate::sink::{JsonlSink, DOCUMENTS_FILE, REJECTED_FILE, REPORT_FILE};

/// Annotation key of a pending document's fingerprint (removed by the filter phase).
pub const FINGERPRINT_KEY: &str = "dedup.fingerprint";
/// A shard's pending documents.
pub const PENDING_FILE: &str = "pending.jsonl";
/// A shard's rejections of the signatures phase (carried into `rejected.jsonl`).
pub const PENDING_REJECTED_FILE: &str = "pending.rejected.jsonl";
/// The report of a shard's signatures phase.
pub const PENDING_REPORT_FILE: &str = "pending.report.json";
/// The marker of a finished shard.
pub const SUCCESS_FILE: &str = "_SUCCESS";
/// The folder of the global dedup files, beside the shard folders.
pub const DEDUP_DIR: &str = "dedup";
/// The decisions of the clusters phase.
pub const DECISIONS_FILE: &str = "decisions.jsonl";

/// The decisions file of the clusters phase under the output folder `root`.
pub fn decisions_path(root: &Path) -> PathBuf {
    root.join(DEDUP_DIR).join(DECISIONS_FILE)
}

/// One share of a run: `index` of `count` (written `i/n`, from 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// Which share, from 0.
    pub index: u32,
    /// How many shares.
    pub count: u32,
}

impl FromStr for Shard {
    type Err = String;

    fn from_str(text: &str) -> std::result::Result<Self, String> {
        let bad = || format!("`{text}` is not a share: write i/n with 0 ≤ i < n, e.g. 0/4");
        let (i, n) = text.split_once('/').ok_or_else(bad)?;
        let (index, count): (u32, u32) = (
            i.trim().parse().map_err(|_| bad())?,
            n.trim().parse().map_err(|_| bad())?,
        );
        if count == 0 || index >= count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

impl Shard {
    /// The shard's folder under the output folder: `shard-0003-of-0008`.
    pub fn dir_name(&self) -> String {
        format!("shard-{:04}-of-{:04}", self.index, self.count)
    }

    /// Whether the input file shown as `path` belongs to this shard: by a hash of the
    /// path, so a file keeps its shard when others are added.
    pub fn owns(&self, path: &str) -> bool {
        xxhash_rust::xxh3::xxh3_64(path.as_bytes()) % u64::from(self.count) == u64::from(self.index)
    }
}

/// The `dedupe` stage of `config`: its index and settings.
pub fn dedupe_stage(config: &Config) -> Option<(usize, &DedupConfig)> {
    config
        .stages
        .iter()
        .enumerate()
        .find_map(|(i, spec)| match &spec.config {
            AnyStageConfig::Dedupe(cfg) => Some((i, cfg)),
            _ => None,
        })
}

fn require_dedupe(config: &Config) -> Result<(usize, &DedupConfig)> {
    dedupe_stage(config).ok_or_else(|| Error::InvalidConfig {
        path: config.path.clone(),
        problems: vec![
            "the dedup phases need a `dedupe` stage in [[stages]]; without one, run each shard \
             with `pipeline run --shard i/n` (or `pipeline stream`) alone"
                .to_owned(),
        ],
    })
}

/// Lists the inputs of a run (the config's `[source]` or `inputs`), with each file's place
/// in the global order, and keeps `shard`'s share.
pub(crate) fn shard_listing(
    config: &Config,
    inputs: &[String],
    shard: Option<Shard>,
) -> Result<(
    ReadConfig,
    PathBuf,
    pipeline_read::Listing,
    HashMap<String, u64>,
)> {
    let (source_config, base) = if inputs.is_empty() {
        (config.source.clone(), config.base_dir.clone())
    } else {
        let source = ReadConfig {
            paths: inputs.to_vec(),
            ..config.source.clone()
        };
        (source, PathBuf::from("."))
    };
    let mut listing = list_inputs(&source_config.paths, &source_config.extensions, &base)?;
    let order: HashMap<String, u64> = listing
        .files
        .iter()
        .enumerate()
        .map(|(i, path)| (display_path(path, &base), i as u64))
        .collect();
    if let Some(shard) = shard {
        listing
            .files
            .retain(|path| shard.owns(&display_path(path, &base)));
        if shard.index != 0 {
            // Unreadable folders are reported once, by shard 0.
            listing.unreadable.clear();
        }
    }
    Ok((source_config, base, listing, order))
}

/// Where a document stands in the global input order.
enum Position {
    /// Input files: (the file's place among all inputs, the record in the file).
    Files(Arc<HashMap<String, u64>>),
    /// A stream that is partition `part` of a dataset: (part, n-th document of it).
    Part(u64),
}

/// The signatures phase's last stage: computes each document's fingerprint.
struct FingerprintStage {
    dedupe: Dedupe,
    position: Arc<Position>,
}

impl Stage for FingerprintStage {
    fn process(&mut self, mut doc: Document) -> std::result::Result<Verdict, StageError> {
        let pos = match self.position.as_ref() {
            Position::Files(order) => {
                let file =
                    order
                        .get(&doc.source.path)
                        .copied()
                        .ok_or_else(|| StageError::Fatal {
                            message: format!(
                                "document {} comes from {}, which is not among the listed inputs",
                                doc.id, doc.source.path
                            ),
                        })?;
                (file, doc.source.record.unwrap_or(0))
            }
            Position::Part(part) => (*part, doc.origin.seq),
        };
        let mut fingerprint = self.dedupe.fingerprint(&doc.id, &doc.text, pos);
        let (undated, published, _) = pipeline_dedup::rank_key(&doc);
        fingerprint.published = (!undated).then_some(published);
        let value = serde_json::to_value(fingerprint).map_err(|e| StageError::Fatal {
            message: format!("cannot write the fingerprint of {}: {e}", doc.id),
        })?;
        doc.annotations.insert(FINGERPRINT_KEY.to_owned(), value);
        Ok(Verdict::Keep(doc))
    }
}

/// The stages of the signatures phase: those before `dedupe`, then fingerprints.
fn signatures_lineup(config: &Config, state_root: &Path, position: Position) -> Result<Lineup> {
    let (at, dedup) = require_dedupe(config)?;
    let mut stages = lineup(config, 0..at, state_root, None)?;
    let position = Arc::new(position);
    let workers = (0..available_cores().max(1))
        .map(|_| {
            let dedupe = Dedupe::new(dedup).map_err(|e| Error::Build {
                index: at,
                stage: "dedupe".to_owned(),
                message: e.to_string(),
            })?;
            Ok(Box::new(FingerprintStage {
                dedupe,
                position: Arc::clone(&position),
            }) as Box<dyn Stage>)
        })
        .collect::<Result<Vec<_>>>()?;
    stages.push_workers("fingerprint", workers);
    Ok(stages)
}

/// The filter phase's first stage: gives each pending document its decision.
struct ApplyDecisions {
    decisions: Arc<HashMap<Pos, Decision>>,
    /// The stage's `remove_repeated`.
    remove_repeated: bool,
}

impl Stage for ApplyDecisions {
    fn process(&mut self, mut doc: Document) -> std::result::Result<Verdict, StageError> {
        let fatal = |message: String| StageError::Fatal { message };
        let fingerprint = doc.annotations.remove(FINGERPRINT_KEY).ok_or_else(|| {
            fatal(format!(
                "document {} has no fingerprint: the filter phase reads the pending documents \
                 of the signatures phase",
                doc.id
            ))
        })?;
        let pos: Pos = serde_json::from_value(fingerprint["pos"].clone())
            .map_err(|e| fatal(format!("document {} has a bad fingerprint: {e}", doc.id)))?;
        let Some(decision) = self.decisions.get(&pos) else {
            doc.annotations
                .insert(keys::DEDUP.to_owned(), global::unique_annotation());
            return Ok(Verdict::Keep(doc));
        };
        if decision.id != doc.id {
            return Err(fatal(format!(
                "the decision for position {} names {}, the document there is {}: the decisions \
                 belong to another run",
                global::format_pos(pos),
                decision.id,
                doc.id
            )));
        }
        doc.annotations
            .insert(keys::DEDUP.to_owned(), decision.dedup.clone());
        match &decision.drop {
            None if self.remove_repeated => Ok(pipeline_dedup::remove_repeated(doc)),
            None => Ok(Verdict::Keep(doc)),
            Some(drop) => {
                let reason = match drop.reason.as_str() {
                    REASON_EXACT => REASON_EXACT,
                    REASON_NEAR => REASON_NEAR,
                    other => return Err(fatal(format!("unknown drop reason `{other}`"))),
                };
                Ok(Verdict::drop(doc, reason, drop.detail.clone()))
            }
        }
    }
}

/// The stages of the filter phase: the decisions (named `dedupe`, as in a whole run), then
/// the stages after `dedupe`.
fn filter_lineup(config: &Config, state_root: &Path, decisions: &Path) -> Result<Lineup> {
    let (at, dedup) = require_dedupe(config)?;
    let decisions = read_decisions(decisions)?;
    let mut stages = Lineup::default();
    stages.push_workers(
        "dedupe",
        vec![Box::new(ApplyDecisions {
            decisions: Arc::new(decisions),
            remove_repeated: dedup.remove_repeated,
        })],
    );
    stages.append(lineup(
        config,
        at + 1..config.stages.len(),
        state_root,
        None,
    )?);
    Ok(stages)
}

fn read_decisions(path: &Path) -> Result<HashMap<Pos, Decision>> {
    let mut decisions = HashMap::new();
    for_each_line(path, |line, number| {
        let decision: Decision = serde_json::from_str(line)
            .map_err(|e| Error::invalid_data(path, format!("line {number}: {e}")))?;
        decisions.insert(decision.pos, decision);
        Ok(())
    })?;
    Ok(decisions)
}

/// Calls `f` with each non-blank line of `path` and its number (from 1).
fn for_each_line(path: &Path, mut f: impl FnMut(&str, u64) -> Result<()>) -> Result<()> {
    let file = std::fs::File::open(path).map_err(|source| Error::ReadInput {
        path: path.to_owned(),
        source,
    })?;
    for_each_line_of(BufReader::new(file), path, &mut f)
}

fn for_each_line_of(
    mut reader: impl BufRead,
    path: &Path,
    f: &mut impl FnMut(&str, u64) -> Result<()>,
) -> Result<()> {
    let mut line = String::new();
    let mut number = 0;
    loop {
        line.clear();
        let read = reader
            .read_line(&mut line)
            .map_err(|source| Error::ReadInput {
                path: path.to_owned(),
                source,
            })?;
        if read == 0 {
            return Ok(());
        }
        number += 1;
        if !line.trim().is_empty() {
            f(line.trim_end(), number)?;
        }
    }
}

/// Where reading pending documents stopped on a line that is not one.
pub(crate) type Broken = Arc<std::sync::Mutex<Option<Error>>>;

/// Pending documents read back from JSONL, in order. A line that is not a pending
/// document ends the input and is stored in `broken`: these files are written by the
/// signatures phase, so a bad line means the wrong file (or a damaged one), and going on
/// would lose documents without saying so.
fn pending_documents(
    reader: impl BufRead + Send,
    name: PathBuf,
    broken: Broken,
) -> impl Iterator<Item = std::result::Result<Document, Rejected>> + Send {
    let mut seq = 0;
    let mut lines = reader.lines();
    std::iter::from_fn(move || loop {
        let line = lines.next()?;
        let position = seq;
        seq += 1;
        let fail = |message: String| {
            if let Ok(mut slot) = broken.lock() {
                slot.get_or_insert(Error::invalid_data(
                    &name,
                    format!(
                        "line {} is not a pending document ({message}); the filter phase \
                         reads what the signatures phase wrote",
                        position + 1
                    ),
                ));
            }
        };
        let line = match line {
            Ok(line) if line.trim().is_empty() => continue,
            Ok(line) => line,
            Err(e) => {
                fail(e.to_string());
                return None;
            }
        };
        match serde_json::from_str::<Document>(&line) {
            Ok(mut doc) if doc.annotations.contains_key(FINGERPRINT_KEY) => {
                doc.origin = DocRef {
                    shard: 0,
                    seq: position,
                };
                return Some(Ok(doc));
            }
            Ok(_) => {
                fail(format!("no `{FINGERPRINT_KEY}` annotation"));
                return None;
            }
            Err(e) => {
                fail(e.to_string());
                return None;
            }
        }
    })
}

/// The error stored in `broken`, if any.
pub(crate) fn take_broken(broken: &Broken) -> Result<()> {
    match broken.lock().ok().and_then(|mut slot| slot.take()) {
        Some(error) => Err(error),
        None => Ok(()),
    }
}

/// Settings of the per-shard dedup phases.
#[derive(Debug, Clone, Default)]
pub struct ShardOptions {
    /// The share of the inputs.
    pub shard: Option<Shard>,
    /// Inputs that replace `[source].paths`.
    pub inputs: Vec<String>,
    /// Output folder that replaces `[sink].path`.
    pub output: Option<PathBuf>,
    /// How progress is shown.
    pub progress: ProgressMode,
}

impl ShardOptions {
    fn output_root(&self, config: &Config) -> PathBuf {
        self.output.clone().unwrap_or_else(|| config.output_dir())
    }

    fn shard_dir(&self, config: &Config) -> PathBuf {
        let shard = self.shard.unwrap_or(Shard { index: 0, count: 1 });
        self.output_root(config).join(shard.dir_name())
    }
}

/// Phase 1, per shard: the stages before `dedupe` over the shard's inputs, writing
/// `pending.jsonl` (with fingerprints), `pending.rejected.jsonl` and `pending.report.json`
/// into the shard's folder.
pub fn signatures(config: &Config, options: &ShardOptions) -> Result<Report> {
    let started = Instant::now();
    let started_at = now_utc();
    let (source_config, base, listing, order) =
        shard_listing(config, &options.inputs, options.shard)?;
    let dir = options.shard_dir(config);
    let stages = signatures_lineup(config, &dir.join("state"), Position::Files(Arc::new(order)))?;
    let input_files = listing.files.len() as u64;
    let source = FileSource::new(listing, &source_config, &base);
    let input_bytes = source.total_bytes();
    let bytes_read = source.progress();
    let sink = JsonlSink::create_named(&dir, PENDING_FILE, PENDING_REJECTED_FILE)?.internal();
    let _ = std::fs::remove_file(dir.join(SUCCESS_FILE));
    let (names, workers, outcome) = execute_lineup(
        stages,
        source,
        sink,
        &config.pipeline,
        input_bytes,
        (options.progress, bytes_read),
    );
    let facts = RunFacts {
        started,
        started_at,
        inputs: source_config.paths.clone(),
        output_dir: dir.display().to_string(),
        input_files,
        input_bytes,
        mode: "signatures",
        full_reason: None,
        files_skipped: 0,
        resumed: None,
        resume_refused: None,
    };
    let report = make_report(config, &names, &workers, outcome?, facts);
    write_report_to(&dir.join(PENDING_REPORT_FILE), &report)?;
    Ok(report)
}

/// Phase 4, per shard: the decisions and the stages after `dedupe` over the shard's
/// pending documents, writing the shard's `documents.jsonl`, `rejected.jsonl` (with the
/// signatures phase's rejections), `report.json` and `_SUCCESS`.
pub fn filter(config: &Config, options: &ShardOptions, decisions: &Path) -> Result<Report> {
    let started = Instant::now();
    let started_at = now_utc();
    let dir = options.shard_dir(config);
    let pending = dir.join(PENDING_FILE);
    let stages = filter_lineup(config, &dir.join("state"), decisions)?;
    let file = std::fs::File::open(&pending).map_err(|source| Error::ReadInput {
        path: pending.clone(),
        source,
    })?;
    let input_bytes = file.metadata().map(|m| m.len()).unwrap_or(0);
    let broken = Broken::default();
    let source = pending_documents(
        BufReader::with_capacity(1 << 16, file),
        pending.clone(),
        Arc::clone(&broken),
    );
    let mut sink = JsonlSink::create(&dir)?;
    sink.copy_rejected(&dir.join(PENDING_REJECTED_FILE))?;
    let (names, workers, outcome) = execute_lineup(
        stages,
        source,
        sink,
        &config.pipeline,
        input_bytes,
        (options.progress, Default::default()),
    );
    take_broken(&broken)?;
    let facts = RunFacts {
        started,
        started_at,
        inputs: vec![pending.display().to_string()],
        output_dir: dir.display().to_string(),
        input_files: 1,
        input_bytes,
        mode: "filter",
        full_reason: None,
        files_skipped: 0,
        resumed: None,
        resume_refused: None,
    };
    let mut report = make_report(config, &names, &workers, outcome?, facts);
    // The rejections carried from the signatures phase are inputs of this shard too.
    report.conservation.input_items += report.output.carried_rejected;
    report.conservation.rejected = report.output.rejected + report.output.carried_rejected;
    write_report_to(&dir.join(REPORT_FILE), &report)?;
    mark_success(&dir)?;
    Ok(report)
}

/// Writes the `_SUCCESS` marker of a finished shard.
pub(crate) fn mark_success(dir: &Path) -> Result<()> {
    std::fs::write(dir.join(SUCCESS_FILE), b"").map_err(|source| Error::Write {
        path: dir.join(SUCCESS_FILE),
        source,
    })
}

/// Just enough of a pending document to read its fingerprint.
#[derive(Deserialize)]
struct PendingHead {
    annotations: PendingAnnotations,
}

#[derive(Deserialize)]
struct PendingAnnotations {
    #[serde(rename = "dedup.fingerprint")]
    fingerprint: Fingerprint,
}

/// Calls `f` with the fingerprint of each pending document of `reader`.
fn for_each_fingerprint(
    reader: impl BufRead,
    name: &Path,
    mut f: impl FnMut(Fingerprint) -> Result<()>,
) -> Result<()> {
    for_each_line_of(reader, name, &mut |line, number| {
        let head: PendingHead = serde_json::from_str(line).map_err(|e| {
            Error::invalid_data(
                name,
                format!("line {number} is not a pending document with a fingerprint: {e}"),
            )
        })?;
        f(head.annotations.fingerprint)
    })
}

/// The files of `paths`: files as they are, folders as their `*.jsonl` and `part-*`
/// files (Spark's output), sorted.
pub fn expand_paths(paths: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            let entries = std::fs::read_dir(path).map_err(|source| Error::ReadInput {
                path: path.clone(),
                source,
            })?;
            let mut found: Vec<PathBuf> = entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    let name = p
                        .file_name()
                        .map(|n| n.to_string_lossy())
                        .unwrap_or_default();
                    p.is_file()
                        && !name.starts_with('.')
                        && !name.starts_with('_')
                        && (name.ends_with(".jsonl") || name.starts_with("part-"))
                })
                .collect();
            found.sort();
            files.extend(found);
        } else {
            files.push(path.clone());
        }
    }
    Ok(files)
}

fn open(path: &Path) -> Result<BufReader<std::fs::File>> {
    let file = std::fs::File::open(path).map_err(|source| Error::ReadInput {
        path: path.to_owned(),
        source,
    })?;
    Ok(BufReader::with_capacity(1 << 16, file))
}

fn dedup_error(error: pipeline_dedup::Error) -> Error {
    Error::StageFailed {
        stage: "dedupe".to_owned(),
        message: error.to_string(),
    }
}

/// Phase 2, map side: writes `KEY<TAB>POS` for every key of every pending document of
/// `inputs` (stdin when empty) to `out`, for an engine to group.
pub fn keys(config: &Config, inputs: &[PathBuf], out: &mut dyn Write) -> Result<u64> {
    let (_, dedup) = require_dedupe(config)?;
    let mut lines = 0;
    let mut emit = |fp: Fingerprint| -> Result<()> {
        let pos = global::format_pos(fp.pos);
        for key in global::keys(&fp, dedup).map_err(dedup_error)? {
            writeln!(out, "{key}\t{pos}").map_err(|source| Error::Write {
                path: PathBuf::from("-"),
                source,
            })?;
            lines += 1;
        }
        Ok(())
    };
    if inputs.is_empty() {
        for_each_fingerprint(std::io::stdin().lock(), Path::new("-"), &mut emit)?;
    } else {
        for path in expand_paths(inputs)? {
            for_each_fingerprint(open(&path)?, &path, &mut emit)?;
        }
    }
    Ok(lines)
}

/// Phase 2 on files: groups the keys of the shards' pending documents under `root` (the
/// keys whose hash falls in `partition`), writing `dedup/groups-K-of-M.jsonl`. Returns the
/// file and the number of groups.
pub fn bands(config: &Config, root: &Path, partition: Option<Shard>) -> Result<(PathBuf, u64)> {
    let (_, dedup) = require_dedupe(config)?;
    let partition = partition.unwrap_or(Shard { index: 0, count: 1 });
    let mut groups: HashMap<String, Vec<Pos>> = HashMap::new();
    for path in shard_files(root, PENDING_FILE)? {
        for_each_fingerprint(open(&path)?, &path, |fp| {
            for key in global::keys(&fp, dedup).map_err(dedup_error)? {
                if partition.owns(&key) {
                    groups.entry(key).or_default().push(fp.pos);
                }
            }
            Ok(())
        })?;
    }
    let sorted: BTreeMap<String, Vec<Pos>> =
        groups.into_iter().filter(|(_, g)| g.len() > 1).collect();
    let dir = root.join(DEDUP_DIR);
    let target = dir.join(format!(
        "groups-{:04}-of-{:04}.jsonl",
        partition.index, partition.count
    ));
    let mut lines = Vec::new();
    for (key, mut docs) in sorted {
        docs.sort_unstable();
        let docs: Vec<String> = docs.into_iter().map(global::format_pos).collect();
        lines.push(serde_json::json!({"key": key, "docs": docs}).to_string());
    }
    write_lines(&target, &lines)?;
    Ok((target, lines.len() as u64))
}

/// The `name` files of every shard folder under `root`, sorted.
pub fn shard_files(root: &Path, name: &str) -> Result<Vec<PathBuf>> {
    let entries = std::fs::read_dir(root).map_err(|source| Error::ReadInput {
        path: root.to_owned(),
        source,
    })?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("shard-"))
        })
        .map(|p| p.join(name))
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    Ok(files)
}

/// Writes `lines` to `target` atomically.
fn write_lines(target: &Path, lines: &[String]) -> Result<()> {
    let fail = |path: &Path| {
        let path = path.to_owned();
        move |source| Error::Write { path, source }
    };
    if let Some(dir) = target.parent() {
        std::fs::create_dir_all(dir).map_err(fail(dir))?;
    }
    let tmp = target.with_extension("partial");
    let mut out = std::io::BufWriter::new(std::fs::File::create(&tmp).map_err(fail(&tmp))?);
    for line in lines {
        writeln!(out, "{line}").map_err(fail(&tmp))?;
    }
    out.into_inner()
        .map_err(|e| e.into_error())
        .and_then(|f| f.sync_all())
        .map_err(fail(&tmp))?;
    std::fs::rename(&tmp, target).map_err(fail(target))
}

/// What the clusters phase found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClusterSummary {
    /// Groups read.
    pub groups: u64,
    /// Documents in some group.
    pub documents: u64,
    /// Connected components of those documents.
    pub components: u64,
    /// Decisions written (duplicates and documents with repeated passages).
    pub decisions: u64,
}

/// One line of a groups file.
#[derive(Deserialize)]
struct GroupLine {
    docs: Vec<String>,
}

/// Phase 3: reads the groups and the fingerprints of the documents they name, decides,
/// and writes the decisions to `target`.
pub fn clusters(
    config: &Config,
    groups: &[PathBuf],
    pending: &[PathBuf],
    target: &Path,
) -> Result<ClusterSummary> {
    let (_, dedup) = require_dedupe(config)?;
    let mut all_groups: Vec<Vec<Pos>> = Vec::new();
    for path in expand_paths(groups)? {
        for_each_line_of(open(&path)?, &path, &mut |line, number| {
            let bad =
                |message: String| Error::invalid_data(&path, format!("line {number}: {message}"));
            let group: GroupLine = serde_json::from_str(line).map_err(|e| bad(e.to_string()))?;
            let docs = group
                .docs
                .iter()
                .map(|d| global::parse_pos(d).ok_or_else(|| bad(format!("bad position `{d}`"))))
                .collect::<Result<Vec<Pos>>>()?;
            if docs.len() > 1 {
                all_groups.push(docs);
            }
            Ok(())
        })?;
    }
    let involved: HashSet<Pos> = all_groups.iter().flatten().copied().collect();
    let mut fingerprints = Vec::with_capacity(involved.len());
    for path in expand_paths(pending)? {
        for_each_fingerprint(open(&path)?, &path, |fp| {
            if involved.contains(&fp.pos) {
                fingerprints.push(fp);
            }
            Ok(())
        })?;
    }
    let documents = fingerprints.len() as u64;
    let (decisions, components) =
        global::decide(dedup, fingerprints, &all_groups).map_err(dedup_error)?;
    let lines: Vec<String> = decisions
        .iter()
        .map(|d| serde_json::to_string(d).unwrap_or_default())
        .collect();
    write_lines(target, &lines)?;
    Ok(ClusterSummary {
        groups: all_groups.len() as u64,
        documents,
        components: components as u64,
        decisions: lines.len() as u64,
    })
}

/// What `pipeline stream` does with a config that deduplicates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StreamPhase {
    /// The stages before `dedupe`; pending documents (with fingerprints) out, positions
    /// `(part, n)`.
    Signatures {
        /// The partition's place in the dataset.
        part: u64,
    },
    /// Pending documents in; decisions applied, the stages after `dedupe`, documents out.
    Filter {
        /// The decisions file of the clusters phase.
        decisions: PathBuf,
    },
}

/// The stages and source of a `pipeline stream --phase` run.
pub(crate) struct StreamPlan {
    pub stages: Lineup,
    pub source: Box<dyn Iterator<Item = std::result::Result<Document, Rejected>> + Send>,
    /// Whether the output documents are pending ones (whole, internal form).
    pub internal: bool,
    /// Where the source reports a line that is not a pending document.
    pub broken: Broken,
}

/// Plans a `pipeline stream --phase` run.
pub(crate) fn stream_phase(
    config: &Config,
    phase: &StreamPhase,
    input: Box<dyn std::io::Read + Send>,
    state_root: &Path,
) -> Result<StreamPlan> {
    let broken = Broken::default();
    match phase {
        StreamPhase::Signatures { part } => {
            let stages = signatures_lineup(config, state_root, Position::Part(*part))?;
            let source = FileSource::from_jsonl_stream(input, "stdin", &config.source);
            Ok(StreamPlan {
                stages,
                source: Box::new(source),
                internal: true,
                broken,
            })
        }
        StreamPhase::Filter { decisions } => {
            let stages = filter_lineup(config, state_root, decisions)?;
            let source = pending_documents(
                BufReader::with_capacity(1 << 16, input),
                PathBuf::from("stdin"),
                Arc::clone(&broken),
            );
            Ok(StreamPlan {
                stages,
                source: Box::new(source),
                internal: false,
                broken,
            })
        }
    }
}

/// `pipeline run` of a config whose `dedupe` stage keeps the earliest published document
/// of each group (`keep = "earliest"`): the four phases one after another, as one shard,
/// in `<output>/state/earliest/`, then the output files moved into `<output>` and one
/// report for the whole run. Every input is read on every run: a new document may be
/// earlier than one kept before.
pub(crate) fn run_keeping_earliest(config: &Config, options: &RunOptions) -> Result<Report> {
    let started = Instant::now();
    let started_at = now_utc();
    let output_dir = options
        .output
        .clone()
        .unwrap_or_else(|| config.output_dir());
    let work = output_dir.join("state").join("earliest");
    remove_dir(&work)?;
    let shard_options = ShardOptions {
        shard: None,
        inputs: options.inputs.clone(),
        output: Some(work.clone()),
        progress: options.progress,
    };
    let first = signatures(config, &shard_options)?;
    let (groups, _) = bands(config, &work, None)?;
    let pending = shard_files(&work, PENDING_FILE)?;
    let decisions = decisions_path(&work);
    clusters(config, &[groups], &pending, &decisions)?;
    let second = filter(config, &shard_options, &decisions)?;

    let shard_dir = shard_options.shard_dir(config);
    for name in [DOCUMENTS_FILE, REJECTED_FILE] {
        let target = output_dir.join(name);
        std::fs::rename(shard_dir.join(name), &target).map_err(|source| Error::Write {
            path: target,
            source,
        })?;
    }
    // The first phase counted reading and the stages before `dedupe` (then `fingerprint`
    // and `write`); the second, reading pending documents, then `dedupe` and the rest.
    let mut stages = first.stages[..first.stages.len().saturating_sub(2)].to_vec();
    stages.extend(second.stages.iter().skip(1).cloned());
    let mut output = second.output.clone();
    output.rejected += output.carried_rejected;
    output.carried_rejected = 0;
    let facts = RunFacts {
        started,
        started_at,
        inputs: first.inputs.clone(),
        output_dir: output_dir.display().to_string(),
        input_files: first.input_files,
        input_bytes: first.input_bytes,
        mode: "full",
        full_reason: Some(
            "the dedupe stage keeps the earliest document (keep = \"earliest\"), which needs \
             every input"
                .to_owned(),
        ),
        files_skipped: 0,
        resumed: None,
        resume_refused: None,
    };
    let report = assemble_report(config, stages, output, facts);
    write_report_to(&output_dir.join(REPORT_FILE), &report)?;
    remove_dir(&work)?;
    Ok(report)
}

/// Removes a folder and everything in it; a missing folder is fine.
fn remove_dir(dir: &Path) -> Result<()> {
    match std::fs::remove_dir_all(dir) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(source) => Err(Error::Write {
            path: dir.to_owned(),
            source,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_parse_and_check_their_bounds() {
        assert_eq!("2/8".parse(), Ok(Shard { index: 2, count: 8 }));
        for bad in ["8/8", "1/0", "x/2", "3", "-1/2"] {
            let err = bad.parse::<Shard>().unwrap_err();
            assert!(err.contains(bad), "{err}");
        }
        assert_eq!(
            Shard { index: 3, count: 8 }.dir_name(),
            "shard-0003-of-0008"
        );
    }

    #[test]
    fn every_path_belongs_to_exactly_one_shard() {
        let paths: Vec<String> = (0..200).map(|i| format!("seeds/{i:03}.txt")).collect();
        let mut sizes = [0; 4];
        for path in &paths {
            let owners: Vec<u32> = (0..4)
                .filter(|&i| Shard { index: i, count: 4 }.owns(path))
                .collect();
            assert_eq!(owners.len(), 1, "{path}");
            sizes[owners[0] as usize] += 1;
        }
        assert!(sizes.iter().all(|&n| n > 25), "{sizes:?}");
    }
}
