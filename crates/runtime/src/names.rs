//! Persons linked across the documents of an output folder, after a run: a person a
//! document names only by a family name (`Merkel`) gets the full name the other documents
//! give (`Angela Merkel`, see [`CorpusNames`]), in its entities and as the speaker of its
//! quotes. The annotate stage sees one document at a time, so this is done on
//! `documents.jsonl` once it is complete: the full names are collected (by the run's
//! writer as it writes, or by a pass over the file), then a pass collects what their
//! documents are about, a third reads up to the first line that changes (most incremental
//! runs change none, and then nothing is written), and a last one rewrites the lines that
//! change (through a temporary file renamed into place); other lines are copied byte for
//! byte.
//!
//! A linked entity keeps the name its document gives under `canonical_in_document`, and
//! the linking always starts from those names: carried-over documents of earlier runs take
//! part as they were annotated, so the output depends on the documents alone, not on the
//! runs that brought them (a full name a new file brings links older documents, and a
//! link the output no longer supports is undone).

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::ops::ControlFlow;
use std::path::Path;

use pipeline_annotate::CorpusNames;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::json_text::push_json_string;
use crate::sink::corrupt;

/// The persons of an output linked across documents.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct NamesLinked {
    /// Documents with a person named by the full name of other documents.
    pub documents: u64,
    /// Person mentions named by the full name of other documents.
    pub mentions: u64,
    /// Names and family names that fewer documents than this gave were forgotten to keep
    /// within the memory budget (`link_memory_mb`), so they may be left unlinked; 0 when
    /// nothing was forgotten.
    pub forgotten_below: u32,
}

/// [`link_names`]'s default memory for the full names, in MB (`link_memory_mb`).
pub const DEFAULT_LINK_MEMORY_MB: u64 = (pipeline_annotate::DEFAULT_MEMORY_BYTES >> 20) as u64;

impl NamesLinked {
    /// One line for people: what was linked, and whether the memory budget left names out.
    pub fn summary(&self) -> String {
        let mut line = format!(
            "{} person mentions in {} documents carry the full name other documents give",
            self.mentions, self.documents
        );
        if self.forgotten_below > 0 {
            line.push_str(&format!(
                "; names given by fewer than {} documents were forgotten to keep within the memory for names and may be left unlinked (link_memory_mb of the annotate stage, --memory-mb of link-names)",
                self.forgotten_below
            ));
        }
        line
    }
}

/// The part of an output line the linking reads.
#[derive(Deserialize)]
struct Line {
    #[serde(default)]
    annotations: Option<Annotations>,
}

#[derive(Deserialize)]
struct Annotations {
    #[serde(default)]
    entities: Option<Vec<EntityLine>>,
    #[serde(default)]
    quotes: Option<Vec<QuoteLine>>,
}

#[derive(Deserialize)]
struct EntityLine {
    canonical: String,
    /// The canonical name the document gave, where linking replaced it.
    #[serde(default)]
    canonical_in_document: Option<String>,
    label: String,
    start: u64,
    end: u64,
    text: String,
}

impl EntityLine {
    /// The canonical name the document gives itself.
    fn own(&self) -> &str {
        self.canonical_in_document
            .as_deref()
            .unwrap_or(&self.canonical)
    }
}

#[derive(Deserialize)]
struct QuoteLine {
    #[serde(default)]
    speaker: Option<String>,
}

/// One line's entities and quotes.
struct Doc {
    entities: Vec<EntityLine>,
    quotes: Vec<QuoteLine>,
}

/// The key of a line's annotations, as this pipeline writes it.
const ANNOTATIONS_KEY: &[u8] = b"\"annotations\":";

