//! Writes `documents.jsonl` and `rejected.jsonl` in the shape of the output contract
//! (`SCHEMA.md`), to temporary files renamed into place only when the run succeeds.

use std::collections::HashSet;
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Seek, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use pipeline_annotate::CorpusNames;
use pipeline_core::spans::Spans;
use pipeline_core::{keys, Document, Rejected, SourceInfo};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::checkpoint::{Checkpoints, Position, Synced};
use crate::error::{Error, Result};
use crate::json_text::{push_json_map, push_json_string, push_json_value};
use crate::names::{observe_line, NamesLinked};
use crate::state::PrefixFile;

/// Version of the output contract written in every line.
pub const SCHEMA_VERSION: u32 = 1;
/// Name of the kept documents' file in the output folder.
pub const DOCUMENTS_FILE: &str = "documents.jsonl";
/// Name of the rejections' file in the output folder.
pub const REJECTED_FILE: &str = "rejected.jsonl";
/// Name of the run report in the output folder.
pub const REPORT_FILE: &str = "report.json";

/// Annotation keys the sink maps onto named output fields; any other key is passed
/// through under `extra` so that nothing a stage records is lost.
const MAPPED_KEYS: [&str; 7] = [
    keys::CLEAN_REMOVED,
    keys::CLEAN_QUALITY,
    keys::CLEAN_TITLE,
    keys::CLEAN_PUBLISHED,
    keys::CLEAN_METADATA,
    keys::LANGID_LANG,
    keys::DEDUP,
];

/// Counts of what the sink wrote and checked.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SinkCounts {
    /// Lines written to `documents.jsonl`.
    pub documents: u64,
    /// Lines written to `rejected.jsonl`.
    pub rejected: u64,
    /// Bytes of text written to `documents.jsonl`.
    pub text_bytes: u64,
    /// Spans whose offsets fall outside their document's text (should be 0).
    pub invalid_spans: u64,
    /// Lines of `documents.jsonl` carried over from earlier runs (incremental runs).
    pub carried_documents: u64,
    /// Lines of `rejected.jsonl` carried over from earlier runs.
    pub carried_rejected: u64,
    /// Checkpoints of the run's progress taken (resume points after a crash).
    pub checkpoints: u64,
    /// Person mentions (and their documents) named by the full name other documents give,
    /// after the run links them (see `names`).
    pub names_linked: NamesLinked,
}

/// The JSONL writer of one run.
pub(crate) struct JsonlSink {
    documents: Target,
    rejected: Partial,
    pub counts: SinkCounts,
    /// Documents are written whole, as the runtime holds them (the pending documents of
    /// the dedup phases), instead of in the output contract's shape.
    internal: bool,
    /// Checkpoints of the run's progress, for `pipeline run` into files.
    checkpoints: Option<Checkpoints>,
    /// The line being written, kept between documents.
    line: Vec<u8>,
    /// The persons of the documents written (with [`JsonlSink::observing_names`]), for
    /// linking them across documents after the run; handed over on commit.
    names: Option<(CorpusNames, NamesSlot)>,
    /// The earlier files stay as they are (see [`JsonlSink::keeping_earlier`]).
    keep_earlier: bool,
}

/// Where a sink hands over the persons it observed ([`JsonlSink::observing_names`]).
pub(crate) type NamesSlot = Arc<Mutex<Option<CorpusNames>>>;

/// Where the documents go: a file renamed into place on commit, or a stream (stdout).
enum Target {
    File(Partial),
    Stream(BufWriter<Box<dyn Write + Send>>),
}

impl Target {
    fn write_line<T: Serialize>(&mut self, value: &T) -> Result<()> {
        match self {
            Target::File(partial) => partial.write_line(value),
            Target::Stream(out) => {
                let result = serde_json::to_writer(&mut *out, value)
                    .map_err(std::io::Error::from)
                    .and_then(|()| out.write_all(b"\n"));
                result.map_err(stream_error)
            }
        }
    }

    /// Writes a line already encoded, newline included.
    fn write_encoded(&mut self, line: &[u8]) -> Result<()> {
        match self {
            Target::File(partial) => partial.write_encoded(line),
            Target::Stream(out) => out.write_all(line).map_err(stream_error),
        }
    }

    /// An error writing this target.
    fn error(&self, source: std::io::Error) -> Error {
        match self {
            Target::File(partial) => partial.error(source),
            Target::Stream(_) => stream_error(source),
        }
    }

    fn write_raw_line(&mut self, line: &str) -> Result<()> {
        match self {
            Target::File(partial) => partial.write_raw_line(line),
            Target::Stream(_) => Ok(()),
        }
    }

