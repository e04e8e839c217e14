//! The topology: a reader thread, N worker threads per stage, a writer thread, joined by
//! bounded crossbeam channels of [`Batch`]es.
//!
//! Backpressure is a blocking `send`. Shutdown is by disconnection: when the reader ends it
//! drops its sender; each stage drains its input, runs `finish`, and drops its own sender;
//! the writer commits when its input closes. On a fatal error the first error is stored,
//! `cancel` is set and the failing thread drops its ends; upstream sends fail and those
//! threads stop, the reader checks `cancel` between documents, and the writer discards its
//! temporary files instead of committing them.

use std::any::Any;
use std::collections::{BTreeMap, HashMap};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crossbeam_channel::{bounded, Receiver, SendTimeoutError, Sender};
use pipeline_core::{
    BuildContext, Counters, Document, Rejected, RunLink, Stage, StageConfig, StageError, Verdict,
};
use pipeline_dedup::Keep;
use pipeline_read::{display_path, modified_ns, FileSource};

use crate::batch::{Batch, Reorder};
use crate::checkpoint::{self, Checkpoints, Position};
use crate::config::{AnyStageConfig, Config, PipelineSettings};
use crate::error::{Error, Result};
use crate::progress::{monitor, Live, ProgressMode};
use crate::report::{
    now_utc, peak_rss_bytes, Conservation, ErrorBudget, Report, Resumed, StageReport, Throughput,
};
use crate::sink::{JsonlSink, NamesSlot, SinkCounts, DOCUMENTS_FILE, REJECTED_FILE, REPORT_FILE};
use crate::state::{plan, FileEntry, Manifest, Previous};

/// Settings of one run that are not part of the config (command-line flags).
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Inputs that replace `[source].paths` (files, folders, patterns; relative to the
    /// current folder).
    pub inputs: Vec<String>,
    /// Output folder that replaces `[sink].path`.
    pub output: Option<PathBuf>,
    /// How progress is shown.
    pub progress: ProgressMode,
    /// Read every input again instead of only new and changed files.
    pub full: bool,
    /// Run only this share of the inputs, into `<output>/shard-I-of-N/` (a config
    /// without a `dedupe` stage; with one, the dedup phases of [`crate::phases`]).
    pub shard: Option<crate::phases::Shard>,
}

/// State the threads of one run share.
struct Shared {
    cancel: AtomicBool,
    error: Mutex<Option<Error>>,
}

impl Shared {
    /// Records the first fatal error and tells every thread to stop.
    fn fail(&self, error: Error) {
        if let Ok(mut slot) = self.error.lock() {
            slot.get_or_insert(error);
        }
        self.cancel.store(true, Ordering::Release);
    }

    fn cancelled(&self) -> bool {
        self.cancel.load(Ordering::Acquire)
    }
}

