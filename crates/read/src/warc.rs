//! A streaming reader for WARC files (`.warc`, `.warc.gz`, Common Crawl `.warc.wet.gz`) and
//! the older ARC format (`.arc`, `.arc.gz`).
//!
//! [`WarcReader`] reads records from any [`BufRead`] — typically a
//! [`flate2::read::MultiGzDecoder`] over a `.warc.gz` written with one gzip member per record,
//! or a plain file — one at a time, holding at most one record (capped by
//! `max_record_bytes`) in memory. Each record comes out as a [`WarcItem::Record`]; anything
//! that cannot be read comes out as a [`WarcItem::Error`] with a byte offset, a fixed reason
//! and a detail a person can act on, and reading goes on with the next record wherever the
//! stream allows it (a damaged record is skipped up to the next `WARC/1.x` line).
//!
//! For `response` records with an HTTP block (`Content-Type: application/http`), the payload
//! is the HTTP body: the HTTP headers are split off (their `Content-Type` is kept in
//! [`WarcRecord::http_content_type`]), `Transfer-Encoding: chunked` is undone and a
//! `Content-Encoding` of gzip, deflate or zstd is decoded. For every other record the payload
//! is the record block as stored.
//!
//! The stream is detected from its first line: `WARC/…` is WARC, `filedesc://…` is ARC
//! (version 1 or 2; its records come out as `warcinfo`, `response` or `resource` records).

use std::io::{self, BufRead, Read};

/// The longest header line kept; longer lines are cut (the rest is read and dropped).
const MAX_LINE_BYTES: usize = 64 * 1024;
/// The most header bytes (WARC or HTTP) a record may have before it is reported as broken.
const MAX_HEADER_BYTES: usize = 1024 * 1024;
/// How much of an unexpected line an error detail quotes.
const PREVIEW_BYTES: usize = 60;

/// The record structure is broken (no `WARC/` line, no or bad `Content-Length`, a record
/// that does not end where its length says, a malformed ARC header).
pub const REASON_INVALID_WARC: &str = "read_invalid_warc";
/// The stream ends inside a record.
pub const REASON_TRUNCATED: &str = "read_truncated";
/// A record (or its decoded HTTP body) is larger than `max_record_bytes`.
pub const REASON_TOO_LARGE: &str = "read_too_large";
/// The underlying (usually gzip) stream is corrupt; nothing after it can be read.
pub const REASON_CORRUPT: &str = "read_corrupt";
/// Any other I/O error of the underlying reader.
pub const REASON_IO: &str = "read_io";
/// The HTTP body has a `Content-Encoding` that is not supported or does not decode.
pub const REASON_INVALID_CONTENT_ENCODING: &str = "read_invalid_content_encoding";

/// One record of a WARC (or ARC) file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WarcRecord {
    /// `WARC-Type`: `response`, `conversion`, `resource`, `request`, `warcinfo`,
    /// `metadata`, `revisit`, …
    pub record_type: String,
    /// `WARC-Target-URI`, without the angle brackets some writers put around it.
    pub target_uri: Option<String>,
    /// `WARC-Date` as written (ISO 8601, e.g. `2024-05-18T01:58:10Z`).
    pub date: Option<String>,
    /// `WARC-Record-ID`, e.g. `<urn:uuid:…>`.
    pub record_id: Option<String>,
    /// The record's `Content-Type` (`application/http; msgtype=response`, `text/plain`, …).
    pub content_type: Option<String>,
    /// `WARC-Identified-Content-Language` (Common Crawl WET), e.g. `deu` or `deu,eng`.
    pub language: Option<String>,
    /// For HTTP records: the `Content-Type` header of the HTTP message (it carries the
    /// charset).
    pub http_content_type: Option<String>,
    /// For HTTP records: the status code of the response (`200`, `404`, …).
    pub http_status: Option<u16>,
    /// `WARC-Truncated` (`length`, `time`, …): the writer cut the payload short.
    pub truncated: Option<String>,
    /// For HTTP records: the HTTP body, de-chunked and content-decoded. For every other
    /// record: the record block.
    pub payload: Vec<u8>,
    /// Byte offset of the record in the (decompressed) stream.
    pub offset: u64,
}

/// What [`WarcReader`] yields: a record, or why a part of the stream could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WarcItem {
    /// A record that was read completely.
    Record(WarcRecord),
    /// A record, or a stretch of the stream, that could not be read.
    Error {
        /// Byte offset in the (decompressed) stream where the problem starts.
        offset: u64,
        /// A snake_case reason from a fixed set (the `REASON_*` constants).
        reason: &'static str,
        /// What was wrong and what was skipped, for a person to act on.
        detail: String,
    },
}

/// Which format the stream turned out to be, decided on its first line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Unknown,
    Warc,
    /// ARC with its version (1 or 2) from the `filedesc` record.
    Arc(u8),
}

/// One line of the stream with its terminator, where it started, and whether it was cut.
struct Line {
    bytes: Vec<u8>,
    offset: u64,
    cut: bool,
}

impl Line {
    /// The line without its `\n` or `\r\n`.
    fn text(&self) -> &[u8] {
        trim_eol(&self.bytes)
    }

    fn is_blank(&self) -> bool {
        !self.cut && self.text().iter().all(|b| *b == b' ' || *b == b'\t')
    }

    fn is_warc_version(&self) -> bool {
        is_warc_version(&self.bytes)
    }
}

/// A streaming WARC/ARC reader over any [`BufRead`]: one record in memory at a time.
///
/// Memory is bounded by one record: blocks larger than `max_record_bytes` are skipped (and
/// reported) without being held, header lines are capped at 64 KiB and headers at 1 MiB.
pub struct WarcReader<R: BufRead> {
    inner: R,
    max_record_bytes: u64,
    /// Bytes consumed from `inner` so far.
    offset: u64,
    /// A line read ahead that belongs to the next record.
    pending: Option<Line>,
    format: Format,
    done: bool,
    /// Where the item being read started, for errors of the underlying reader.
    item_start: u64,
    /// Whether the first line of the item being read has been read.
    in_record: bool,
    /// An error to hand out after the record just returned.
    queued: Option<WarcItem>,
}

impl<R: BufRead> WarcReader<R> {
    /// Reads records from `reader`; a record whose block (or decoded HTTP body) is larger
    /// than `max_record_bytes` is skipped and reported as `read_too_large`.
    pub fn new(reader: R, max_record_bytes: u64) -> Self {
        WarcReader {
            inner: reader,
            max_record_bytes,
            offset: 0,
            pending: None,
            format: Format::Unknown,
            done: false,
            item_start: 0,
            in_record: false,
            queued: None,
        }
    }

    /// Bytes consumed from the underlying reader so far.
    pub fn position(&self) -> u64 {
        self.offset
    }

