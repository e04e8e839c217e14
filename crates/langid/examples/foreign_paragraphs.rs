//! Whether a paragraph in another language inside a German document is still found: German
//! documents of the bench corpus, each with one paragraph replaced by sentences of lingua's
//! test data (odd lines) in another language, at three lengths.
//!
//! ```text
//! cargo run --release -p pipeline-langid --example foreign_paragraphs -- BENCH.jsonl [DOCS]
//!   [--data PATH]   lingua test data (default ../shared/data/lingua-langid/testdata.jsonl.gz)
//!   [--mixed]       append the sentences to the German paragraph instead of replacing it
//! ```
//!
//! Prints, per language and length, how many of the inserted paragraphs got a segment in
//! their own language ("found") and how many got one in some language other than German
//! ("not de"), then the totals. Nothing here is shipped: the inputs are read at run time.

use std::collections::BTreeMap;
use std::io::BufRead;

use pipeline_langid::{DetectLanguage, LangIdConfig};

/// The languages whose paragraphs are inserted: whatlang's probe languages, then a few others.
const LANGS: [&str; 17] = [
    "en", "fr", "es", "it", "pt", "nl", "pl", "tr", "ru", "da", "sv", "af", "ca", "ro", "cs", "hu",
    "fi",
];

/// Letter ranges of the inserted paragraphs (the last is open above, cut at 400).
const LENGTHS: [(usize, usize); 3] = [(40, 80), (80, 160), (160, 400)];

fn letters(text: &str) -> usize {
    text.chars().filter(|c| c.is_alphabetic()).count()
}

/// Sentence groups of `lang` whose letters fall in `range`: consecutive sentences joined
/// until the group reaches the range's lower end, kept when it stays below the upper.
fn groups(sentences: &[String], (low, high): (usize, usize), n: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for s in sentences {
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(s);
        let l = letters(&current);
        if l >= low {
            if l < high {
                out.push(std::mem::take(&mut current));
                if out.len() == n {
                    break;
                }
            } else {
                current.clear();
            }
        }
    }
    out
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let bench = args
        .first()
        .expect("usage: foreign_paragraphs BENCH.jsonl [DOCS]");
    let docs: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(20);
    let data = args
        .iter()
        .position(|a| a == "--data")
        .and_then(|i| args.get(i + 1).cloned())
        .unwrap_or_else(|| "../shared/data/lingua-langid/testdata.jsonl.gz".to_owned());
    let config: LangIdConfig = toml::from_str("segments = \"always\"").expect("config parses");
    let stage = DetectLanguage::new(&config).expect("stage builds");

    // German documents with three paragraphs or more, the middle one replaced later.
    let mut german: Vec<String> = Vec::new();
    let reader = std::io::BufReader::new(std::fs::File::open(bench).expect("bench corpus"));
    for line in reader.lines() {
        let value: serde_json::Value = serde_json::from_str(&line.expect("readable")).unwrap();
        let text = value["text"].as_str().unwrap_or_default().to_owned();
        if text.split("\n\n").count() >= 3 && stage.detect(&text).code.as_deref() == Some("de") {
            german.push(text);
            if german.len() == docs {
                break;
            }
        }
    }

    let mut sentences: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let gz = flate2::read::GzDecoder::new(std::fs::File::open(&data).expect("lingua test data"));
    for line in std::io::BufReader::new(gz).lines() {
        let value: serde_json::Value = serde_json::from_str(&line.expect("readable")).unwrap();
        let id = value["id"].as_str().unwrap_or_default();
        let odd = id
            .rsplit('/')
            .next()
            .and_then(|n| n.parse::<usize>().ok())
            .is_some_and(|n| n % 2 == 1);
        let lang = value["lang"].as_str().unwrap_or_default();
        if odd && value["kind"] == "sentences" && LANGS.contains(&lang) {
            let text = value["text"].as_str().unwrap_or_default().to_owned();
            sentences.entry(lang.to_owned()).or_default().push(text);
        }
    }

    // With `--mixed`, the foreign sentences are appended to the German paragraph instead.
    let mix = args.iter().any(|a| a == "--mixed");
    let (mut all, mut all_found, mut all_not_de) = (0, 0, 0);
    for lang in LANGS {
        let mut line = lang.to_string();
        for range in LENGTHS {
            let inserts = groups(&sentences[lang], range, german.len());
            let (mut found, mut not_de) = (0, 0);
            for (doc, insert) in german.iter().zip(&inserts) {
                let mut paras: Vec<&str> = doc.split("\n\n").collect();
                let middle = paras.len() / 2;
                let mixed = format!("{} {insert}", paras[middle]);
                let insert = if mix { &mixed } else { insert };
                paras[middle] = insert;
                let start = paras[..middle]
                    .iter()
                    .map(|p| p.chars().count() + 2)
                    .sum::<usize>();
                let end = start + insert.chars().count();
                let text = paras.join("\n\n");
                let ann = stage.detect(&text);
                let covering = ann
                    .segments
                    .iter()
                    .filter(|s| s.start < end && s.end > start);
                let codes: Vec<&str> = covering.map(|s| s.code.as_str()).collect();
                found += usize::from(codes.contains(&lang));
                not_de += usize::from(codes.iter().any(|&c| c != "de"));
            }
            line += &format!(
                "  {}-{}: {found}/{} found, {not_de} not de",
                range.0,
                range.1,
                inserts.len()
            );
            all += inserts.len();
            all_found += found;
            all_not_de += not_de;
        }
        println!("{line}");
    }
    println!(
        "total: {all_found}/{all} found, {all_not_de} not de ({} German documents)",
        german.len()
    );
}