impl Doc {
    /// The entities and quotes of `line`. Only the annotations are parsed: this pipeline
    /// writes them after the text, and the first `"annotations":` of a line is theirs (a
    /// string has its quote marks escaped, and the sections before are the pipeline's own),
    /// so most of a line is passed over at the speed of a byte search. A line without it
    /// has no annotations; one that is not JSON at all is an error.
    fn parse(path: &Path, line: &[u8]) -> Result<Doc> {
        let annotations = match memchr::memmem::find(line, ANNOTATIONS_KEY) {
            Some(at) => {
                let mut rest = &line[at + ANNOTATIONS_KEY.len()..];
                // The sentences come first and hold numbers only: their array ends at the
                // first `]`, and it is passed over by a byte search too.
                let joined;
                if let Some(sentences) = rest.strip_prefix(b"{\"sentences\":[") {
                    if let Some(close) = memchr::memchr(b']', sentences) {
                        let after = &sentences[close + 1..];
                        joined = [b"{", after.strip_prefix(b",").unwrap_or(after)].concat();
                        rest = &joined;
                    }
                }
                let mut de = serde_json::Deserializer::from_slice(rest);
                Option::<Annotations>::deserialize(&mut de).map_err(|e| corrupt(path, e))?
            }
            None => {
                let parsed: Line = serde_json::from_slice(line).map_err(|e| corrupt(path, e))?;
                parsed.annotations
            }
        };
        let (entities, quotes) = annotations
            .map(|a| (a.entities.unwrap_or_default(), a.quotes.unwrap_or_default()))
            .unwrap_or_default();
        Ok(Doc { entities, quotes })
    }

    /// `(label, canonical)` of each entity, as the document names it.
    fn own_names(&self) -> Vec<(&str, &str)> {
        (self.entities.iter())
            .map(|e| (e.label.as_str(), e.own()))
            .collect()
    }
}

/// Each line (without its line break) with its entities and quotes, in order, handed to
/// `f`. Lines are read as bytes, not checked as UTF-8: only their annotations are parsed
/// (see [`Doc::parse`]), and the parser checks the strings it reads.
fn each_document(
    path: &Path,
    mut f: impl FnMut(&[u8], &Doc) -> Result<ControlFlow<()>>,
) -> Result<()> {
    let read_error = |source| Error::ReadInput {
        path: path.to_path_buf(),
        source,
    };
    let file = File::open(path).map_err(read_error)?;
    let mut reader = BufReader::with_capacity(1 << 20, file);
    let mut line = Vec::new();
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line).map_err(read_error)? == 0 {
            return Ok(());
        }
        while line.last().is_some_and(|b| matches!(b, b'\n' | b'\r')) {
            line.pop();
        }
        if !line.iter().all(u8::is_ascii_whitespace)
            && f(&line, &Doc::parse(path, &line)?)?.is_break()
        {
            return Ok(());
        }
    }
}

/// Links the persons of `documents` (a `documents.jsonl` written by this pipeline) across
/// its documents, rewriting it when anything changes. `pipeline run` does this at the end
/// of a run with an `annotate` stage; outputs put together from several (shards, Spark
/// partitions) need it once over the whole (`pipeline link-names`). Reads the file two to
/// four times (one fewer at the end of a run, see [`link_observed`]), and writes it only
/// when a line changes; memory holds the corpus's full names, not its documents, within
/// about `memory` bytes (see [`CorpusNames::with_memory`]).
pub fn link_names(documents: &Path, memory: usize) -> Result<NamesLinked> {
    link_file(documents, memory).map(|(linked, _)| linked)
}

/// [`link_names`], and whether it wrote a new file.
fn link_file(documents: &Path, memory: usize) -> Result<(NamesLinked, bool)> {
    let mut names = CorpusNames::with_memory(memory);
    each_document(documents, |_, doc| {
        names.observe(&doc.own_names());
        Ok(ControlFlow::Continue(()))
    })?;
    relink_file(documents, names)
}

/// Records the persons of one line of `documents` (see [`CorpusNames::observe`]): for the
/// lines a run carries over from earlier runs, which the writer copies as they are.
pub(crate) fn observe_line(names: &mut CorpusNames, documents: &Path, line: &[u8]) -> Result<()> {
    names.observe(&Doc::parse(documents, line)?.own_names());
    Ok(())
}

