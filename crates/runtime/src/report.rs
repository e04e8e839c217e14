//! `report.json`: what a run did, and the one-screen summary printed at its end.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::{SystemTime, UNIX_EPOCH};

use pipeline_core::Counters;
use serde::Serialize;

use crate::sink::{SinkCounts, SCHEMA_VERSION};

/// Everything `report.json` holds.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Version of the output contract.
    pub schema_version: u32,
    /// Version of the pipeline that wrote the output.
    pub pipeline_version: &'static str,
    /// The config file, as given.
    pub config_path: String,
    /// Hex SHA-256 of the config file.
    pub config_hash: String,
    /// The input paths actually read (the config's or `--input`).
    pub inputs: Vec<String>,
    /// The output folder.
    pub output_dir: String,
    /// When the run started, UTC, ISO 8601.
    pub started_at: String,
    /// Wall time of the whole run in seconds.
    pub wall_seconds: f64,
    /// Input files listed (read or skipped).
    pub input_files: u64,
    /// Size on disk of the files read in this run, in bytes.
    pub input_bytes: u64,
    /// `full` (every input read), `incremental` (only new and changed files read; the
    /// output of the others carried over) or `resumed` (an interrupted run's output up to
    /// its last checkpoint carried over, the rest read).
    pub mode: &'static str,
    /// Why the run read everything, when it did.
    pub full_reason: Option<String>,
    /// Input files skipped because they did not change since the last run.
    pub files_skipped: u64,
    /// The checkpoint a resumed run (`mode` `resumed`) went on from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resumed: Option<Resumed>,
    /// Why a checkpoint found in the output folder was not used (the run then started
    /// afresh or incrementally, as `mode` says).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resume_refused: Option<String>,
    /// Per stage, in pipeline order, starting with `read` and ending with `write`.
    pub stages: Vec<StageReport>,
    /// What was written.
    pub output: SinkCounts,
    /// Rejections by stage and reason (`read.read_binary`, `dedupe.dedup_exact_duplicate`).
    pub rejected_by_reason: BTreeMap<String, u64>,
    /// Whether every input document is accounted for exactly once.
    pub conservation: Conservation,
    /// Failed inputs against `[pipeline].error_budget`.
    pub error_budget: ErrorBudget,
    /// End-to-end throughput over the wall time.
    pub throughput: Throughput,
    /// Peak resident memory of the process in bytes, where the OS tells it.
    pub peak_rss_bytes: Option<u64>,
}

/// One stage's line in the report.
#[derive(Debug, Clone, Serialize)]
pub struct StageReport {
    /// The stage type (`read`, `clean`, …, `write`).
    pub name: String,
    /// Worker threads it ran on.
    pub workers: usize,
    /// Its counters, summed over workers.
    #[serde(flatten)]
    pub counters: Counters,
    /// Busy time in seconds, summed over workers.
    pub busy_seconds: f64,
    /// Text bytes in per busy second (MB/s, 10^6 bytes).
    pub mb_per_busy_second: f64,
    /// CPU time of its threads in seconds, summed over workers (0 where the OS does not
    /// tell).
    pub cpu_seconds: f64,
}

impl StageReport {
    /// A stage's report from its merged counters.
    pub fn new(name: &str, workers: usize, counters: Counters) -> Self {
        let busy_seconds = counters.busy_ns as f64 / 1e9;
        let mb_per_busy_second = if busy_seconds > 0.0 {
            counters.bytes_in as f64 / 1e6 / busy_seconds
        } else {
            0.0
        };
        StageReport {
            name: name.to_owned(),
            workers,
            busy_seconds,
            mb_per_busy_second,
            cpu_seconds: counters.cpu_ns as f64 / 1e9,
            counters,
        }
    }
}

/// Where a resumed run went on from.
#[derive(Debug, Clone, Serialize)]
pub struct Resumed {
    /// When the interrupted run took the checkpoint (UTC).
    pub checkpoint_taken_at: String,
    /// Input files the checkpoint's output covered whole (with those of earlier runs).
    pub files_done: u64,
    /// The file the interrupted run was reading, read on after `after_record`.
    pub file: Option<String>,
    /// The last record (JSONL line, WARC record) of `file` already written.
    pub after_record: Option<u64>,
}

/// The run's own check that nothing was lost or written twice.
#[derive(Debug, Clone, Serialize)]
pub struct Conservation {
    /// Documents and unreadable inputs that came out of the reader.
    pub input_items: u64,
    /// Lines in `documents.jsonl`.
    pub documents: u64,
    /// Lines in `rejected.jsonl`.
    pub rejected: u64,
    /// `input_items == documents + rejected` and every stage balanced.
    pub ok: bool,
}

/// Inputs that failed (unreadable, or a stage could not process them) against the budget.
#[derive(Debug, Clone, Serialize)]
pub struct ErrorBudget {
    /// Input items that failed.
    pub failed: u64,
    /// Input items in this run.
    pub inputs: u64,
    /// The configured largest share of failures.
    pub budget: f64,
    /// Whether `failed / inputs` is above the budget.
    pub exceeded: bool,
}

