use std::borrow::Cow;
use std::collections::HashSet;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use pipeline_core::{DocRef, Document, Rejected, SourceInfo};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use xxhash_rust::xxh3::Xxh3;

use crate::config::{Format, ReadConfig};
use crate::decode::{decode_text, into_unix_newlines, normalize_newlines, repair_mojibake};
use crate::error::Result;
use crate::html::extract_html;
use crate::list::{list_inputs, Listing};
use crate::markdown::markdown_to_text;
use crate::warc::{GzipMembers, WarcItem, WarcReader, WarcRecord};

/// The stage name rejections of this crate carry.
const STAGE: &str = "read";

/// Reads the configured inputs one file at a time and yields each document, or the
/// rejection of an input that could not be read, in a stable order (files sorted by path,
/// records in file order). Memory stays bounded: one-document files are read whole (up to
/// `max_file_bytes`), JSONL is streamed line by line.
pub struct FileSource {
    unreadable: std::vec::IntoIter<(PathBuf, io::Error)>,
    files: std::vec::IntoIter<PathBuf>,
    config: ReadConfig,
    base: PathBuf,
    current: Option<JsonlFile>,
    warc: Option<WarcFile>,
    seq: u64,
    shard: u32,
    stems: HashSet<String>,
    total_bytes: u64,
    bytes_read: Arc<AtomicU64>,
    /// Bytes of the current file counted into `bytes_read` so far, and its size.
    file_read: Arc<AtomicU64>,
    file_size: u64,
    /// Hash of the current file's bytes, its display path and modification time.
    file_hasher: Arc<Mutex<Xxh3>>,
    file_current: Option<(String, Option<u128>)>,
    done_files: Arc<Mutex<Vec<FileDone>>>,
    /// Records of one file that an interrupted run already wrote: `source.path` and the
    /// last record number (JSONL line, WARC record) to pass over unparsed.
    resume_after: Option<(String, u64)>,
}

impl FileSource {
    /// Lists the inputs of `config` (relative paths against `base`) and prepares to read
    /// them. Fails only when an input path is missing, a pattern is malformed or nothing
    /// matches.
    pub fn open(config: &ReadConfig, base: &Path) -> Result<Self> {
        let listing = list_inputs(&config.paths, &config.extensions, base)?;
        Ok(FileSource::new(listing, config, base))
    }

    /// Prepares to read the files of `listing` (e.g. a listing filtered down to the files
    /// that changed since the last run). Unreadable places in the listing come out first,
    /// as rejections.
    pub fn new(listing: Listing, config: &ReadConfig, base: &Path) -> Self {
        let Listing { files, unreadable } = listing;
        let total_bytes = files
            .iter()
            .filter_map(|f| std::fs::metadata(f).ok())
            .map(|m| m.len())
            .sum();
        FileSource {
            unreadable: unreadable.into_iter(),
            files: files.into_iter(),
            config: config.clone(),
            base: base.to_path_buf(),
            current: None,
            warc: None,
            seq: 0,
            shard: 0,
            stems: HashSet::new(),
            total_bytes,
            bytes_read: Arc::new(AtomicU64::new(0)),
            file_read: Arc::new(AtomicU64::new(0)),
            file_size: 0,
            file_hasher: Arc::new(Mutex::new(Xxh3::new())),
            file_current: None,
            done_files: Arc::new(Mutex::new(Vec::new())),
            resume_after: None,
        }
    }

    /// Passes over the records of the file shown as `path` (in `source.path`) up to and
    /// including record number `record` (JSONL line or WARC record, from 1): an interrupted
    /// run wrote them already. The bytes are still read (the file's hash covers them), but
    /// not parsed, and the records after come out with their usual numbers.
    pub fn resume_after(mut self, path: &str, record: u64) -> Self {
        self.resume_after = Some((path.to_owned(), record));
        self
    }

    /// Ids that one-document files of earlier runs carry (their stems, `~2` for a second
    /// file of one stem): a file read now gets another, as it would have in one run.
    pub fn reserve_ids(&mut self, ids: impl IntoIterator<Item = String>) {
        self.stems.extend(ids);
    }

    /// The record number to pass over up to in the file now open as `path`, if any.
    fn take_resume_point(&mut self, path: &str) -> Option<u64> {
        match &self.resume_after {
            Some((resume_path, record)) if resume_path == path => {
                let record = *record;
                self.resume_after = None;
                Some(record)
            }
            _ => None,
        }
    }

    /// A source of the JSONL documents in `input` (e.g. standard input), named `name` in
    /// `source.path` and in fallback ids (`<name>#<line>`).
    pub fn from_jsonl_stream(input: Box<dyn Read + Send>, name: &str, config: &ReadConfig) -> Self {
        let mut source = FileSource::new(Listing::default(), config, Path::new("."));
        source.current = Some(JsonlFile {
            lines: BufReader::with_capacity(1 << 16, input),
            stem: name.to_owned(),
            info: SourceInfo {
                path: "-".to_owned(),
                format: "jsonl".to_owned(),
                ..SourceInfo::default()
            },
            line: 0,
            buffer: Vec::new(),
            done: false,
        });
        source
    }

    /// Total size of the input files on disk (compressed size for compressed files).
    pub fn total_bytes(&self) -> u64 {
        self.total_bytes
    }

    /// A counter of input bytes consumed so far, for progress display from another thread.
    pub fn progress(&self) -> Arc<AtomicU64> {
        Arc::clone(&self.bytes_read)
    }

    /// Number of input files not yet started.
    pub fn files_left(&self) -> usize {
        self.files.len()
    }

    /// Counts the rest of the current file as read (a file may end early: too large,
    /// truncated, unreadable), so progress reaches the total.
    fn file_done(&mut self) {
        let counted = self.file_read.load(Ordering::Relaxed);
        let rest = self.file_size.saturating_sub(counted);
        self.bytes_read.fetch_add(rest, Ordering::Relaxed);
        self.file_read.store(self.file_size, Ordering::Relaxed);
        let Some((path, modified_ns)) = self.file_current.take() else {
            return;
        };
        let complete = counted == self.file_size;
        let hasher = std::mem::replace(&mut self.file_hasher, Arc::new(Mutex::new(Xxh3::new())));
        let content_hash = match (
            complete,
            Arc::try_unwrap(hasher)
                .ok()
                .and_then(|m| m.into_inner().ok()),
        ) {
            (true, Some(hasher)) => Some(hex(&hasher.digest128().to_be_bytes())),
            _ => None,
        };
        if let Ok(mut done) = self.done_files.lock() {
            done.push(FileDone {
                path,
                size: self.file_size,
                modified_ns,
                content_hash,
            });
        }
    }

    /// A handle on the list of files finished so far, readable after the source is used up
    /// (on another thread).
    pub fn done_files(&self) -> Arc<Mutex<Vec<FileDone>>> {
        Arc::clone(&self.done_files)
    }

    fn next_origin(&mut self) -> DocRef {
        let origin = DocRef {
            shard: self.shard,
            seq: self.seq,
        };
        self.seq += 1;
        origin
    }

    fn display_path(&self, path: &Path) -> String {
        display_path(path, &self.base)
    }