/// [`link_names`] with the first pass done: `names` has observed every line of
/// `documents` (the writer of a run observes the documents as it writes them, so the
/// run reads the file once less).
pub(crate) fn link_observed(documents: &Path, names: CorpusNames) -> Result<NamesLinked> {
    relink_file(documents, names).map(|(linked, _)| linked)
}

/// [`link_observed`], and whether it wrote a new file.
fn relink_file(documents: &Path, mut names: CorpusNames) -> Result<(NamesLinked, bool)> {
    let forgotten_below = names.forgotten_below();
    let any_link = names.settle();
    let mut any_linked_before = false;
    each_document(documents, |_, doc| {
        any_linked_before |= doc
            .entities
            .iter()
            .any(|e| e.canonical_in_document.is_some());
        if any_link {
            names.observe_context(&doc.own_names());
        }
        Ok(ControlFlow::Continue(()))
    })?;
    let mut linked = NamesLinked {
        forgotten_below,
        ..NamesLinked::default()
    };
    if !any_link && !any_linked_before {
        return Ok((linked, false));
    }
    let mut rewritten = String::new();
    // Whether the line changes, and then into `rewritten`.
    let relink = |line: &[u8], doc: &Doc, linked: &mut NamesLinked, rewritten: &mut String| {
        let relinking = names.relinking(&doc.own_names());
        let linked_before = doc
            .entities
            .iter()
            .any(|e| e.canonical_in_document.is_some());
        if relinking.is_empty() && !linked_before {
            return false;
        }
        // (Valid JSON, so UTF-8 but for a broken string in the text, which the parser
        // passed over: such a line is left as it is.)
        let Ok(text) = std::str::from_utf8(line) else {
            return false;
        };
        let edit = relink_line(text, doc, &relinking, rewritten);
        if edit.linked > 0 {
            linked.documents += 1;
            linked.mentions += edit.linked;
        }
        edit.changed
    };
    // A run that adds nothing, or nothing that moves a link, changes no line: that is
    // found out by reading, before a copy of the whole file is written.
    let mut any_change = false;
    each_document(documents, |line, doc| {
        any_change = relink(line, doc, &mut linked, &mut rewritten);
        Ok(if any_change {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        })
    })?;
    if !any_change {
        return Ok((linked, false));
    }
    linked = NamesLinked {
        forgotten_below,
        ..NamesLinked::default()
    };
    let name = documents
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = documents.with_file_name(format!(".{name}.linking.partial"));
    let write_error = |source| Error::Write {
        path: tmp.clone(),
        source,
    };
    let file = File::create(&tmp).map_err(write_error)?;
    let mut out = BufWriter::with_capacity(1 << 20, file);
    let result = each_document(documents, |line, doc| {
        let line = if relink(line, doc, &mut linked, &mut rewritten) {
            rewritten.as_bytes()
        } else {
            line
        };
        out.write_all(line)
            .and_then(|()| out.write_all(b"\n"))
            .map_err(write_error)?;
        Ok(ControlFlow::Continue(()))
    });
    let committed = result.and_then(|()| {
        let file = out.into_inner().map_err(|e| write_error(e.into_error()))?;
        file.sync_all().map_err(write_error)
    });
    if let Err(error) = committed {
        let _ = std::fs::remove_file(&tmp);
        return Err(error);
    }
    std::fs::rename(&tmp, documents).map_err(|source| Error::Write {
        path: documents.to_path_buf(),
        source,
    })?;
    Ok((linked, true))
}

/// What [`relink_line`] did to a line.
struct Edit {
    /// Whether the line changed.
    changed: bool,
    /// Person mentions of the line now named by another document's full name.
    linked: u64,
}