    /// Reads one line through `\n`, keeping at most [`MAX_LINE_BYTES`]; `None` at the end.
    fn read_line(&mut self) -> io::Result<Option<Line>> {
        if let Some(line) = self.pending.take() {
            return Ok(Some(line));
        }
        let offset = self.offset;
        let mut bytes = Vec::new();
        let mut consumed = 0usize;
        loop {
            let available = match self.inner.fill_buf() {
                Ok(available) => available,
                Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
                Err(err) => {
                    self.offset += consumed as u64;
                    return Err(err);
                }
            };
            if available.is_empty() {
                break;
            }
            let (used, end) = match available.iter().position(|b| *b == b'\n') {
                Some(i) => (i + 1, true),
                None => (available.len(), false),
            };
            let room = MAX_LINE_BYTES.saturating_sub(bytes.len());
            bytes.extend_from_slice(&available[..used.min(room)]);
            self.inner.consume(used);
            consumed += used;
            if end {
                break;
            }
        }
        self.offset += consumed as u64;
        if consumed == 0 {
            return Ok(None);
        }
        let cut = consumed > bytes.len();
        Ok(Some(Line { bytes, offset, cut }))
    }

    /// Reads exactly `len` bytes (fewer only at the end of the stream).
    fn read_block(&mut self, len: u64) -> io::Result<Vec<u8>> {
        // `len` is at most `max_record_bytes`; cap the up-front allocation anyway so that a
        // large limit does not reserve memory a short stream never fills.
        let mut block = Vec::with_capacity(len.min(16 << 20) as usize);
        let read = (&mut self.inner).take(len).read_to_end(&mut block);
        self.offset += block.len() as u64;
        read?;
        Ok(block)
    }

    /// Reads and drops up to `len` bytes; returns how many there were.
    fn skip_bytes(&mut self, len: u64) -> io::Result<u64> {
        let mut skipped = 0;
        while skipped < len {
            let available = match self.inner.fill_buf() {
                Ok(available) => available,
                Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
                Err(err) => {
                    self.offset += skipped;
                    return Err(err);
                }
            };
            if available.is_empty() {
                break;
            }
            let used = (available.len() as u64).min(len - skipped);
            // `used` is at most `available.len()`, a usize.
            self.inner.consume(used as usize);
            skipped += used;
        }
        self.offset += skipped;
        Ok(skipped)
    }

    /// Skips lines until one that starts a record (kept as pending) or the end of the
    /// stream; returns a description of where reading goes on.
    fn resync(&mut self) -> io::Result<String> {
        loop {
            match self.read_line()? {
                None => {
                    return Ok(format!(
                        "skipped to the end of the stream at offset {}",
                        self.offset
                    ))
                }
                Some(line) if self.starts_record(&line) => {
                    let at = line.offset;
                    self.pending = Some(line);
                    return Ok(format!("skipped to the next record at offset {at}"));
                }
                Some(_) => {}
            }
        }
    }

    fn starts_record(&self, line: &Line) -> bool {
        match self.format {
            Format::Arc(version) => parse_arc_header(line.text(), version).is_ok(),
            _ => line.is_warc_version(),
        }
    }

    /// Reads the next item; `Ok(None)` at the end of the stream.
    fn read_item(&mut self) -> io::Result<Option<WarcItem>> {
        // Find the first line of the next record; blank lines between records are fine.
        self.in_record = false;
        let first = loop {
            match self.read_line()? {
                None => return Ok(None),
                Some(line) if line.is_blank() => {}
                Some(line) => break line,
            }
        };
        self.item_start = first.offset;
        self.in_record = true;
        if self.format == Format::Unknown {
            self.format = if first.text().starts_with(b"filedesc://") {
                Format::Arc(1)
            } else {
                Format::Warc
            };
        }
        match self.format {
            Format::Arc(_) => self.read_arc_record(first),
            _ => self.read_warc_record(first),
        }
    }

    fn read_warc_record(&mut self, first: Line) -> io::Result<Option<WarcItem>> {
        let start = first.offset;
        if !first.is_warc_version() {
            let found = preview(first.text());
            let skip = self.resync()?;
            return Ok(Some(error(
                start,
                REASON_INVALID_WARC,
                format!(
                    "expected a record starting with `WARC/1.0` or `WARC/1.1` at offset {start} but found `{found}`; {skip} ({} bytes not read)",
                    self.pending.as_ref().map_or(self.offset, |l| l.offset) - start
                ),
            )));
        }

        // The named fields, case-insensitive, folded continuation lines appended.
        let mut headers: Vec<(String, String)> = Vec::new();
        let mut header_bytes = first.bytes.len();
        loop {
            let Some(line) = self.read_line()? else {
                return Ok(Some(error(
                    start,
                    REASON_TRUNCATED,
                    format!(
                        "the stream ends at offset {} inside the header of the record at offset {start}; the file is cut off",
                        self.offset
                    ),
                )));
            };
            if line.is_blank() {
                break;
            }
            if line.is_warc_version() {
                let at = line.offset;
                self.pending = Some(line);
                return Ok(Some(error(
                    start,
                    REASON_INVALID_WARC,
                    format!(
                        "the header of the record at offset {start} has no blank line before the next record at offset {at}; record skipped"
                    ),
                )));
            }
            header_bytes += line.bytes.len();
            if header_bytes > MAX_HEADER_BYTES || line.cut {
                let skip = self.resync()?;
                return Ok(Some(error(
                    start,
                    REASON_INVALID_WARC,
                    format!(
                        "the header of the record at offset {start} is longer than {} bytes (is this a WARC file?); {skip}",
                        if line.cut { MAX_LINE_BYTES } else { MAX_HEADER_BYTES }
                    ),
                )));
            }
            let text = line.text();
            if text.first().is_some_and(|b| *b == b' ' || *b == b'\t') {
                if let Some((_, value)) = headers.last_mut() {
                    value.push(' ');
                    value.push_str(String::from_utf8_lossy(text).trim());
                }
                continue;
            }
            if let Some(colon) = text.iter().position(|b| *b == b':') {
                let name = String::from_utf8_lossy(&text[..colon])
                    .trim()
                    .to_ascii_lowercase();
                let value = String::from_utf8_lossy(&text[colon + 1..])
                    .trim()
                    .to_owned();
                headers.push((name, value));
            }
            // A line without a colon is not a field; it is ignored like warcio does.
        }
        let field = |name: &str| -> Option<String> {
            headers
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.clone())
        };
        let target_uri = field("warc-target-uri").map(|uri| strip_angle_brackets(&uri));
        let what = describe(start, target_uri.as_deref());

        let length = match field("content-length").map(|v| v.parse::<u64>()) {
            Some(Ok(length)) => length,
            Some(Err(_)) | None => {
                let problem = match field("content-length") {
                    Some(v) => format!("has an invalid Content-Length `{}`", preview(v.as_bytes())),
                    None => "has no Content-Length".to_owned(),
                };
                let skip = self.resync()?;
                return Ok(Some(error(
                    start,
                    REASON_INVALID_WARC,
                    format!("{what} {problem}, so its end is unknown; {skip}"),
                )));
            }
        };
        let block_start = self.offset;
        if length > self.max_record_bytes {
            let skipped = self.skip_bytes(length)?;
            if skipped < length {
                return Ok(Some(truncated_block(
                    &what,
                    start,
                    length,
                    skipped,
                    self.offset,
                )));
            }
            let also = also(self.check_end(start, &what)?);
            return Ok(Some(error(
                start,
                REASON_TOO_LARGE,
                format!(
                    "{what} has a {length}-byte block, over the limit of {} bytes (max_record_bytes); record skipped{also}",
                    self.max_record_bytes
                ),
            )));
        }
        let block = self.read_block(length)?;
        if (block.len() as u64) < length {
            return Ok(Some(truncated_block(
                &what,
                start,
                length,
                block.len() as u64,
                self.offset,
            )));
        }
        debug_assert_eq!(self.offset, block_start + length);
        if let Some(problem) = self.check_end(start, &what)? {
            return Ok(Some(problem));
        }