    /// A stem unique within this run: a second file with the same stem gets `~2`, `~3`, …
    fn unique_stem(&mut self, path: &Path) -> String {
        let stem = file_stem(path);
        if self.stems.insert(stem.clone()) {
            return stem;
        }
        (2..)
            .map(|n| format!("{stem}~{n}"))
            .find(|candidate| self.stems.insert(candidate.clone()))
            .expect("an unbounded range always yields a free name")
    }

    fn read_file(&mut self, path: PathBuf) -> Option<std::result::Result<Document, Rejected>> {
        let display = self.display_path(&path);
        let compression = Compression::of(&path);
        let named = match self.config.format {
            Format::Auto => detect_format(&path),
            forced => Some(forced),
        };
        let metadata = std::fs::metadata(&path).ok();
        let size = metadata.as_ref().map_or(0, |m| m.len());
        let mut info = SourceInfo {
            path: display,
            format: String::new(),
            sha256: None,
            bytes: size,
            record: None,
            compression: compression.name().map(str::to_owned),
            encoding: None,
        };
        self.file_read = Arc::new(AtomicU64::new(0));
        self.file_size = size;
        self.file_hasher = Arc::new(Mutex::new(Xxh3::new()));
        self.file_current = Some((info.path.clone(), metadata.as_ref().and_then(modified_ns)));
        let opened = open(
            &path,
            compression,
            named == Some(Format::Warc),
            &self.bytes_read,
            &self.file_read,
            &self.file_hasher,
        );
        let mut reader = match opened {
            Ok(reader) => BufReader::with_capacity(1 << 16, reader),
            Err(err) => {
                self.file_done();
                info.format = format_name(named.unwrap_or(Format::Text)).to_owned();
                let stem = self.unique_stem(&path);
                let (reason, detail) = (open_reason(&err), open_detail(&err));
                return Some(Err(self.reject(stem, info, reason, detail, None)));
            }
        };
        // A name that tells nothing (`data`, `page.txt` that is really HTML): look inside.
        let format = match (self.config.format, named) {
            (Format::Auto, None) | (Format::Auto, Some(Format::Text)) => {
                sniff_format(reader.fill_buf().unwrap_or(&[]))
            }
            (_, Some(format)) => format,
            (forced, None) => forced,
        };
        info.format = format_name(format).to_owned();
        match format {
            Format::Jsonl => {
                self.current = Some(JsonlFile {
                    lines: reader,
                    stem: file_stem(&path),
                    info,
                    line: 0,
                    buffer: Vec::new(),
                    done: false,
                });
                None
            }
            Format::Warc => {
                self.warc = Some(WarcFile {
                    records: WarcReader::new(reader, self.config.max_record_bytes),
                    stem: file_stem(&path),
                    info,
                    index: 0,
                });
                None
            }
            Format::Html | Format::Text | Format::Auto => {
                let stem = self.unique_stem(&path);
                let kind = if format == Format::Html {
                    Whole::Html
                } else if is_markdown(&path) {
                    Whole::Markdown
                } else {
                    Whole::Text
                };
                let item = self.read_whole(stem, info, Box::new(reader), kind);
                self.file_done();
                Some(item)
            }
        }
    }

    /// Reads a one-document file: text, or HTML whose main content is extracted.
    fn read_whole(
        &mut self,
        id: String,
        mut info: SourceInfo,
        reader: Box<dyn Read + Send>,
        kind: Whole,
    ) -> std::result::Result<Document, Rejected> {
        let html = kind == Whole::Html;
        let limit = self.config.max_file_bytes;
        let mut bytes = Vec::new();
        if let Err(err) = reader.take(limit + 1).read_to_end(&mut bytes) {
            let (reason, detail) = (read_reason(&err), read_detail(&err, &info));
            return Err(self.reject(id, info, reason, detail, Some(bytes.len() as u64)));
        }
        if bytes.len() as u64 > limit {
            let detail = format!(
                "the file holds more than {} bytes (max_file_bytes); raise [source].max_file_bytes \
                 or split it, e.g. into JSONL records",
                limit
            );
            return Err(self.reject(id, info, "read_too_large", detail, None));
        }
        info.sha256 = Some(sha256_hex(&bytes));
        info.bytes = bytes.len() as u64;
        let decoded = match decode_text(&bytes) {
            Ok(decoded) => decoded,
            Err(err) => return Err(self.reject(id, info, err.reason, err.detail, err.byte_offset)),
        };
        info.encoding = Some(decoded.encoding);
        let (text, metadata) = match kind {
            Whole::Html => html_document(&decoded.text, None),
            Whole::Markdown => (markdown_to_text(&decoded.text), Map::new()),
            Whole::Text => (decoded.text, Map::new()),
        };
        if text.trim().is_empty() {
            let detail = if html {
                "no main text found in the HTML page (empty, or only navigation and scripts)"
            } else {
                "the file has no text (empty or only whitespace)"
            };
            return Err(self.reject(id, info, "read_empty", detail.to_owned(), None));
        }
        Ok(Document {
            id,
            text,
            source: info,
            metadata,
            origin: self.next_origin(),
            ..Document::default()
        })
    }

    fn reject(
        &mut self,
        id: String,
        source: SourceInfo,
        reason: &'static str,
        detail: String,
        byte_offset: Option<u64>,
    ) -> Rejected {
        Rejected {
            id,
            source,
            stage: STAGE.to_owned(),
            reason,
            detail,
            text: None,
            byte_offset,
            origin: self.next_origin(),
        }
    }

    fn next_record(&mut self) -> Option<std::result::Result<Document, Rejected>> {
        let resume_point = match &self.resume_after {
            Some(_) => {
                let path = self.current.as_ref()?.info.path.clone();
                self.take_resume_point(&path)
            }
            None => None,
        };
        if let Some(upto) = resume_point {
            let limit = self.config.max_record_bytes;
            let file = self.current.as_mut()?;
            while file.line < upto {
                match file.next_line(limit) {
                    LineOutcome::Line | LineOutcome::TooLong(_) => {}
                    LineOutcome::Failed(_) | LineOutcome::End => {
                        // The file is shorter than the interrupted run saw: it changed, and
                        // the runtime reads a changed file whole (it checks size and time
                        // first), so this only ends the file early.
                        file.done = true;
                        break;
                    }
                }
            }
        }
        let file = self.current.as_mut()?;
        let outcome = file.next_line(self.config.max_record_bytes);
        let file = self.current.as_mut()?;
        let record = match outcome {
            LineOutcome::End => {
                self.current = None;
                self.file_done();
                return None;
            }
            LineOutcome::Line => std::mem::take(&mut file.buffer),
            LineOutcome::TooLong(len) => {
                let detail = format!(
                    "line {} holds {len} or more bytes, over max_record_bytes = {}; raise \
                     [source].max_record_bytes or split the record",
                    file.line, self.config.max_record_bytes
                );
                let (id, info) = file.record_info(None);
                return Some(Err(self.reject(id, info, "read_too_large", detail, None)));
            }
            LineOutcome::Failed(err) => {
                let line = file.line;
                let reason = read_reason(&err);
                let detail = format!(
                    "reading stopped after line {line}: {}",
                    read_detail(&err, &file.info)
                );
                let (id, info) = file.record_info(None);
                file.done = true;
                return Some(Err(self.reject(id, info, reason, detail, None)));
            }
        };
        let parsed = parse_record(&record, &self.config);
        let file = self.current.as_mut()?;
        let (fallback_id, mut info) = file.record_info(Some(&record));
        file.buffer = record;
        match parsed {
            Ok((id, text, _)) if text.trim().is_empty() => {
                let line = info.record.unwrap_or_default();
                let detail = format!(
                    "line {line}: the `{}` field is empty or only whitespace",
                    self.config.text_key
                );
                Some(Err(self.reject(
                    id.unwrap_or(fallback_id),
                    info,
                    "read_empty",
                    detail,
                    None,
                )))
            }
            Ok((id, text, metadata)) => {
                let (text, repaired) = match repair_mojibake(&text) {
                    (Cow::Owned(repaired_text), repaired) => (repaired_text, repaired),
                    (Cow::Borrowed(_), repaired) => (text, repaired),
                };
                info.encoding = Some(if repaired > 0 {
                    format!("utf-8 (mojibake repaired: {repaired} sequences)")
                } else {
                    "utf-8".to_owned()
                });
                Some(Ok(Document {
                    id: id.unwrap_or(fallback_id),
                    text: into_unix_newlines(text),
                    source: info,
                    metadata,
                    origin: self.next_origin(),
                    ..Document::default()
                }))
            }
            Err(error) => {
                let line = info.record.unwrap_or_default();
                let detail = format!("line {line}: {}", error.detail);
                let id = error.id.unwrap_or(fallback_id);
                Some(Err(self.reject(id, info, error.reason, detail, None)))
            }
        }
    }
}