/// Runs the pipeline described by `config` and returns its report (also written to
/// `report.json` in the output folder).
pub fn run(config: &Config, options: &RunOptions) -> Result<Report> {
    let started = Instant::now();
    let started_at = now_utc();
    if let (Some(shard), Some(_)) = (options.shard, crate::phases::dedupe_stage(config)) {
        return Err(Error::InvalidConfig {
            path: config.path.clone(),
            problems: vec![format!(
                "--shard {}/{} cannot deduplicate across shards on its own: run the phases \
                 `pipeline dedup signatures|bands|clusters|filter` (README, \"Running on \
                 several machines\"), or remove the `dedupe` stage",
                shard.index, shard.count
            )],
        });
    }
    if crate::phases::dedupe_stage(config).is_some_and(|(_, d)| d.keep == Keep::Earliest) {
        return crate::phases::run_keeping_earliest(config, options);
    }
    let (source_config, source_base, listing, _) =
        crate::phases::shard_listing(config, &options.inputs, options.shard)?;
    let mut output_dir = options
        .output
        .clone()
        .unwrap_or_else(|| config.output_dir());
    if let Some(shard) = options.shard {
        output_dir.push(shard.dir_name());
        let _ = std::fs::remove_file(output_dir.join(crate::phases::SUCCESS_FILE));
    }
    let input_files = listing.files.len() as u64;
    let manifest = Arc::new(Manifest::open(&output_dir.join("state"))?);
    let program = crate::state::program_id();
    // A run in input order records checkpoints, and the next run resumes from the last one.
    let (mut resume, resume_refused) = if options.full || !config.pipeline.ordered {
        manifest.clear_progress()?;
        (None, None)
    } else {
        match checkpoint::prepare(&manifest, &output_dir, &config.hash, &program)? {
            Ok(resume) => (Some(resume), None),
            Err(why) => (None, Some(why).filter(|why| why != "no checkpoint")),
        }
    };
    let full_reason = if resume.is_some() {
        None
    } else if options.full {
        Some("--full was given".to_owned())
    } else if !output_dir.join(DOCUMENTS_FILE).exists() {
        Some("no earlier output in this folder".to_owned())
    } else {
        None
    };
    let files_done = resume.as_ref().map_or(0, |r| r.files.len() as u64);
    let previous = match (&mut resume, &full_reason) {
        (Some(resume), _) => Some(Previous {
            files: std::mem::take(&mut resume.files),
            config_hash: Some(resume.checkpoint.config_hash.clone()),
            schema_version: Some(resume.checkpoint.schema_version.clone()),
            run_token: None,
            program: resume.checkpoint.program.clone(),
        }),
        (None, Some(_)) => None,
        (None, None) => Some(manifest.load()?),
    };
    let previous_token = previous.as_ref().and_then(|p| p.run_token.clone());
    let plan = plan(
        listing,
        |path| display_path(path, &source_base),
        previous,
        &config.hash,
        &program,
        full_reason,
    );
    let mut listing = plan.listing;
    let inputs: HashMap<String, PathBuf> = listing
        .files
        .iter()
        .map(|file| (display_path(file, &source_base), file.clone()))
        .collect();
    // Lines of earlier output whose file is read again are dropped, except the records of
    // the file an interrupted run was reading: those stay, and reading goes on after them.
    let mut carry_replaced = plan.replaced.clone();
    let mut resume_point = None;
    if let Some(resume) = &resume {
        // The interrupted run wrote the unreadable places' rejections first of all.
        listing.unreadable.clear();
        if let Some(partial) = &resume.checkpoint.partial {
            let unchanged = inputs
                .get(&partial.path)
                .and_then(|file| std::fs::metadata(file).ok())
                .is_some_and(|m| m.len() == partial.size && modified_ns(&m) == partial.modified_ns);
            if unchanged {
                carry_replaced.remove(&partial.path);
                resume_point = Some((partial.path.clone(), partial.record));
            }
        }
    }
    // Nothing to read and nothing of the earlier output to drop: its files stay where
    // they are (a run over a large output that adds nothing need not copy it).
    let nothing_changes = plan.incremental
        && resume.is_none()
        && listing.files.is_empty()
        && listing.unreadable.is_empty()
        && carry_replaced.is_empty()
        && options.shard.is_none();
    let mut source = FileSource::new(listing, &source_config, &source_base);
    if let Some((path, record)) = &resume_point {
        source = source.resume_after(path, *record);
    }
    let done_files = source.done_files();
    let input_bytes = source.total_bytes();
    let base: BTreeMap<String, FileEntry> = plan
        .entries
        .iter()
        .filter(|(path, _)| !plan.replaced.contains(*path))
        .map(|(path, entry)| (path.clone(), entry.clone()))
        .collect();

    let replaced = Arc::new(plan.replaced);
    let link = RunLink {
        token: run_token(&config.hash),
        previous: previous_token.filter(|_| plan.incremental),
        replaced: replaced.clone(),
    };
    let mut stage_workers = build_stages(config, &output_dir.join("state"), Some(&link))?;
    let mut sink = JsonlSink::create(&output_dir)?;
    // Shards are put together first (see `link_names`).
    let linking = (config.stages.iter()).find_map(|s| match &s.config {
        AnyStageConfig::Annotate(a) if a.link_across_documents => Some(a.link_memory_bytes()),
        _ => None,
    });
    let observed_names = NamesSlot::default();
    if let Some(memory) = linking.filter(|_| options.shard.is_none()) {
        sink = sink.observing_names(observed_names.clone(), memory);
    }
    if nothing_changes {
        sink = sink.keeping_earlier();
    } else if config.pipeline.ordered {
        sink = sink.with_checkpoints(Checkpoints::new(
            manifest.clone(),
            &config.hash,
            &program,
            Duration::from_secs_f64(config.pipeline.checkpoint_seconds),
            base,
            done_files.clone(),
            inputs,
        ));
    }
    if plan.incremental {
        // Stages that restored their memory of earlier runs from their own state
        // (`Stage::recalled`) need not see the carried-over documents again.
        let mut remembering: Vec<(usize, &mut Box<dyn Stage>)> = stage_workers
            .config_index
            .iter()
            .zip(stage_workers.workers.iter_mut())
            .filter_map(|(index, workers)| index.map(|index| (index, workers)))
            .filter(|(index, _)| config.stages[*index].config.as_stage_config().remembers())
            .flat_map(|(index, workers)| workers.iter_mut().map(move |w| (index, w)))
            .filter(|(_, worker)| !worker.recalled())
            .collect();
        let any_remembering = !remembering.is_empty();
        let mut remember = |doc: Document| -> Result<()> {
            for (index, stage) in remembering.iter_mut() {
                stage.remember(&doc).map_err(|e| Error::StageFailed {
                    stage: config.stages[*index].config.name().to_owned(),
                    message: format!("while recalling earlier documents: {e}"),
                })?;
            }
            Ok(())
        };
        let remember: Option<&mut dyn FnMut(Document) -> Result<()>> = if any_remembering {
            Some(&mut remember)
        } else {
            None
        };
        let earlier = match &resume {
            Some(resume) => (resume.documents.clone(), resume.rejected.clone()),
            None => (
                output_dir.join(DOCUMENTS_FILE),
                output_dir.join(REJECTED_FILE),
            ),
        };
        match sink.carry_over((&earlier.0, &earlier.1), &carry_replaced, remember) {
            Ok(file_ids) => source.reserve_ids(file_ids),
            Err(error) => {
                sink.abort();
                return Err(error);
            }
        }
    }

    let (names, workers, outcome) = execute_config(
        config,
        source,
        stage_workers,
        sink,
        input_bytes,
        options.progress,
    );
    let mut outcome = outcome?;
    // (Filled on commit when linking.)
    if let Some(names) = observed_names.lock().ok().and_then(|mut slot| slot.take()) {
        let documents = output_dir.join(DOCUMENTS_FILE);
        outcome.sink.names_linked = crate::names::link_observed(&documents, names)?;
    }

    let mut entries = plan.entries;
    if let Ok(done) = done_files.lock() {
        for file in done.iter() {
            entries.insert(file.path.clone(), FileEntry::from(file));
        }
    }
    manifest.store(&entries, &config.hash, &program, &link.token)?;
    if let Some(resume) = &resume {
        resume.remove_files();
    }
    let resumed = resume.map(|resume| Resumed {
        checkpoint_taken_at: resume.checkpoint.taken_at,
        files_done,
        file: resume_point.as_ref().map(|(path, _)| path.clone()),
        after_record: resume_point.map(|(_, record)| record),
    });
    let facts = RunFacts {
        started,
        started_at,
        inputs: source_config.paths.clone(),
        output_dir: output_dir.display().to_string(),
        input_files,
        input_bytes,
        mode: if resumed.is_some() {
            "resumed"
        } else if plan.incremental {
            "incremental"
        } else {
            "full"
        },
        full_reason: plan.full_reason,
        files_skipped: plan.skipped,
        resumed,
        resume_refused,
    };
    let report = make_report(config, &names, &workers, outcome, facts);
    write_report(&output_dir, &report)?;
    if options.shard.is_some() {
        crate::phases::mark_success(&output_dir)?;
    }
    Ok(report)
}

/// Builds every stage once per worker (stages that keep one shared index get one), with
/// their preparations.
fn build_stages(config: &Config, state_root: &Path, run: Option<&RunLink>) -> Result<Lineup> {
    lineup(config, 0..config.stages.len(), state_root, run)
}

/// Stages ready to run, with their names (for progress and the report).
#[derive(Default)]
pub(crate) struct Lineup {
    pub names: Vec<String>,
    pub ordered_input: Vec<bool>,
    pub workers: Vec<Vec<Box<dyn Stage>>>,
    /// The index in `config.stages` of each stage; `None` for the stages the runtime adds
    /// (preparations, the dedup phases' own).
    pub config_index: Vec<Option<usize>>,
}

impl Lineup {
    /// Adds a stage built outside the config (the dedup phases' own stages), one value
    /// per worker.
    pub(crate) fn push_workers(&mut self, name: &str, workers: Vec<Box<dyn Stage>>) {
        self.names.push(name.to_owned());
        self.ordered_input.push(false);
        self.workers.push(workers);
        self.config_index.push(None);
    }

    /// Puts the stages of `other` after these.
    pub(crate) fn append(&mut self, other: Lineup) {
        self.names.extend(other.names);
        self.ordered_input.extend(other.ordered_input);
        self.workers.extend(other.workers);
        self.config_index.extend(other.config_index);
    }
}

