//! `pipeline`: command-line entry point. Parses arguments, runs, prints the summary, and
//! maps the outcome to an exit code (0 success, 2 error). Everything else is in
//! `pipeline-runtime`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand, ValueEnum};
use pipeline_runtime::{
    export, run, stream, Config, Error, ExportFormat, ProgressMode, RunOptions, StreamOptions,
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
    },
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
        } => {
            let loaded = Config::load(&config)?;
            let options = StreamOptions {
                rejected: rejected.unwrap_or_else(|| loaded.output_dir().join("rejected.jsonl")),
                report: report.unwrap_or_else(|| loaded.output_dir().join("report.json")),
                progress: progress_mode(progress),
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
        Command::Run {
            config,
            inputs,
            output,
            progress,
            quiet,
            full,
        } => {
            let loaded = Config::load(&config)?;
            let options = RunOptions {
                inputs,
                output,
                full,
                progress: progress_mode(progress),
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