impl FileSource {
    /// The next document or rejection of the WARC file being read.
    fn next_warc_item(&mut self) -> Option<std::result::Result<Document, Rejected>> {
        let path = self.warc.as_ref()?.info.path.clone();
        if let Some(upto) = self.take_resume_point(&path) {
            let file = self.warc.as_mut()?;
            while file.index < upto && file.records.next().is_some() {
                file.index += 1;
            }
        }
        loop {
            let file = self.warc.as_mut()?;
            let Some(item) = file.records.next() else {
                self.warc = None;
                self.file_done();
                return None;
            };
            file.index += 1;
            let mut info = file.info.clone();
            info.record = Some(file.index);
            let fallback_id = format!("{}#{}", file.stem, file.index);
            let record = match item {
                WarcItem::Record(record) => record,
                WarcItem::Error {
                    offset,
                    reason,
                    detail,
                } => {
                    return Some(Err(self.reject(
                        fallback_id,
                        info,
                        reason,
                        detail,
                        Some(offset),
                    )));
                }
            };
            match warc_document(record, info, fallback_id) {
                WarcOutcome::Skip => continue,
                WarcOutcome::Reject(id, info, reason, detail) => {
                    return Some(Err(self.reject(id, info, reason, detail, None)));
                }
                WarcOutcome::Document(mut doc) => {
                    doc.origin = self.next_origin();
                    return Some(Ok(*doc));
                }
            }
        }
    }
}

impl Iterator for FileSource {
    type Item = std::result::Result<Document, Rejected>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some((path, error)) = self.unreadable.next() {
            let info = SourceInfo {
                path: self.display_path(&path),
                format: "text".to_owned(),
                ..SourceInfo::default()
            };
            let id = file_stem(&path);
            let detail = format!("cannot list this folder: {}", open_detail(&error));
            return Some(Err(self.reject(
                id,
                info,
                open_reason(&error),
                detail,
                None,
            )));
        }
        loop {
            if self.current.is_some() {
                match self.next_record() {
                    Some(item) => return Some(item),
                    None => continue,
                }
            }
            if self.warc.is_some() {
                match self.next_warc_item() {
                    Some(item) => return Some(item),
                    None => continue,
                }
            }
            let path = self.files.next()?;
            if let Some(item) = self.read_file(path) {
                return Some(item);
            }
        }
    }
}

/// What a one-document file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Whole {
    Text,
    Markdown,
    Html,
}

/// Whether the file name says Markdown (`.md`, `.markdown`, also compressed).
fn is_markdown(path: &Path) -> bool {
    matches!(format_extension(path).as_str(), "md" | "markdown")
}

/// The lowercase extension that names a file's format, behind any `.gz` or `.zst`
/// (`a.JSONL.gz` → `jsonl`); empty when there is none.
fn format_extension(path: &Path) -> String {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let name = name
        .strip_suffix(".gz")
        .or_else(|| name.strip_suffix(".zst"))
        .unwrap_or(&name);
    match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => ext.to_owned(),
        _ => String::new(),
    }
}

/// A WARC (or ARC, WET) file being streamed.
struct WarcFile {
    records: WarcReader<BufReader<Box<dyn Read + Send>>>,
    stem: String,
    info: SourceInfo,
    index: u64,
}

