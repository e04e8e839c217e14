//! Throughput of the `clean` stage on one thread, in release, and a hash of everything it
//! produced, so that a speed change can be shown not to change the output:
//!
//! ```text
//! cargo run --release -p pipeline-clean --example throughput -- [CORPUS.jsonl[.gz]] \
//!     [--mb 20] [--key text] [--runs 3] [--config 'min_words = 50'] [--out FILE] \
//!     [--title /gt_metadata/title]
//! ```
//!
//! Without a corpus the seeds are repeated to `--mb` MB. With one, the first `--mb` MB
//! of the `--key` field of each record (`text`; `text_with_boilerplate` for the
//! extraction benchmarks in `../shared/data`) are cleaned; `cargo bench --bench pipeline
//! -- --save-corpus FILE` writes such a corpus. `--config` is the TOML body of the
//! `[[stages]]` table without its `type` (default: the defaults, as in `pipeline.toml`).
//! `--title` is a JSON pointer into each record whose value becomes the document's
//! `title` metadata (the stage then keeps that title and looks for lines repeating it).
//!
//! Each of `--runs` passes cleans every document once with a fresh stage and prints wall
//! and CPU throughput (the machine is shared, so CPU time is the steadier figure); the
//! outputs are dropped at once. A last, untimed pass writes the output (per document:
//! the verdict, the drop reason and detail, the text and the annotations, as JSON lines)
//! to `--out` if given, and prints its FNV-1a 64 hash.

use std::io::{BufRead, BufReader, Read, Write};
use std::time::Instant;

use pipeline_clean::CleanConfig;
use pipeline_core::{BuildContext, Document, StageConfig, Verdict};
use serde_json::json;

const SEEDS: [&str; 5] = [
    include_str!("../../../seeds/000_4cc634fd74ce4d48.txt"),
    include_str!("../../../seeds/001_71e4d82f6747df7e.txt"),
    include_str!("../../../seeds/002_1a67b9573dd5dde7.txt"),
    include_str!("../../../seeds/003_b6e55cbff507565a.txt"),
    include_str!("../../../seeds/004_c9c43821286cbbc7.txt"),
];

/// CPU time of this process (user + system) in seconds, from `/proc/self/stat`.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which is in parentheses and may hold spaces).
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|s| s.parse::<f64>().ok()).unwrap_or(0.0);
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name; the
    // kernel's USER_HZ is 100 on every Linux we run on.
    (ticks(11) + ticks(12)) / 100.0
}

/// The documents: the first `mb` MB of the `key` fields of a JSONL corpus, or the seeds
/// repeated to `mb` MB.
fn documents(
    mb: usize,
    corpus: Option<&str>,
    key: &str,
    title: Option<&str>,
) -> (Vec<Document>, usize) {
    let mut docs = Vec::new();
    let mut bytes = 0;
    let Some(path) = corpus else {
        while bytes < mb * 1_000_000 {
            for (i, text) in SEEDS.iter().enumerate() {
                bytes += text.len();
                docs.push(Document::new(format!("{}#{i}", docs.len()), *text));
            }
        }
        return (docs, bytes);
    };
    let file = std::fs::File::open(path).expect("corpus opens");
    let reader: Box<dyn Read> = if path.ends_with(".gz") {
        Box::new(flate2::read::GzDecoder::new(file))
    } else {
        Box::new(file)
    };
    for line in BufReader::new(reader).lines() {
        let record: serde_json::Value =
            serde_json::from_str(&line.expect("corpus reads")).expect("corpus is JSONL");
        let Some(text) = record[key].as_str() else {
            continue;
        };
        bytes += text.len();
        let id = record["id"]
            .as_str()
            .map_or_else(|| docs.len().to_string(), str::to_owned);
        let mut doc = Document::new(id, text);
        if let Some(t) = title.and_then(|p| record.pointer(p)) {
            doc.metadata.insert("title".to_owned(), t.clone());
        }
        docs.push(doc);
        if bytes >= mb * 1_000_000 {
            break;
        }
    }
    (docs, bytes)
}

/// FNV-1a 64 over everything written.
struct Fnv<W>(u64, W);

impl<W: Write> Write for Fnv<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        for &b in buf {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
        self.1.write_all(buf)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.1.flush()
    }
}

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut opt = |name: &str| -> Option<String> {
        let i = args.iter().position(|a| a == name)?;
        let v = args.get(i + 1).cloned();
        args.drain(i..(i + 2).min(args.len()));
        v
    };
    let mb: usize = opt("--mb").map_or(20, |s| s.parse().expect("--mb takes megabytes"));
    let runs: usize = opt("--runs").map_or(1, |s| s.parse().expect("--runs takes a count"));
    let key = opt("--key").unwrap_or_else(|| "text".to_owned());
    let config_src = opt("--config").unwrap_or_default();
    let out_path = opt("--out");
    let title = opt("--title");
    let corpus = args.first().map(String::as_str);

    let config: CleanConfig = toml::from_str(&config_src).expect("config parses");
    let (docs, bytes) = documents(mb, corpus, &key, title.as_deref());
    let n = docs.len();
    let mb_in = bytes as f64 / 1e6;
    for run in 1..=runs {
        let input = docs.clone();
        let mut stage = config
            .build(&BuildContext::default())
            .expect("stage builds");
        let (wall, cpu) = (Instant::now(), cpu_seconds());
        for doc in input {
            // Dropped at once, as the next stage would take it: keeping every output
            // would make the run's memory grow and page faults dominate the profile.
            drop(stage.process(doc).expect("the clean stage does not fail"));
        }
        let (wall, cpu) = (wall.elapsed().as_secs_f64(), cpu_seconds() - cpu);
        println!(
            "run {run}: {n} docs, {mb_in:.1} MB in {wall:.2} s ({cpu:.2} s CPU): \
             {:.2} MB/s, {:.0} docs/s wall; {:.2} MB/s per CPU-second",
            mb_in / wall,
            n as f64 / wall,
            mb_in / cpu.max(0.01)
        );
    }

    // An untimed pass for the output.
    let mut stage = config
        .build(&BuildContext::default())
        .expect("stage builds");
    let sink: Box<dyn Write> = match &out_path {
        Some(p) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(p).expect("output file opens"),
        )),
        None => Box::new(std::io::sink()),
    };
    let mut out = Fnv(0xcbf2_9ce4_8422_2325, sink);
    let (mut kept, mut dropped) = (0, 0);
    for doc in docs {
        let line = match stage.process(doc).expect("the clean stage does not fail") {
            Verdict::Keep(doc) => {
                kept += 1;
                json!({"keep": true, "id": doc.id, "text": doc.text, "annotations": doc.annotations})
            }
            Verdict::Drop(d) => {
                dropped += 1;
                json!({"keep": false, "reason": d.reason, "detail": d.detail, "id": d.doc.id,
                       "text": d.doc.text, "annotations": d.doc.annotations})
            }
        };
        serde_json::to_writer(&mut out, &line).expect("output writes");
        out.write_all(b"\n").expect("output writes");
    }
    out.flush().expect("output flushes");
    println!(
        "output: {kept} kept, {dropped} dropped, fnv64 {:016x}{}",
        out.0,
        out_path.map_or(String::new(), |p| format!(", written to {p}"))
    );
}