        let Some(record_type) = field("warc-type") else {
            return Ok(Some(error(
                start,
                REASON_INVALID_WARC,
                format!("{what} has no WARC-Type; record skipped"),
            )));
        };
        let content_type = field("content-type");
        let mut record = WarcRecord {
            record_type,
            target_uri,
            date: field("warc-date"),
            record_id: field("warc-record-id"),
            content_type,
            language: field("warc-identified-content-language"),
            http_content_type: None,
            http_status: None,
            truncated: field("warc-truncated"),
            payload: Vec::new(),
            offset: start,
        };
        let is_http = matches!(
            record.record_type.as_str(),
            "response" | "request" | "revisit"
        ) && record.content_type.as_deref().is_some_and(|ct| {
            ct.trim_start()
                .to_ascii_lowercase()
                .starts_with("application/http")
        });
        if is_http {
            if let Some(problem) = self.http_payload(block, &mut record, &what) {
                return Ok(Some(problem));
            }
        } else {
            record.payload = block;
        }
        Ok(Some(WarcItem::Record(record)))
    }

    /// After a block: reads the blank lines that end a record. `Some(error)` when something
    /// else follows, which means the declared length was wrong; the stream is then resynced.
    fn check_end(&mut self, start: u64, what: &str) -> io::Result<Option<WarcItem>> {
        let result = self.check_terminator(start, what)?;
        if result.is_none() && self.pending.is_none() {
            // Look past the record so that a failure of the layer below that belongs to it
            // (a gzip member's checksum is checked only after its last byte) is raised now,
            // before the record is handed out.
            loop {
                match self.inner.fill_buf() {
                    Ok(_) => break,
                    Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
                    Err(err) => match corrupt_member(&err) {
                        // Garbage after the member: the record itself is intact.
                        Some(gap) if !gap.lost_data => {
                            self.queued = Some(error(self.offset, REASON_CORRUPT, gap.to_string()));
                            break;
                        }
                        _ => return Err(err),
                    },
                }
            }
        }
        Ok(result)
    }

    fn check_terminator(&mut self, start: u64, what: &str) -> io::Result<Option<WarcItem>> {
        for blank_lines in 0..2 {
            match self.read_line()? {
                None => return Ok(None),
                Some(line) if line.is_blank() => {}
                Some(line) if blank_lines > 0 || self.starts_record(&line) => {
                    // Either the next record starts right here (the terminator is missing
                    // but the length was right), or the block ended at a line end: the
                    // record is fine and whatever follows is the next item's business.
                    self.pending = Some(line);
                    return Ok(None);
                }
                Some(line) => {
                    let at = line.offset;
                    let found = preview(line.text());
                    let skip = self.resync()?;
                    return Ok(Some(error(
                        start,
                        REASON_INVALID_WARC,
                        format!(
                            "{what} does not end where its Content-Length says: found `{found}` at offset {at} instead of a blank line, so the length is wrong and the record is not trusted; record skipped, {skip}"
                        ),
                    )));
                }
            }
        }
        Ok(None)
    }

    /// Splits the HTTP head off `block` into `record`, and de-chunks and decodes the body.
    /// `Some(error)` when the body cannot be decoded.
    fn http_payload(
        &self,
        mut block: Vec<u8>,
        record: &mut WarcRecord,
        what: &str,
    ) -> Option<WarcItem> {
        let Some(head) = parse_http_head(&block) else {
            // Not an HTTP message after all: keep the block as it is.
            record.payload = block;
            return None;
        };
        record.http_status = head.status;
        record.http_content_type = head.content_type;
        block.drain(..head.len);
        let mut body = block;
        if head.chunked {
            if let Some(dechunked) = dechunk(&body) {
                body = dechunked;
            }
            // A body that does not even start like a chunk was sent plain despite the
            // header; it is kept as it is (as browsers and warcio do).
        }
        if let Some(encoding) = head.content_encoding {
            let decoded = decode_content(
                body,
                &encoding,
                self.max_record_bytes,
                record.truncated.is_some(),
            );
            body = match decoded {
                Ok(body) => body,
                Err((reason, problem)) => {
                    return Some(error(record.offset, reason, format!("{what}: {problem}")))
                }
            };
        }
        record.payload = body;
        None
    }

    fn read_arc_record(&mut self, first: Line) -> io::Result<Option<WarcItem>> {
        let start = first.offset;
        let version = match self.format {
            Format::Arc(version) => version,
            _ => 1,
        };
        let header = match parse_arc_header(first.text(), version) {
            Ok(header) => header,
            Err(problem) => {
                let found = preview(first.text());
                let skip = self.resync()?;
                return Ok(Some(error(
                    start,
                    REASON_INVALID_WARC,
                    format!("the ARC record header `{found}` at offset {start} {problem}; {skip}"),
                )));
            }
        };
        let what = describe(start, Some(&header.url));
        if header.length > self.max_record_bytes {
            let skipped = self.skip_bytes(header.length)?;
            if skipped < header.length {
                return Ok(Some(truncated_block(
                    &what,
                    start,
                    header.length,
                    skipped,
                    self.offset,
                )));
            }
            let also = also(self.check_end(start, &what)?);
            return Ok(Some(error(
                start,
                REASON_TOO_LARGE,
                format!(
                    "{what} has {} bytes, over the limit of {} bytes (max_record_bytes); record skipped{also}",
                    header.length, self.max_record_bytes
                ),
            )));
        }
        let block = self.read_block(header.length)?;
        if (block.len() as u64) < header.length {
            return Ok(Some(truncated_block(
                &what,
                start,
                header.length,
                block.len() as u64,
                self.offset,
            )));
        }
        let is_filedesc = header.url.starts_with("filedesc://");
        if is_filedesc {
            // The second line of the version block says which ARC version this is.
            if block.starts_with(b"2 ") {
                self.format = Format::Arc(2);
            }
        }
        if let Some(problem) = self.check_end(start, &what)? {
            return Ok(Some(problem));
        }
        let mut record = WarcRecord {
            record_type: if is_filedesc { "warcinfo" } else { "resource" }.to_owned(),
            target_uri: (!is_filedesc).then(|| header.url.clone()),
            date: arc_date_to_iso(&header.date),
            record_id: None,
            content_type: Some(header.content_type),
            language: None,
            http_content_type: None,
            http_status: None,
            truncated: None,
            payload: Vec::new(),
            offset: start,
        };
        if !is_filedesc && block.starts_with(b"HTTP/") {
            record.record_type = "response".to_owned();
            if let Some(problem) = self.http_payload(block, &mut record, &what) {
                return Ok(Some(problem));
            }
        } else {
            record.payload = block;
        }
        Ok(Some(WarcItem::Record(record)))
    }

    /// The error item for an I/O error of the underlying reader; reading stops after it.
    fn io_error(&self, err: &io::Error) -> WarcItem {
        let at = self.offset;
        let record = self.item_start;
        match err.kind() {
            io::ErrorKind::UnexpectedEof => error(
                at,
                REASON_TRUNCATED,
                format!("the compressed stream ends early ({err}) at offset {at} of the decompressed data, inside the record at offset {record}; records before it were read, the file is cut off"),
            ),
            io::ErrorKind::InvalidData | io::ErrorKind::InvalidInput => error(
                at,
                REASON_CORRUPT,
                format!("the compressed stream is corrupt ({err}) at offset {at} of the decompressed data, inside the record at offset {record}; records before it were read, nothing after it can be"),
            ),
            _ => error(at, REASON_IO, format!("reading failed at offset {at}: {err}")),
        }
    }
}

