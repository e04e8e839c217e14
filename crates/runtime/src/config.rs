//! The config file: `[pipeline]`, `[source]`, an ordered `[[stages]]` list and `[sink]`.
//!
//! Loading has three phases: parse (serde; unknown keys are errors), validate (every
//! problem collected, each prefixed with where it is), build (in [`crate::run`]).

use std::path::{Path, PathBuf};

use pipeline_annotate::AnnotateConfig;
use pipeline_clean::CleanConfig;
use pipeline_core::StageConfig;
use pipeline_dedup::DedupConfig;
use pipeline_langid::LangIdConfig;
use pipeline_read::ReadConfig;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

/// A whole config file after parsing and validation.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where the config was read from.
    pub path: PathBuf,
    /// Folder that relative paths in the config are resolved against (the config's folder).
    pub base_dir: PathBuf,
    /// Hex SHA-256 of the config file's bytes.
    pub hash: String,
    /// `[pipeline]`: how documents move.
    pub pipeline: PipelineSettings,
    /// `[source]`: what to read.
    pub source: ReadConfig,
    /// `[[stages]]`, in order.
    pub stages: Vec<StageSpec>,
    /// `[sink]`: where to write.
    pub sink: SinkConfig,
}

/// The `[pipeline]` table.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PipelineSettings {
    /// Documents per batch sent between stages. Default 64.
    #[serde(default = "default_batch_size")]
    pub batch_size: usize,
    /// Batches each channel between two stages holds before the sender waits
    /// (backpressure). Default 4.
    #[serde(default = "default_channel_capacity")]
    pub channel_capacity: usize,
    /// Write documents in input order whatever the number of workers. Default true.
    #[serde(default = "default_true")]
    pub ordered: bool,
    /// Largest share (0..1) of inputs that may fail (unreadable files and records, and
    /// documents a stage could not process; intentional drops such as duplicates do not
    /// count). The run always finishes and writes its output; above the budget it ends with
    /// exit code 2 so that scripts notice. Default 0.1.
    #[serde(default = "default_error_budget")]
    pub error_budget: f64,
    /// Seconds between checkpoints of `pipeline run`: the output so far is synced to disk
    /// and its place in the input recorded, so that a run killed at any point resumes from
    /// its last checkpoint when started again. 0 checkpoints after every batch. Runs with
    /// `ordered = false` take none (they start again from the beginning). Default 10.
    #[serde(default = "default_checkpoint_seconds")]
    pub checkpoint_seconds: f64,
}

impl Default for PipelineSettings {
    fn default() -> Self {
        PipelineSettings {
            batch_size: default_batch_size(),
            channel_capacity: default_channel_capacity(),
            ordered: true,
            error_budget: default_error_budget(),
            checkpoint_seconds: default_checkpoint_seconds(),
        }
    }
}

/// The `[sink]` table.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SinkConfig {
    /// The sink format; only `jsonl` so far. Default `jsonl`.
    #[serde(default = "default_sink_type", rename = "type")]
    pub kind: String,
    /// Output folder for `documents.jsonl`, `rejected.jsonl` and `report.json`, relative to
    /// the config's folder. `--output` replaces it. Default `out`.
    #[serde(default = "default_out")]
    pub path: String,
}

impl Default for SinkConfig {
    fn default() -> Self {
        SinkConfig {
            kind: default_sink_type(),
            path: default_out(),
        }
    }
}

/// One entry of `[[stages]]`: its type, options and number of workers.
#[derive(Debug, Clone)]
pub struct StageSpec {
    /// The stage's options, by type.
    pub config: AnyStageConfig,
    /// Worker threads for this stage (`workers = N`, or `"auto"` for one per core).
    pub workers: usize,
}

/// The stage types a config can name, each with its own options.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum AnyStageConfig {
    /// `detect_language`: document and segment language.
    DetectLanguage(LangIdConfig),
    /// `clean`: normalisation, boilerplate removal, title and date, quality filters.
    Clean(CleanConfig),
    /// `dedupe`: exact and near duplicates, repeated passages.
    Dedupe(DedupConfig),
    /// `annotate`: sentences, dates, entities, quotations.
    Annotate(AnnotateConfig),
}

impl AnyStageConfig {
    /// The stage's `type` name.
    pub fn name(&self) -> &'static str {
        match self {
            AnyStageConfig::DetectLanguage(_) => "detect_language",
            AnyStageConfig::Clean(_) => "clean",
            AnyStageConfig::Dedupe(_) => "dedupe",
            AnyStageConfig::Annotate(_) => "annotate",
        }
    }

    /// The options as the trait every stage config implements.
    pub fn as_stage_config(&self) -> &dyn StageConfig {
        match self {
            AnyStageConfig::DetectLanguage(c) => c,
            AnyStageConfig::Clean(c) => c,
            AnyStageConfig::Dedupe(c) => c,
            AnyStageConfig::Annotate(c) => c,
        }
    }
}

