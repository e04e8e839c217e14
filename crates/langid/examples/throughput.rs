//! Baseline figures for the `detect_language` stage, single-threaded, in release:
//!
//! ```text
//! cargo run --release -p pipeline-langid --example throughput -- bench [MB] [CORPUS.jsonl] [--docs OUT.tsv] [--compare BEFORE.tsv] [--default-only]
//! cargo run --release -p pipeline-langid --example throughput -- accuracy [DATA] [LANG]
//! cargo run --release -p pipeline-langid --example throughput -- memory high|low
//! ```
//!
//! `bench` passes the seeds, repeated to about 20 MB (or the first MB of a JSONL corpus's
//! `text` fields), through the stage, and prints how many documents each detector decided;
//! with the default config, `--docs` writes one line per document (index, `lang.code`,
//! confidence, detector, kept: whether `expected = ["de"]` with `on_mismatch = "reject"`
//! keeps it) and `--compare` counts the documents whose code or kept differs from such a
//! file written before a change (with examples); `--default-only` runs the default config
//! alone. Each config's line gives wall-clock MB/s and MB per CPU-second of the thread (the
//! stage's loop), and a digest of every annotation (codes, confidences, detectors, segments
//! with their offsets), which a change meant to keep the output must keep. `accuracy` runs the
//! stage on lingua's test sentences (`../shared/data/lingua-langid/testdata.jsonl.gz`) of
//! one language (default `de`); `memory` preloads every compiled-in lingua model and prints
//! the peak resident memory.

use std::hash::{Hash, Hasher};
use std::io::{BufRead, Write};
use std::time::Instant;

use pipeline_core::{keys, Document, Stage, Verdict};
use pipeline_langid::{DetectLanguage, LangIdConfig};

const SEEDS: [&str; 5] = [
    include_str!("../../../seeds/000_4cc634fd74ce4d48.txt"),
    include_str!("../../../seeds/001_71e4d82f6747df7e.txt"),
    include_str!("../../../seeds/002_1a67b9573dd5dde7.txt"),
    include_str!("../../../seeds/003_b6e55cbff507565a.txt"),
    include_str!("../../../seeds/004_c9c43821286cbbc7.txt"),
];

fn stage(toml_src: &str) -> DetectLanguage {
    let config: LangIdConfig = toml::from_str(toml_src).expect("config parses");
    DetectLanguage::new(&config).expect("stage builds")
}

fn status(field: &str) -> String {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with(field))
        .map(|l| l.trim_start_matches(field).trim().to_owned())
        .unwrap_or_default()
}

/// The seeds repeated to about `mb` MB, or the first `mb` MB of the `text` fields of a
/// JSONL corpus (such as the one `cargo bench --bench pipeline -- --save-corpus` keeps).
fn documents(mb: usize, corpus: Option<&str>) -> (Vec<Document>, usize) {
    let mut docs = Vec::new();
    let mut bytes = 0;
    if let Some(path) = corpus {
        let file = std::fs::File::open(path).expect("corpus opens");
        for line in std::io::BufReader::new(file).lines() {
            let record: serde_json::Value =
                serde_json::from_str(&line.expect("corpus reads")).expect("corpus is JSONL");
            let text = record["text"].as_str().expect("record has text");
            bytes += text.len();
            docs.push(Document::new(format!("{}", docs.len()), text));
            if bytes >= mb * 1_000_000 {
                break;
            }
        }
        return (docs, bytes);
    }
    while bytes < mb * 1_000_000 {
        for (i, text) in SEEDS.iter().enumerate() {
            bytes += text.len();
            docs.push(Document::new(format!("{}#{i}", docs.len()), *text));
        }
    }
    (docs, bytes)
}

/// One document's answer: `lang.code` (`-` when null), confidence, detector, and whether
/// `expected = ["de"]` with `on_mismatch = "reject"` keeps it (code `de`).
struct DocAnswer {
    code: String,
    confidence: f64,
    detector: String,
    kept: bool,
}

impl DocAnswer {
    fn parse(line: &str) -> Option<DocAnswer> {
        let f: Vec<&str> = line.split('\t').collect();
        Some(DocAnswer {
            code: f.get(1)?.to_string(),
            confidence: f.get(2)?.parse().ok()?,
            detector: f.get(3)?.to_string(),
            kept: *f.get(4)? == "kept",
        })
    }
}

/// Per-document output of `bench`: where to write it and what to compare it with.
#[derive(Default)]
struct DocFiles<'a> {
    write: Option<&'a str>,
    compare: Option<&'a str>,
}

