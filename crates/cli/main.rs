//! `pipeline`: command-line entry point. Parses arguments, runs, prints the summary, and
//! maps the outcome to an exit code (0 success, 2 error). Everything else is in
//! `pipeline-runtime`.

use std::path::PathBuf;
use std::process::ExitCode;

/// Every stage allocates per document (strings, token lists, JSON values) on its own
/// thread; glibc's allocator spent about 14 % of a run's CPU time there, mimalloc less.
/// Built with the crate's `no_thp` feature: mimalloc otherwise asks for transparent huge
/// pages, and every thread's partly used 2 MB regions are then wholly resident (peak
/// anonymous memory of a 20 MB run with annotation: 110 MB instead of 150, at no more CPU
/// time).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use anyhow::Context;
use clap::{Parser, Subcommand, ValueEnum};
use pipeline_runtime::phases::{self, Shard, ShardOptions, StreamPhase};
use pipeline_runtime::{
    export, link_names, run, stream, Config, Error, ExportFormat, ProgressMode, RunOptions,
    StreamOptions, DEFAULT_LINK_MEMORY_MB,
};

/// Turns raw documents into clean, deduplicated, annotated JSONL.
///
/// Reads text and JSONL files (plain, .gz, .zst), cleans pasted web text, detects the
/// language, removes duplicates and annotates sentences, dates, entities and quotations.
/// Writes documents.jsonl, rejected.jsonl and report.json to the output folder.
#[derive(Debug, Parser)]
#[command(name = "pipeline", version, about, long_about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the pipeline described by a config file.
    ///
    /// Example: pipeline run pipeline.toml --input more_articles/ --output out2
    Run {
        /// The config file (TOML), e.g. pipeline.toml.
        config: PathBuf,
        /// Read this file, folder or glob pattern instead of the config's [source].paths;
        /// repeat for several.
        #[arg(long = "input", short = 'i', value_name = "PATH")]
        inputs: Vec<String>,
        /// Write to this folder instead of the config's [sink].path.
        #[arg(long, short = 'o', value_name = "DIR")]
        output: Option<PathBuf>,
        /// How to show progress on stderr.
        #[arg(long, value_enum, default_value_t = Progress::Auto)]
        progress: Progress,
        /// Print no summary at the end (progress is still shown unless --progress off).
        #[arg(long, short = 'q')]
        quiet: bool,
        /// Read every input again. Without it, a run into an output folder that holds an
        /// earlier run's output reads only new and changed files and keeps the rest.
        #[arg(long)]
        full: bool,
        /// Run share I of N of the input files (I from 0; by a hash of each file's path)
        /// into <output>/shard-I-of-N/, ending with a _SUCCESS marker. The shards' outputs
        /// together equal one whole run. A config with a `dedupe` stage needs the
        /// `pipeline dedup` phases instead.
        #[arg(long, value_name = "I/N")]
        shard: Option<Shard>,
    },
    /// Run the pipeline on JSONL documents from stdin, writing the output documents to
    /// stdout in input order (for shell pipes and engines such as Spark's RDD.pipe).
    ///
    /// Example: zcat docs.jsonl.gz | pipeline stream pipeline.toml --rejected rej.jsonl > out.jsonl
    Stream {
        /// The config file (TOML); its [source] text_key and id_key name the JSONL fields.
        config: PathBuf,
        /// Where to write the rejected documents [default: <sink path>/rejected.jsonl].
        #[arg(long, value_name = "FILE")]
        rejected: Option<PathBuf>,
        /// Where to write the report [default: <sink path>/report.json].
        #[arg(long, value_name = "FILE")]
        report: Option<PathBuf>,
        /// How to show progress on stderr.
        #[arg(long, value_enum, default_value_t = Progress::Off)]
        progress: Progress,
        /// Print no summary on stderr at the end.
        #[arg(long, short = 'q')]
        quiet: bool,
        /// Run one per-partition phase of the global deduplication instead of the whole
        /// pipeline: `signatures` (the stages before `dedupe`; pending documents with
        /// fingerprints out) or `filter` (pending documents in; decisions applied, the
        /// stages after `dedupe`, documents out).
        #[arg(long, value_enum)]
        phase: Option<PhaseArg>,
        /// With --phase signatures: this partition's place in the dataset (positions are
        /// PART:n), so that the first of duplicates in dataset order is kept.
        #[arg(long, value_name = "PART", default_value_t = 0)]
        part: u64,
        /// With --phase filter: the decisions file of `pipeline dedup clusters`.
        #[arg(long, value_name = "FILE")]
        decisions: Option<PathBuf>,
    },
    /// Deduplicate across shards or partitions, in phases with files in and files out
    /// (README, "Running on several machines").
    ///
    /// On files: `signatures --shard I/N` for each shard, `bands` (once, or per key
    /// partition), `clusters` (once), `filter --shard I/N` for each shard.
    #[command(subcommand)]
    Dedup(DedupCommand),
    /// Check a config file without running it: parse it, validate every stage, report
    /// every problem at once.
    Validate {
        /// The config file (TOML).
        config: PathBuf,
    },
    /// Convert documents.jsonl for other NLP tools: spaCy JSON (one Doc.to_json() object
    /// per line) or CoNLL-U.
    ///
    /// Example: pipeline export out/documents.jsonl --format spacy -o out/documents.spacy.jsonl
    Export {
        /// A documents.jsonl written by `pipeline run`.
        documents: PathBuf,
        /// The format to write.
        #[arg(long, short = 'f', value_enum)]
        format: ExportTarget,
        /// Write here instead of to stdout.
        #[arg(long, short = 'o', value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Link persons named by one word (`Merkel`) to the full name other documents give
    /// (`Angela Merkel`), across a documents.jsonl put together from several outputs
    /// (shards, Spark partitions); `pipeline run` does it by itself. Rewrites the file.
    ///
    /// Example: pipeline link-names out/documents.jsonl
    LinkNames {
        /// A documents.jsonl written by `pipeline run` or put together from its shards.
        documents: PathBuf,
        /// Memory for the full names, in MB, as `link_memory_mb` of the annotate stage:
        /// beyond it, the names of the fewest documents are forgotten.
        #[arg(long, value_name = "MB", default_value_t = DEFAULT_LINK_MEMORY_MB,
              value_parser = clap::value_parser!(u64).range(1..=1 << 20))]
        memory_mb: u64,
    },
}