/// End-to-end throughput.
#[derive(Debug, Clone, Serialize)]
pub struct Throughput {
    /// Text bytes read per wall second (MB/s, 10^6 bytes).
    pub mb_per_second: f64,
    /// Input items per wall second.
    pub documents_per_second: f64,
}

impl Report {
    /// Schema version helper for the builder in `run`.
    pub(crate) fn schema_version() -> u32 {
        SCHEMA_VERSION
    }

    /// The one-screen summary printed at the end of a run.
    pub fn summary(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{:<16} {:>7} {:>9} {:>9} {:>9} {:>9} {:>9}",
            "stage", "workers", "in", "out", "dropped", "errored", "MB/s"
        );
        for stage in &self.stages {
            let c = &stage.counters;
            let _ = writeln!(
                out,
                "{:<16} {:>7} {:>9} {:>9} {:>9} {:>9} {:>9.1}",
                stage.name,
                stage.workers,
                c.docs_in,
                c.docs_out,
                c.docs_dropped,
                c.docs_errored,
                stage.mb_per_busy_second
            );
        }
        if !self.rejected_by_reason.is_empty() {
            let _ = writeln!(out, "rejected:");
            for (reason, n) in &self.rejected_by_reason {
                let _ = writeln!(out, "  {n:>7}  {reason}");
            }
        }
        if self.mode == "incremental" {
            let _ = writeln!(
                out,
                "incremental: {} of {} files unchanged and skipped; {} documents and {} rejections carried over",
                self.files_skipped, self.input_files, self.output.carried_documents, self.output.carried_rejected
            );
        }
        if let Some(resumed) = &self.resumed {
            let within = match (&resumed.file, resumed.after_record) {
                (Some(file), Some(record)) => format!(", {file} after record {record}"),
                _ => String::new(),
            };
            let _ = writeln!(
                out,
                "resumed from the checkpoint of {} ({} files done{within}): {} documents and {} rejections carried over",
                resumed.checkpoint_taken_at,
                resumed.files_done,
                self.output.carried_documents,
                self.output.carried_rejected
            );
        }
        let linked = &self.output.names_linked;
        if linked.mentions > 0 || linked.forgotten_below > 0 {
            let _ = writeln!(out, "names: {}", linked.summary());
        }
        if let Some(why) = &self.resume_refused {
            let _ = writeln!(out, "not resumed: {why}");
        }
        let c = &self.conservation;
        let _ = writeln!(
            out,
            "{} inputs -> {} documents + {} rejected: {}",
            c.input_items,
            c.documents,
            c.rejected,
            if c.ok {
                "every input accounted for"
            } else {
                "MISMATCH, please report this"
            }
        );
        let b = &self.error_budget;
        if b.failed > 0 {
            let _ = writeln!(
                out,
                "{} of {} inputs failed ({:.1}%), error budget {:.1}%{}",
                b.failed,
                b.inputs,
                100.0 * b.failed as f64 / b.inputs.max(1) as f64,
                100.0 * b.budget,
                if b.exceeded { ": EXCEEDED" } else { "" }
            );
        }
        // What of the peak grows with the input: a larger corpus costs that much more.
        let growing: String = self
            .stages
            .iter()
            .filter(|s| s.counters.index_bytes > 0)
            .map(|s| {
                let folds = match s.counters.index_folds {
                    0 => String::new(),
                    n => format!(
                        ", its key filters folded {n} times to stay within filter_memory_mb, which costs speed"
                    ),
                };
                format!(
                    " ({} index {:.0} MB{folds})",
                    s.name,
                    s.counters.index_bytes as f64 / 1e6
                )
            })
            .collect();
        let _ = writeln!(
            out,
            "{:.2} s, {:.1} MB/s, {:.0} docs/s, peak memory {}{growing}; output in {}",
            self.wall_seconds,
            self.throughput.mb_per_second,
            self.throughput.documents_per_second,
            self.peak_rss_bytes
                .map(|b| format!("{:.0} MB", b as f64 / 1e6))
                .unwrap_or_else(|| "unknown".to_owned()),
            self.output_dir
        );
        out
    }
}

/// Peak resident set size of this process (Linux `VmHWM`), in bytes.
pub fn peak_rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// The current time as `YYYY-MM-DDTHH:MM:SSZ`.
pub fn now_utc() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    format_utc(secs)
}

/// Formats seconds since the Unix epoch as ISO 8601 UTC (civil-from-days algorithm).
fn format_utc(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_known_instants() {
        assert_eq!(format_utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(format_utc(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(format_utc(1_758_521_460), "2025-09-22T06:11:00Z");
    }

    #[test]
    fn peak_memory_is_known_on_linux() {
        if cfg!(target_os = "linux") {
            assert!(peak_rss_bytes().unwrap() > 0);
        }
    }
}
