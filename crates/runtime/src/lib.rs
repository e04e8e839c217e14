//! The pipeline's runtime: reads the config ([`Config`]), builds every stage, and runs them
//! as threads joined by bounded crossbeam channels ([`run`]), writing `documents.jsonl`,
//! `rejected.jsonl` and `report.json` ([`Report`]).
//!
//! ```text
//! reader ──batch──▶ stage 1 (N workers) ──batch──▶ … ──batch──▶ writer
//!          bounded               bounded                bounded
//! ```
#![deny(missing_docs)]
// Sources yield `Result<Document, Rejected>`: both sides are whole records of similar size,
// so boxing the error side would only add an allocation per rejected input.
#![allow(clippy::result_large_err)]

mod batch;
mod checkpoint;
mod config;
mod error;
mod export;
mod json_text;
mod names;
pub mod phases;
mod progress;
mod report;
mod run;
mod sink;
mod state;

pub use config::{
    available_cores, AnyStageConfig, Config, PipelineSettings, SinkConfig, StageSpec,
};
pub use error::{Error, Result};
pub use export::{export, ExportFormat};
pub use names::{link_names, NamesLinked, DEFAULT_LINK_MEMORY_MB};
pub use progress::ProgressMode;
pub use report::{Conservation, ErrorBudget, Report, Resumed, StageReport, Throughput};
pub use run::{run, stream, RunOptions, StreamOptions};
pub use sink::{SinkCounts, DOCUMENTS_FILE, REJECTED_FILE, REPORT_FILE, SCHEMA_VERSION};