impl<R: BufRead> Iterator for WarcReader<R> {
    type Item = WarcItem;

    fn next(&mut self) -> Option<WarcItem> {
        if let Some(item) = self.queued.take() {
            return Some(item);
        }
        if self.done {
            return None;
        }
        match self.read_item() {
            Ok(Some(item)) => Some(item),
            Ok(None) => {
                self.done = true;
                None
            }
            Err(err) => {
                if let Some(gap) = corrupt_member(&err) {
                    // The gzip layer skipped a corrupt member and reads on: so do we.
                    self.pending = None;
                    let (at, lost) = if self.in_record {
                        let start = self.item_start;
                        (
                            start,
                            format!("; the record at decompressed offset {start} is lost"),
                        )
                    } else if gap.lost_data {
                        let at = self.offset;
                        (
                            at,
                            format!("; data before decompressed offset {at} may be corrupt"),
                        )
                    } else {
                        (self.offset, String::new())
                    };
                    return Some(error(at, REASON_CORRUPT, format!("{gap}{lost}")));
                }
                // The underlying stream failed; it cannot be trusted past this point.
                self.done = true;
                Some(self.io_error(&err))
            }
        }
    }
}

fn error(offset: u64, reason: &'static str, detail: String) -> WarcItem {
    WarcItem::Error {
        offset,
        reason,
        detail,
    }
}

/// `; also: …` with the detail of a second problem found with the same record, or nothing.
fn also(item: Option<WarcItem>) -> String {
    match item {
        Some(WarcItem::Error { detail, .. }) => format!("; also: {detail}"),
        _ => String::new(),
    }
}

fn truncated_block(what: &str, start: u64, length: u64, got: u64, end: u64) -> WarcItem {
    error(
        start,
        REASON_TRUNCATED,
        format!("{what} declares a {length}-byte block but the stream ends after {got} bytes (at offset {end}); the file is cut off"),
    )
}

/// `the record at offset 123 (http://…)`, for error details.
fn describe(start: u64, uri: Option<&str>) -> String {
    match uri {
        Some(uri) => format!("the record at offset {start} ({})", preview(uri.as_bytes())),
        None => format!("the record at offset {start}"),
    }
}

/// A short printable excerpt of `bytes` for error details.
fn preview(bytes: &[u8]) -> String {
    let mut out = String::new();
    for byte in bytes.iter().take(PREVIEW_BYTES) {
        out.extend(std::ascii::escape_default(*byte).map(char::from));
    }
    if bytes.len() > PREVIEW_BYTES {
        out.push('…');
    }
    out
}

fn trim_eol(bytes: &[u8]) -> &[u8] {
    let bytes = bytes.strip_suffix(b"\n").unwrap_or(bytes);
    bytes.strip_suffix(b"\r").unwrap_or(bytes)
}

/// `WARC/1.0`, `WARC/1.1` (and the pre-standard `WARC/0.17`, `WARC/0.18`).
fn is_warc_version(line: &[u8]) -> bool {
    let line = trim_eol(line);
    line.strip_prefix(b"WARC/").is_some_and(|version| {
        !version.is_empty()
            && version.len() <= 8
            && version.iter().all(|b| b.is_ascii_digit() || *b == b'.')
    })
}

fn strip_angle_brackets(uri: &str) -> String {
    uri.strip_prefix('<')
        .and_then(|u| u.strip_suffix('>'))
        .unwrap_or(uri)
        .to_owned()
}

/// What the reader needs from an HTTP message head.
#[derive(Debug, Default, PartialEq, Eq)]
struct HttpHead {
    /// Bytes of the status line and headers, including the blank line.
    len: usize,
    status: Option<u16>,
    content_type: Option<String>,
    content_encoding: Option<String>,
    chunked: bool,
}

/// Parses the status line and headers of an HTTP message; `None` if `block` does not start
/// like one. A head without a blank line takes the whole block (no body).
fn parse_http_head(block: &[u8]) -> Option<HttpHead> {
    let first_end = block
        .iter()
        .position(|b| *b == b'\n')
        .unwrap_or(block.len());
    let status_line = trim_eol(&block[..(first_end + 1).min(block.len())]);
    let mut head = HttpHead::default();
    if status_line.starts_with(b"HTTP/") {
        // `HTTP/1.1 200 OK`
        head.status = status_line
            .split(|b| *b == b' ')
            .nth(1)
            .and_then(|code| std::str::from_utf8(code).ok())
            .and_then(|code| code.parse().ok());
    } else if !looks_like_request_line(status_line) {
        return None;
    }
    let mut pos = (first_end + 1).min(block.len());
    while pos < block.len() {
        let end = block[pos..]
            .iter()
            .position(|b| *b == b'\n')
            .map_or(block.len(), |i| pos + i + 1);
        let line = trim_eol(&block[pos..end]);
        pos = end;
        if line.is_empty() {
            break;
        }
        let Some(colon) = line.iter().position(|b| *b == b':') else {
            continue;
        };
        let name = &line[..colon];
        let value = || {
            String::from_utf8_lossy(&line[colon + 1..])
                .trim()
                .to_owned()
        };
        if name.eq_ignore_ascii_case(b"content-type") {
            head.content_type = Some(value());
        } else if name.eq_ignore_ascii_case(b"content-encoding") {
            head.content_encoding = Some(value());
        } else if name.eq_ignore_ascii_case(b"transfer-encoding") {
            head.chunked = value().to_ascii_lowercase().contains("chunked");
        }
    }
    head.len = pos;
    Some(head)
}

/// `GET / HTTP/1.1` and the like.
fn looks_like_request_line(line: &[u8]) -> bool {
    let mut parts = line.split(|b| *b == b' ');
    let method = parts.next().unwrap_or_default();
    !method.is_empty()
        && method.iter().all(u8::is_ascii_uppercase)
        && line.windows(6).any(|w| w == b" HTTP/")
}

/// Undoes `Transfer-Encoding: chunked`. `None` if `body` does not start with a chunk size;
/// a body cut off inside a chunk keeps what was there.
fn dechunk(body: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(body.len());
    let mut pos = 0;
    let mut first = true;
    while pos < body.len() {
        let end = body[pos..]
            .iter()
            .position(|b| *b == b'\n')
            .map(|i| pos + i)?;
        let line = &body[pos..end];
        let size_text = line.split(|b| *b == b';').next().unwrap_or_default();
        let size_text = std::str::from_utf8(size_text).ok()?.trim();
        let size = match usize::from_str_radix(size_text, 16) {
            Ok(size) => size,
            Err(_) if first => return None,
            // Garbage after valid chunks: keep what was decoded.
            Err(_) => break,
        };
        first = false;
        pos = end + 1;
        if size == 0 {
            break;
        }
        let take = size.min(body.len() - pos);
        out.extend_from_slice(&body[pos..pos + take]);
        pos += take;
        // The CRLF after the chunk data.
        if body[pos..].starts_with(b"\r\n") {
            pos += 2;
        } else if body[pos..].starts_with(b"\n") {
            pos += 1;
        }
    }
    Some(out)
}