/// Builds the stages `range` of `config`, each once per worker, and before each stage that
/// has a preparation ([`StageConfig::preparation`]) the preparation, on the stage's
/// `workers`, named `<stage>_prepare`.
pub(crate) fn lineup(
    config: &Config,
    range: std::ops::Range<usize>,
    state_root: &Path,
    run: Option<&RunLink>,
) -> Result<Lineup> {
    let mut lineup = Lineup::default();
    for index in range {
        let spec = &config.stages[index];
        let stage_config = spec.config.as_stage_config();
        let name = spec.config.name();
        let build = |built: &dyn StageConfig, workers: usize| -> Result<Vec<Box<dyn Stage>>> {
            (0..workers)
                .map(|worker| {
                    let cx = BuildContext {
                        worker,
                        workers,
                        base_dir: config.base_dir.clone(),
                        state_dir: state_root.join(name),
                        run: run.cloned(),
                    };
                    built.build(&cx).map_err(|e| Error::Build {
                        index,
                        stage: name.to_owned(),
                        message: e.message,
                    })
                })
                .collect()
        };
        if let Some(preparation) = stage_config.preparation() {
            lineup.names.push(format!("{name}_prepare"));
            lineup.ordered_input.push(false);
            lineup
                .workers
                .push(build(preparation.as_ref(), spec.workers)?);
            lineup.config_index.push(None);
        }
        lineup.names.push(name.to_owned());
        lineup
            .ordered_input
            .push(stage_config.needs_ordered_input());
        lineup
            .workers
            .push(build(stage_config, stage_workers_of(spec))?);
        lineup.config_index.push(Some(index));
    }
    Ok(lineup)
}

/// Worker threads a stage runs on: its `workers`, or one for stages that cannot share work.
fn stage_workers_of(spec: &crate::config::StageSpec) -> usize {
    if spec.config.as_stage_config().parallel() {
        spec.workers
    } else {
        1
    }
}

/// Runs the built stages of `config` between `source` and `sink` with progress display;
/// returns the stage names and worker counts (for the report) and the outcome.
fn execute_config(
    config: &Config,
    source: FileSource,
    lineup: Lineup,
    sink: JsonlSink,
    input_bytes: u64,
    progress: ProgressMode,
) -> (Vec<String>, Vec<usize>, Result<Outcome>) {
    let bytes_read = source.progress();
    execute_lineup(
        lineup,
        source,
        sink,
        &config.pipeline,
        input_bytes,
        (progress, bytes_read),
    )
}

/// Runs `lineup` between `source` and `sink` with progress display.
pub(crate) fn execute_lineup<S>(
    lineup: Lineup,
    source: S,
    sink: JsonlSink,
    settings: &PipelineSettings,
    input_bytes: u64,
    progress: (ProgressMode, std::sync::Arc<std::sync::atomic::AtomicU64>),
) -> (Vec<String>, Vec<usize>, Result<Outcome>)
where
    S: Iterator<Item = std::result::Result<Document, Rejected>> + Send,
{
    let Lineup {
        names,
        ordered_input,
        workers,
        config_index: _,
    } = lineup;
    let counts: Vec<usize> = workers.iter().map(Vec::len).collect();
    let built = workers
        .into_iter()
        .zip(ordered_input)
        .map(|(workers, ordered_input)| BuiltStage {
            ordered_input,
            workers,
        })
        .collect();
    let live = Live::new(progress.1, input_bytes, live_names(&names));
    let outcome = execute(source, built, sink, settings, &live, progress.0);
    (names, counts, outcome)
}

/// What a finished run knows besides its counters, for its report.
pub(crate) struct RunFacts {
    pub started: Instant,
    pub started_at: String,
    pub inputs: Vec<String>,
    pub output_dir: String,
    pub input_files: u64,
    pub input_bytes: u64,
    pub mode: &'static str,
    pub full_reason: Option<String>,
    pub files_skipped: u64,
    pub resumed: Option<Resumed>,
    pub resume_refused: Option<String>,
}

/// The report of a finished run.
pub(crate) fn make_report(
    config: &Config,
    names: &[String],
    workers: &[usize],
    outcome: Outcome,
    facts: RunFacts,
) -> Report {
    let Outcome {
        read: read_counters,
        stages: stage_counters,
        write: write_counters,
        sink: sink_counts,
    } = outcome;
    let mut stages = vec![StageReport::new("read", 1, read_counters)];
    for (index, counters) in stage_counters.into_iter().enumerate() {
        stages.push(StageReport::new(&names[index], workers[index], counters));
    }
    stages.push(StageReport::new("write", 1, write_counters));
    assemble_report(config, stages, sink_counts, facts)
}

/// The report of a run whose stages (`read` first, `write` last) counted `stages` and whose
/// output files hold `sink_counts`.
pub(crate) fn assemble_report(
    config: &Config,
    stages: Vec<StageReport>,
    sink_counts: SinkCounts,
    facts: RunFacts,
) -> Report {
    let mut rejected_by_reason = std::collections::BTreeMap::new();
    for stage in &stages {
        for (reason, n) in stage.counters.dropped.iter().chain(&stage.counters.errored) {
            *rejected_by_reason
                .entry(format!("{}.{reason}", stage.name))
                .or_default() += n;
        }
    }
    let read_counters = stages
        .first()
        .map(|s| s.counters.clone())
        .unwrap_or_default();
    let input_items = read_counters.docs_in;
    let conservation = Conservation {
        input_items,
        documents: sink_counts.documents,
        rejected: sink_counts.rejected,
        ok: input_items == sink_counts.documents + sink_counts.rejected
            && stages.iter().all(|s| s.counters.balanced()),
    };
    let failed =
        read_counters.docs_dropped + stages.iter().map(|s| s.counters.docs_errored).sum::<u64>();
    let error_budget = ErrorBudget {
        failed,
        inputs: input_items,
        budget: config.pipeline.error_budget,
        exceeded: failed as f64 > config.pipeline.error_budget * input_items as f64,
    };
    let wall_seconds = facts.started.elapsed().as_secs_f64();
    let read_text_bytes = read_counters.bytes_out;
    Report {
        schema_version: Report::schema_version(),
        pipeline_version: env!("CARGO_PKG_VERSION"),
        config_path: config.path.display().to_string(),
        config_hash: config.hash.clone(),
        inputs: facts.inputs,
        output_dir: facts.output_dir,
        started_at: facts.started_at,
        wall_seconds,
        input_files: facts.input_files,
        input_bytes: facts.input_bytes,
        mode: facts.mode,
        full_reason: facts.full_reason,
        files_skipped: facts.files_skipped,
        resumed: facts.resumed,
        resume_refused: facts.resume_refused,
        stages,
        output: sink_counts,
        rejected_by_reason,
        conservation,
        error_budget,
        throughput: Throughput {
            mb_per_second: read_text_bytes as f64 / 1e6 / wall_seconds.max(1e-9),
            documents_per_second: input_items as f64 / wall_seconds.max(1e-9),
        },
        peak_rss_bytes: peak_rss_bytes(),
    }
}

/// A stage ready to run: one value per worker.
pub(crate) struct BuiltStage {
    pub ordered_input: bool,
    pub workers: Vec<Box<dyn Stage>>,
}

/// What each part of a finished run counted.
pub(crate) struct Outcome {
    pub read: Counters,
    pub stages: Vec<Counters>,
    pub write: Counters,
    pub sink: SinkCounts,
}

/// Progress names: every stage, then the writer.
pub(crate) fn live_names(stages: &[String]) -> Vec<String> {
    let mut names = stages.to_vec();
    names.push("write".to_owned());
    names
}