/// `line` (whose entities and quotes are `doc`) into `out`, with each person entity the
/// canonical name that `relinking` (`(word, full name)` pairs of [`CorpusNames::relinking`])
/// gives its own name, or its own name, and each quote's speaker likewise. The line is
/// this pipeline's encoding (see `OutputDocument::encode`): an entity is
/// `{"canonical":…[,"canonical_in_document":…],"end":…,"label":"PER","start":…,"text":…}`
/// and a quote `{"end":…,"speaker":…,"speaker_mention":…}`, so the values are replaced where they stand and the
/// rest of the line is kept byte for byte.
fn relink_line(line: &str, doc: &Doc, relinking: &[(String, String)], out: &mut String) -> Edit {
    let full_name_of = |own: &str| {
        (relinking.iter())
            .find(|(word, _)| word == own)
            .map(|(_, full)| full.as_str())
    };
    out.clear();
    out.push_str(line);
    let mut edit = Edit {
        changed: false,
        linked: 0,
    };
    // Speaker as written → speaker wanted.
    let mut speakers: Vec<(&str, &str)> = Vec::new();
    for entity in doc.entities.iter().filter(|e| e.label == "PER") {
        let own = entity.own();
        let wanted = full_name_of(own).unwrap_or(own);
        edit.linked += u64::from(wanted != own);
        if wanted != entity.canonical && !speakers.iter().any(|(s, _)| *s == entity.canonical) {
            speakers.push((&entity.canonical, wanted));
        }
        if wanted == entity.canonical && (wanted == own) == entity.canonical_in_document.is_none() {
            continue;
        }
        let tail = format!(
            ",\"end\":{},\"label\":\"PER\",\"start\":{},\"text\":{}}}",
            entity.end,
            entity.start,
            json_string(&entity.text)
        );
        let Some(tail_at) = out.find(&tail) else {
            continue;
        };
        let Some(head_at) = out[..tail_at].rfind("{\"canonical\":") else {
            continue;
        };
        let mut head = format!("{{\"canonical\":{}", json_string(wanted));
        if wanted != own {
            head.push_str(",\"canonical_in_document\":");
            head.push_str(&json_string(own));
        }
        out.replace_range(head_at..tail_at, &head);
        edit.changed = true;
    }
    for (from, to) in speakers {
        if !doc
            .quotes
            .iter()
            .any(|q| q.speaker.as_deref() == Some(from))
        {
            continue;
        }
        // A speaker named like a linked entity was named by it: it follows the entity.
        let key = "\"speaker_mention\":";
        let (from, to) = (json_string(from), json_string(to));
        *out = out.replace(
            &format!("\"speaker\":{from},{key}"),
            &format!("\"speaker\":{to},{key}"),
        );
        edit.changed = true;
    }
    edit
}