    fn sync(&mut self) -> Result<Option<PrefixFile>> {
        match self {
            Target::File(partial) => partial.sync().map(Some),
            Target::Stream(_) => Ok(None),
        }
    }

    fn commit(self) -> Result<()> {
        match self {
            Target::File(partial) => partial.commit(),
            Target::Stream(mut out) => out.flush().map_err(stream_error),
        }
    }

    fn abort(self) {
        if let Target::File(partial) = self {
            partial.abort();
        }
    }
}

/// An error writing the output stream; a closed reader (`| head`) is [`Error::BrokenPipe`].
fn stream_error(source: std::io::Error) -> Error {
    if source.kind() == std::io::ErrorKind::BrokenPipe {
        Error::BrokenPipe
    } else {
        Error::Write {
            path: PathBuf::from("<stdout>"),
            source,
        }
    }
}

/// A file written under a temporary name and renamed into place on commit.
struct Partial {
    tmp: PathBuf,
    target: PathBuf,
    writer: BufWriter<File>,
}

impl Partial {
    fn create(dir: &Path, name: &str) -> Result<Partial> {
        Partial::at(dir.join(name))
    }

    /// A file written as `.<name>.partial` beside `target` until committed.
    fn at(target: PathBuf) -> Result<Partial> {
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let tmp = target.with_file_name(format!(".{name}.partial"));
        let file = File::create(&tmp).map_err(|source| Error::Write {
            path: tmp.clone(),
            source,
        })?;
        Ok(Partial {
            tmp,
            target,
            writer: BufWriter::with_capacity(1 << 20, file),
        })
    }

    /// Writes a line already encoded, newline included.
    fn write_encoded(&mut self, line: &[u8]) -> Result<()> {
        self.writer
            .write_all(line)
            .map_err(|source| self.error(source))
    }

    /// An error writing this file.
    fn error(&self, source: std::io::Error) -> Error {
        Error::Write {
            path: self.tmp.clone(),
            source,
        }
    }

    fn write_raw_line(&mut self, line: &str) -> Result<()> {
        let result = self
            .writer
            .write_all(line.trim_end_matches(['\n', '\r']).as_bytes())
            .and_then(|()| self.writer.write_all(b"\n"));
        result.map_err(|source| Error::Write {
            path: self.tmp.clone(),
            source,
        })
    }

    fn write_line<T: Serialize>(&mut self, value: &T) -> Result<()> {
        let result = serde_json::to_writer(&mut self.writer, value)
            .map_err(std::io::Error::from)
            .and_then(|()| self.writer.write_all(b"\n"));
        result.map_err(|source| Error::Write {
            path: self.tmp.clone(),
            source,
        })
    }

    /// Makes everything written so far durable; returns the file's name and length.
    fn sync(&mut self) -> Result<PrefixFile> {
        let fail = |source| Error::Write {
            path: self.tmp.clone(),
            source,
        };
        self.writer.flush().map_err(fail)?;
        let file = self.writer.get_mut();
        file.sync_data().map_err(fail)?;
        let len = file.stream_position().map_err(fail)?;
        let name = self
            .tmp
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        Ok(PrefixFile { name, len })
    }

    fn commit(self) -> Result<()> {
        let fail = |path: &Path| {
            let path = path.to_path_buf();
            move |source| Error::Write { path, source }
        };
        let file = self.writer.into_inner().map_err(|e| Error::Write {
            path: self.tmp.clone(),
            source: e.into_error(),
        })?;
        file.sync_all().map_err(fail(&self.tmp))?;
        std::fs::rename(&self.tmp, &self.target).map_err(fail(&self.target))
    }

    fn abort(self) {
        drop(self.writer);
        // Best effort: a leftover `.partial` file is harmless and overwritten next run.
        let _ = std::fs::remove_file(&self.tmp);
    }
}

impl JsonlSink {
    /// Creates the output folder and the temporary files.
    pub fn create(dir: &Path) -> Result<JsonlSink> {
        std::fs::create_dir_all(dir).map_err(|source| Error::Write {
            path: dir.to_path_buf(),
            source,
        })?;
        Self::create_named(dir, DOCUMENTS_FILE, REJECTED_FILE)
    }

    /// Like [`Self::create`] with other file names.
    pub fn create_named(dir: &Path, documents: &str, rejected: &str) -> Result<JsonlSink> {
        std::fs::create_dir_all(dir).map_err(|source| Error::Write {
            path: dir.to_path_buf(),
            source,
        })?;
        Ok(JsonlSink {
            documents: Target::File(Partial::create(dir, documents)?),
            rejected: Partial::create(dir, rejected)?,
            counts: SinkCounts::default(),
            internal: false,
            checkpoints: None,
            line: Vec::new(),
            names: None,
            keep_earlier: false,
        })
    }