/// CPU time this thread has run so far (zero where Linux does not tell it).
fn thread_cpu() -> std::time::Duration {
    std::time::Duration::from_nanos(pipeline_core::thread_cpu_ns().unwrap_or(0))
}

fn bench(mb: usize, corpus: Option<&str>, config: &str, files: &DocFiles) {
    let mut s = stage(config);
    let (docs, bytes) = documents(mb, corpus);
    let n = docs.len();
    let mut detectors: std::collections::BTreeMap<String, usize> = Default::default();
    let mut segments = 0;
    let mut answers = Vec::with_capacity(n);
    // A digest of every annotation, so that a change meant to keep the output can show it.
    let mut digest = std::collections::hash_map::DefaultHasher::new();
    let mut busy = std::time::Duration::ZERO;
    let cpu_start = thread_cpu();
    for doc in docs {
        let t = Instant::now();
        let verdict = s.process(doc).expect("no error");
        busy += t.elapsed();
        if let Verdict::Keep(doc) = verdict {
            let v = &doc.annotations[keys::LANGID_LANG];
            let detector = v["detector"].as_str().unwrap_or("-").to_owned();
            *detectors.entry(detector.clone()).or_default() += 1;
            segments += v["segments"].as_array().map_or(0, Vec::len);
            v.to_string().hash(&mut digest);
            let code = v["code"].as_str().unwrap_or("-").to_owned();
            answers.push(DocAnswer {
                kept: code == "de",
                code,
                confidence: v["confidence"].as_f64().unwrap_or(0.0),
                detector,
            });
        }
    }
    // The loop's CPU time: the stage, plus the digest and tallies above (a small share).
    let cpu = (thread_cpu() - cpu_start).as_secs_f64();
    let secs = busy.as_secs_f64();
    let detectors: Vec<String> = detectors.iter().map(|(d, n)| format!("{d} {n}")).collect();
    println!(
        "config {config:?}: {n} docs, {:.1} MB in {secs:.2} s: {:.1} MB/s, {:.0} docs/s, \
         {cpu:.2} CPU-s: {:.1} MB per CPU-second (decided by: {}; {segments} segments, \
         digest {:016x})",
        bytes as f64 / 1e6,
        bytes as f64 / 1e6 / secs,
        n as f64 / secs,
        bytes as f64 / 1e6 / cpu,
        detectors.join(", "),
        digest.finish()
    );
    if !config.is_empty() {
        return;
    }
    if let Some(path) = files.write {
        let mut out = std::io::BufWriter::new(std::fs::File::create(path).expect("docs file"));
        for (i, a) in answers.iter().enumerate() {
            let kept = if a.kept { "kept" } else { "rejected" };
            writeln!(
                out,
                "{i}\t{}\t{}\t{}\t{kept}",
                a.code, a.confidence, a.detector
            )
            .expect("docs file writes");
        }
    }
    if let Some(path) = files.compare {
        let before: Vec<DocAnswer> = std::fs::read_to_string(path)
            .expect("compare file reads")
            .lines()
            .filter_map(DocAnswer::parse)
            .collect();
        let (mut code, mut kept, mut detector, mut examples) = (0, 0, 0, Vec::new());
        for (i, (b, a)) in before.iter().zip(&answers).enumerate() {
            code += usize::from(b.code != a.code);
            kept += usize::from(b.kept != a.kept);
            detector += usize::from(b.detector != a.detector);
            if (b.code != a.code || b.kept != a.kept) && examples.len() < 10 {
                examples.push(format!(
                    "doc {i}: {} {} ({}) -> {} {} ({})",
                    b.code, b.confidence, b.detector, a.code, a.confidence, a.detector
                ));
            }
        }
        let min_conf = |v: &[DocAnswer]| {
            v.iter()
                .filter(|a| a.kept)
                .map(|a| a.confidence)
                .fold(f64::INFINITY, f64::min)
        };
        println!(
            "  against {path}: {} docs compared ({} before, {} now); code differs in {code}, \
             kept/rejected in {kept}, detector in {detector}; lowest kept confidence {:.3} \
             before, {:.3} now",
            before.len().min(answers.len()),
            before.len(),
            answers.len(),
            min_conf(&before),
            min_conf(&answers)
        );
        for e in examples {
            println!("    {e}");
        }
    }
}