/// `s` as this pipeline writes a JSON string.
fn json_string(s: &str) -> String {
    let mut out = Vec::with_capacity(s.len() + 2);
    push_json_string(&mut out, s);
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    const MERKEL: &str = r#"{"id":"b","text":"Merkel sagte „Ja“.","annotations":{"entities":[{"canonical":"Merkel","end":6,"label":"PER","start":0,"text":"Merkel"},{"canonical":"Merkel","end":40,"label":"ORG","start":34,"text":"Merkel"},{"canonical":"CDU","end":50,"label":"ORG","start":47,"text":"CDU"}],"quotes":[{"end":18,"speaker":"Merkel","speaker_mention":{"end":6,"start":0,"text":"Merkel"},"start":13}]}}"#;

    const MERKEL_LINKED: &str = r#"{"id":"b","text":"Merkel sagte „Ja“.","annotations":{"entities":[{"canonical":"Angela Merkel","canonical_in_document":"Merkel","end":6,"label":"PER","start":0,"text":"Merkel"},{"canonical":"Merkel","end":40,"label":"ORG","start":34,"text":"Merkel"},{"canonical":"CDU","end":50,"label":"ORG","start":47,"text":"CDU"}],"quotes":[{"end":18,"speaker":"Angela Merkel","speaker_mention":{"end":6,"start":0,"text":"Merkel"},"start":13}]}}"#;

    fn relinked(line: &str, relinking: &[(String, String)]) -> (String, u64) {
        let doc = Doc::parse(Path::new("documents.jsonl"), line.as_bytes()).unwrap();
        let mut out = String::new();
        let edit = relink_line(line, &doc, relinking, &mut out);
        assert_eq!(edit.changed, out != line);
        (out, edit.linked)
    }

    #[test]
    fn a_line_takes_the_full_name_in_its_person_entities_and_speakers_only() {
        let relinking = [("Merkel".to_owned(), "Angela Merkel".to_owned())];
        let (out, linked) = relinked(MERKEL, &relinking);
        eq(1, linked);
        // The organisation of that name and the mentions' own text are not the person;
        // everything else is kept byte for byte.
        eq(MERKEL_LINKED, out.as_str());
        // Linked again, it stays; and with the link gone, it is as the document named it.
        eq(
            (MERKEL_LINKED.to_owned(), 1),
            relinked(MERKEL_LINKED, &relinking),
        );
        eq((MERKEL.to_owned(), 0), relinked(MERKEL_LINKED, &[]));
    }

    const MEMORY: usize = pipeline_annotate::DEFAULT_MEMORY_BYTES;

    fn write_lines(path: &Path, lines: &[&str]) {
        let mut body = lines.join("\n");
        body.push('\n');
        std::fs::write(path, body).unwrap();
    }

    fn read_lines(path: &Path) -> Vec<String> {
        let text = std::fs::read_to_string(path).unwrap();
        text.lines().map(str::to_owned).collect()
    }

    #[test]
    fn documents_naming_a_person_by_one_word_take_the_full_name_of_the_others() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("documents.jsonl");
        // Two documents name her in full, with the `CDU` that the third names too (what
        // tells that it is about her).
        let full = r#"{"id":"a","text":"Angela Merkel kam.","annotations":{"entities":[{"canonical":"Angela Merkel","end":13,"label":"PER","start":0,"text":"Angela Merkel"},{"canonical":"CDU","end":50,"label":"ORG","start":47,"text":"CDU"}]}}"#;
        let plain = r#"{"id":"c","text":"Nichts.","annotations":{"entities":[]}}"#;
        write_lines(&path, &[full, full, MERKEL, plain]);
        let linked = link_names(&path, MEMORY).unwrap();
        let counts = NamesLinked {
            documents: 1,
            mentions: 1,
            forgotten_below: 0,
        };
        eq(counts, linked);
        assert_eq!(read_lines(&path), [full, full, MERKEL_LINKED, plain]);
        // Linked once, the file is left as it is, not even copied, and the counts are
        // those of the output.
        let modified = std::fs::metadata(&path).unwrap().modified().unwrap();
        eq((counts, false), link_file(&path, MEMORY).unwrap());
        eq(
            modified,
            std::fs::metadata(&path).unwrap().modified().unwrap(),
        );
        assert!(!dir.path().join(".documents.jsonl.linking.partial").exists());
        // A change after lines that stay is written with them.
        let other = MERKEL.replace("\"id\":\"b\"", "\"id\":\"d\"");
        let other_linked = MERKEL_LINKED.replace("\"id\":\"b\"", "\"id\":\"d\"");
        write_lines(&path, &[full, full, MERKEL_LINKED, plain, &other]);
        let both = NamesLinked {
            documents: 2,
            mentions: 2,
            forgotten_below: 0,
        };
        eq((both, true), link_file(&path, MEMORY).unwrap());
        assert_eq!(
            read_lines(&path),
            [full, full, MERKEL_LINKED, plain, &other_linked]
        );
        // Without the documents naming her in full, the link is undone.
        write_lines(&path, &[MERKEL_LINKED, plain]);
        eq(NamesLinked::default(), link_names(&path, MEMORY).unwrap());
        assert_eq!(read_lines(&path), [MERKEL, plain]);
    }

    #[test]
    fn a_broken_line_names_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("documents.jsonl");
        std::fs::write(&path, "{\"id\": \n").unwrap();
        let error = link_names(&path, MEMORY).unwrap_err().to_string();
        assert!(error.contains("documents.jsonl"), "{error}");
    }

    #[track_caller]
    fn eq<T: PartialEq + std::fmt::Debug>(expected: T, got: T) {
        assert_eq!(expected, got);
    }
}