    /// Writes whole documents (all their fields and annotations, `serde` form of
    /// [`Document`]) instead of the output contract's shape.
    pub fn internal(mut self) -> Self {
        self.internal = true;
        self
    }

    /// Takes checkpoints of the run's progress (see [`crate::checkpoint`]).
    pub fn with_checkpoints(mut self, checkpoints: Checkpoints) -> Self {
        self.checkpoints = Some(checkpoints);
        self
    }

    /// How many checkpoints the sink took.
    pub fn checkpoints_taken(&self) -> u64 {
        self.checkpoints.as_ref().map_or(0, |c| c.taken)
    }

    /// Called after each batch written in input order, with the last input item written:
    /// takes a checkpoint when one is due.
    pub fn batch_written(&mut self, position: &Position) -> Result<()> {
        let Some(checkpoints) = self.checkpoints.as_mut().filter(|c| c.due()) else {
            return Ok(());
        };
        let (documents, rejected) = (&mut self.documents, &mut self.rejected);
        checkpoints.take(position, || {
            let Some(documents) = documents.sync()? else {
                return Err(Error::StageFailed {
                    stage: "write".to_owned(),
                    message: "checkpoints need the documents in a file".to_owned(),
                });
            };
            Ok(Synced {
                documents,
                rejected: rejected.sync()?,
            })
        })
    }

    /// Copies the lines of the file `path` (rejections of an earlier phase) into the
    /// rejections; a missing file has none.
    pub fn copy_rejected(&mut self, path: &Path) -> Result<()> {
        for_each_line(path, |line| {
            self.rejected.write_raw_line(line)?;
            self.counts.carried_rejected += 1;
            Ok(())
        })
    }