/// The name of a pipeline thread, as `top -H`, `ps -L`, `perf` and debuggers show it:
/// the stage's name, and the worker's number when the stage has several (`clean#1`).
/// Linux keeps 15 bytes of a thread's name, so a long stage name is cut to leave room for
/// the number.
fn thread_name(stage: &str, worker: usize, workers: usize) -> String {
    const LIMIT: usize = 15;
    let suffix = if workers > 1 {
        format!("#{worker}")
    } else {
        String::new()
    };
    let mut end = stage.len().min(LIMIT.saturating_sub(suffix.len()));
    while !stage.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}{suffix}", &stage[..end])
}

/// Starts a named thread in `scope`. Failing to start one (the system is out of threads
/// or memory) is as fatal as it is for `Scope::spawn`.
fn spawn_named<'scope, 'env, T: Send + 'scope>(
    scope: &'scope std::thread::Scope<'scope, 'env>,
    name: String,
    body: impl FnOnce() -> T + Send + 'scope,
) -> std::thread::ScopedJoinHandle<'scope, T> {
    std::thread::Builder::new()
        .name(name)
        .spawn_scoped(scope, body)
        .expect("starting a pipeline thread")
}

/// How many numbered batches may be between the reader and the writer at once: what the
/// channels hold when full, one batch in the hands of each worker and of the writer, and
/// two more per worker for batches that overtook a slower one and wait in a reorder buffer
/// (of an ordered stage or of the writer).
///
/// Without this bound, a worker stuck on one batch (a long document, a thread the machine
/// did not schedule) let the other workers run ahead, and every batch they finished waited
/// in the writer's reorder buffer, however many: memory then grew with how far they got.
fn batches_in_flight(workers_per_stage: &[usize], channel_capacity: usize) -> usize {
    let workers: usize = workers_per_stage.iter().sum();
    (workers_per_stage.len() + 1) * channel_capacity + 3 * workers + 2
}

/// One of the places in [`batches_in_flight`], taken by the reader for each numbered batch
/// and given back by the writer when it takes the batch up.
type Ticket = ();

/// Waits until fewer than the bound of batches are in flight and sends `batch`; false when
/// the run stops (cancelled, or the writer or the first stage gone).
fn send_counted(
    tx: &Sender<Batch>,
    tickets: &Sender<Ticket>,
    batch: Batch,
    shared: &Shared,
) -> bool {
    // A stage that failed stops the run without giving back the places of the batches it
    // held, so waiting for a place looks at the run's state now and then.
    loop {
        match tickets.send_timeout((), Duration::from_millis(50)) {
            Ok(()) => break,
            Err(SendTimeoutError::Timeout(())) if !shared.cancelled() => {}
            Err(_) => return false,
        }
    }
    tx.send(batch).is_ok()
}

/// Runs `source` through `stages` into `sink` on threads joined by bounded channels.
pub(crate) fn execute<S>(
    source: S,
    stages: Vec<BuiltStage>,
    sink: JsonlSink,
    settings: &PipelineSettings,
    live: &Live,
    progress: ProgressMode,
) -> Result<Outcome>
where
    S: Iterator<Item = std::result::Result<Document, Rejected>> + Send,
{
    let shared = Shared {
        cancel: AtomicBool::new(false),
        error: Mutex::new(None),
    };
    let capacity = settings.channel_capacity;
    let batch_size = settings.batch_size;
    let workers_per_stage: Vec<usize> = stages.iter().map(|s| s.workers.len()).collect();
    let (ticket_tx, ticket_rx) = bounded::<Ticket>(batches_in_flight(&workers_per_stage, capacity));
    let (read, stage_counters, sink_result) = std::thread::scope(|scope| {
        let monitor_thread = spawn_named(scope, "progress".to_owned(), || monitor(live, progress));
        let (first_tx, mut rx) = bounded::<Batch>(capacity);
        let shared = &shared;
        let reader = spawn_named(scope, "read".to_owned(), move || {
            let outputs = (first_tx, ticket_tx);
            let mut counters = read_loop(source, outputs, batch_size, shared, live);
            add_thread_cpu(&mut counters);
            counters
        });
        let mut stage_threads = Vec::new();
        for (index, stage) in stages.into_iter().enumerate() {
            let (tx, next_rx) = bounded::<Batch>(capacity);
            let name: &str = &live.names[index];
            let ordered_input = stage.ordered_input;
            let workers = stage.workers.len();
            let handles: Vec<_> = stage
                .workers
                .into_iter()
                .enumerate()
                .map(|(number, stage)| {
                    let (rx, tx) = (rx.clone(), tx.clone());
                    spawn_named(scope, thread_name(name, number, workers), move || {
                        let mut worker = Worker {
                            name,
                            index,
                            stage,
                            counters: Counters::default(),
                            shared,
                            live,
                        };
                        worker.run(rx, tx, ordered_input);
                        add_thread_cpu(&mut worker.counters);
                        worker.counters.cpu_ns += worker.stage.helper_cpu_ns();
                        worker.counters.index_bytes += worker.stage.index_bytes();
                        worker.counters.index_folds += worker.stage.index_folds();
                        worker.counters
                    })
                })
                .collect();
            stage_threads.push((name, handles));
            rx = next_rx;
        }
        let ordered = settings.ordered;
        let writer = spawn_named(scope, "write".to_owned(), move || {
            let (mut counters, counts) = write_loop(sink, (rx, ticket_rx), ordered, shared, live);
            add_thread_cpu(&mut counters);
            (counters, counts)
        });

        let read = join(reader, "read", shared).unwrap_or_default();
        let stage_counters: Vec<Counters> = stage_threads
            .into_iter()
            .map(|(name, handles)| {
                let mut total = Counters::default();
                for handle in handles {
                    if let Some(counters) = join(handle, name, shared) {
                        total += &counters;
                    }
                }
                total
            })
            .collect();
        let sink_result = join(writer, "write", shared);
        live.done.store(true, Ordering::Release);
        let _ = monitor_thread.join();
        (read, stage_counters, sink_result)
    });
    if let Some(error) = shared.error.into_inner().ok().flatten() {
        return Err(error);
    }
    let (write, sink) = sink_result.ok_or_else(|| Error::StageFailed {
        stage: "write".to_owned(),
        message: "the writer stopped without a result".to_owned(),
    })?;
    Ok(Outcome {
        read,
        stages: stage_counters,
        write,
        sink,
    })
}

/// Where `pipeline stream` writes what does not go to its output stream.
#[derive(Debug, Clone)]
pub struct StreamOptions {
    /// File for the rejections (written under a temporary name, renamed at the end).
    pub rejected: PathBuf,
    /// File for the report.
    pub report: PathBuf,
    /// How progress is shown (on stderr).
    pub progress: ProgressMode,
    /// A phase of the global deduplication instead of the whole pipeline.
    pub phase: Option<crate::phases::StreamPhase>,
}