/// Decodes an HTTP `Content-Encoding`, reading at most `max` bytes of output. A body cut
/// short is accepted only when the writer marked the record as truncated.
fn decode_content(
    body: Vec<u8>,
    encoding: &str,
    max: u64,
    truncated: bool,
) -> Result<Vec<u8>, (&'static str, String)> {
    let encoding = encoding.trim().to_ascii_lowercase();
    let mut out = Vec::new();
    let result = match encoding.as_str() {
        "" | "identity" | "none" => return Ok(body),
        "gzip" | "x-gzip" => {
            if !body.starts_with(&[0x1f, 0x8b]) {
                // Some archivers store the decoded body but keep the header.
                return Ok(body);
            }
            flate2::read::MultiGzDecoder::new(&body[..])
                .take(max + 1)
                .read_to_end(&mut out)
        }
        "deflate" => {
            // RFC 9110 says zlib-wrapped; some servers send raw deflate.
            let zlib = flate2::read::ZlibDecoder::new(&body[..])
                .take(max + 1)
                .read_to_end(&mut out);
            if zlib.is_err() && out.is_empty() {
                flate2::read::DeflateDecoder::new(&body[..])
                    .take(max + 1)
                    .read_to_end(&mut out)
            } else {
                zlib
            }
        }
        "zstd" => match ruzstd::decoding::StreamingDecoder::new(&body[..]) {
            Ok(decoder) => decoder.take(max + 1).read_to_end(&mut out),
            Err(err) => Err(io::Error::new(io::ErrorKind::InvalidData, err.to_string())),
        },
        other => {
            return Err((
                REASON_INVALID_CONTENT_ENCODING,
                format!("the HTTP body has Content-Encoding `{}`, which is not supported (gzip, deflate and zstd are); record skipped", preview(other.as_bytes())),
            ))
        }
    };
    match result {
        Ok(_) if out.len() as u64 > max => Err((
            REASON_TOO_LARGE,
            format!("the {encoding}-decoded HTTP body is over the limit of {max} bytes (max_record_bytes); record skipped"),
        )),
        Ok(_) => Ok(out),
        Err(err) if err.kind() == io::ErrorKind::UnexpectedEof && truncated => Ok(out),
        Err(err) => Err((
            REASON_INVALID_CONTENT_ENCODING,
            format!("the {encoding}-encoded HTTP body does not decode ({err}); record skipped"),
        )),
    }
}

/// One parsed ARC record header line.
#[derive(Debug)]
struct ArcHeader {
    url: String,
    date: String,
    content_type: String,
    length: u64,
}

/// Parses `URL IP date content-type length` (version 1) or the ten-field version 2 line
/// (`URL IP date content-type result-code checksum location offset filename length`). URLs
/// with spaces are taken as everything before the fixed fields.
fn parse_arc_header(line: &[u8], version: u8) -> Result<ArcHeader, &'static str> {
    let text = std::str::from_utf8(line).map_err(|_| "is not valid UTF-8")?;
    let fields: Vec<&str> = text.split(' ').filter(|f| !f.is_empty()).collect();
    let fixed = if version == 2 { 9 } else { 4 };
    if fields.len() <= fixed {
        return Err("has too few fields (URL IP-address date content-type length)");
    }
    let url = fields[..fields.len() - fixed].join(" ");
    if !url.contains(':') {
        return Err("does not start with a URL");
    }
    let tail = &fields[fields.len() - fixed..];
    let date = tail[1];
    if date.len() < 14 || !date.bytes().all(|b| b.is_ascii_digit()) {
        return Err("has an invalid date (expected YYYYMMDDhhmmss)");
    }
    let length = tail[fixed - 1]
        .parse::<u64>()
        .map_err(|_| "has an invalid length (expected a byte count)")?;
    Ok(ArcHeader {
        url,
        date: date.to_owned(),
        content_type: tail[2].to_owned(),
        length,
    })
}

/// `20140216050221` → `2014-02-16T05:02:21Z`.
fn arc_date_to_iso(date: &str) -> Option<String> {
    let d = date.get(..14)?;
    Some(format!(
        "{}-{}-{}T{}:{}:{}Z",
        &d[..4],
        &d[4..6],
        &d[6..8],
        &d[8..10],
        &d[10..12],
        &d[12..14]
    ))
}

/// Decompresses a gzip file of many members (`.warc.gz`, `.arc.gz`, written with one member
/// per record) and, unlike [`flate2::read::MultiGzDecoder`], goes on after a corrupt member:
/// the decoder skips to the next gzip member header and reports the gap once, as an
/// [`io::Error`] carrying a [`CorruptGzipMember`]. [`WarcReader`] turns that error into one
/// `read_corrupt` item (naming the record that was lost, if one was) and reads on; any other
/// reader sees an ordinary error. A stream cut off inside a member ends with
/// `UnexpectedEof` as usual.
pub struct GzipMembers<R: Read> {
    decoder: flate2::bufread::GzDecoder<Slot<R>>,
    /// Decompressed bytes handed out from the current member.
    member_bytes: u64,
    /// True before the first byte of a member (header included) has been read.
    at_member_start: bool,
}

/// The gap [`GzipMembers`] left in the decompressed stream after a corrupt gzip member.
#[derive(Debug)]
pub struct CorruptGzipMember {
    /// Offset in the compressed file where the decoder was when the member failed.
    pub compressed_offset: u64,
    /// Compressed offset where reading goes on, or `None` when no member follows.
    pub resumed_at: Option<u64>,
    /// Whether the failed member had already given out decompressed data (a broken
    /// checksum or deflate stream) rather than failing at its header (garbage between or
    /// after members, where the data before it is intact).
    pub lost_data: bool,
    /// What the gzip decoder said.
    pub cause: String,
}

impl std::fmt::Display for CorruptGzipMember {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.lost_data {
            write!(
                f,
                "the gzip member ending near compressed offset {} is corrupt",
                self.compressed_offset
            )?;
        } else {
            write!(
                f,
                "the data at compressed offset {} is not a gzip member",
                self.compressed_offset
            )?;
        }
        write!(f, " ({}); ", self.cause)?;
        match self.resumed_at {
            Some(at) => write!(
                f,
                "reading goes on with the next gzip member at compressed offset {at}"
            ),
            None => write!(f, "no gzip member follows it"),
        }
    }
}

impl std::error::Error for CorruptGzipMember {}

impl<R: Read> GzipMembers<R> {
    /// Decompresses `reader`, a gzip file of one or more members.
    pub fn new(reader: R) -> Self {
        let mut decoder = flate2::bufread::GzDecoder::new(Slot(None));
        // `new` tried to parse a header from the empty slot; `reset` starts over with the
        // real input and a fresh header parser.
        decoder.reset(Slot(Some(Raw::new(reader))));
        GzipMembers {
            decoder,
            member_bytes: 0,
            at_member_start: true,
        }
    }