    /// A sink that writes documents to `output` as they come and rejections to the file
    /// `rejected` (renamed into place on commit).
    pub fn streaming(output: Box<dyn Write + Send>, rejected: &Path) -> Result<JsonlSink> {
        if let Some(parent) = rejected.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|source| Error::Write {
                path: parent.to_path_buf(),
                source,
            })?;
        }
        Ok(JsonlSink {
            documents: Target::Stream(BufWriter::with_capacity(1 << 16, output)),
            rejected: Partial::at(rejected.to_path_buf())?,
            counts: SinkCounts::default(),
            internal: false,
            checkpoints: None,
            line: Vec::new(),
            names: None,
            keep_earlier: false,
        })
    }

    /// Observes the persons of every document written or carried over, within `memory`
    /// bytes (see [`CorpusNames::with_memory`]), and hands them to `slot` on commit (see
    /// `names::link_observed`).
    pub fn observing_names(mut self, slot: NamesSlot, memory: usize) -> Self {
        self.names = Some((CorpusNames::with_memory(memory), slot));
        self
    }

    /// For a run that reads no file and drops no earlier output: the earlier files are
    /// carried over where they are instead of copied (their lines are still counted, and
    /// observed for linking), and commit leaves them in place.
    pub fn keeping_earlier(mut self) -> Self {
        self.keep_earlier = true;
        self
    }

    /// Refuses anything new when the earlier files are kept as they are: it would have
    /// to go after lines that were not copied.
    fn expect_nothing_new(&self) -> Result<()> {
        if self.keep_earlier {
            return Err(Error::StageFailed {
                stage: "write".to_owned(),
                message: "a run that reads no file produced output; the earlier output is \
                          left as it was: run again with --full"
                    .to_owned(),
            });
        }
        Ok(())
    }

    /// Writes one kept document.
    pub fn write_document(&mut self, doc: &Document) -> Result<()> {
        self.expect_nothing_new()?;
        if let Some((names, _)) = &mut self.names {
            let entities = doc.spans.entities.as_deref().unwrap_or_default();
            let pairs: Vec<(&str, &str)> = (entities.iter())
                .map(|e| (e.label.as_str(), e.canonical.as_str()))
                .collect();
            names.observe(&pairs);
        }
        if self.internal {
            self.documents.write_line(doc)?;
            self.counts.documents += 1;
            self.counts.text_bytes += doc.text_bytes();
            return Ok(());
        }
        let record = OutputDocument::new(doc);
        self.counts.invalid_spans += record.count_invalid_spans(doc.text.chars().count());
        self.line.clear();
        record
            .encode(&mut self.line)
            .map_err(|e| self.documents.error(e.into()))?;
        self.documents.write_encoded(&self.line)?;
        self.counts.documents += 1;
        self.counts.text_bytes += doc.text_bytes();
        Ok(())
    }

    /// Writes one rejection.
    pub fn write_rejected(&mut self, rejected: &Rejected) -> Result<()> {
        self.expect_nothing_new()?;
        self.line.clear();
        encode_rejected(rejected, &mut self.line);
        self.rejected.write_encoded(&self.line)?;
        self.counts.rejected += 1;
        Ok(())
    }

    /// Copies the lines of earlier output (the files `documents` and `rejected`) whose
    /// `source.path` is not in `replaced` into the new files, so an incremental run keeps
    /// what earlier runs wrote. Each carried document is handed to `remember` (when given)
    /// as a [`Document`]. Returns the ids of the carried one-document files (a file's stem,
    /// `~2` for a second file of that stem), which the reader must not give again.
    pub fn carry_over(
        &mut self,
        (documents, rejected): (&Path, &Path),
        replaced: &HashSet<String>,
        mut remember: Option<&mut dyn FnMut(Document) -> Result<()>>,
    ) -> Result<HashSet<String>> {
        let mut file_ids = HashSet::new();
        for_each_line(documents, |line| {
            if remember.is_some() {
                let old: OldDocument =
                    serde_json::from_str(line).map_err(|e| corrupt(documents, e))?;
                if replaced.contains(&old.source.path) {
                    return Ok(());
                }
                self.carry_document(documents, line)?;
                if old.source.record.is_none() {
                    file_ids.insert(old.id.clone());
                }
                if let Some(remember) = remember.as_mut() {
                    remember(old.into_document())?;
                }
            } else {
                let head: LineHead =
                    serde_json::from_str(line).map_err(|e| corrupt(documents, e))?;
                if !replaced.contains(&head.source.path) {
                    self.carry_document(documents, line)?;
                    if head.source.record.is_none() {
                        file_ids.insert(head.id);
                    }
                }
            }
            Ok(())
        })?;
        for_each_line(rejected, |line| {
            let head: LineHead = serde_json::from_str(line).map_err(|e| corrupt(rejected, e))?;
            if !replaced.contains(&head.source.path) {
                if !self.keep_earlier {
                    self.rejected.write_raw_line(line)?;
                }
                self.counts.carried_rejected += 1;
                if head.source.record.is_none() {
                    file_ids.insert(head.id);
                }
            }
            Ok(())
        })?;
        Ok(file_ids)
    }

    /// Copies one line of the earlier `documents` file into the new one.
    fn carry_document(&mut self, documents: &Path, line: &str) -> Result<()> {
        if !self.keep_earlier {
            self.documents.write_raw_line(line)?;
        }
        self.counts.carried_documents += 1;
        if let Some((names, _)) = &mut self.names {
            observe_line(names, documents, line.as_bytes())?;
        }
        Ok(())
    }

    /// Flushes, syncs and renames both files into place.
    pub fn commit(mut self) -> Result<SinkCounts> {
        self.counts.checkpoints = self.checkpoints_taken();
        if self.keep_earlier {
            self.documents.abort();
            self.rejected.abort();
        } else {
            self.documents.commit()?;
            self.rejected.commit()?;
        }
        if let Some((names, slot)) = self.names.take() {
            if let Ok(mut slot) = slot.lock() {
                *slot = Some(names);
            }
        }
        Ok(self.counts)
    }

    /// Removes the temporary files; earlier output in the folder stays as it was.
    pub fn abort(self) {
        if let Some(checkpoints) = &self.checkpoints {
            checkpoints.forget();
        }
        self.documents.abort();
        self.rejected.abort();
    }
}

/// Calls `f` with each line of `path` (a missing file has no lines), reusing one buffer.
pub(crate) fn for_each_line(path: &Path, mut f: impl FnMut(&str) -> Result<()>) -> Result<()> {
    let file = match File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(source) => {
            return Err(Error::Write {
                path: path.to_path_buf(),
                source,
            })
        }
    };
    let mut reader = BufReader::with_capacity(1 << 20, file);
    let mut line = String::new();
    loop {
        line.clear();
        let n = reader.read_line(&mut line).map_err(|source| Error::Write {
            path: path.to_path_buf(),
            source,
        })?;
        if n == 0 {
            return Ok(());
        }
        if !line.trim().is_empty() {
            f(&line)?;
        }
    }
}

pub(crate) fn corrupt(path: &Path, e: serde_json::Error) -> Error {
    Error::State {
        path: path.to_path_buf(),
        message: format!("an earlier output line is not valid ({e}); run again with --full"),
    }
}

/// The part of an output line that decides whether it is carried over.
#[derive(Deserialize)]
struct LineHead {
    #[serde(default)]
    id: String,
    source: HeadSource,
}

#[derive(Deserialize)]
struct HeadSource {
    path: String,
    #[serde(default)]
    record: Option<u64>,
}

