//! `pipeline export`: converts `documents.jsonl` to formats other NLP tools load, streaming
//! one document at a time.

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::Path;

use pipeline_annotate::export::{to_conllu, to_spacy_json};

use crate::error::{Error, Result};

/// The formats `pipeline export` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// spaCy's `Doc.to_json()` shape, one JSON object per line (load each with
    /// `Doc(nlp.vocab).from_json(data, validate=True)`).
    Spacy,
    /// CoNLL-U, sentences with tokens, `NER=B-PER` and `SpaceAfter=No` in the last column.
    Conllu,
}

/// Converts every line of `input` (a `documents.jsonl`) to `format`, writing to `output`.
/// Returns the number of documents converted.
pub fn export(input: &Path, format: ExportFormat, output: &mut dyn Write) -> Result<u64> {
    let file = File::open(input).map_err(|source| Error::ReadInput {
        path: input.to_path_buf(),
        source,
    })?;
    let mut out = BufWriter::new(output);
    let write_error = |source| Error::Write {
        path: "the export output".into(),
        source,
    };
    let mut count = 0;
    for (index, line) in BufReader::new(file).lines().enumerate() {
        let line = line.map_err(|source| Error::ReadInput {
            path: input.to_path_buf(),
            source,
        })?;
        if line.trim().is_empty() {
            continue;
        }
        let value: serde_json::Value = serde_json::from_str(&line).map_err(|e| {
            Error::invalid_data(
                input,
                format!(
                    "line {} is not a document of documents.jsonl: {e}",
                    index + 1
                ),
            )
        })?;
        match format {
            ExportFormat::Spacy => {
                writeln!(out, "{}", to_spacy_json(&value)).map_err(write_error)?
            }
            ExportFormat::Conllu => write!(out, "{}", to_conllu(&value)).map_err(write_error)?,
        }
        count += 1;
    }
    out.flush().map_err(write_error)?;
    Ok(count)
}
