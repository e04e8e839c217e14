//! The checks behind the fuzz targets in `fuzz_targets/`, one function per target, so that
//! the same code runs under libFuzzer (`cargo fuzz run <target>`) and in the plain tests
//! at the bottom of this file (every file of `corpus/<target>/` and `regressions/<target>/`).
//!
//! Each function takes arbitrary bytes and panics only when a crate under test panics or
//! breaks one of the invariants stated on the function.
#![deny(missing_docs)]

use std::io::{Cursor, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use pipeline_annotate::AnnotateConfig;
use pipeline_clean::CleanConfig;
use pipeline_core::{keys, BuildContext, Document, Stage, StageConfig, Verdict};
use pipeline_read::{extract_html, FileSource, GzipMembers, ReadConfig, WarcItem, WarcReader};
use serde_json::{json, Value};
use unicode_normalization::is_nfc;

/// Largest file, record and WARC block the reader target lets through: small, so that a
/// run spends its time on parsing, not on copying.
const MAX_BYTES: u64 = 1 << 20;

/// File names the reader target writes the input under: every format by name, compressed
/// and not, and one name without an extension (format sniffed from the content).
const NAMES: &[&str] = &[
    "x.txt",
    "x.jsonl",
    "x.jsonl.gz",
    "x.html",
    "x.warc",
    "x.warc.gz",
    "noext",
];

/// Names the reader target writes the gzip-compressed input under, so that the bytes
/// reach the JSONL and WARC parsers behind a working decoder as well.
const GZ_NAMES: &[&str] = &["y.jsonl.gz", "y.warc.gz"];

/// One scratch folder per process; every run overwrites the same files.
fn scratch() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| tempfile::tempdir().expect("a temporary folder for the fuzz inputs"))
        .path()
}

/// The reader: `data` written to a file under each of [`NAMES`] (and gzip-compressed under
/// [`GZ_NAMES`]) and read with [`FileSource`] to the end; [`WarcReader`] straight over the
/// bytes and over [`GzipMembers`] of them; [`extract_html`] on the lossy UTF-8 of the bytes.
///
/// Invariants: nothing panics; a WARC record's offset lies inside the stream.
pub fn read(data: &[u8]) {
    let dir = scratch();
    let mut paths: Vec<PathBuf> = Vec::new();
    for name in NAMES {
        let path = dir.join(name);
        std::fs::write(&path, data).expect("write a fuzz input");
        paths.push(path);
    }
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(data).expect("gzip into memory");
    let gz = gz.finish().expect("gzip into memory");
    for name in GZ_NAMES {
        let path = dir.join(name);
        std::fs::write(&path, &gz).expect("write a fuzz input");
        paths.push(path);
    }
    let config = ReadConfig {
        paths: paths
            .iter()
            .map(|p| p.to_string_lossy().into_owned())
            .collect(),
        max_file_bytes: MAX_BYTES,
        max_record_bytes: MAX_BYTES,
        ..ReadConfig::default()
    };
    let source = FileSource::open(&config, dir).expect("the fuzz inputs are listed");
    for item in source {
        // A document or a rejection: both are fine, only a panic is not.
        let _ = item;
    }

    let len = data.len() as u64;
    for item in WarcReader::new(Cursor::new(data), MAX_BYTES) {
        match item {
            WarcItem::Record(r) => assert!(r.offset <= len, "record offset {} > {len}", r.offset),
            WarcItem::Error { offset, .. } => {
                assert!(offset <= len, "error offset {offset} > {len}")
            }
        }
    }
    let members = std::io::BufReader::new(GzipMembers::new(data));
    for item in WarcReader::new(members, MAX_BYTES) {
        let _ = item;
    }
    let mut sink = Vec::new();
    let _ = GzipMembers::new(data)
        .take(4 * MAX_BYTES)
        .read_to_end(&mut sink);

    let html = String::from_utf8_lossy(data);
    let _ = extract_html(&html, None);
    let _ = extract_html(
        &html,
        Some("https://www.example.org/2025/09/22/artikel.html"),
    );
}

/// The cleaner: the [`pipeline_clean::Clean`] stage with its default config (and once with
/// known title and date in the metadata) on the lossy UTF-8 of `data`.
///
/// Invariants of a kept document: its text is NFC, has no `"\n\n\n"`, and every entry of
/// `clean.removed` is an object whose `text` and `reason` are strings.
pub fn clean(data: &[u8]) {
    static STAGE: OnceLock<std::sync::Mutex<Box<dyn Stage>>> = OnceLock::new();
    let stage = STAGE.get_or_init(|| {
        let stage = CleanConfig::default()
            .build(&BuildContext::default())
            .expect("the default clean config builds");
        std::sync::Mutex::new(stage)
    });
    let mut stage = stage.lock().unwrap_or_else(|e| e.into_inner());
    let text = String::from_utf8_lossy(data).into_owned();

    let mut with_meta = Document::new("m", text.clone());
    with_meta
        .metadata
        .insert("title".into(), json!("Kim bietet den USA Gespräche an"));
    with_meta
        .metadata
        .insert("published".into(), json!("2025-09-22"));

    for doc in [Document::new("d", text), with_meta] {
        let verdict = stage.process(doc).expect("clean never fails a document");
        let Verdict::Keep(doc) = verdict else {
            continue;
        };
        assert!(is_nfc(&doc.text), "output is not NFC: {:?}", doc.text);
        assert!(
            !doc.text.contains("\n\n\n"),
            "output has three line breaks in a row: {:?}",
            doc.text
        );
        if let Some(removed) = doc.annotations.get(keys::CLEAN_REMOVED) {
            let removed = removed.as_array().expect("clean.removed is an array");
            for entry in removed {
                assert!(entry["text"].is_string(), "removed text: {entry}");
                assert!(entry["reason"].is_string(), "removed reason: {entry}");
            }
        }
    }
}