/// An earlier output line read back as a document, for stages that remember.
#[derive(Deserialize)]
struct OldDocument {
    id: String,
    #[serde(default)]
    text: String,
    source: SourceInfo,
    #[serde(default)]
    metadata: Map<String, Value>,
    #[serde(default)]
    title: Option<Value>,
    #[serde(default)]
    published: Option<Value>,
}

impl OldDocument {
    fn into_document(self) -> Document {
        let mut doc = Document {
            id: self.id,
            text: self.text,
            source: self.source,
            metadata: self.metadata,
            ..Document::default()
        };
        for (key, value) in [
            (keys::CLEAN_TITLE, self.title),
            (keys::CLEAN_PUBLISHED, self.published),
        ] {
            if let Some(value) = value.filter(|v| !v.is_null()) {
                doc.annotations.insert(key.to_owned(), value);
            }
        }
        doc
    }
}

/// One line of `documents.jsonl`, borrowing from the document: the fields before the
/// text, the text, and the fields after it (see [`OutputDocument::encode`]).
#[derive(Serialize)]
struct OutputDocument<'a> {
    #[serde(flatten)]
    head: DocumentHead<'a>,
    text: &'a str,
    #[serde(flatten)]
    tail: DocumentTail<'a>,
}

/// The fields of a [`OutputDocument`] before its text.
#[derive(Serialize)]
struct DocumentHead<'a> {
    schema_version: u32,
    id: &'a str,
    source: &'a SourceInfo,
    title: Option<&'a Value>,
    published: Option<&'a Value>,
}

/// The fields of a [`OutputDocument`] after its text.
#[derive(Serialize)]
struct DocumentTail<'a> {
    lang: Option<&'a Value>,
    clean: Option<CleanSection<'a>>,
    dedup: Option<&'a Value>,
    annotations: &'a Spans,
    metadata: &'a Map<String, Value>,
    #[serde(skip_serializing_if = "Map::is_empty")]
    extra: Map<String, Value>,
}

#[derive(Serialize)]
struct CleanSection<'a> {
    removed: Option<&'a Value>,
    quality: Option<&'a Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    extracted: Option<&'a Value>,
}

impl<'a> OutputDocument<'a> {
    fn new(doc: &'a Document) -> Self {
        let ann = |key: &str| doc.annotations.get(key);
        let meta = |key: &str| doc.metadata.get(key).filter(|v| v.is_string());
        let clean = (ann(keys::CLEAN_REMOVED).is_some() || ann(keys::CLEAN_QUALITY).is_some())
            .then(|| CleanSection {
                removed: ann(keys::CLEAN_REMOVED),
                quality: ann(keys::CLEAN_QUALITY),
                extracted: ann(keys::CLEAN_METADATA),
            });
        let extra = doc
            .annotations
            .iter()
            .filter(|(key, _)| !MAPPED_KEYS.contains(&key.as_str()))
            .map(|(key, value)| (key.clone(), value.clone()))
            .collect();
        OutputDocument {
            head: DocumentHead {
                schema_version: SCHEMA_VERSION,
                id: &doc.id,
                source: &doc.source,
                title: ann(keys::CLEAN_TITLE).or_else(|| meta("title")),
                published: ann(keys::CLEAN_PUBLISHED)
                    .or_else(|| meta("published"))
                    .or_else(|| meta("date")),
            },
            text: &doc.text,
            tail: DocumentTail {
                lang: ann(keys::LANGID_LANG),
                clean,
                dedup: ann(keys::DEDUP),
                annotations: &doc.spans,
                metadata: &doc.metadata,
                extra,
            },
        }
    }

