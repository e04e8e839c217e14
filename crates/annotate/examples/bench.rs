//! Single-thread throughput of the annotation stage on the seeds repeated to about 20 MB,
//! or on the texts of a JSONL file.
//!
//! ```text
//! cargo run --release -p pipeline-annotate --example bench [-- --rules] [--jsonl FILE.jsonl.gz] [--slowest N]
//! ```
//!
//! Also prints a digest (FNV-1a, 64 bits) of every document's serialised annotations, in
//! order (its time is left out of the figures): equal digests before and after a change to
//! the stage show byte-identical output.

use std::io::Write;
use std::time::Instant;

use pipeline_annotate::AnnotateConfig;
use pipeline_core::Document;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // `--jsonl FILE.jsonl.gz`: the `text` fields of a gzipped JSONL file, each once (real
    // vocabulary, so the per-word caches are not always hit); default: the seeds.
    let jsonl = args
        .iter()
        .position(|a| a == "--jsonl")
        .and_then(|i| args.get(i + 1));
    let mut seeds = Vec::new();
    if let Some(path) = jsonl {
        use std::io::BufRead;
        let file = std::fs::File::open(path)?;
        for line in std::io::BufReader::new(flate2::read::GzDecoder::new(file)).lines() {
            let v: serde_json::Value = serde_json::from_str(&line?)?;
            seeds.push(v["text"].as_str().unwrap_or_default().to_owned());
        }
    } else {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../seeds");
        for entry in std::fs::read_dir(dir)? {
            seeds.push(std::fs::read_to_string(entry?.path())?);
        }
        seeds.sort();
    }
    let target = if jsonl.is_some() { 1 } else { 20 * 1024 * 1024 };
    let mut docs = Vec::new();
    let mut bytes = 0;
    while bytes < target {
        for s in &seeds {
            bytes += s.len();
            docs.push(Document::new("b", s.clone()));
        }
    }
    // `--rules`: the rule-based entity recogniser alone, for comparison.
    let mut stage = if std::env::args().any(|a| a == "--rules") {
        AnnotateConfig::default().build_stage_rules_only()?
    } else {
        AnnotateConfig::default().build_stage()?
    };
    // `--slowest N`: the N documents that took longest, to find texts a rule is slow on.
    let slowest_count: usize = args
        .iter()
        .position(|a| a == "--slowest")
        .and_then(|i| args.get(i + 1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    let mut slowest: Vec<(f64, usize, usize)> = Vec::new();
    let started = Instant::now();
    let cpu0 = cpu_seconds();
    let mut spans = 0;
    let mut digest = Fnv::default();
    let mut digest_secs = 0.0;
    for (index, mut doc) in docs.into_iter().enumerate() {
        let t = Instant::now();
        stage.annotate(&mut doc);
        if slowest_count > 0 {
            slowest.push((t.elapsed().as_secs_f64(), index, doc.text.len()));
            if slowest.len() > 4 * slowest_count {
                slowest.sort_by(|a, b| b.0.total_cmp(&a.0));
                slowest.truncate(slowest_count);
            }
        }
        let t = Instant::now();
        let found = &doc.spans;
        spans += [
            found.sentences.as_ref().map(Vec::len),
            found.entities.as_ref().map(Vec::len),
            found.dates.as_ref().map(Vec::len),
            found.quotes.as_ref().map(Vec::len),
            found.tokens.as_ref().map(Vec::len),
        ]
        .into_iter()
        .flatten()
        .sum::<usize>();
        // The lists under the keys they had before they were typed (`annotate.dates`, …), so
        // that digests compare with those of earlier versions.
        let keyed = serde_json::json!({
            "annotate.dates": found.dates,
            "annotate.entities": found.entities,
            "annotate.quotes": found.quotes,
            "annotate.sentences": found.sentences,
        });
        serde_json::to_writer(&mut digest, &keyed)?;
        digest.write_all(b"\n")?;
        digest_secs += t.elapsed().as_secs_f64();
    }
    // The digest's own time (serialising and hashing, single-threaded, so its wall time is
    // its CPU time) is left out of both figures.
    let secs = started.elapsed().as_secs_f64() - digest_secs;
    let cpu = cpu_seconds() - cpu0 - digest_secs;
    println!(
        "{:.1} MB in {:.2} s wall, {:.2} s CPU: {:.1} MB/s wall, {:.1} MB per CPU-second ({spans} spans)\ndigest {:016x} over {} bytes of annotations",
        bytes as f64 / 1e6,
        secs,
        cpu,
        bytes as f64 / 1e6 / secs,
        bytes as f64 / 1e6 / cpu,
        digest.hash,
        digest.bytes
    );
    slowest.sort_by(|a, b| b.0.total_cmp(&a.0));
    for (secs, index, len) in slowest.iter().take(slowest_count) {
        println!("slow: document {index} ({len} bytes) {:.1} ms", secs * 1e3);
    }
    Ok(())
}

/// User + system CPU time of this process from `/proc/self/stat` (Linux; 0 elsewhere), so
/// that the figure holds on a busy machine too.
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    let rest = stat.rsplit(')').next().unwrap_or("");
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = f.get(11).and_then(|x| x.parse().ok()).unwrap_or(0.0)
        + f.get(12).and_then(|x| x.parse().ok()).unwrap_or(0.0);
    ticks / 100.0
}

/// FNV-1a (64 bits) over everything written to it, and the byte count.
struct Fnv {
    hash: u64,
    bytes: u64,
}

impl Default for Fnv {
    fn default() -> Self {
        Fnv {
            hash: 0xcbf2_9ce4_8422_2325,
            bytes: 0,
        }
    }
}

impl Write for Fnv {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        for &b in buf {
            self.hash = (self.hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        self.bytes += buf.len() as u64;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