/// What one WARC record becomes.
enum WarcOutcome {
    /// Not a document (request, metadata, warcinfo, revisit records).
    Skip,
    Document(Box<Document>),
    Reject(String, SourceInfo, &'static str, String),
}

/// Turns a WARC record into a document: `response` records (HTTP 2xx) and `resource`
/// records holding HTML get their main text extracted, `conversion` records (WET) and
/// plain-text resources are taken as they are; the URL, crawl date and record metadata go
/// into `metadata`.
fn warc_document(record: WarcRecord, mut info: SourceInfo, fallback_id: String) -> WarcOutcome {
    if !matches!(
        record.record_type.as_str(),
        "response" | "resource" | "conversion"
    ) {
        return WarcOutcome::Skip;
    }
    let id = record
        .record_id
        .as_deref()
        .map(|r| r.trim_matches(['<', '>']).to_owned())
        .filter(|r| !r.is_empty())
        .unwrap_or(fallback_id);
    let uri = record.target_uri.clone().unwrap_or_default();
    info.sha256 = Some(sha256_hex(&record.payload));
    info.bytes = record.payload.len() as u64;
    if let Some(status) = record.http_status.filter(|s| !(200..300).contains(s)) {
        let detail =
            format!("HTTP status {status} for {uri}: not a page's content (redirect or error)");
        return WarcOutcome::Reject(id, info, "read_http_status", detail);
    }
    let content_type = record
        .http_content_type
        .clone()
        .or_else(|| record.content_type.clone())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let is_html = content_type.contains("html")
        || (content_type.is_empty() && looks_like_html(&record.payload));
    let is_text = content_type.starts_with("text/") || record.record_type == "conversion";
    if !is_html && !is_text {
        let detail = format!(
            "{uri} holds `{content_type}`, not text or HTML; such records are not documents"
        );
        return WarcOutcome::Reject(id, info, "read_unsupported_content", detail);
    }
    let decoded = match decode_with_charset(&record.payload, &content_type) {
        Ok(decoded) => decoded,
        Err(err) => {
            return WarcOutcome::Reject(id, info, err.reason, format!("{uri}: {}", err.detail))
        }
    };
    info.encoding = Some(decoded.encoding);
    let (text, mut metadata) = if is_html {
        html_document(&decoded.text, record.target_uri.as_deref())
    } else {
        (decoded.text, Map::new())
    };
    if text.trim().is_empty() {
        let detail = format!("no text in the record for {uri}");
        return WarcOutcome::Reject(id, info, "read_empty", detail);
    }
    let fields = [
        ("url", record.target_uri),
        ("crawl_date", record.date),
        ("warc_type", Some(record.record_type)),
        ("content_language", record.language),
        ("content_type", Some(content_type).filter(|c| !c.is_empty())),
    ];
    for (key, value) in fields {
        if let Some(value) = value {
            metadata
                .entry(key.to_owned())
                .or_insert(Value::String(value));
        }
    }
    if let Some(status) = record.http_status {
        metadata.insert("http_status".to_owned(), Value::from(status));
    }
    WarcOutcome::Document(Box::new(Document {
        id,
        text,
        source: info,
        metadata,
        origin: DocRef::default(),
        ..Document::default()
    }))
}

/// Decodes a payload using the charset of its content type when it names one, else as a
/// text file is decoded (UTF-8, BOMs, detected legacy encodings).
fn decode_with_charset(
    payload: &[u8],
    content_type: &str,
) -> std::result::Result<crate::decode::Decoded, crate::decode::Undecodable> {
    let label = content_type
        .split(';')
        .filter_map(|part| part.trim().strip_prefix("charset="))
        .next()
        .map(|c| c.trim_matches(['"', '\'']));
    if let Some(encoding) = label.and_then(|l| encoding_rs::Encoding::for_label(l.as_bytes())) {
        if encoding != encoding_rs::UTF_8 {
            let (text, _, _) = encoding.decode(payload);
            return Ok(crate::decode::Decoded {
                text: normalize_newlines(&text),
                encoding: format!("{} (from the HTTP header)", encoding.name().to_lowercase()),
            });
        }
    }
    decode_text(payload)
}

/// Main text and metadata of an HTML page.
fn html_document(html: &str, url: Option<&str>) -> (String, Map<String, Value>) {
    let page = extract_html(html, url);
    let mut metadata = Map::new();
    let fields = [
        ("title", page.title),
        ("published", page.published),
        ("author", page.author),
        ("site_name", page.site_name),
        ("html_lang", page.lang),
        ("url", page.url),
    ];
    for (key, value) in fields {
        if let Some(value) = value.filter(|v| !v.trim().is_empty()) {
            metadata.insert(key.to_owned(), Value::String(value));
        }
    }
    (page.text, metadata)
}

/// Whether bytes start like an HTML document.
fn looks_like_html(bytes: &[u8]) -> bool {
    sniff_format(bytes) == Format::Html
}

/// The format of a file whose name does not tell, from its first bytes.
fn sniff_format(head: &[u8]) -> Format {
    let start = head
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(head.len());
    let head = &head[start..head.len().min(start + 512)];
    let lower: Vec<u8> = head.iter().map(u8::to_ascii_lowercase).collect();
    let lower = lower.strip_prefix(b"\xef\xbb\xbf").unwrap_or(&lower);
    if lower.starts_with(b"warc/") || lower.starts_with(b"filedesc://") {
        Format::Warc
    } else if lower.starts_with(b"<!doctype html")
        || lower.starts_with(b"<html")
        || lower.starts_with(b"<?xml") && lower.windows(5).any(|w| w == b"<html")
    {
        Format::Html
    } else if lower.starts_with(b"{") {
        Format::Jsonl
    } else {
        Format::Text
    }
}

fn format_name(format: Format) -> &'static str {
    match format {
        Format::Jsonl => "jsonl",
        Format::Html => "html",
        Format::Warc => "warc",
        Format::Text | Format::Auto => "text",
    }
}

/// A JSONL file being streamed.
struct JsonlFile {
    lines: BufReader<Box<dyn Read + Send>>,
    stem: String,
    info: SourceInfo,
    line: u64,
    /// The current line, reused from line to line: growing a fresh vector to a record's
    /// size cost about ten allocations per record.
    buffer: Vec<u8>,
    done: bool,
}

enum LineOutcome {
    /// The line is in [`JsonlFile::buffer`].
    Line,
    TooLong(u64),
    Failed(io::Error),
    End,
}

impl JsonlFile {
    /// The next non-blank line, at most `limit` bytes; an overlong line is skipped to its end.
    fn next_line(&mut self, limit: u64) -> LineOutcome {
        if self.done {
            return LineOutcome::End;
        }
        loop {
            let line = &mut self.buffer;
            line.clear();
            let read = read_line_into(&mut self.lines, line, limit + 1);
            match read {
                Ok(0) => {
                    self.done = true;
                    return LineOutcome::End;
                }
                Ok(_) => {}
                Err(err) => {
                    self.line += 1;
                    return LineOutcome::Failed(err);
                }
            }
            self.line += 1;
            if line.len() as u64 > limit && line.last() != Some(&b'\n') {
                let mut skipped = line.len() as u64;
                loop {
                    let mut rest = Vec::new();
                    match (&mut self.lines).take(1 << 20).read_until(b'\n', &mut rest) {
                        Ok(0) => break,
                        Ok(n) => {
                            skipped += n as u64;
                            if rest.last() == Some(&b'\n') {
                                break;
                            }
                        }
                        Err(err) => return LineOutcome::Failed(err),
                    }
                }
                return LineOutcome::TooLong(skipped);
            }
            while matches!(line.last(), Some(b'\n' | b'\r')) {
                line.pop();
            }
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            return LineOutcome::Line;
        }
    }

    /// The fallback id `<stem>#<line>` and the source info of the current line.
    fn record_info(&self, raw: Option<&[u8]>) -> (String, SourceInfo) {
        let mut info = self.info.clone();
        info.record = Some(self.line);
        if let Some(raw) = raw {
            info.sha256 = Some(sha256_hex(raw));
            info.bytes = raw.len() as u64;
        }
        (format!("{}#{}", self.stem, self.line), info)
    }
}

/// `reader.take(max).read_until(b'\n', line)`, finding the line end with `memchr`, which
/// reads many bytes at a time (the standard library's search was 8 % of the read thread).
fn read_line_into(reader: &mut impl BufRead, line: &mut Vec<u8>, max: u64) -> io::Result<usize> {
    let mut read = 0;
    while (read as u64) < max {
        let available = match reader.fill_buf() {
            Ok(available) => available,
            Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
            Err(err) => return Err(err),
        };
        if available.is_empty() {
            break;
        }
        let window = &available[..available.len().min((max - read as u64) as usize)];
        let (used, ended) = match memchr::memchr(b'\n', window) {
            Some(newline) => (newline + 1, true),
            None => (window.len(), false),
        };
        line.extend_from_slice(&window[..used]);
        reader.consume(used);
        read += used;
        if ended {
            break;
        }
    }
    Ok(read)
}

type Record = (Option<String>, String, Map<String, Value>);

/// Parses one JSONL line into (id, text, metadata), or a reason and detail.
/// Why a JSONL record was rejected, with its own id when it has one.
struct RecordError {
    id: Option<String>,
    reason: &'static str,
    detail: String,
}