#[derive(Debug, Subcommand)]
enum DedupCommand {
    /// Phase 1, per shard: the stages before `dedupe` over the shard's inputs; writes
    /// pending.jsonl (documents with fingerprints) into <output>/shard-I-of-N/.
    Signatures {
        /// The config file (TOML).
        config: PathBuf,
        /// The share of the input files, I/N (from 0).
        #[arg(long, value_name = "I/N")]
        shard: Shard,
        /// Read these inputs instead of the config's [source].paths.
        #[arg(long = "input", short = 'i', value_name = "PATH")]
        inputs: Vec<String>,
        /// The output folder instead of the config's [sink].path.
        #[arg(long, short = 'o', value_name = "DIR")]
        output: Option<PathBuf>,
        /// How to show progress on stderr.
        #[arg(long, value_enum, default_value_t = Progress::Auto)]
        progress: Progress,
    },
    /// Phase 2 (the shuffle) on files: groups the documents of every shard that share a
    /// key; writes <output>/dedup/groups-K-of-M.jsonl.
    Bands {
        /// The config file (TOML).
        config: PathBuf,
        /// The output folder instead of the config's [sink].path.
        #[arg(long, short = 'o', value_name = "DIR")]
        output: Option<PathBuf>,
        /// Only the keys of partition K of M (run M of these in parallel).
        #[arg(long, value_name = "K/M")]
        partition: Option<Shard>,
    },
    /// Phase 2, map side, for engines that shuffle themselves: KEY<TAB>POS lines for
    /// every key of every pending document (stdin when no file is given).
    Keys {
        /// The config file (TOML).
        config: PathBuf,
        /// Pending documents (files or folders); stdin when none.
        pending: Vec<PathBuf>,
    },
    /// Phase 3: connected components of the groups, decided in input order; writes the
    /// decisions (<output>/dedup/decisions.jsonl by default).
    Clusters {
        /// The config file (TOML).
        config: PathBuf,
        /// The output folder instead of the config's [sink].path.
        #[arg(long, short = 'o', value_name = "DIR")]
        output: Option<PathBuf>,
        /// Groups files or folders [default: <output>/dedup/groups-*.jsonl].
        #[arg(long, value_name = "PATH")]
        groups: Vec<PathBuf>,
        /// Pending documents, files or folders [default: every shard's pending.jsonl].
        #[arg(long, value_name = "PATH")]
        pending: Vec<PathBuf>,
        /// Where to write the decisions [default: <output>/dedup/decisions.jsonl].
        #[arg(long, value_name = "FILE")]
        decisions: Option<PathBuf>,
    },
    /// Phase 4, per shard: applies the decisions and runs the stages after `dedupe`;
    /// writes the shard's documents.jsonl, rejected.jsonl, report.json and _SUCCESS.
    Filter {
        /// The config file (TOML).
        config: PathBuf,
        /// The share, I/N, as in the signatures phase.
        #[arg(long, value_name = "I/N")]
        shard: Shard,
        /// The output folder instead of the config's [sink].path.
        #[arg(long, short = 'o', value_name = "DIR")]
        output: Option<PathBuf>,
        /// The decisions [default: <output>/dedup/decisions.jsonl].
        #[arg(long, value_name = "FILE")]
        decisions: Option<PathBuf>,
        /// How to show progress on stderr.
        #[arg(long, value_enum, default_value_t = Progress::Auto)]
        progress: Progress,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum PhaseArg {
    /// The stages before `dedupe`, then fingerprints.
    Signatures,
    /// The decisions, then the stages after `dedupe`.
    Filter,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ExportTarget {
    /// spaCy's Doc.to_json() shape, one object per line.
    Spacy,
    /// CoNLL-U with entity tags in the MISC column.
    Conllu,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Progress {
    /// Bars on a terminal, a status line every 5 s otherwise.
    Auto,
    /// Progress bars.
    Bars,
    /// A status line every 5 s.
    Lines,
    /// No progress output.
    Off,
}

fn progress_mode(progress: Progress) -> ProgressMode {
    match progress {
        Progress::Auto => ProgressMode::Auto,
        Progress::Bars => ProgressMode::Bars,
        Progress::Lines => ProgressMode::Lines,
        Progress::Off => ProgressMode::Off,
    }
}

fn main() -> ExitCode {
    match try_main() {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(2)
        }
    }
}

fn try_main() -> anyhow::Result<ExitCode> {
    let cli = Cli::parse();
    match cli.command {
        Command::Validate { config } => {
            let loaded = Config::load(&config)?;
            let stages: Vec<String> = loaded
                .stages
                .iter()
                .map(|s| format!("{} (workers = {})", s.config.name(), s.workers))
                .collect();
            println!(
                "{} is valid: {} stage(s): {}",
                config.display(),
                stages.len(),
                stages.join(" -> ")
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Stream {
            config,
            rejected,
            report,
            progress,
            quiet,
            phase,
            part,
            decisions,
        } => {
            let loaded = Config::load(&config)?;
            let phase = match (phase, decisions) {
                (None, None) => None,
                (Some(PhaseArg::Signatures), None) => Some(StreamPhase::Signatures { part }),
                (Some(PhaseArg::Filter), Some(decisions)) => {
                    Some(StreamPhase::Filter { decisions })
                }
                (Some(PhaseArg::Filter), None) => {
                    anyhow::bail!(
                        "--phase filter needs --decisions FILE (from `pipeline dedup clusters`)"
                    )
                }
                (_, Some(_)) => anyhow::bail!("--decisions belongs to --phase filter"),
            };
            let options = StreamOptions {
                rejected: rejected.unwrap_or_else(|| loaded.output_dir().join("rejected.jsonl")),
                report: report.unwrap_or_else(|| loaded.output_dir().join("report.json")),
                progress: progress_mode(progress),
                phase,
            };
            let input = Box::new(std::io::stdin());
            let output = Box::new(std::io::stdout());
            match stream(&loaded, &options, input, output) {
                Ok(report) => {
                    if !quiet {
                        eprint!("{}", report.summary());
                    }
                    Ok(ExitCode::SUCCESS)
                }
                // The reader of our output went away (`| head`): nothing failed.
                Err(Error::BrokenPipe) => Ok(ExitCode::SUCCESS),
                Err(error) => Err(error).context("stream failed"),
            }
        }
        Command::Dedup(command) => dedup(command),
        Command::Export {
            documents,
            format,
            output,
        } => {
            let format = match format {
                ExportTarget::Spacy => ExportFormat::Spacy,
                ExportTarget::Conllu => ExportFormat::Conllu,
            };
            let count = match &output {
                Some(path) => {
                    let mut file = std::fs::File::create(path)
                        .with_context(|| format!("cannot create {}", path.display()))?;
                    export(&documents, format, &mut file)?
                }
                None => export(&documents, format, &mut std::io::stdout().lock())?,
            };
            eprintln!("exported {count} documents");
            Ok(ExitCode::SUCCESS)
        }
        Command::LinkNames {
            documents,
            memory_mb,
        } => {
            let memory = usize::try_from(memory_mb << 20).unwrap_or(usize::MAX);
            let linked = link_names(&documents, memory)
                .with_context(|| format!("cannot link the names of {}", documents.display()))?;
            eprintln!("{}", linked.summary());
            Ok(ExitCode::SUCCESS)
        }
        Command::Run {
            config,
            inputs,
            output,
            progress,
            quiet,
            full,
            shard,
        } => {
            let loaded = Config::load(&config)?;
            let options = RunOptions {
                inputs,
                output,
                full,
                progress: progress_mode(progress),
                shard,
            };
            let report = run(&loaded, &options).with_context(|| {
                format!(
                    "run of {} failed; earlier output was left as it was",
                    config.display()
                )
            })?;
            if !quiet {
                eprint!("{}", report.summary());
            }
            if !report.conservation.ok {
                anyhow::bail!(
                    "documents were lost or duplicated ({} inputs, {} documents, {} rejected); see report.json",
                    report.conservation.input_items,
                    report.conservation.documents,
                    report.conservation.rejected
                );
            }
            let budget = &report.error_budget;
            if budget.exceeded {
                anyhow::bail!(
                    "{} of {} inputs ({:.1}%) could not be read or processed, over the error budget of {:.1}% \
                     ([pipeline].error_budget); the output was written, see {}/rejected.jsonl for each reason",
                    budget.failed,
                    budget.inputs,
                    100.0 * budget.failed as f64 / budget.inputs.max(1) as f64,
                    100.0 * budget.budget,
                    report.output_dir
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Runs one phase of the global deduplication.
fn dedup(command: DedupCommand) -> anyhow::Result<ExitCode> {
    match command {
        DedupCommand::Signatures {
            config,
            shard,
            inputs,
            output,
            progress,
        } => {
            let loaded = Config::load(&config)?;
            let options = ShardOptions {
                shard: Some(shard),
                inputs,
                output,
                progress: progress_mode(progress),
            };
            let report = phases::signatures(&loaded, &options).with_context(|| {
                format!("signatures of shard {}/{} failed", shard.index, shard.count)
            })?;
            eprint!("{}", report.summary());
        }
        DedupCommand::Bands {
            config,
            output,
            partition,
        } => {
            let loaded = Config::load(&config)?;
            let root = output.unwrap_or_else(|| loaded.output_dir());
            let (file, groups) =
                phases::bands(&loaded, &root, partition).context("bands failed")?;
            eprintln!(
                "{groups} groups of documents sharing a key -> {}",
                file.display()
            );
        }
        DedupCommand::Keys { config, pending } => {
            let loaded = Config::load(&config)?;
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            match phases::keys(&loaded, &pending, &mut out) {
                Ok(_) => {}
                Err(Error::Write { source, .. })
                    if source.kind() == std::io::ErrorKind::BrokenPipe => {}
                Err(error) => return Err(error).context("keys failed"),
            }
            use std::io::Write;
            let _ = out.flush();
        }
        DedupCommand::Clusters {
            config,
            output,
            groups,
            pending,
            decisions,
        } => {
            let loaded = Config::load(&config)?;
            let root = output.unwrap_or_else(|| loaded.output_dir());
            let groups = if groups.is_empty() {
                vec![root.join(phases::DEDUP_DIR)]
            } else {
                groups
            };
            let pending = if pending.is_empty() {
                shard_pending(&root)?
            } else {
                pending
            };
            let target = decisions.unwrap_or_else(|| phases::decisions_path(&root));
            let summary =
                phases::clusters(&loaded, &groups, &pending, &target).context("clusters failed")?;
            eprintln!(
                "{} groups, {} documents in {} clusters, {} decisions -> {}",
                summary.groups,
                summary.documents,
                summary.components,
                summary.decisions,
                target.display()
            );
        }
        DedupCommand::Filter {
            config,
            shard,
            output,
            decisions,
            progress,
        } => {
            let loaded = Config::load(&config)?;
            let root = output.clone().unwrap_or_else(|| loaded.output_dir());
            let decisions = decisions.unwrap_or_else(|| phases::decisions_path(&root));
            let options = ShardOptions {
                shard: Some(shard),
                inputs: Vec::new(),
                output,
                progress: progress_mode(progress),
            };
            let report = phases::filter(&loaded, &options, &decisions).with_context(|| {
                format!("filter of shard {}/{} failed", shard.index, shard.count)
            })?;
            eprint!("{}", report.summary());
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Every shard's pending.jsonl under `root`.
fn shard_pending(root: &std::path::Path) -> anyhow::Result<Vec<PathBuf>> {
    let files = phases::shard_files(root, phases::PENDING_FILE)?;
    if files.is_empty() {
        anyhow::bail!(
            "no shard-*/pending.jsonl under {}: run `pipeline dedup signatures --shard I/N` first",
            root.display()
        );
    }
    Ok(files)
}