fn accuracy(path: &str, lang: &str, config: &str) {
    let file = std::fs::File::open(path).expect("test data opens");
    let reader = std::io::BufReader::new(flate2::read::GzDecoder::new(file));
    let s = stage(config);
    // kind -> (total, correct, null, lingua-decided)
    let mut tally: std::collections::BTreeMap<String, [usize; 4]> = Default::default();
    let mut wrong: std::collections::BTreeMap<String, usize> = Default::default();
    let t = Instant::now();
    for line in reader.lines() {
        let line = line.expect("line reads");
        let rec: serde_json::Value = serde_json::from_str(&line).expect("valid json");
        if rec["lang"] != lang {
            continue;
        }
        let kind = rec["kind"].as_str().unwrap_or("?").to_owned();
        let ann = s.detect(rec["text"].as_str().unwrap_or(""));
        let row = tally.entry(kind).or_default();
        row[0] += 1;
        match ann.code.as_deref() {
            Some(c) if c == lang => row[1] += 1,
            Some(c) => *wrong.entry(c.to_owned()).or_default() += 1,
            None => row[2] += 1,
        }
        row[3] += usize::from(ann.detector == Some(pipeline_langid::Detector::Lingua));
    }
    println!(
        "config {config:?}, language {lang} ({:.1} s):",
        t.elapsed().as_secs_f64()
    );
    for (kind, [n, ok, null, lingua]) in &tally {
        println!(
            "  {kind:>13}: {ok}/{n} correct = {:.1}%, {null} undetermined, {lingua} decided by lingua",
            100.0 * *ok as f64 / *n as f64
        );
    }
    let mut wrong: Vec<_> = wrong.into_iter().collect();
    wrong.sort_by_key(|w| std::cmp::Reverse(w.1));
    println!("  wrong answers: {wrong:?}");
}

fn memory(mode: &str) {
    let before = status("VmRSS:");
    let langs: Vec<lingua::Language> = lingua::Language::all().into_iter().collect();
    let mut builder = lingua::LanguageDetectorBuilder::from_languages(&langs);
    builder.with_preloaded_language_models();
    if mode == "low" {
        builder.with_low_accuracy_mode();
    }
    let t = Instant::now();
    let detector = builder.build();
    let secs = t.elapsed().as_secs_f64();
    let after_build = status("VmRSS:");
    // Lingua's models are static fst data; touching them is what costs memory, so run
    // every test sentence of every language through the detector.
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/lingua-langid/testdata.jsonl.gz"
    );
    let file = std::fs::File::open(path).expect("test data opens");
    let reader = std::io::BufReader::new(flate2::read::GzDecoder::new(file));
    let t = Instant::now();
    let mut n = 0;
    for line in reader.lines() {
        let rec: serde_json::Value = serde_json::from_str(&line.expect("line")).expect("json");
        if rec["kind"] == "sentences" {
            detector.compute_language_confidence_values(rec["text"].as_str().unwrap_or(""));
            n += 1;
        }
    }
    println!(
        "{} languages, {mode} accuracy: preload {secs:.2} s, VmRSS before {before}, after \
         build {after_build}; {n} sentences in {:.1} s; VmRSS {}, peak {}",
        langs.len(),
        t.elapsed().as_secs_f64(),
        status("VmRSS:"),
        status("VmHWM:")
    );
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize| args.get(i).map(String::as_str);
    match arg(0).unwrap_or("bench") {
        "bench" => {
            let mb = arg(1).and_then(|s| s.parse().ok()).unwrap_or(20);
            let corpus = arg(2).filter(|a| !a.starts_with("--"));
            let opt = |name: &str| {
                let i = args.iter().position(|a| a == name)?;
                args.get(i + 1).map(String::as_str)
            };
            let files = DocFiles {
                write: opt("--docs"),
                compare: opt("--compare"),
            };
            let configs = [
                "",
                "segments = \"off\"",
                "min_segment_chars = 200",
                "accuracy = \"low\"",
            ];
            // `--default-only`: the default config alone (for timing runs).
            let n = if args.iter().any(|a| a == "--default-only") {
                1
            } else {
                configs.len()
            };
            for config in &configs[..n] {
                bench(mb, corpus, config, &files);
            }
        }
        "accuracy" => {
            let path = arg(1).unwrap_or(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../../shared/data/lingua-langid/testdata.jsonl.gz"
            ));
            let lang = arg(2).unwrap_or("de");
            for config in ["", "accuracy = \"low\"", "min_chars = 1"] {
                accuracy(path, lang, config);
            }
        }
        "memory" => memory(arg(1).unwrap_or("high")),
        other => eprintln!("unknown mode {other:?}; use bench, accuracy or memory"),
    }
}