    /// Appends the line (with its newline) to `out`: what `serde_json::to_writer` writes
    /// of `self`. Strings, the text above all, are escaped by [`push_json_string`], eight
    /// bytes at a time, and the annotations' values are written by [`push_json_value`];
    /// only the span lists go through serde.
    fn encode(&self, out: &mut Vec<u8>) -> serde_json::Result<()> {
        let DocumentHead {
            schema_version,
            id,
            source,
            title,
            published,
        } = &self.head;
        let DocumentTail {
            lang,
            clean,
            dedup,
            annotations,
            metadata,
            extra,
        } = &self.tail;
        out.extend_from_slice(b"{\"schema_version\":");
        serde_json::to_writer(&mut *out, schema_version)?;
        out.extend_from_slice(b",\"id\":");
        push_json_string(out, id);
        out.extend_from_slice(b",\"source\":");
        push_source(out, source);
        out.extend_from_slice(b",\"title\":");
        push_optional_value(out, *title);
        out.extend_from_slice(b",\"published\":");
        push_optional_value(out, *published);
        out.extend_from_slice(b",\"text\":");
        push_json_string(out, self.text);
        out.extend_from_slice(b",\"lang\":");
        push_optional_value(out, *lang);
        out.extend_from_slice(b",\"clean\":");
        match clean {
            None => out.extend_from_slice(b"null"),
            Some(CleanSection {
                removed,
                quality,
                extracted,
            }) => {
                out.extend_from_slice(b"{\"removed\":");
                push_optional_value(out, *removed);
                out.extend_from_slice(b",\"quality\":");
                push_optional_value(out, *quality);
                if let Some(extracted) = extracted {
                    out.extend_from_slice(b",\"extracted\":");
                    push_json_value(out, extracted);
                }
                out.push(b'}');
            }
        }
        out.extend_from_slice(b",\"dedup\":");
        push_optional_value(out, *dedup);
        out.extend_from_slice(b",\"annotations\":");
        serde_json::to_writer(&mut *out, annotations)?;
        out.extend_from_slice(b",\"metadata\":");
        push_json_map(out, metadata);
        if !extra.is_empty() {
            out.extend_from_slice(b",\"extra\":");
            push_json_map(out, extra);
        }
        out.extend_from_slice(b"}\n");
        Ok(())
    }

    /// Spans (anything with numeric `start`/`end`) that do not fit the text.
    fn count_invalid_spans(&self, text_chars: usize) -> u64 {
        let fits = |start: Option<u64>, end: Option<u64>| matches!((start, end), (Some(s), Some(e)) if s <= e && e as usize <= text_chars);
        let lists = [
            self.tail.lang.and_then(|l| l.get("segments")),
            self.tail.dedup.and_then(|d| d.get("repeated_spans")),
        ];
        let untyped = (lists.into_iter().flatten())
            .flat_map(|list| list.as_array().into_iter().flatten())
            .filter(|span| {
                let offset = |key: &str| span.get(key).and_then(Value::as_u64);
                !fits(offset("start"), offset("end"))
            })
            .count();
        let typed = (self.tail.annotations.offsets())
            .filter(|&(start, end)| !fits(Some(start as u64), Some(end as u64)))
            .count();
        (untyped + typed) as u64
    }
}

/// Appends `value`, or `null` for `None`, as serde_json writes an `Option<&Value>`.
fn push_optional_value(out: &mut Vec<u8>, value: Option<&Value>) {
    match value {
        Some(value) => push_json_value(out, value),
        None => out.extend_from_slice(b"null"),
    }
}

/// Appends `text`, or `null` for `None`, as serde_json writes an `Option<&str>`.
fn push_optional_string(out: &mut Vec<u8>, text: Option<&str>) {
    match text {
        Some(text) => push_json_string(out, text),
        None => out.extend_from_slice(b"null"),
    }
}

/// Appends `source` to `out`: what `serde_json::to_writer` writes of a [`SourceInfo`].
fn push_source(out: &mut Vec<u8>, source: &SourceInfo) {
    let SourceInfo {
        path,
        format,
        sha256,
        bytes,
        record,
        compression,
        encoding,
    } = source;
    out.extend_from_slice(b"{\"path\":");
    push_json_string(out, path);
    out.extend_from_slice(b",\"format\":");
    push_json_string(out, format);
    out.extend_from_slice(b",\"sha256\":");
    push_optional_string(out, sha256.as_deref());
    out.extend_from_slice(b",\"bytes\":");
    push_u64(out, *bytes);
    out.extend_from_slice(b",\"record\":");
    match record {
        Some(record) => push_u64(out, *record),
        None => out.extend_from_slice(b"null"),
    }
    if let Some(compression) = compression {
        out.extend_from_slice(b",\"compression\":");
        push_json_string(out, compression);
    }
    if let Some(encoding) = encoding {
        out.extend_from_slice(b",\"encoding\":");
        push_json_string(out, encoding);
    }
    out.push(b'}');
}

/// Appends the line of `rejected.jsonl` for `rejected` (with its newline) to `out`: what
/// serde_json writes of `schema_version` followed by the [`Rejected`]'s fields. The
/// rejected text is most of it, hence [`push_json_string`] rather than serde.
fn encode_rejected(rejected: &Rejected, out: &mut Vec<u8>) {
    let Rejected {
        id,
        source,
        stage,
        reason,
        detail,
        text,
        byte_offset,
        origin: _,
    } = rejected;
    out.extend_from_slice(b"{\"schema_version\":");
    push_u64(out, SCHEMA_VERSION.into());
    out.extend_from_slice(b",\"id\":");
    push_json_string(out, id);
    out.extend_from_slice(b",\"source\":");
    push_source(out, source);
    out.extend_from_slice(b",\"stage\":");
    push_json_string(out, stage);
    out.extend_from_slice(b",\"reason\":");
    push_json_string(out, reason);
    out.extend_from_slice(b",\"detail\":");
    push_json_string(out, detail);
    out.extend_from_slice(b",\"text\":");
    push_optional_string(out, text.as_deref());
    if let Some(byte_offset) = byte_offset {
        out.extend_from_slice(b",\"byte_offset\":");
        push_u64(out, *byte_offset);
    }
    out.extend_from_slice(b"}\n");
}