/// Runs the pipeline over JSONL documents read from `input` (fields as `[source]` says),
/// writing the output documents to `output` in input order, the rejections and the report
/// to the files of `options`. When `output` is closed early (a broken pipe, as with
/// `| head`), the run stops and returns [`Error::BrokenPipe`].
pub fn stream(
    config: &Config,
    options: &StreamOptions,
    input: Box<dyn std::io::Read + Send>,
    output: Box<dyn std::io::Write + Send>,
) -> Result<Report> {
    let started = Instant::now();
    let started_at = now_utc();
    let keeps_earliest =
        crate::phases::dedupe_stage(config).is_some_and(|(_, d)| d.keep == Keep::Earliest);
    if keeps_earliest && options.phase.is_none() {
        return Err(Error::InvalidConfig {
            path: config.path.clone(),
            problems: vec![
                "the dedupe stage keeps the earliest document (keep = \"earliest\"), which \
                 needs every document before the first is written: stream the phases \
                 (`--phase signatures`, `pipeline dedup keys|clusters`, `--phase filter`), \
                 or use keep = \"first\""
                    .to_owned(),
            ],
        });
    }
    let state_root = std::env::temp_dir().join(format!("pipeline-stream-{}", std::process::id()));
    let (names, workers, outcome) = match &options.phase {
        None => {
            let source = FileSource::from_jsonl_stream(input, "stdin", &config.source);
            let stage_workers = build_stages(config, &state_root, None)?;
            let sink = JsonlSink::streaming(output, &options.rejected)?;
            execute_config(config, source, stage_workers, sink, 0, options.progress)
        }
        Some(phase) => {
            let plan = crate::phases::stream_phase(config, phase, input, &state_root)?;
            let mut sink = JsonlSink::streaming(output, &options.rejected)?;
            if plan.internal {
                sink = sink.internal();
            }
            let broken = plan.broken;
            let result = execute_lineup(
                plan.stages,
                plan.source,
                sink,
                &config.pipeline,
                0,
                (options.progress, Default::default()),
            );
            crate::phases::take_broken(&broken)?;
            result
        }
    };
    // Best effort: stage state of a stream run is scratch space.
    let _ = std::fs::remove_dir_all(&state_root);
    let facts = RunFacts {
        started,
        started_at,
        inputs: vec!["-".to_owned()],
        output_dir: "-".to_owned(),
        input_files: 0,
        input_bytes: 0,
        mode: match options.phase {
            None => "stream",
            Some(crate::phases::StreamPhase::Signatures { .. }) => "stream signatures",
            Some(crate::phases::StreamPhase::Filter { .. }) => "stream filter",
        },
        full_reason: None,
        files_skipped: 0,
        resumed: None,
        resume_refused: None,
    };
    let report = make_report(config, &names, &workers, outcome?, facts);
    write_report_to(&options.report, &report)?;
    Ok(report)
}

/// Whether any stage asks to be shown the documents of earlier runs.
/// A token unique to one run: the config's hash, the clock and the process.
fn run_token(config_hash: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let seed = format!("{config_hash} {nanos} {}", std::process::id());
    format!("{:032x}", xxhash_rust::xxh3::xxh3_128(seed.as_bytes()))
}

/// Joins a thread; a panic becomes the run's error.
fn join<T>(
    handle: std::thread::ScopedJoinHandle<'_, T>,
    stage: &str,
    shared: &Shared,
) -> Option<T> {
    match handle.join() {
        Ok(value) => Some(value),
        Err(panic) => {
            shared.fail(Error::StagePanicked {
                stage: stage.to_owned(),
                doc: None,
                message: panic_message(panic.as_ref()),
            });
            None
        }
    }
}

fn panic_message(panic: &(dyn Any + Send)) -> String {
    if let Some(s) = panic.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = panic.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic".to_owned()
    }
}

/// The reader thread: documents and read rejections, batched, in input order.
fn read_loop<S>(
    source: S,
    (tx, tickets): (Sender<Batch>, Sender<Ticket>),
    batch_size: usize,
    shared: &Shared,
    live: &Live,
) -> Counters
where
    S: Iterator<Item = std::result::Result<Document, Rejected>>,
{
    let mut counters = Counters::default();
    let mut seq = 0;
    let mut batch = Batch::new(seq, batch_size);
    let started = Instant::now();
    let mut blocked = std::time::Duration::ZERO;
    for item in source {
        if shared.cancelled() {
            break;
        }
        counters.docs_in += 1;
        match item {
            Ok(doc) => {
                counters.docs_out += 1;
                counters.bytes_out += doc.text_bytes();
                batch.docs.push(doc);
            }
            Err(rejected) => {
                counters.count_drop(rejected.reason);
                batch.rejected.push(rejected);
            }
        }
        if batch.len() >= batch_size {
            live.read_items
                .fetch_add(batch.len() as u64, Ordering::Relaxed);
            seq += 1;
            let full = std::mem::replace(&mut batch, Batch::new(seq, batch_size));
            let send_started = Instant::now();
            let sent = send_counted(&tx, &tickets, full, shared);
            blocked += send_started.elapsed();
            if !sent {
                break;
            }
        }
    }
    if batch.len() > 0 && !shared.cancelled() {
        send_counted(&tx, &tickets, batch, shared);
    }
    counters.bytes_in = counters.bytes_out;
    counters.blocked_ns = blocked.as_nanos() as u64;
    counters.busy_ns = started.elapsed().saturating_sub(blocked).as_nanos() as u64;
    counters
}

/// One worker thread of one stage.
struct Worker<'a> {
    name: &'a str,
    index: usize,
    stage: Box<dyn Stage>,
    counters: Counters,
    shared: &'a Shared,
    live: &'a Live,
}