    /// Starts decoding a new member at the current input position.
    fn next_member(&mut self) {
        let raw = self.decoder.reset(Slot(None));
        self.decoder.reset(raw);
        self.member_bytes = 0;
        self.at_member_start = true;
    }

    /// Skips from the decoder's position to the next plausible gzip member header.
    fn skip_to_next_member(&mut self, cause: &io::Error) -> io::Result<CorruptGzipMember> {
        let lost_data = self.member_bytes > 0;
        let Some(raw) = self.decoder.get_mut().0.as_mut() else {
            return Ok(CorruptGzipMember {
                compressed_offset: 0,
                resumed_at: None,
                lost_data,
                cause: cause.to_string(),
            });
        };
        let compressed_offset = raw.position;
        let resumed_at = loop {
            let available = raw.fill_at_least(4)?;
            if available.len() < 4 {
                let rest = available.len();
                raw.consume(rest);
                break None;
            }
            // ID1 ID2 CM=deflate FLG with the reserved bits clear.
            let found = available
                .windows(4)
                .position(|w| w[0] == 0x1f && w[1] == 0x8b && w[2] == 8 && w[3] & 0xe0 == 0);
            match found {
                Some(i) => {
                    raw.consume(i);
                    break Some(raw.position);
                }
                // Keep the last three bytes: a header may straddle the buffer end.
                None => {
                    let skip = available.len() - 3;
                    raw.consume(skip);
                }
            }
        };
        self.next_member();
        Ok(CorruptGzipMember {
            compressed_offset,
            resumed_at,
            lost_data,
            cause: cause.to_string(),
        })
    }
}

impl<R: Read> Read for GzipMembers<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            if self.at_member_start {
                // The end of the input is only fine between members.
                if self.decoder.get_mut().fill_buf()?.is_empty() {
                    return Ok(0);
                }
                self.at_member_start = false;
            }
            match self.decoder.read(buf) {
                // The member ended and its checksum matched.
                Ok(0) => self.next_member(),
                Ok(n) => {
                    self.member_bytes += n as u64;
                    return Ok(n);
                }
                Err(err)
                    if matches!(
                        err.kind(),
                        io::ErrorKind::InvalidData | io::ErrorKind::InvalidInput
                    ) =>
                {
                    let gap = self.skip_to_next_member(&err)?;
                    return Err(io::Error::other(gap));
                }
                Err(err) => return Err(err),
            }
        }
    }
}

/// The input of [`GzipMembers`]' decoder; empty only while a new member is being set up.
struct Slot<R: Read>(Option<Raw<R>>);

impl<R: Read> Read for Slot<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        match self.0.as_mut() {
            Some(raw) => raw.read(out),
            None => Ok(0),
        }
    }
}

impl<R: Read> BufRead for Slot<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        match self.0.as_mut() {
            Some(raw) => raw.fill_buf(),
            None => Ok(&[]),
        }
    }

    fn consume(&mut self, amount: usize) {
        if let Some(raw) = self.0.as_mut() {
            raw.consume(amount);
        }
    }
}

/// A buffered reader that counts consumed bytes and can look a few bytes ahead.
struct Raw<R: Read> {
    inner: R,
    buf: Vec<u8>,
    start: usize,
    end: usize,
    position: u64,
}

impl<R: Read> Raw<R> {
    fn new(inner: R) -> Self {
        Raw {
            inner,
            buf: vec![0; 64 * 1024],
            start: 0,
            end: 0,
            position: 0,
        }
    }

    /// Buffers at least `n` bytes (fewer only at the end of the stream).
    fn fill_at_least(&mut self, n: usize) -> io::Result<&[u8]> {
        if self.end - self.start < n {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
            while self.end < n {
                match self.inner.read(&mut self.buf[self.end..]) {
                    Ok(0) => break,
                    Ok(read) => self.end += read,
                    Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
                    Err(err) => return Err(err),
                }
            }
        }
        Ok(&self.buf[self.start..self.end])
    }
}

impl<R: Read> Read for Raw<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(out.len());
        out[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl<R: Read> BufRead for Raw<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.fill_at_least(1)
    }

    fn consume(&mut self, amount: usize) {
        let amount = amount.min(self.end - self.start);
        self.start += amount;
        self.position += amount as u64;
    }
}