/// Appends `n` in decimal, as serde_json writes it.
fn push_u64(out: &mut Vec<u8>, n: u64) {
    // Writing into a `Vec` cannot fail.
    let _ = serde_json::to_writer(&mut *out, &n);
}

#[cfg(test)]
mod tests {
    use super::*;

    use pipeline_core::spans::{Quote, Span, TextSpan};

    #[test]
    fn maps_internal_keys_onto_the_contract_and_keeps_unknown_ones() {
        let mut doc = Document::new("d1", "Hallo Welt.");
        doc.annotations
            .insert(keys::CLEAN_TITLE.into(), Value::from("Titel"));
        doc.spans.sentences = Some(vec![Span { start: 0, end: 11 }]);
        doc.spans.quotes = Some(vec![Quote {
            start: 5,
            end: 11,
            speaker: None,
            speaker_mention: Some(TextSpan {
                start: 7,
                end: 40,
                text: "Welt.".into(),
            }),
        }]);
        doc.annotations
            .insert("custom.score".into(), Value::from(3));
        let record = OutputDocument::new(&doc);
        let json = serde_json::to_value(&record).unwrap();
        assert_eq!(json["schema_version"], 1);
        assert_eq!(json["title"], "Titel");
        assert_eq!(json["published"], Value::Null);
        assert_eq!(json["annotations"]["sentences"][0]["end"], 11);
        assert_eq!(json["annotations"]["entities"], Value::Null);
        assert_eq!(json["extra"]["custom.score"], 3);
        assert_eq!(json["clean"], Value::Null);
        assert_eq!(
            record.count_invalid_spans(11),
            1,
            "the speaker mention ends past the text"
        );
    }

    #[test]
    fn encodes_lines_as_serde_json_writes_them() {
        let plain = Document::new("a", "Text.");
        let mut full = Document::new(
            "b\"\\",
            "Grüße aus „Köln“ – 😀\n\nZweiter\tAbsatz \"zitiert\" mit \\ und \u{1}.",
        );
        for (key, value) in [
            (keys::CLEAN_TITLE, Value::from("Titel \"x\"")),
            (keys::CLEAN_QUALITY, serde_json::json!({"words": 7})),
            (keys::LANGID_LANG, serde_json::json!({"code": "de"})),
            (keys::DEDUP, serde_json::json!({"duplicate_of": null})),
            ("custom.score", Value::from(3)),
            (
                keys::CLEAN_REMOVED,
                serde_json::json!([{"line": 2, "reason": "promo", "score": 3.0, "text": "Tel.\t+49 \"x\""}]),
            ),
            (
                keys::CLEAN_METADATA,
                serde_json::json!({"author": "Ä. Muster", "tags": [], "rank": -0.0}),
            ),
            (
                "custom.ratio",
                serde_json::json!([0.1, 1e300, u64::MAX, i64::MIN]),
            ),
        ] {
            full.annotations.insert(key.into(), value);
        }
        full.metadata
            .insert("date".into(), Value::from("2025-02-09"));
        full.metadata.insert(
            "nested".into(),
            serde_json::json!({"a\nb": [null, true, {"": 1.5}], "ü": {}}),
        );
        full.spans.sentences = Some(vec![Span { start: 0, end: 5 }]);
        full.spans.quotes = Some(vec![Quote {
            start: 1,
            end: 4,
            speaker: Some("Er \"selbst\"".into()),
            speaker_mention: None,
        }]);
        let mut removed_only = Document::new("c", "Rest.");
        removed_only
            .annotations
            .insert(keys::CLEAN_REMOVED.into(), serde_json::json!([]));
        let empty = Document::new("", "");
        for doc in [&plain, &full, &removed_only, &empty] {
            let record = OutputDocument::new(doc);
            let mut line = b"earlier line\n".to_vec();
            record.encode(&mut line).unwrap();
            let mut expected = b"earlier line\n".to_vec();
            serde_json::to_writer(&mut expected, &record).unwrap();
            expected.push(b'\n');
            assert_eq!(
                String::from_utf8(line).unwrap(),
                String::from_utf8(expected).unwrap()
            );
        }
    }

