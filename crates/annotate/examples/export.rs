//! Converts `documents.jsonl` to spaCy JSON (one `Doc.to_json()` object per line) or to
//! CoNLL-U.
//!
//! ```text
//! cargo run --release -p pipeline-annotate --example export -- spacy out/documents.jsonl > docs.spacy.jsonl
//! cargo run --release -p pipeline-annotate --example export -- conllu out/documents.jsonl > docs.conllu
//! ```

use std::io::{BufRead, BufReader, BufWriter, Write};

use pipeline_annotate::export::{to_conllu, to_spacy_json};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(format), Some(path)) = (args.first(), args.get(1)) else {
        return Err("usage: export spacy|conllu DOCUMENTS.jsonl".into());
    };
    let reader = BufReader::new(std::fs::File::open(path)?);
    let mut out = BufWriter::new(std::io::stdout().lock());
    for line in reader.lines() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let v: serde_json::Value = serde_json::from_str(&line)?;
        match format.as_str() {
            "spacy" => writeln!(out, "{}", to_spacy_json(&v))?,
            "conllu" => write!(out, "{}", to_conllu(&v))?,
            other => return Err(format!("unknown format {other:?}: spacy or conllu").into()),
        }
    }
    out.flush()?;
    Ok(())
}