impl Worker<'_> {
    fn run(&mut self, rx: Receiver<Batch>, tx: Sender<Batch>, ordered_input: bool) {
        let mut reorder = ordered_input.then(Reorder::default);
        loop {
            let waited = Instant::now();
            let received = rx.recv();
            self.counters.idle_ns += waited.elapsed().as_nanos() as u64;
            let Ok(batch) = received else { break };
            if self.shared.cancelled() {
                return;
            }
            let ready = match reorder.as_mut() {
                Some(reorder) => reorder.push(batch),
                None => vec![batch],
            };
            for batch in ready {
                if !self.process_and_send(batch, &tx) {
                    return;
                }
            }
        }
        if self.shared.cancelled() {
            return;
        }
        for batch in reorder.as_mut().map(Reorder::drain).unwrap_or_default() {
            if !self.process_and_send(batch, &tx) {
                return;
            }
        }
        let started = Instant::now();
        let finished = catch_unwind(AssertUnwindSafe(|| self.stage.finish()));
        let mut tail = Batch::new(0, 0);
        tail.tail = true;
        match finished {
            Ok(Ok(verdicts)) => {
                for verdict in verdicts {
                    self.counters.docs_in += 1;
                    self.take_verdict(Ok(verdict), &mut tail);
                }
            }
            Ok(Err(error)) => {
                if !self.take_verdict(Err(error), &mut tail) {
                    return;
                }
            }
            Err(panic) => {
                self.shared.fail(Error::StagePanicked {
                    stage: self.name.to_owned(),
                    doc: None,
                    message: panic_message(panic.as_ref()),
                });
                return;
            }
        }
        self.counters.busy_ns += started.elapsed().as_nanos() as u64;
        if tail.len() > 0 {
            let _ = tx.send(tail);
        }
    }

    /// Runs the stage over one batch and sends the result on; false when the run must stop.
    fn process_and_send(&mut self, mut batch: Batch, tx: &Sender<Batch>) -> bool {
        let started = Instant::now();
        let docs = std::mem::take(&mut batch.docs);
        let mut out = Batch {
            seq: batch.seq,
            tail: batch.tail,
            docs: Vec::with_capacity(docs.len()),
            rejected: std::mem::take(&mut batch.rejected),
        };
        self.live.stage_items[self.index].fetch_add(docs.len() as u64, Ordering::Relaxed);
        let bytes: u64 = docs.iter().map(Document::text_bytes).sum();
        self.live.stage_bytes[self.index].fetch_add(bytes, Ordering::Relaxed);
        for doc in docs {
            self.counters.docs_in += 1;
            self.counters.bytes_in += doc.text_bytes();
            let id = doc.id.clone();
            match catch_unwind(AssertUnwindSafe(|| self.stage.process(doc))) {
                Ok(outcome) => {
                    if !self.take_verdict(outcome, &mut out) {
                        return false;
                    }
                }
                Err(panic) => {
                    self.shared.fail(Error::StagePanicked {
                        stage: self.name.to_owned(),
                        doc: Some(id),
                        message: panic_message(panic.as_ref()),
                    });
                    return false;
                }
            }
        }
        self.counters.busy_ns += started.elapsed().as_nanos() as u64;
        let send_started = Instant::now();
        let sent = tx.send(out);
        self.counters.blocked_ns += send_started.elapsed().as_nanos() as u64;
        sent.is_ok()
    }

    /// Counts a verdict and files the document; false on a fatal error.
    fn take_verdict(
        &mut self,
        outcome: std::result::Result<Verdict, StageError>,
        out: &mut Batch,
    ) -> bool {
        match outcome {
            Ok(Verdict::Keep(doc)) => {
                self.counters.docs_out += 1;
                self.counters.bytes_out += doc.text_bytes();
                out.docs.push(doc);
            }
            Ok(Verdict::Drop(dropped)) => {
                let dropped = *dropped;
                self.counters.count_drop(dropped.reason);
                out.rejected.push(Rejected::of_document(
                    dropped.doc,
                    self.name,
                    dropped.reason,
                    dropped.detail,
                ));
            }
            Err(StageError::Document {
                doc,
                error_type,
                message,
            }) => {
                self.counters.count_error(error_type);
                out.rejected
                    .push(Rejected::of_document(*doc, self.name, error_type, message));
            }
            Err(error) => {
                self.shared.fail(Error::StageFailed {
                    stage: self.name.to_owned(),
                    message: error.to_string(),
                });
                return false;
            }
        }
        true
    }
}

/// The writer thread: documents and rejections in input order (when `ordered`).
fn write_loop(
    mut sink: JsonlSink,
    (rx, tickets): (Receiver<Batch>, Receiver<Ticket>),
    ordered: bool,
    shared: &Shared,
    live: &Live,
) -> (Counters, SinkCounts) {
    let mut counters = Counters::default();
    let mut reorder = ordered.then(Reorder::default);
    let write_index = live.stage_items.len() - 1;
    let write = |batch: Batch, sink: &mut JsonlSink, counters: &mut Counters| -> Result<()> {
        if !batch.tail {
            // The writer has taken it up: the one batch it holds is not counted.
            let _ = tickets.try_recv();
        }
        let started = Instant::now();
        live.stage_items[write_index].fetch_add(batch.len() as u64, Ordering::Relaxed);
        let bytes: u64 = batch.docs.iter().map(Document::text_bytes).sum();
        live.stage_bytes[write_index].fetch_add(bytes, Ordering::Relaxed);
        let position = (!batch.tail).then(|| last_position(&batch)).flatten();
        let mut rejected = batch.rejected;
        rejected.sort_by_key(|r| r.origin);
        for doc in &batch.docs {
            counters.docs_in += 1;
            counters.bytes_in += doc.text_bytes();
            sink.write_document(doc)?;
            counters.docs_out += 1;
            counters.bytes_out += doc.text_bytes();
        }
        for r in &rejected {
            sink.write_rejected(r)?;
        }
        if let Some(position) = position {
            sink.batch_written(&position)?;
        }
        counters.busy_ns += started.elapsed().as_nanos() as u64;
        Ok(())
    };
    let mut outcome = Ok(());
    loop {
        let waited = Instant::now();
        let received = rx.recv();
        counters.idle_ns += waited.elapsed().as_nanos() as u64;
        let Ok(batch) = received else { break };
        let ready = match reorder.as_mut() {
            Some(reorder) => reorder.push(batch),
            None => vec![batch],
        };
        for batch in ready {
            if outcome.is_ok() {
                outcome = write(batch, &mut sink, &mut counters);
            }
        }
        if outcome.is_err() || shared.cancelled() {
            break;
        }
    }
    if outcome.is_ok() && !shared.cancelled() {
        for batch in reorder.as_mut().map(Reorder::drain).unwrap_or_default() {
            if outcome.is_ok() {
                outcome = write(batch, &mut sink, &mut counters);
            }
        }
    }
    drop(rx);
    if let Err(error) = outcome {
        sink.abort();
        shared.fail(error);
        return (counters, SinkCounts::default());
    }
    if shared.cancelled() {
        sink.abort();
        return (counters, SinkCounts::default());
    }
    match sink.commit() {
        Ok(counts) => (counters, counts),
        Err(error) => {
            shared.fail(error);
            (counters, SinkCounts::default())
        }
    }
}

/// Adds to `counters` the CPU time of the calling thread so far, where Linux tells it (the
/// first field of `/proc/thread-self/schedstat`, nanoseconds on a core).
fn add_thread_cpu(counters: &mut Counters) {
    if let Some(cpu) = pipeline_core::thread_cpu_ns() {
        counters.cpu_ns += cpu;
    }
}

/// `source.path` and record number of the batch's last input item.
fn last_position(batch: &Batch) -> Option<Position> {
    let documents = batch.docs.iter().map(|d| (d.origin, &d.source));
    let rejected = batch.rejected.iter().map(|r| (r.origin, &r.source));
    documents
        .chain(rejected)
        .max_by_key(|(origin, _)| *origin)
        .map(|(_, source)| (source.path.clone(), source.record))
}

/// Writes `report.json` atomically.
fn write_report(dir: &Path, report: &Report) -> Result<()> {
    write_report_to(&dir.join(REPORT_FILE), report)
}