/// The file as parsed, before stages are typed.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    pipeline: PipelineSettings,
    #[serde(default)]
    source: ReadConfig,
    #[serde(default)]
    stages: Vec<toml::Table>,
    #[serde(default)]
    sink: SinkConfig,
}

impl Config {
    /// Reads, parses and validates the config at `path`, collecting every problem.
    pub fn load(path: &Path) -> Result<Config> {
        let bytes = std::fs::read(path).map_err(|source| Error::ReadConfig {
            path: path.to_path_buf(),
            source,
        })?;
        let text = String::from_utf8_lossy(&bytes);
        let base_dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .to_path_buf();
        Config::parse(&text, path, base_dir)
    }

    /// Parses and validates config text; `path` is only used in messages.
    pub fn parse(text: &str, path: &Path, base_dir: PathBuf) -> Result<Config> {
        let invalid = |problems: Vec<String>| Error::InvalidConfig {
            path: path.to_path_buf(),
            problems,
        };
        let raw: RawConfig =
            toml::from_str(text).map_err(|e| invalid(vec![e.to_string().trim_end().to_owned()]))?;
        let mut problems = Vec::new();
        let mut stages = Vec::new();
        for (index, table) in raw.stages.into_iter().enumerate() {
            match parse_stage(table) {
                Ok(spec) => stages.push(spec),
                Err(message) => problems.push(format!("stages[{index}]{message}")),
            }
        }
        problems.extend(
            raw.source
                .validate()
                .into_iter()
                .map(|p| format!("source: {p}")),
        );
        if raw.pipeline.batch_size == 0 || raw.pipeline.channel_capacity == 0 {
            problems
                .push("pipeline: batch_size and channel_capacity must be at least 1".to_owned());
        }
        let checkpoint_seconds = raw.pipeline.checkpoint_seconds;
        if !(checkpoint_seconds.is_finite() && checkpoint_seconds >= 0.0) {
            problems.push(format!(
                "pipeline: checkpoint_seconds = {checkpoint_seconds} must be 0 or more (seconds between checkpoints; 0 takes one after every batch)"
            ));
        }
        if !(0.0..=1.0).contains(&raw.pipeline.error_budget) {
            problems.push(format!(
                "pipeline: error_budget = {} must be a share between 0 and 1 (0.1 allows 10% of inputs to fail)",
                raw.pipeline.error_budget
            ));
        }
        if raw.sink.kind != "jsonl" {
            problems.push(format!(
                "sink: unknown type `{}`, expected `jsonl`",
                raw.sink.kind
            ));
        }
        if problems.is_empty() {
            problems.extend(check_stages(&stages));
        }
        if !problems.is_empty() {
            return Err(invalid(problems));
        }
        Ok(Config {
            path: path.to_path_buf(),
            base_dir,
            hash: hex_sha256(text.as_bytes()),
            pipeline: raw.pipeline,
            source: raw.source,
            stages,
            sink: raw.sink,
        })
    }

    /// The output folder, resolved against the config's folder.
    pub fn output_dir(&self) -> PathBuf {
        self.base_dir.join(&self.sink.path)
    }
}

/// Types one `[[stages]]` table; the error starts with ` (type): ` or `: `.
fn parse_stage(mut table: toml::Table) -> std::result::Result<StageSpec, String> {
    let type_name = table
        .get("type")
        .and_then(|v| v.as_str())
        .map(str::to_owned);
    let label = match &type_name {
        Some(name) => format!(" ({name}): "),
        None => ": ".to_owned(),
    };
    let workers = match table.remove("workers") {
        None => 1,
        Some(toml::Value::Integer(n)) if n >= 1 => n as usize,
        Some(toml::Value::String(s)) if s == "auto" => available_cores(),
        Some(other) => {
            return Err(format!(
                "{label}workers must be a whole number of at least 1 or \"auto\", not {other}"
            ))
        }
    };
    let config: AnyStageConfig = toml::Value::Table(table)
        .try_into()
        .map_err(|e: toml::de::Error| format!("{label}{}", e.message().trim_end()))?;
    Ok(StageSpec { config, workers })
}