    /// How a rejection's line was written before `encode_rejected`: the reference.
    #[derive(Serialize)]
    struct ReferenceRejected<'a> {
        schema_version: u32,
        #[serde(flatten)]
        rejected: &'a Rejected,
    }

    #[test]
    fn encodes_rejections_as_serde_json_writes_them() {
        let full_source = SourceInfo {
            path: "dir/\"odd\"\\name.jsonl.gz".into(),
            format: "jsonl".into(),
            sha256: Some("90adc225506beed0828b8fb53f5a53a76b29bd44c85dbcc3b1f891b31e64e92b".into()),
            bytes: u64::MAX,
            record: Some(9),
            compression: Some("gzip".into()),
            encoding: Some("utf-8-bom".into()),
        };
        let mut with_text = Rejected::of_document(
            Document::new(
                "bench-8",
                "Er sagte: \"Nein\"\n\nZweiter\tAbsatz – „Köln“ \u{1}.",
            ),
            "dedupe",
            "dedup_exact_duplicate",
            "same text as \"bench-6\"".into(),
        );
        with_text.source = full_source.clone();
        let mut read_error = with_text.clone();
        (read_error.text, read_error.byte_offset) = (None, Some(0));
        read_error.source = SourceInfo::default();
        let mut no_offset = read_error.clone();
        no_offset.byte_offset = None;
        for rejected in [&with_text, &read_error, &no_offset] {
            let mut line = b"earlier line\n".to_vec();
            encode_rejected(rejected, &mut line);
            let mut expected = b"earlier line\n".to_vec();
            serde_json::to_writer(
                &mut expected,
                &ReferenceRejected {
                    schema_version: SCHEMA_VERSION,
                    rejected,
                },
            )
            .unwrap();
            expected.push(b'\n');
            assert_eq!(
                String::from_utf8(line).unwrap(),
                String::from_utf8(expected).unwrap()
            );
        }
        let mut doc = Document::new("s", "Text.");
        doc.source = full_source;
        let record = OutputDocument::new(&doc);
        let mut line = Vec::new();
        record.encode(&mut line).unwrap();
        let mut expected = serde_json::to_vec(&record).unwrap();
        expected.push(b'\n');
        assert_eq!(
            String::from_utf8(line).unwrap(),
            String::from_utf8(expected).unwrap()
        );
    }

    #[test]
    fn files_appear_only_on_commit_and_abort_leaves_old_output() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(DOCUMENTS_FILE), "old\n").unwrap();
        let mut sink = JsonlSink::create(dir.path()).unwrap();
        sink.write_document(&Document::new("a", "Text.")).unwrap();
        sink.abort();
        assert_eq!(
            std::fs::read_to_string(dir.path().join(DOCUMENTS_FILE)).unwrap(),
            "old\n"
        );
        let mut sink = JsonlSink::create(dir.path()).unwrap();
        sink.write_document(&Document::new("a", "Text.")).unwrap();
        let counts = sink.commit().unwrap();
        assert_eq!(counts.documents, 1);
        let written = std::fs::read_to_string(dir.path().join(DOCUMENTS_FILE)).unwrap();
        assert!(
            written.starts_with("{\"schema_version\":1,\"id\":\"a\""),
            "{written}"
        );
        assert!(std::fs::read_to_string(dir.path().join(REJECTED_FILE))
            .unwrap()
            .is_empty());
    }

    #[test]
    fn kept_earlier_files_are_counted_not_copied_and_refuse_anything_new() {
        let dir = tempfile::tempdir().unwrap();
        let documents = dir.path().join(DOCUMENTS_FILE);
        let rejected = dir.path().join(REJECTED_FILE);
        let line = |id: &str| {
            format!("{{\"id\":\"{id}\",\"source\":{{\"path\":\"{id}.txt\",\"record\":null}}}}\n")
        };
        std::fs::write(&documents, line("a") + &line("b")).unwrap();
        std::fs::write(&rejected, line("c")).unwrap();
        let mut sink = JsonlSink::create(dir.path()).unwrap().keeping_earlier();
        let ids = sink
            .carry_over((&documents, &rejected), &HashSet::new(), None)
            .unwrap();
        assert_eq!(ids.len(), 3);
        assert!(sink.write_document(&Document::new("d", "Text.")).is_err());
        let counts = sink.commit().unwrap();
        assert_eq!((counts.carried_documents, counts.carried_rejected), (2, 1));
        assert_eq!(
            std::fs::read_to_string(&documents).unwrap(),
            line("a") + &line("b")
        );
        assert_eq!(std::fs::read_to_string(&rejected).unwrap(), line("c"));
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 2, "no temporary file is left: {names:?}");
    }
}
