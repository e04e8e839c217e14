use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Arc;

use crate::{ConfigError, Document, StageError};

/// What a stage decided about one document.
// `Keep` is the hot path and moves the document by value; boxing it would cost an
// allocation per document, so the size difference to the rare `Drop` is intended.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum Verdict {
    /// Pass the (possibly changed) document on to the next stage.
    Keep(Document),
    /// Take the document out of the stream; it goes to `rejected.jsonl`.
    Drop(Box<Dropped>),
}

/// A document a stage dropped, with its reason.
#[derive(Debug)]
pub struct Dropped {
    /// The document as it was when dropped.
    pub doc: Document,
    /// A snake_case reason with the stage as prefix (`dedup_exact_duplicate`).
    pub reason: &'static str,
    /// What a person needs to act on it (`same text as 002_1a67b9573dd5dde7`).
    pub detail: String,
}

impl Verdict {
    /// Drop `doc` for `reason`, explained by `detail`.
    pub fn drop(doc: Document, reason: &'static str, detail: impl Into<String>) -> Self {
        Verdict::Drop(Box::new(Dropped {
            doc,
            reason,
            detail: detail.into(),
        }))
    }
}

/// A transform over documents: language detection, cleaning, deduplication, annotation.
///
/// The runtime builds one value per worker thread (see [`StageConfig::build`]), so a stage
/// never needs `Clone` or locks; it owns its state and is moved onto its thread.
pub trait Stage: Send {
    /// Called on the stage's worker thread once for each document, in input order when the
    /// stage's config asks for ordered input.
    ///
    /// - `Ok(Verdict::Keep(doc))` passes the document on;
    /// - `Ok(Verdict::Drop(..))` writes it to `rejected.jsonl` with the reason;
    /// - `Err(StageError::Document { .. })` rejects that one document as errored and the
    ///   run goes on;
    /// - `Err(StageError::Fatal { .. })` stops the run.
    fn process(&mut self, doc: Document) -> Result<Verdict, StageError>;

    /// Called once on the worker thread after the last document, before the stage's
    /// output channel closes. A stage that holds documents back returns them here; the
    /// default returns nothing.
    fn finish(&mut self) -> Result<Vec<Verdict>, StageError> {
        Ok(Vec::new())
    }

    /// Called in an incremental run, on the main thread before any document flows, once
    /// for each document an earlier run kept (as written to `documents.jsonl`: id, text,
    /// source, metadata, and the annotations under their internal keys where they map
    /// back), so a stage with memory across documents (deduplication) knows them. Only
    /// called when the stage's config says [`StageConfig::remembers`]. The default does
    /// nothing; an error stops the run.
    fn remember(&mut self, doc: &Document) -> Result<(), StageError> {
        let _ = doc;
        Ok(())
    }

    /// Whether the stage, when built, restored what it knew of the documents earlier runs
    /// kept from its own state folder (see [`RunLink`]); the runtime then does not call
    /// [`Stage::remember`] for it. The default says no.
    fn recalled(&self) -> bool {
        false
    }

    /// CPU time so far, in nanoseconds, of the threads the stage started for itself (such
    /// as a writer working in the background); the runtime adds it to the stage's CPU time
    /// after [`Stage::finish`]. The default has none.
    fn helper_cpu_ns(&self) -> u64 {
        0
    }

    /// Bytes of memory held, after [`Stage::finish`], by an index that grows with the
    /// input (the dedupe stage's), so that a run's report shows what a larger input would
    /// cost. The default has none.
    fn index_bytes(&self) -> u64 {
        0
    }

    /// Times, by the end of [`Stage::finish`], that such an index gave up speed to stay
    /// within its memory budget (the dedupe stage's filters folded). The default: never.
    fn index_folds(&self) -> u64 {
        0
    }
}

/// How a run that writes an output folder (`pipeline run`) relates to the runs before it,
/// for stages that keep state there between runs.
///
/// A stage stores `token` with the state it commits at the end of the run; the runtime
/// stores the same token with the run's manifest once the output is in place. A later
/// incremental run passes that token as `previous`: state stored with any other token
/// belongs to a run whose output never landed, and must not be trusted.
#[derive(Debug, Clone, Default)]
pub struct RunLink {
    /// Unique to this run.
    pub token: String,
    /// In an incremental run, the token of the run whose output is carried over; `None`
    /// in a full run, whose stages start from nothing.
    pub previous: Option<String>,
    /// `source.path` of the files whose documents from earlier runs this run replaces
    /// (read again because they changed); a stage forgets what it stored of them.
    pub replaced: Arc<HashSet<String>>,
}

/// What a stage may learn about where it runs when it is built.
#[derive(Debug, Clone, Default)]
pub struct BuildContext {
    /// Index of the worker this value is built for, from 0.
    pub worker: usize,
    /// Number of workers of this stage.
    pub workers: usize,
    /// Folder that relative paths in the config are resolved against.
    pub base_dir: PathBuf,
    /// Folder where a stage may keep state between runs (`<output>/state/<stage>`); the
    /// runtime creates `<output>/state`, a stage creates its own subfolder when it needs one.
    pub state_dir: PathBuf,
    /// Set when the run writes an output folder whose state outlives it; `None` for
    /// streams, phases and tests.
    pub run: Option<RunLink>,
}

/// The configuration of one stage type, deserialised from a `[[stages]]` table.
pub trait StageConfig {
    /// Checks the settings without building anything; returns every problem found, each
    /// as a sentence that names the setting. Called by `pipeline validate` and before a run.
    fn validate(&self) -> Vec<String> {
        Vec::new()
    }

    /// Builds the stage for one worker. Called once per worker, on the main thread,
    /// before any document flows; loading models and opening files happens here.
    fn build(&self, cx: &BuildContext) -> Result<Box<dyn Stage>, ConfigError>;

    /// Whether several workers may run this stage side by side. A stage with state shared
    /// across documents (deduplication) returns `false` and always runs on one worker.
    fn parallel(&self) -> bool {
        true
    }

    /// Work on each document that this stage, though it runs on one worker
    /// ([`StageConfig::parallel`] is `false`), can leave to several: a parallel stage the
    /// runtime runs right before it, with the stage's `workers`, and which hands its results
    /// over in [`Document::prepared`](crate::Document::prepared). The stage must still give
    /// the same answer for a document whose slot is empty (tests, remembered documents).
    /// The default has none.
    fn preparation(&self) -> Option<Box<dyn StageConfig>> {
        None
    }

    /// Whether the stage must see documents in input order (the runtime reorders for it).
    fn needs_ordered_input(&self) -> bool {
        false
    }

    /// Whether the stage rewrites `text`, which would invalidate offsets set before it.
    fn edits_text(&self) -> bool {
        false
    }

    /// Whether the stage records character offsets into `text`.
    fn records_offsets(&self) -> bool {
        false
    }

    /// Whether the stage needs to see the documents kept by earlier runs
    /// ([`Stage::remember`]) in an incremental run.
    fn remembers(&self) -> bool {
        false
    }
}