/// The gap report inside `err`, if [`GzipMembers`] skipped a corrupt member.
fn corrupt_member(err: &io::Error) -> Option<&CorruptGzipMember> {
    err.get_ref()?.downcast_ref::<CorruptGzipMember>()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// A WARC record with the given type, extra header lines and block.
    fn record(kind: &str, extra: &str, block: &[u8]) -> Vec<u8> {
        let mut out = format!(
            "WARC/1.0\r\nWARC-Type: {kind}\r\nWARC-Record-ID: <urn:uuid:{kind}>\r\nWARC-Date: 2024-05-18T01:58:10Z\r\n{extra}Content-Length: {}\r\n\r\n",
            block.len()
        )
        .into_bytes();
        out.extend_from_slice(block);
        out.extend_from_slice(b"\r\n\r\n");
        out
    }

    fn http_response(headers: &str, body: &[u8]) -> Vec<u8> {
        let mut out = format!("HTTP/1.1 200 OK\r\n{headers}\r\n").into_bytes();
        out.extend_from_slice(body);
        out
    }

    fn response(uri: &str, headers: &str, body: &[u8]) -> Vec<u8> {
        record(
            "response",
            &format!(
                "WARC-Target-URI: {uri}\r\nContent-Type: application/http; msgtype=response\r\n"
            ),
            &http_response(headers, body),
        )
    }

    fn read_all(bytes: &[u8]) -> Vec<WarcItem> {
        WarcReader::new(bytes, 1 << 20).collect()
    }

    fn records(items: &[WarcItem]) -> Vec<&WarcRecord> {
        items
            .iter()
            .filter_map(|item| match item {
                WarcItem::Record(record) => Some(record),
                WarcItem::Error { .. } => None,
            })
            .collect()
    }

    fn errors(items: &[WarcItem]) -> Vec<(u64, &'static str, &str)> {
        items
            .iter()
            .filter_map(|item| match item {
                WarcItem::Error {
                    offset,
                    reason,
                    detail,
                } => Some((*offset, *reason, detail.as_str())),
                WarcItem::Record(_) => None,
            })
            .collect()
    }

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        encoder.write_all(bytes).unwrap();
        encoder.finish().unwrap()
    }

    #[test]
    fn response_record_yields_http_body_and_metadata() {
        let body = "<html><p>Grüße aus Köln</p></html>".as_bytes();
        let input = response(
            "<https://example.de/a b>",
            "Content-Type: text/html; charset=ISO-8859-1\r\nContent-Length: 36\r\n",
            body,
        );
        let items = read_all(&input);
        assert_eq!(errors(&items), vec![]);
        let got = records(&items);
        assert_eq!(got.len(), 1);
        let r = got[0];
        assert_eq!(r.record_type, "response");
        assert_eq!(r.target_uri.as_deref(), Some("https://example.de/a b"));
        assert_eq!(r.date.as_deref(), Some("2024-05-18T01:58:10Z"));
        assert_eq!(r.record_id.as_deref(), Some("<urn:uuid:response>"));
        assert_eq!(
            r.content_type.as_deref(),
            Some("application/http; msgtype=response")
        );
        assert_eq!(
            r.http_content_type.as_deref(),
            Some("text/html; charset=ISO-8859-1")
        );
        assert_eq!(r.http_status, Some(200));
        assert_eq!(r.payload, body);
        assert_eq!(r.offset, 0);
    }

    #[test]
    fn wet_conversion_record_keeps_block_and_language() {
        let mut input = record(
            "warcinfo",
            "Content-Type: application/warc-fields\r\n",
            b"isPartOf: CC-MAIN-2024-22\r\n",
        );
        let second = input.len() as u64;
        input.extend(record(
            "conversion",
            "WARC-Target-URI: https://example.de/\r\nWARC-Identified-Content-Language: deu,eng\r\nContent-Type: text/plain\r\n",
            "Erste Zeile\nZweite Zeile".as_bytes(),
        ));
        let items = read_all(&input);
        let got = records(&items);
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].record_type, "warcinfo");
        assert_eq!(got[1].record_type, "conversion");
        assert_eq!(got[1].language.as_deref(), Some("deu,eng"));
        assert_eq!(got[1].payload, b"Erste Zeile\nZweite Zeile");
        assert_eq!(got[1].http_content_type, None);
        assert_eq!(got[1].offset, second);
    }

    #[test]
    fn chunked_transfer_encoding_is_undone() {
        let input = response(
            "http://example.com/",
            "Transfer-Encoding: chunked\r\n",
            b"5\r\nHallo\r\n7;ext=1\r\n, Welt!\r\n0\r\n\r\n",
        );
        let items = read_all(&input);
        assert_eq!(records(&items)[0].payload, b"Hallo, Welt!");
    }

    #[test]
    fn body_that_is_not_chunked_despite_the_header_is_kept() {
        let input = response(
            "http://example.com/",
            "Transfer-Encoding: chunked\r\n",
            b"<html>plain</html>",
        );
        let items = read_all(&input);
        assert_eq!(records(&items)[0].payload, b"<html>plain</html>");
    }

    #[test]
    fn gzip_and_deflate_content_encodings_are_decoded() {
        let text = "Nachrichten aus Berlin. ".repeat(50);
        let mut input = response(
            "http://a/",
            "Content-Encoding: gzip\r\n",
            &gzip(text.as_bytes()),
        );
        let mut deflated = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
        deflated.write_all(text.as_bytes()).unwrap();
        input.extend(response(
            "http://b/",
            "Content-Encoding: deflate\r\n",
            &deflated.finish().unwrap(),
        ));
        let items = read_all(&input);
        assert_eq!(errors(&items), vec![]);
        let got = records(&items);
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].payload, text.as_bytes());
        assert_eq!(got[1].payload, text.as_bytes());
    }

    #[test]
    fn unsupported_or_broken_content_encoding_is_reported_and_reading_goes_on() {
        let mut input = response("http://a/", "Content-Encoding: br\r\n", b"\x1b\x03\x00");
        input.extend(response(
            "http://b/",
            "Content-Encoding: gzip\r\n",
            b"\x1f\x8b\x08\x00garbage",
        ));
        input.extend(response("http://c/", "", b"ok"));
        let items = read_all(&input);
        let errs = errors(&items);
        assert_eq!(errs.len(), 2);
        assert_eq!(errs[0].1, REASON_INVALID_CONTENT_ENCODING);
        assert!(errs[0].2.contains("`br`"), "{}", errs[0].2);
        assert!(errs[0].2.contains("http://a/"), "{}", errs[0].2);
        assert_eq!(errs[1].1, REASON_INVALID_CONTENT_ENCODING);
        assert_eq!(records(&items)[0].target_uri.as_deref(), Some("http://c/"));
    }

    #[test]
    fn decoded_body_over_the_limit_is_too_large() {
        let bomb = gzip(&vec![b'a'; 100_000]);
        let input = response("http://a/", "Content-Encoding: gzip\r\n", &bomb);
        let items: Vec<_> = WarcReader::new(&input[..], 10_000).collect();
        assert_eq!(errors(&items)[0].1, REASON_TOO_LARGE);
        assert!(records(&items).is_empty());
    }

    #[test]
    fn truncated_file_yields_records_before_the_cut_and_one_error() {
        let mut input = response("http://a/", "", b"first");
        let cut_record = input.len() as u64;
        input.extend(response("http://b/", "", &[b'x'; 500]));
        input.truncate(input.len() - 100);
        let items = read_all(&input);
        assert_eq!(items.len(), 2);
        assert_eq!(records(&items)[0].payload, b"first");
        let errs = errors(&items);
        assert_eq!(errs[0].0, cut_record);
        assert_eq!(errs[0].1, REASON_TRUNCATED);
        assert!(errs[0].2.contains("http://b/"), "{}", errs[0].2);
    }

    #[test]
    fn file_cut_inside_a_header_is_truncated() {
        let mut input = response("http://a/", "", b"first");
        input.extend_from_slice(b"WARC/1.0\r\nWARC-Type: resp");
        let items = read_all(&input);
        assert_eq!(records(&items).len(), 1);
        assert_eq!(errors(&items)[0].1, REASON_TRUNCATED);
    }

    #[test]
    fn wrong_content_length_rejects_that_record_only() {
        // Like warcio's example-trunc.warc: the length is two bytes short.
        let mut bad = record("resource", "Content-Type: text/plain\r\n", b"0123456789xx");
        let text = String::from_utf8(bad.clone()).unwrap();
        bad = text
            .replace("Content-Length: 12", "Content-Length: 10")
            .into_bytes();
        let mut input = record("resource", "", b"before");
        let bad_at = input.len() as u64;
        input.extend(bad);
        input.extend(record("resource", "", b"after"));
        let items = read_all(&input);
        let got = records(&items);
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].payload, b"before");
        assert_eq!(got[1].payload, b"after");
        let errs = errors(&items);
        assert_eq!(errs.len(), 1);
        assert_eq!((errs[0].0, errs[0].1), (bad_at, REASON_INVALID_WARC));
        assert!(errs[0].2.contains("found `xx`"), "{}", errs[0].2);
    }

    #[test]
    fn junk_between_records_is_one_error_and_reading_resyncs() {
        let mut input = record("resource", "", b"one");
        let junk_at = input.len() as u64;
        input.extend_from_slice(b"this is not\r\na warc record\r\n");
        input.extend(record("resource", "", b"two"));
        let items = read_all(&input);
        assert_eq!(records(&items).len(), 2);
        let errs = errors(&items);
        assert_eq!(errs.len(), 1);
        assert_eq!((errs[0].0, errs[0].1), (junk_at, REASON_INVALID_WARC));
        assert!(errs[0].2.contains("28 bytes not read"), "{}", errs[0].2);
    }

    #[test]
    fn missing_or_bad_content_length_skips_to_the_next_record() {
        let mut input = b"WARC/1.0\r\nWARC-Type: resource\r\n\r\nsome block\r\n\r\n".to_vec();
        input.extend_from_slice(
            b"WARC/1.0\r\nWARC-Type: resource\r\nContent-Length: 12x\r\n\r\nblock\r\n\r\n",
        );
        input.extend(record("resource", "", b"good"));
        let items = read_all(&input);
        assert_eq!(records(&items).len(), 1);
        let errs = errors(&items);
        assert_eq!(errs.len(), 2);
        assert!(errs[0].2.contains("has no Content-Length"), "{}", errs[0].2);
        assert!(
            errs[1].2.contains("invalid Content-Length `12x`"),
            "{}",
            errs[1].2
        );
    }

    #[test]
    fn record_over_the_limit_is_skipped_without_reading_it_into_memory() {
        let mut input = record(
            "resource",
            "WARC-Target-URI: http://big/\r\n",
            &vec![b'x'; 5000],
        );
        input.extend(record("resource", "", b"small"));
        let items: Vec<_> = WarcReader::new(&input[..], 1000).collect();
        let errs = errors(&items);
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].1, REASON_TOO_LARGE);
        assert!(errs[0].2.contains("5000-byte block") && errs[0].2.contains("http://big/"));
        assert_eq!(records(&items)[0].payload, b"small");
    }

    #[test]
    fn lf_line_endings_folded_headers_and_missing_terminator_are_accepted() {
        let input = b"WARC/1.1\nWARC-Type: resource\nWARC-Target-URI: http://a/\n  continued\nContent-Length: 3\n\nabcWARC/1.1\nWARC-Type: metadata\nContent-Length: 0\n\n".to_vec();
        let items = read_all(&input);
        assert_eq!(errors(&items), vec![]);
        let got = records(&items);
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].target_uri.as_deref(), Some("http://a/ continued"));
        assert_eq!(got[0].payload, b"abc");
        assert_eq!(got[1].record_type, "metadata");
    }

    #[test]
    fn header_without_blank_line_before_the_next_record_is_an_error() {
        let mut input = b"WARC/1.0\r\nWARC-Type: resource\r\n".to_vec();
        input.extend(record("resource", "", b"next"));
        let items = read_all(&input);
        assert_eq!(errors(&items)[0].1, REASON_INVALID_WARC);
        assert_eq!(records(&items)[0].payload, b"next");
    }

    #[test]
    fn not_a_warc_file_is_a_single_error_and_empty_input_nothing() {
        let items = read_all(b"just some text\nover two lines\n");
        assert_eq!(items.len(), 1);
        assert_eq!(errors(&items)[0].1, REASON_INVALID_WARC);
        assert!(read_all(b"").is_empty());
        assert!(read_all(b"\r\n\r\n").is_empty());
    }

    #[test]
    fn per_record_gzip_members_are_read_and_a_corrupt_member_is_skipped() {
        let one = gzip(&record("resource", "", b"one"));
        let mut two = gzip(&record("resource", "", &[b'z'; 300]));
        let three = gzip(&record("resource", "", b"three"));
        // Break the second member's CRC.
        let len = two.len();
        two[len - 6] ^= 0xff;
        let mut file = one.clone();
        file.extend(&two);
        file.extend(&three);
        let reader = io::BufReader::new(GzipMembers::new(&file[..]));
        let items: Vec<_> = WarcReader::new(reader, 1 << 20).collect();
        let got = records(&items);
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].payload, b"one");
        assert_eq!(got[1].payload, b"three");
        let errs = errors(&items);
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].1, REASON_CORRUPT);
        assert!(
            errs[0]
                .2
                .contains(&format!("compressed offset {}", one.len() + len)),
            "{}",
            errs[0].2
        );

        // The same with the deflate data of the middle member garbled.
        let mut garbled = gzip(&record("resource", "", &[b'z'; 300]));
        for byte in &mut garbled[12..20] {
            *byte = 0xff;
        }
        let mut file = one.clone();
        file.extend(&garbled);
        file.extend(&three);
        let reader = io::BufReader::new(GzipMembers::new(&file[..]));
        let items: Vec<_> = WarcReader::new(reader, 1 << 20).collect();
        assert_eq!(records(&items).len(), 2);
        assert_eq!(errors(&items).len(), 1);
    }

    #[test]
    fn truncated_gzip_ends_with_one_truncated_error() {
        let mut file = gzip(&record("resource", "", b"one"));
        let two = gzip(&record("resource", "", &[b'z'; 300]));
        file.extend(&two[..two.len() / 2]);
        let reader = io::BufReader::new(GzipMembers::new(&file[..]));
        let items: Vec<_> = WarcReader::new(reader, 1 << 20).collect();
        assert_eq!(records(&items).len(), 1);
        let errs = errors(&items);
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].1, REASON_TRUNCATED);
    }

    #[test]
    fn trailing_garbage_after_the_last_gzip_member_is_reported() {
        let mut file = gzip(&record("resource", "", b"one"));
        file.extend_from_slice(b"not gzip at all");
        let reader = io::BufReader::new(GzipMembers::new(&file[..]));
        let items: Vec<_> = WarcReader::new(reader, 1 << 20).collect();
        assert_eq!(records(&items).len(), 1);
        let errs = errors(&items);
        assert_eq!(errs.len(), 1);
        assert!(
            errs[0].2.contains("no gzip member follows"),
            "{}",
            errs[0].2
        );
    }

    #[test]
    fn arc_v1_records_with_spaces_in_urls() {
        let body = b"HTTP/1.1 200 OK\nContent-Type: text/html; charset=utf-8\n\n<p>hi</p>";
        let mut input =
            b"filedesc://x.arc 0.0.0.0 20140216050221 text/plain 16\n1 0 Test\nURL IP\n\n".to_vec();
        input.extend_from_slice(
            format!(
                "http://example.com/a b c 93.184.216.119 20140216050221 text/html {}\n",
                body.len()
            )
            .as_bytes(),
        );
        input.extend_from_slice(body);
        input.extend_from_slice(b"\nhttp://example.com/ 1.2.3.4 20140216050221 text/html abc\n\n");
        let items = read_all(&input);
        let got = records(&items);
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].record_type, "warcinfo");
        assert_eq!(got[1].record_type, "response");
        assert_eq!(
            got[1].target_uri.as_deref(),
            Some("http://example.com/a b c")
        );
        assert_eq!(got[1].date.as_deref(), Some("2014-02-16T05:02:21Z"));
        assert_eq!(
            got[1].http_content_type.as_deref(),
            Some("text/html; charset=utf-8")
        );
        assert_eq!(got[1].payload, b"<p>hi</p>");
        let errs = errors(&items);
        assert_eq!(errs.len(), 1);
        assert!(errs[0].2.contains("invalid length"), "{}", errs[0].2);
    }

    #[test]
    fn helpers() {
        assert!(is_warc_version(b"WARC/1.0\r\n"));
        assert!(is_warc_version(b"WARC/1.1\n"));
        assert!(!is_warc_version(b"WARC/1.0 trailing\r\n"));
        assert!(!is_warc_version(b"warc/1.0\r\n"));
        assert_eq!(dechunk(b"3\r\nabc\r\n2\r\nde"), Some(b"abcde".to_vec()));
        assert_eq!(dechunk(b"<html>\n"), None);
        assert_eq!(
            arc_date_to_iso("201404010000000000").as_deref(),
            Some("2014-04-01T00:00:00Z")
        );
        let head =
            parse_http_head(b"HTTP/1.0 404 Not Found\nContent-type: text/plain\n\nnope").unwrap();
        assert_eq!((head.status, head.len), (Some(404), 49));
        assert!(parse_http_head(b"<html>").is_none());
        assert_eq!(preview(b"a\x00b"), "a\\x00b");
    }
}