/// Writes a report to `target` atomically (temporary name, then rename).
pub(crate) fn write_report_to(target: &Path, report: &Report) -> Result<()> {
    let target = target.to_path_buf();
    if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|source| Error::Write {
            path: dir.to_path_buf(),
            source,
        })?;
    }
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = target.with_file_name(format!(".{name}.partial"));
    let fail = |path: &Path| {
        let path = path.to_path_buf();
        move |source| Error::Write { path, source }
    };
    let json = serde_json::to_vec_pretty(report).map_err(|e| Error::Write {
        path: target.clone(),
        source: e.into(),
    })?;
    std::fs::write(&tmp, json).map_err(fail(&tmp))?;
    std::fs::rename(&tmp, &target).map_err(fail(&target))
}

#[cfg(test)]
mod tests {
    #[test]
    fn thread_names_fit_linux_and_tell_workers_apart() {
        use super::thread_name;
        assert_eq!(thread_name("clean", 0, 1), "clean");
        assert_eq!(thread_name("clean", 1, 2), "clean#1");
        assert_eq!(thread_name("detect_language", 0, 1), "detect_language");
        assert_eq!(thread_name("detect_language", 1, 2), "detect_langua#1");
        assert_eq!(thread_name("dedupe_prepare", 11, 12), "dedupe_prepa#11");
        // Cut at a character boundary: `ü` takes two bytes.
        assert_eq!(thread_name("qualitätsprüfung", 0, 2), "qualitätspr#0");
        for (name, n) in [
            ("a_very_long_custom_stage_name", 3),
            ("ü".repeat(20).as_str(), 2),
        ] {
            assert!(thread_name(name, n - 1, n).len() <= 15);
        }
    }

    use std::sync::atomic::AtomicU64;
    use std::sync::Arc;
    use std::time::Duration;

    use super::*;

    /// A source of `n` documents that counts how many it has produced.
    fn counting_source(
        n: u64,
        produced: Arc<AtomicU64>,
    ) -> impl Iterator<Item = std::result::Result<Document, Rejected>> + Send {
        (0..n).map(move |seq| {
            produced.fetch_add(1, Ordering::SeqCst);
            let mut doc = Document::new(format!("d{seq}"), format!("Text {seq}."));
            doc.origin.seq = seq;
            Ok(doc)
        })
    }

    #[test]
    fn thread_cpu_time_is_read_where_linux_tells_it() {
        if std::path::Path::new("/proc/thread-self/schedstat").exists() {
            let mut before = Counters::default();
            add_thread_cpu(&mut before);
            let spin = Instant::now();
            while spin.elapsed() < Duration::from_millis(30) {
                std::hint::black_box(spin.elapsed());
            }
            let wall = spin.elapsed();
            let mut after = Counters::default();
            add_thread_cpu(&mut after);
            // On a loaded machine the spin gets only part of a core, so the CPU time it
            // took is bounded by its wall time, not equal to it.
            let spent = after.cpu_ns - before.cpu_ns;
            assert!(
                spent > 0 && spent <= wall.as_nanos() as u64 + 1_000_000,
                "{spent} ns of CPU in {wall:?}"
            );
        }
    }

    fn live(stages: usize) -> Live {
        let names = (0..stages).map(|i| format!("s{i}")).collect::<Vec<_>>();
        Live::new(Arc::new(AtomicU64::new(0)), 0, live_names(&names))
    }

    fn settings(batch_size: usize, channel_capacity: usize) -> PipelineSettings {
        PipelineSettings {
            batch_size,
            channel_capacity,
            ordered: true,
            ..PipelineSettings::default()
        }
    }

    fn stage(workers: Vec<Box<dyn Stage>>) -> BuiltStage {
        BuiltStage {
            ordered_input: false,
            workers,
        }
    }

    struct Closure<F>(F);

    impl<F> Stage for Closure<F>
    where
        F: FnMut(Document) -> std::result::Result<Verdict, StageError> + Send,
    {
        fn process(&mut self, doc: Document) -> std::result::Result<Verdict, StageError> {
            (self.0)(doc)
        }
    }

    fn boxed<F>(f: F) -> Box<dyn Stage>
    where
        F: FnMut(Document) -> std::result::Result<Verdict, StageError> + Send + 'static,
    {
        Box::new(Closure(f))
    }

    #[test]
    fn every_document_is_accounted_for_across_workers_in_input_order() {
        let dir = tempfile::tempdir().unwrap();
        let sink = JsonlSink::create(dir.path()).unwrap();
        let workers: Vec<Box<dyn Stage>> = (0..3)
            .map(|_| {
                boxed(|doc: Document| {
                    let seq = doc.origin.seq;
                    if seq.is_multiple_of(10) {
                        Ok(Verdict::drop(doc, "test_tenth", "every tenth"))
                    } else if seq % 10 == 5 {
                        Err(StageError::Document {
                            doc: Box::new(doc),
                            error_type: "test_error",
                            message: "fifth".into(),
                        })
                    } else {
                        Ok(Verdict::Keep(doc))
                    }
                })
            })
            .collect();
        let outcome = execute(
            counting_source(1000, Arc::default()),
            vec![stage(workers)],
            sink,
            &settings(7, 2),
            &live(1),
            ProgressMode::Off,
        )
        .unwrap();
        assert_eq!(outcome.read.docs_out, 1000);
        let counters = &outcome.stages[0];
        assert_eq!(
            (
                counters.docs_out,
                counters.docs_dropped,
                counters.docs_errored
            ),
            (800, 100, 100)
        );
        assert!(counters.balanced());
        assert_eq!((outcome.sink.documents, outcome.sink.rejected), (800, 200));
        let written = std::fs::read_to_string(dir.path().join("documents.jsonl")).unwrap();
        let ids: Vec<u64> = written
            .lines()
            .map(|l| {
                serde_json::from_str::<serde_json::Value>(l).unwrap()["id"]
                    .as_str()
                    .unwrap()[1..]
                    .parse()
                    .unwrap()
            })
            .collect();
        let mut sorted = ids.clone();
        sorted.sort_unstable();
        assert_eq!(ids, sorted, "documents come out in input order");
    }

    /// A stage that passes documents on and says its helper threads used `helper_ns`
    /// and its index holds a byte per document it saw.
    struct WithHelper {
        helper_ns: u64,
        seen: u64,
    }

    impl Stage for WithHelper {
        fn process(&mut self, doc: Document) -> std::result::Result<Verdict, StageError> {
            self.seen += 1;
            Ok(Verdict::Keep(doc))
        }

        fn helper_cpu_ns(&self) -> u64 {
            self.helper_ns
        }

        fn index_bytes(&self) -> u64 {
            self.seen
        }

        fn index_folds(&self) -> u64 {
            // One for each hour of its helper's time: 1 and 2.
            self.helper_ns / (3_600 * 1_000_000_000)
        }
    }