/// Problems with the stage list as a whole: worker counts and the order of stages that
/// edit text versus stages that record offsets into it.
fn check_stages(stages: &[StageSpec]) -> Vec<String> {
    let mut problems = Vec::new();
    let mut offsets_by: Option<&str> = None;
    for (index, spec) in stages.iter().enumerate() {
        let name = spec.config.name();
        let config = spec.config.as_stage_config();
        for problem in config.validate() {
            problems.push(format!("stages[{index}] ({name}): {problem}"));
        }
        if !config.parallel() && config.preparation().is_none() && spec.workers > 1 {
            problems.push(format!(
                "stages[{index}] ({name}): workers = {} but this stage keeps one shared index and runs on one worker; remove `workers` or set it to 1",
                spec.workers
            ));
        }
        if config.edits_text() {
            if let Some(earlier) = offsets_by {
                problems.push(format!(
                    "stages[{index}] ({name}): rewrites the text after `{earlier}` recorded offsets into it; move `{name}` before `{earlier}`"
                ));
            }
        }
        if config.records_offsets() && offsets_by.is_none() {
            offsets_by = Some(name);
        }
    }
    problems
}

/// Number of cores this process may use.
pub fn available_cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

fn hex_sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn default_batch_size() -> usize {
    64
}

fn default_channel_capacity() -> usize {
    4
}

fn default_error_budget() -> f64 {
    0.1
}

fn default_checkpoint_seconds() -> f64 {
    10.0
}

fn default_true() -> bool {
    true
}

fn default_sink_type() -> String {
    "jsonl".to_owned()
}

fn default_out() -> String {
    "out".to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config> {
        Config::parse(text, Path::new("test.toml"), PathBuf::from("."))
    }

    fn problems(text: &str) -> Vec<String> {
        match parse(text) {
            Err(Error::InvalidConfig { problems, .. }) => problems,
            other => panic!("expected an invalid config, got {other:?}"),
        }
    }

    #[test]
    fn the_shipped_config_parses() {
        let text = include_str!("../../../pipeline.toml");
        let config = parse(text).unwrap();
        let names: Vec<_> = config.stages.iter().map(|s| s.config.name()).collect();
        assert_eq!(
            names,
            vec!["clean", "detect_language", "dedupe", "annotate"]
        );
    }

    #[test]
    fn an_empty_config_uses_defaults() {
        let config = parse("").unwrap();
        assert_eq!(config.source.paths, vec!["seeds"]);
        assert_eq!(config.sink.path, "out");
        assert!(config.stages.is_empty());
    }

    #[test]
    fn a_mistyped_key_is_rejected_for_every_stage_type() {
        for name in ["detect_language", "clean", "dedupe", "annotate"] {
            let found = problems(&format!("[[stages]]\ntype = \"{name}\"\nmin_chras = 3\n"));
            assert_eq!(found.len(), 1, "{found:?}");
            assert!(
                found[0].starts_with(&format!(
                    "stages[0] ({name}): unknown field `min_chras`, expected"
                )),
                "{found:?}"
            );
        }
    }

    #[test]
    fn unknown_stage_type_and_top_level_key_name_the_expected_ones() {
        let found = problems("[[stages]]\ntype = \"clen\"\n");
        assert!(found[0].contains("unknown variant `clen`"), "{found:?}");
        assert!(found[0].contains("`clean`"), "{found:?}");
        let found = problems("[sorce]\npaths = []\n");
        assert!(found[0].contains("unknown field `sorce`"), "{found:?}");
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let found = problems(
            "[[stages]]\ntype = \"clean\"\nbogus = 1\n[[stages]]\ntype = \"dedupe\"\nworkers = 0\n[sink]\ntype = \"parquet\"\n",
        );
        assert_eq!(found.len(), 3, "{found:?}");
        assert!(
            found[1].starts_with("stages[1] (dedupe): workers must be"),
            "{found:?}"
        );
        assert!(found[2].contains("parquet"), "{found:?}");
    }

    #[test]
    fn stage_order_is_checked_and_dedupe_takes_workers_for_its_preparation() {
        // Dedupe judges on one worker, but its preparation takes `workers`.
        let config = parse("[[stages]]\ntype = \"dedupe\"\nworkers = 2\n").unwrap();
        assert_eq!(config.stages[0].workers, 2);
        let found = problems("[[stages]]\ntype = \"annotate\"\n[[stages]]\ntype = \"clean\"\n");
        assert!(
            found[0].contains("move `clean` before `annotate`"),
            "{found:?}"
        );
    }

    #[test]
    fn workers_auto_means_one_per_core() {
        let config = parse("[[stages]]\ntype = \"clean\"\nworkers = \"auto\"\n").unwrap();
        assert_eq!(config.stages[0].workers, available_cores());
    }
}