fn parse_record(raw: &[u8], config: &ReadConfig) -> std::result::Result<Record, RecordError> {
    let text = std::str::from_utf8(raw).map_err(|e| RecordError {
        id: None,
        reason: "read_invalid_utf8",
        detail: format!(
            "invalid UTF-8 at byte {} of the line; JSONL must be UTF-8, re-encode the file",
            e.valid_up_to()
        ),
    })?;
    let value: Value =
        serde_json::from_str(text.trim_start_matches('\u{feff}')).map_err(|e| RecordError {
            id: None,
            reason: "read_invalid_json",
            detail: format!(
                "not valid JSON ({} at column {}); fix or remove the line",
                json_problem(&e),
                e.column()
            ),
        })?;
    let Value::Object(mut fields) = value else {
        return Err(RecordError {
            id: None,
            reason: "read_invalid_json",
            detail:
                "the line is JSON but not an object; each line must be an object with a text field"
                    .to_owned(),
        });
    };
    let id = match fields.remove(&config.id_key) {
        Some(Value::String(id)) if !id.is_empty() => Some(id),
        Some(Value::Number(n)) => Some(n.to_string()),
        Some(other) => {
            fields.insert(config.id_key.clone(), other);
            None
        }
        None => None,
    };
    let text = match fields.remove(&config.text_key) {
        Some(Value::String(text)) => text,
        Some(other) => {
            return Err(RecordError {
                id,
                reason: "read_missing_text",
                detail:
                format!(
                    "field `{}` is {}, not a string; set [source].text_key to the field that holds the text",
                    config.text_key,
                    json_type(&other)
                ),
            })
        }
        None => {
            return Err(RecordError {
                id,
                reason: "read_missing_text",
                detail: format!(
                    "no field `{}`; set [source].text_key to the field that holds the text",
                    config.text_key
                ),
            })
        }
    };
    if let Some(keep) = &config.metadata_keys {
        fields.retain(|key, _| keep.contains(key));
    }
    Ok((id, text, fields))
}

/// A short, stable description of a JSON syntax error (serde's message without position).
fn json_problem(err: &serde_json::Error) -> String {
    let message = err.to_string();
    match message.find(" at line ") {
        Some(cut) => message[..cut].to_owned(),
        None => message,
    }
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Compression {
    None,
    Gzip,
    Zstd,
}

impl Compression {
    fn of(path: &Path) -> Self {
        match path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_lowercase)
            .as_deref()
        {
            Some("gz") => Compression::Gzip,
            Some("zst") => Compression::Zstd,
            _ => Compression::None,
        }
    }

    fn name(self) -> Option<&'static str> {
        match self {
            Compression::None => None,
            Compression::Gzip => Some("gzip"),
            Compression::Zstd => Some("zstd"),
        }
    }
}

/// Counts the bytes read from disk into a shared counter, for progress display, and
/// hashes them for the manifest of incremental runs: below any decompressor, so compressed
/// files advance (and are hashed) by their bytes on disk.
struct Counting<R> {
    inner: R,
    total: Arc<AtomicU64>,
    this_file: Arc<AtomicU64>,
    hasher: Arc<Mutex<Xxh3>>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.total.fetch_add(n as u64, Ordering::Relaxed);
        self.this_file.fetch_add(n as u64, Ordering::Relaxed);
        if let Ok(mut hasher) = self.hasher.lock() {
            hasher.update(&buf[..n]);
        }
        Ok(n)
    }
}

/// A file the source has finished with, for the manifest of incremental runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileDone {
    /// The path as written to `source.path`.
    pub path: String,
    /// Size on disk in bytes.
    pub size: u64,
    /// Modification time in nanoseconds since the Unix epoch, when the OS tells it.
    pub modified_ns: Option<u128>,
    /// The file's bytes on disk as [`file_content_hash`] gives them; `None` when reading
    /// stopped early (too large, truncated, unreadable).
    pub content_hash: Option<String>,
}

fn open(
    path: &Path,
    compression: Compression,
    warc: bool,
    total: &Arc<AtomicU64>,
    this_file: &Arc<AtomicU64>,
    hasher: &Arc<Mutex<Xxh3>>,
) -> io::Result<Box<dyn Read + Send>> {
    let file = Counting {
        inner: File::open(path)?,
        total: Arc::clone(total),
        this_file: Arc::clone(this_file),
        hasher: Arc::clone(hasher),
    };
    Ok(match compression {
        Compression::None => Box::new(file),
        // WARC files have one gzip member per record: a decoder that skips a corrupt member
        // loses one record instead of the rest of the file.
        Compression::Gzip if warc => Box::new(GzipMembers::new(file)),
        Compression::Gzip => Box::new(flate2::read::MultiGzDecoder::new(BufReader::new(file))),
        Compression::Zstd => Box::new(
            ruzstd::decoding::StreamingDecoder::new(BufReader::new(file))
                .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e.to_string()))?,
        ),
    })
}

/// A file's modification time in nanoseconds since the Unix epoch, when the OS tells it
/// (what the manifest of incremental runs compares).
pub fn modified_ns(metadata: &std::fs::Metadata) -> Option<u128> {
    metadata
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map(|d| d.as_nanos())
}

/// How `path` appears in `source.path`: relative to `base` when it lies below it.
pub fn display_path(path: &Path, base: &Path) -> String {
    path.strip_prefix(base)
        .unwrap_or(path)
        .to_string_lossy()
        .into_owned()
}

/// The format of `path` judged from its name, when the name tells: JSONL for `.jsonl` and
/// `.ndjson`, HTML for `.html`/`.htm`/`.xhtml`, WARC for `.warc`, `.arc` and `.wet`, text for
/// `.txt`, `.md` and `.text` (each also with `.gz` or `.zst`).
fn detect_format(path: &Path) -> Option<Format> {
    match format_extension(path).as_str() {
        "jsonl" | "ndjson" => Some(Format::Jsonl),
        "html" | "htm" | "xhtml" => Some(Format::Html),
        "warc" | "arc" | "wet" => Some(Format::Warc),
        "txt" | "md" | "text" | "markdown" => Some(Format::Text),
        _ => None,
    }
}

/// The file name without its format and compression extensions (`a.jsonl.gz` → `a`).
fn file_stem(path: &Path) -> String {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut stem = name.as_str();
    for ext in [".gz", ".zst"] {
        if let Some(s) = stem.strip_suffix(ext) {
            stem = s;
        }
    }
    match stem.rfind('.') {
        Some(dot) if dot > 0 => stem[..dot].to_owned(),
        _ => stem.to_owned(),
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Lowercase hex of a digest.
pub(crate) fn hex(digest: &[u8]) -> String {
    // Every JSONL record gets one; `write!` per byte was 3 % of the read thread.
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(digest.len() * 2);
    for &byte in digest {
        out.push(DIGITS[usize::from(byte >> 4)] as char);
        out.push(DIGITS[usize::from(byte & 15)] as char);
    }
    out
}

/// What tells whether a file's content changed: the hex 128-bit XXH3 of its bytes, read in
/// 1 MiB pieces. Not SHA-256, which each record gets for `source.sha256`: that would hash
/// every byte read twice with it, where this costs a twentieth as much.
pub fn file_content_hash(path: &Path) -> io::Result<String> {
    let mut file = File::open(path)?;
    let mut hasher = Xxh3::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex(&hasher.digest128().to_be_bytes()))
}

fn open_reason(err: &io::Error) -> &'static str {
    match err.kind() {
        io::ErrorKind::PermissionDenied => "read_permission_denied",
        io::ErrorKind::InvalidData => "read_corrupt",
        _ => "read_io",
    }
}

fn open_detail(err: &io::Error) -> String {
    match err.kind() {
        io::ErrorKind::PermissionDenied => {
            "permission denied; make the file readable (chmod +r) or remove it from the input"
                .to_owned()
        }
        io::ErrorKind::InvalidData => {
            format!("the compressed stream is not valid ({err}); re-compress the file")
        }
        _ => format!("cannot open the file: {err}"),
    }
}