    #[test]
    fn the_cpu_time_of_a_stages_helper_threads_and_its_index_are_the_stages() {
        let dir = tempfile::tempdir().unwrap();
        let sink = JsonlSink::create(dir.path()).unwrap();
        let hour = 3_600 * 1_000_000_000;
        let workers: Vec<Box<dyn Stage>> = vec![
            Box::new(WithHelper {
                helper_ns: hour,
                seen: 0,
            }),
            Box::new(WithHelper {
                helper_ns: 2 * hour,
                seen: 0,
            }),
        ];
        let outcome = execute(
            counting_source(10, Arc::default()),
            vec![stage(workers)],
            sink,
            &settings(2, 2),
            &live(1),
            ProgressMode::Off,
        )
        .unwrap();
        let cpu_ns = outcome.stages[0].cpu_ns;
        // The workers' own threads add a little, far less than an hour.
        assert!((3 * hour..4 * hour).contains(&cpu_ns), "{cpu_ns}");
        // Summed over the workers, as each holds its own.
        assert_eq!(outcome.stages[0].index_bytes, 10);
        assert_eq!(outcome.stages[0].index_folds, 3);
    }

    #[test]
    fn dedupe_is_prepared_on_its_workers_before_it_judges_on_one() {
        let text = "[[stages]]\ntype = \"clean\"\nworkers = 2\n\
                    [[stages]]\ntype = \"dedupe\"\nworkers = 3\n";
        let config = Config::parse(text, Path::new("test.toml"), PathBuf::new()).unwrap();
        let state = tempfile::tempdir().unwrap();
        let built = build_stages(&config, state.path(), None).unwrap();
        assert_eq!(built.names, ["clean", "dedupe_prepare", "dedupe"]);
        let workers: Vec<usize> = built.workers.iter().map(Vec::len).collect();
        assert_eq!(workers, [2, 3, 1]);
        assert_eq!(built.ordered_input, [false, false, true]);
        assert_eq!(built.config_index, [Some(0), None, Some(1)]);
    }

    #[test]
    fn a_panicking_stage_becomes_an_error_and_commits_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let sink = JsonlSink::create(dir.path()).unwrap();
        let panics = boxed(|doc: Document| {
            if doc.id == "d500" {
                panic!("boom");
            }
            Ok(Verdict::Keep(doc))
        });
        let keeps = boxed(|doc: Document| Ok(Verdict::Keep(doc)));
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let result = execute(
                counting_source(100_000, Arc::default()),
                vec![stage(vec![panics]), stage(vec![keeps])],
                sink,
                &settings(16, 1),
                &live(2),
                ProgressMode::Off,
            );
            tx.send(result.err().map(|e| e.to_string())).unwrap();
        });
        let error = rx
            .recv_timeout(Duration::from_secs(30))
            .expect("the run ends instead of hanging")
            .expect("the run fails");
        assert!(
            error.contains("stage `s0` panicked on document `d500`: boom"),
            "{error}"
        );
        assert!(!dir.path().join("documents.jsonl").exists());
    }

    #[test]
    fn a_fatal_stage_error_stops_the_run() {
        let dir = tempfile::tempdir().unwrap();
        let sink = JsonlSink::create(dir.path()).unwrap();
        let fails = boxed(|_doc: Document| {
            Err(StageError::Fatal {
                message: "model file vanished".into(),
            })
        });
        let result = execute(
            counting_source(1000, Arc::default()),
            vec![stage(vec![fails])],
            sink,
            &settings(8, 1),
            &live(1),
            ProgressMode::Off,
        );
        let error = result.err().unwrap().to_string();
        assert_eq!(error, "stage `s0` failed: model file vanished");
    }

    #[test]
    fn a_slow_stage_holds_the_reader_back() {
        let dir = tempfile::tempdir().unwrap();
        let sink = JsonlSink::create(dir.path()).unwrap();
        let produced = Arc::new(AtomicU64::new(0));
        let seen = Arc::clone(&produced);
        let mut processed = 0u64;
        let mut max_ahead = 0u64;
        let slow = boxed(move |doc: Document| {
            processed += 1;
            max_ahead = max_ahead.max(seen.load(Ordering::SeqCst) - processed);
            assert!(
                max_ahead <= 4 * 5,
                "the reader ran {max_ahead} documents ahead"
            );
            std::thread::sleep(Duration::from_micros(200));
            Ok(Verdict::Keep(doc))
        });
        let outcome = execute(
            counting_source(500, Arc::clone(&produced)),
            vec![stage(vec![slow])],
            sink,
            &settings(4, 1),
            &live(1),
            ProgressMode::Off,
        )
        .unwrap();
        assert_eq!(outcome.sink.documents, 500);
    }

    #[test]
    fn a_batch_stuck_on_one_worker_lets_the_others_run_only_so_far_ahead() {
        let dir = tempfile::tempdir().unwrap();
        let sink = JsonlSink::create(dir.path()).unwrap();
        let produced = Arc::new(AtomicU64::new(0));
        let produced_while_stuck = Arc::new(AtomicU64::new(0));
        let workers: Vec<Box<dyn Stage>> = (0..2)
            .map(|_| {
                let (seen, stuck) = (Arc::clone(&produced), Arc::clone(&produced_while_stuck));
                boxed(move |doc: Document| {
                    if doc.id == "d0" {
                        // The other worker meanwhile takes every batch it is given.
                        std::thread::sleep(Duration::from_millis(400));
                        stuck.store(seen.load(Ordering::SeqCst), Ordering::SeqCst);
                    }
                    Ok(Verdict::Keep(doc))
                })
            })
            .collect();
        let (batch_size, capacity) = (4, 1);
        let outcome = execute(
            counting_source(20_000, Arc::clone(&produced)),
            vec![stage(workers)],
            sink,
            &settings(batch_size, capacity),
            &live(1),
            ProgressMode::Off,
        )
        .unwrap();
        assert_eq!(outcome.sink.documents, 20_000);
        // The batches in flight, and the one the reader is filling.
        let bound = (batches_in_flight(&[2], capacity) + 1) * batch_size;
        let ahead = produced_while_stuck.load(Ordering::SeqCst) as usize;
        assert!(
            ahead <= bound,
            "{ahead} documents read while one batch was stuck"
        );
        let lines = std::fs::read_to_string(dir.path().join(DOCUMENTS_FILE)).unwrap();
        let ids: Vec<String> = lines
            .lines()
            .take(3)
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["id"].to_string())
            .collect();
        assert_eq!(ids, ["\"d0\"", "\"d1\"", "\"d2\""], "in input order");
    }

    #[test]
    fn empty_input_writes_empty_files() {
        let dir = tempfile::tempdir().unwrap();
        let sink = JsonlSink::create(dir.path()).unwrap();
        let keeps = boxed(|doc: Document| Ok(Verdict::Keep(doc)));
        let outcome = execute(
            counting_source(0, Arc::default()),
            vec![stage(vec![keeps])],
            sink,
            &settings(8, 1),
            &live(1),
            ProgressMode::Off,
        )
        .unwrap();
        assert_eq!((outcome.sink.documents, outcome.sink.rejected), (0, 0));
        assert_eq!(
            std::fs::read_to_string(dir.path().join("documents.jsonl")).unwrap(),
            ""
        );
    }
}