/// The annotator: the [`pipeline_annotate::Annotate`] stage with tokens on, on the lossy
/// UTF-8 of `data`, without and with a publication date.
///
/// Invariants: every span of sentences, tokens, dates, entities and quotes has
/// `start <= end <= text.chars().count()`; the `text` of every token, date and entity is
/// exactly those characters of the text.
pub fn annotate(data: &[u8]) {
    static STAGE: OnceLock<std::sync::Mutex<Box<dyn Stage>>> = OnceLock::new();
    let stage = STAGE.get_or_init(|| {
        let config: AnnotateConfig =
            serde_json::from_value(json!({"tokens": true})).expect("a valid annotate config");
        let stage = config
            .build(&BuildContext::default())
            .expect("the annotate config builds");
        std::sync::Mutex::new(stage)
    });
    let mut stage = stage.lock().unwrap_or_else(|e| e.into_inner());
    let text = String::from_utf8_lossy(data).into_owned();
    let chars: Vec<char> = text.chars().collect();

    let mut dated = Document::new("p", text.clone());
    dated
        .metadata
        .insert("published".into(), json!("2025-09-23"));
    for doc in [Document::new("d", text), dated] {
        let verdict = stage.process(doc).expect("annotate never fails a document");
        let Verdict::Keep(doc) = verdict else {
            panic!("annotate never drops a document");
        };
        // Checked in their serialised form, the one users read.
        let lists = serde_json::to_value(&doc.spans).expect("spans serialise");
        for key in ["sentences", "tokens", "dates", "entities", "quotes"] {
            let Some(spans) = lists[key].as_array() else {
                continue;
            };
            for span in spans {
                check_span(key, span, &chars);
                if let Some(mention) = span.get("speaker_mention").filter(|m| !m.is_null()) {
                    check_span("speaker_mention", mention, &chars);
                }
            }
        }
    }
}

/// One span of the list `key` (`sentences`, `entities`, …, or `speaker_mention`): offsets
/// in range, and `text` (where the list has one) equal to the characters it covers.
fn check_span(key: &str, span: &Value, chars: &[char]) {
    let start = span["start"].as_u64().expect("span start is a number") as usize;
    let end = span["end"].as_u64().expect("span end is a number") as usize;
    assert!(
        start <= end && end <= chars.len(),
        "{key}: span {start}..{end} outside 0..{}: {span}",
        chars.len()
    );
    if key == "sentences" || key == "quotes" {
        return;
    }
    let covered: String = chars[start..end].iter().collect();
    assert_eq!(
        span["text"].as_str(),
        Some(covered.as_str()),
        "{key}: text differs from the characters {start}..{end}: {span}"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every file of `corpus/<target>/` and `regressions/<target>/`.
    fn inputs(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        for folder in ["corpus", "regressions"] {
            let Ok(entries) = std::fs::read_dir(root.join(folder).join(target)) else {
                continue;
            };
            for entry in entries {
                let path = entry.expect("a folder entry").path();
                let data = std::fs::read(&path).expect("a readable input");
                files.push((path, data));
            }
        }
        files.sort();
        files
    }

    fn replay(target: &str, check: fn(&[u8])) {
        let files = inputs(target);
        assert!(!files.is_empty(), "no seed inputs for {target}");
        for (path, data) in files {
            eprintln!("{target}: {}", path.display());
            check(&data);
        }
    }

    #[test]
    fn read_corpus_and_regressions() {
        replay("read", read);
    }

    #[test]
    fn clean_corpus_and_regressions() {
        replay("clean", clean);
    }

    #[test]
    fn annotate_corpus_and_regressions() {
        replay("annotate", annotate);
    }

    #[test]
    fn the_checks_can_fail() {
        let chars: Vec<char> = "Berlin".chars().collect();
        let bad = json!({"start": 0, "end": 7, "text": "Berlin"});
        let caught = std::panic::catch_unwind(|| check_span("entities", &bad, &chars));
        assert!(caught.is_err());
        let wrong_text = json!({"start": 0, "end": 3, "text": "Bel"});
        let caught = std::panic::catch_unwind(|| check_span("entities", &wrong_text, &chars));
        assert!(caught.is_err());
        check_span(
            "entities",
            &json!({"start": 0, "end": 3, "text": "Ber"}),
            &chars,
        );
    }
}