fn read_reason(err: &io::Error) -> &'static str {
    match err.kind() {
        io::ErrorKind::UnexpectedEof => "read_truncated",
        io::ErrorKind::InvalidData | io::ErrorKind::InvalidInput => "read_corrupt",
        io::ErrorKind::PermissionDenied => "read_permission_denied",
        _ => "read_io",
    }
}

fn read_detail(err: &io::Error, info: &SourceInfo) -> String {
    let what = info.compression.as_deref().unwrap_or("file");
    match err.kind() {
        io::ErrorKind::UnexpectedEof => format!(
            "the {what} stream ends early: the file is truncated; re-download or re-compress it \
             (records before this point were kept)"
        ),
        io::ErrorKind::InvalidData | io::ErrorKind::InvalidInput => {
            format!("the {what} data is corrupt ({err}); re-download or re-compress it")
        }
        _ => format!("cannot read the file: {err}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn read_all(dir: &Path, config: ReadConfig) -> Vec<std::result::Result<Document, Rejected>> {
        FileSource::open(&config, dir).unwrap().collect()
    }

    fn config_for(dir: &Path) -> ReadConfig {
        ReadConfig {
            paths: vec![dir.to_string_lossy().into_owned()],
            ..ReadConfig::default()
        }
    }

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(bytes).unwrap();
        encoder.finish().unwrap()
    }

    #[test]
    fn digests_are_written_as_lowercase_hex() {
        // The SHA-256 test vectors of FIPS 180-2.
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(hex(&[0x00, 0x0f, 0xa0, 0xff]), "000fa0ff");
    }

    #[test]
    fn text_file_becomes_one_document_with_source_facts() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("000_abc.txt"), "Titel\r\n\r\nText.").unwrap();
        let items = read_all(dir.path(), config_for(dir.path()));
        let doc = items[0].as_ref().unwrap();
        assert_eq!(doc.id, "000_abc");
        assert_eq!(doc.text, "Titel\n\nText.");
        assert_eq!(doc.source.format, "text");
        assert_eq!(doc.source.bytes, 14);
        assert_eq!(doc.source.sha256.as_ref().unwrap().len(), 64);
        assert_eq!(doc.source.record, None);
    }

    #[test]
    fn jsonl_records_keep_ids_metadata_and_line_numbers_and_reject_bad_lines() {
        let dir = tempfile::tempdir().unwrap();
        let lines = concat!(
            "{\"id\": \"a\", \"text\": \"Eins.\", \"url\": \"https://x\"}\n",
            "\n",
            "{\"text\": \"Zwei.\"}\n",
            "{broken\n",
            "{\"id\": 7, \"body\": \"Drei.\"}\n",
            "[1, 2]\n",
            "{\"id\": 8, \"text\": 5}\n"
        );
        std::fs::write(dir.path().join("c.jsonl"), lines).unwrap();
        let items = read_all(dir.path(), config_for(dir.path()));
        assert_eq!(items.len(), 6);
        let a = items[0].as_ref().unwrap();
        assert_eq!((a.id.as_str(), a.text.as_str()), ("a", "Eins."));
        assert_eq!(a.metadata["url"], "https://x");
        assert_eq!(a.source.record, Some(1));
        assert_eq!(items[1].as_ref().unwrap().id, "c#3");
        let broken = items[2].as_ref().unwrap_err();
        assert_eq!(
            (broken.reason, broken.id.as_str()),
            ("read_invalid_json", "c#4")
        );
        assert!(
            broken.detail.starts_with("line 4: not valid JSON"),
            "{}",
            broken.detail
        );
        let no_text = items[3].as_ref().unwrap_err();
        assert_eq!(no_text.reason, "read_missing_text");
        assert!(no_text.detail.contains("text_key"), "{}", no_text.detail);
        assert_eq!(items[4].as_ref().unwrap_err().reason, "read_invalid_json");
        assert!(items[5].as_ref().unwrap_err().detail.contains("a number"));
        let seqs: Vec<u64> = items
            .iter()
            .map(|i| match i {
                Ok(d) => d.origin.seq,
                Err(r) => r.origin.seq,
            })
            .collect();
        assert_eq!(seqs, vec![0, 1, 2, 3, 4, 5]);
    }

    #[test]
    fn metadata_keys_select_the_fields_passed_through() {
        let dir = tempfile::tempdir().unwrap();
        let line = "{\"id\": \"a\", \"text\": \"T.\", \"url\": \"u\", \"html\": \"<p>big</p>\"}\n";
        std::fs::write(dir.path().join("m.jsonl"), line).unwrap();
        let config = ReadConfig {
            metadata_keys: Some(vec!["url".into()]),
            ..config_for(dir.path())
        };
        let items = read_all(dir.path(), config);
        let doc = items[0].as_ref().unwrap();
        assert_eq!(doc.metadata.keys().collect::<Vec<_>>(), vec!["url"]);
        assert_eq!(doc.text, "T.");
    }

    #[test]
    fn configurable_keys_and_compressed_jsonl() {
        let dir = tempfile::tempdir().unwrap();
        let body = b"{\"doc\": \"k1\", \"body\": \"Hallo Welt.\"}\n";
        std::fs::write(dir.path().join("g.jsonl.gz"), gzip(body)).unwrap();
        let mut zstd_frame = Vec::new();
        // A zstd frame holding the raw block "{\"doc\":\"k2\",\"body\":\"Zstd.\"}\n".
        let raw = b"{\"doc\":\"k2\",\"body\":\"Zstd.\"}\n";
        zstd_frame.extend_from_slice(&[0x28, 0xB5, 0x2F, 0xFD, 0x20, raw.len() as u8]);
        let header = ((raw.len() as u32) << 3) | 1;
        zstd_frame.extend_from_slice(&header.to_le_bytes()[..3]);
        zstd_frame.extend_from_slice(raw);
        std::fs::write(dir.path().join("z.jsonl.zst"), zstd_frame).unwrap();
        let config = ReadConfig {
            text_key: "body".into(),
            id_key: "doc".into(),
            ..config_for(dir.path())
        };
        let items = read_all(dir.path(), config);
        let ids: Vec<_> = items
            .iter()
            .map(|i| i.as_ref().unwrap().id.clone())
            .collect();
        assert_eq!(ids, vec!["k1", "k2"]);
        assert_eq!(
            items[0].as_ref().unwrap().source.compression.as_deref(),
            Some("gzip")
        );
        assert_eq!(items[1].as_ref().unwrap().text, "Zstd.");
    }

    #[test]
    fn truncated_gzip_keeps_earlier_records_and_rejects_the_rest_once() {
        let dir = tempfile::tempdir().unwrap();
        let mut body = String::new();
        for i in 0..2000 {
            body.push_str(&format!(
                "{{\"id\": \"r{i}\", \"text\": \"Satz Nummer {i} mit etwas Text.\"}}\n"
            ));
        }
        let packed = gzip(body.as_bytes());
        std::fs::write(dir.path().join("t.jsonl.gz"), &packed[..packed.len() / 2]).unwrap();
        let items = read_all(dir.path(), config_for(dir.path()));
        let rejected: Vec<_> = items.iter().filter_map(|i| i.as_ref().err()).collect();
        assert_eq!(rejected.len(), 1);
        assert_eq!(rejected[0].reason, "read_truncated");
        assert!(items.len() > 100, "records before the cut are kept");
    }

    #[test]
    fn empty_binary_and_oversized_files_are_rejected_with_reasons() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("empty.txt"), "  \n").unwrap();
        std::fs::write(
            dir.path().join("image.txt"),
            b"\x89PNG\r\n\x1a\n\x00\x00\x00",
        )
        .unwrap();
        std::fs::write(dir.path().join("big.txt"), "x".repeat(2000)).unwrap();
        let config = ReadConfig {
            max_file_bytes: 1000,
            ..config_for(dir.path())
        };
        let items = read_all(dir.path(), config);
        let reasons: Vec<_> = items
            .iter()
            .map(|i| i.as_ref().unwrap_err().reason)
            .collect();
        assert_eq!(reasons, vec!["read_too_large", "read_empty", "read_binary"]);
    }

    #[test]
    fn lines_are_read_as_take_and_read_until_would() {
        let mut state = 0x9E37_79B9_7F4A_7C15_u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..300 {
            let len = (next() % 200) as usize;
            let bytes: Vec<u8> = (0..len)
                .map(|_| {
                    if next() % 9 == 0 {
                        b'\n'
                    } else {
                        b'a' + (next() % 3) as u8
                    }
                })
                .collect();
            let capacity = 1 + (next() % 16) as usize;
            let max = next() % 40;
            let mut ours = io::BufReader::with_capacity(capacity, &bytes[..]);
            let mut reference = io::BufReader::with_capacity(capacity, &bytes[..]);
            loop {
                let (mut a, mut b) = (Vec::new(), Vec::new());
                let n = read_line_into(&mut ours, &mut a, max).unwrap();
                let m = (&mut reference)
                    .take(max)
                    .read_until(b'\n', &mut b)
                    .unwrap();
                assert_eq!((n, &a), (m, &b), "{bytes:?} capacity {capacity} max {max}");
                if n == 0 {
                    break;
                }
            }
        }
    }

    #[test]
    fn overlong_jsonl_record_is_rejected_and_the_next_line_read() {
        let dir = tempfile::tempdir().unwrap();
        let long = format!(
            "{{\"text\": \"{}\"}}\n{{\"text\": \"kurz\"}}\n",
            "a".repeat(5000)
        );
        std::fs::write(dir.path().join("l.jsonl"), long).unwrap();
        let config = ReadConfig {
            max_record_bytes: 100,
            ..config_for(dir.path())
        };
        let items = read_all(dir.path(), config);
        assert_eq!(items[0].as_ref().unwrap_err().reason, "read_too_large");
        assert_eq!(items[1].as_ref().unwrap().id, "l#2");
    }

    #[test]
    fn same_stem_in_two_folders_gets_distinct_ids() {
        let dir = tempfile::tempdir().unwrap();
        for sub in ["a", "b"] {
            std::fs::create_dir(dir.path().join(sub)).unwrap();
            std::fs::write(dir.path().join(sub).join("x.txt"), "Text.").unwrap();
        }
        let items = read_all(dir.path(), config_for(dir.path()));
        let ids: Vec<_> = items
            .iter()
            .map(|i| i.as_ref().unwrap().id.clone())
            .collect();
        assert_eq!(ids, vec!["x", "x~2"]);
    }

    #[test]
    fn progress_reaches_the_size_on_disk_of_every_file() {
        let dir = tempfile::tempdir().unwrap();
        let mut body = String::new();
        for i in 0..500 {
            body.push_str(&format!("{{\"text\": \"Zeile {i}\"}}\n"));
        }
        std::fs::write(dir.path().join("a.jsonl.gz"), gzip(body.as_bytes())).unwrap();
        std::fs::write(dir.path().join("b.txt"), "Text.").unwrap();
        std::fs::write(dir.path().join("c.txt"), "x".repeat(5000)).unwrap();
        let config = ReadConfig {
            max_file_bytes: 100,
            ..config_for(dir.path())
        };
        let mut source = FileSource::open(&config, dir.path()).unwrap();
        let progress = source.progress();
        let first = source.next().unwrap().unwrap();
        assert_eq!(first.id, "a#1");
        assert!(
            progress.load(Ordering::Relaxed) > 0,
            "progress moves within a file"
        );
        assert_eq!(source.by_ref().count(), 501);
        assert_eq!(progress.load(Ordering::Relaxed), source.total_bytes());
    }

    #[test]
    fn a_folder_that_cannot_be_listed_is_rejected_and_the_rest_is_read() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("a")).unwrap();
        std::fs::write(dir.path().join("a/x.txt"), "Text.").unwrap();
        // A link back to its own folder: walking it fails like an unreadable folder would
        // (permission errors cannot be provoked when the tests run as root).
        std::os::unix::fs::symlink(dir.path().join("a"), dir.path().join("a/loop")).unwrap();
        let items = read_all(dir.path(), config_for(dir.path()));
        assert_eq!(items.len(), 2, "{items:?}");
        let rejected = items[0].as_ref().unwrap_err();
        assert_eq!(rejected.reason, "read_io");
        assert!(
            rejected.detail.contains("links back to itself"),
            "{}",
            rejected.detail
        );
        assert_eq!(items[1].as_ref().unwrap().id, "x");
    }

    #[test]
    fn finished_files_are_reported_with_their_hash() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.txt"), "Text eins.").unwrap();
        std::fs::write(dir.path().join("b.jsonl.gz"), gzip(b"{\"text\": \"x\"}\n")).unwrap();
        // Larger than the read buffer, so reading stops before its end.
        std::fs::write(dir.path().join("c.txt"), "x".repeat(300_000)).unwrap();
        let config = ReadConfig {
            max_file_bytes: 100,
            ..config_for(dir.path())
        };
        let source = FileSource::open(&config, dir.path()).unwrap();
        let done = source.done_files();
        assert_eq!(source.count(), 3);
        let done = done.lock().unwrap().clone();
        let paths: Vec<&str> = done.iter().map(|d| d.path.as_str()).collect();
        assert_eq!(paths, vec!["a.txt", "b.jsonl.gz", "c.txt"]);
        assert_eq!(
            done[0].content_hash,
            Some(file_content_hash(&dir.path().join("a.txt")).unwrap())
        );
        assert_eq!(
            done[1].content_hash,
            Some(file_content_hash(&dir.path().join("b.jsonl.gz")).unwrap())
        );
        assert_eq!(
            done[2].content_hash, None,
            "a file read only in part has no hash"
        );
        assert!(done[0].modified_ns.is_some());
    }

    /// One WARC record with the given headers and block.
    fn warc_record(kind: &str, uri: &str, content_type: &str, block: &[u8]) -> Vec<u8> {
        let mut out = format!(
            "WARC/1.0\r\nWARC-Type: {kind}\r\nWARC-Target-URI: {uri}\r\nWARC-Date: 2024-05-18T01:58:10Z\r\n\
             WARC-Record-ID: <urn:uuid:{kind}-{}>\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\r\n",
            uri.len(),
            block.len()
        )
        .into_bytes();
        out.extend_from_slice(block);
        out.extend_from_slice(b"\r\n\r\n");
        out
    }

    fn http_response(status: &str, content_type: &str, body: &[u8]) -> Vec<u8> {
        let mut out = format!(
            "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\r\n",
            body.len()
        )
        .into_bytes();
        out.extend_from_slice(body);
        out
    }

    #[test]
    fn warc_records_become_documents_rejections_or_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let mut warc = Vec::new();
        warc.extend(warc_record(
            "warcinfo",
            "",
            "application/warc-fields",
            b"software: test\r\n",
        ));
        warc.extend(warc_record(
            "request",
            "http://a.example/",
            "application/http; msgtype=request",
            b"GET / HTTP/1.1\r\n\r\n",
        ));
        let latin1_page = http_response(
            "200 OK",
            "text/plain; charset=iso-8859-1",
            b"Gr\xfc\xdfe aus M\xfcnchen.",
        );
        warc.extend(warc_record(
            "response",
            "http://a.example/",
            "application/http; msgtype=response",
            &latin1_page,
        ));
        let missing = http_response("404 Not Found", "text/html", b"<html>gone</html>");
        warc.extend(warc_record(
            "response",
            "http://a.example/x",
            "application/http; msgtype=response",
            &missing,
        ));
        warc.extend(warc_record(
            "resource",
            "file:///logo.png",
            "image/png",
            b"\x89PNG....",
        ));
        warc.extend(warc_record(
            "conversion",
            "http://b.example/",
            "text/plain",
            "Umgewandelter Text über Köln.".as_bytes(),
        ));
        std::fs::write(dir.path().join("crawl.warc.gz"), gzip(&warc)).unwrap();
        let items = read_all(dir.path(), config_for(dir.path()));
        assert_eq!(items.len(), 4, "{items:#?}");
        let page = items[0].as_ref().unwrap();
        assert_eq!(page.id, "urn:uuid:response-17");
        assert_eq!(page.text, "Grüße aus München.");
        assert_eq!(page.metadata["url"], "http://a.example/");
        assert_eq!(page.metadata["crawl_date"], "2024-05-18T01:58:10Z");
        assert_eq!(page.source.format, "warc");
        assert_eq!(page.source.record, Some(3));
        assert!(page
            .source
            .encoding
            .as_deref()
            .unwrap()
            .starts_with("windows-1252 (from the HTTP header)"));
        assert_eq!(items[1].as_ref().unwrap_err().reason, "read_http_status");
        assert_eq!(
            items[2].as_ref().unwrap_err().reason,
            "read_unsupported_content"
        );
        let converted = items[3].as_ref().unwrap();
        assert_eq!(converted.text, "Umgewandelter Text über Köln.");
        assert_eq!(converted.metadata["warc_type"], "conversion");

        let resumed: Vec<_> = FileSource::open(&config_for(dir.path()), dir.path())
            .unwrap()
            .resume_after("crawl.warc.gz", 4)
            .collect();
        assert_eq!(resumed.len(), 2, "{resumed:#?}");
        assert_eq!(resumed[0].as_ref().unwrap_err().source.record, Some(5));
        assert_eq!(resumed[1].as_ref().unwrap().text, converted.text);
    }

    #[test]
    fn a_truncated_warc_keeps_the_records_before_the_cut() {
        let dir = tempfile::tempdir().unwrap();
        let mut warc = Vec::new();
        for i in 0..3 {
            let text = format!("Text Nummer {i} aus einer WET-Datei.");
            warc.extend(warc_record(
                "conversion",
                &format!("http://c.example/{i}"),
                "text/plain",
                text.as_bytes(),
            ));
        }
        let cut = warc.len() - 20;
        std::fs::write(dir.path().join("cut.warc"), &warc[..cut]).unwrap();
        let items = read_all(dir.path(), config_for(dir.path()));
        assert_eq!(items.len(), 3, "{items:#?}");
        assert!(items[0].is_ok() && items[1].is_ok());
        let err = items[2].as_ref().unwrap_err();
        assert_eq!(err.reason, "read_truncated");
        assert!(err.byte_offset.is_some());
    }

    #[test]
    fn resuming_passes_over_the_records_written_before() {
        let dir = tempfile::tempdir().unwrap();
        let lines = concat!(
            "{\"id\": \"a\", \"text\": \"Eins.\"}\n",
            "\n",
            "{broken\n",
            "{\"id\": \"b\", \"text\": \"Zwei.\"}\n",
            "\n",
            "{\"id\": \"c\", \"text\": \"Drei.\"}\n",
        );
        std::fs::write(dir.path().join("a.jsonl.gz"), gzip(lines.as_bytes())).unwrap();
        std::fs::write(dir.path().join("b.jsonl"), "{\"text\": \"Vier.\"}\n").unwrap();
        let whole = read_all(dir.path(), config_for(dir.path()));
        let source = FileSource::open(&config_for(dir.path()), dir.path()).unwrap();
        let done = source.done_files();
        let resumed: Vec<_> = source.resume_after("a.jsonl.gz", 4).collect();
        let numbers = |items: &[std::result::Result<Document, Rejected>]| {
            items
                .iter()
                .map(|item| match item {
                    Ok(doc) => (doc.id.clone(), doc.source.record),
                    Err(rejected) => (rejected.id.clone(), rejected.source.record),
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(numbers(&whole).len(), 5);
        assert_eq!(numbers(&resumed), numbers(&whole)[3..].to_vec());
        assert_eq!(
            numbers(&resumed),
            vec![("c".to_owned(), Some(6)), ("b#1".to_owned(), Some(1))]
        );
        // The hash covers the bytes passed over, so the manifest entry is the same.
        let first = FileSource::open(&config_for(dir.path()), dir.path()).unwrap();
        let all_done = first.done_files();
        let _ = first.count();
        assert_eq!(*done.lock().unwrap(), *all_done.lock().unwrap());
    }

    #[test]
    fn files_without_a_telling_name_are_sniffed() {
        assert_eq!(sniff_format(b"  {\"text\": 1}"), Format::Jsonl);
        assert_eq!(sniff_format(b"\n<!DOCTYPE html><html>"), Format::Html);
        assert_eq!(sniff_format(b"<html lang=de>"), Format::Html);
        assert_eq!(sniff_format(b"WARC/1.1\r\n"), Format::Warc);
        assert_eq!(sniff_format(b"Ein ganz normaler Text."), Format::Text);
        assert_eq!(
            detect_format(Path::new("a/crawl.warc.wet.gz")),
            Some(Format::Warc)
        );
        assert_eq!(detect_format(Path::new("page.HTM")), Some(Format::Html));
        assert_eq!(detect_format(Path::new("data.bin")), None);

        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("export"),
            "{\"id\": \"e\", \"text\": \"Aus einer Datei ohne Endung.\"}\n",
        )
        .unwrap();
        let config = ReadConfig {
            paths: vec![dir.path().join("export").to_string_lossy().into_owned()],
            ..ReadConfig::default()
        };
        let items = read_all(dir.path(), config);
        let doc = items[0].as_ref().unwrap();
        assert_eq!(
            (doc.id.as_str(), doc.source.format.as_str()),
            ("e", "jsonl")
        );
    }

    #[test]
    fn stems_drop_format_and_compression_extensions() {
        assert_eq!(file_stem(Path::new("a/b.jsonl.gz")), "b");
        assert_eq!(file_stem(Path::new("000_4cc6.txt")), "000_4cc6");
        assert_eq!(file_stem(Path::new(".hidden")), ".hidden");
    }
}
