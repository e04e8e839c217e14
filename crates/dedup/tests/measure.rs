//! Baseline measurements, ignored by default because they take a while in debug builds:
//!
//! ```text
//! cargo test -p pipeline-dedup --release --test measure -- --ignored --nocapture
//! ```
//!
//! `throughput` pushes ~20 MB of documents recombined from the seeds' paragraphs through
//! the stage; `recall_precision` measures near-duplicate detection on synthetic copies
//! with a few percent of their words edited, against the exact Jaccard similarity.

use std::collections::HashSet;
use std::time::Instant;

use pipeline_core::{keys, Document, Stage, Verdict};
use pipeline_dedup::{normalize, Action, DedupConfig, Dedupe};

/// A small deterministic random generator (SplitMix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }
}

/// Paragraphs (≥ 40 chars) and word tokens of the committed seeds.
fn seed_material() -> (Vec<String>, Vec<String>) {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../seeds");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("seeds folder")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    files.sort();
    let mut paragraphs = Vec::new();
    let mut words = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(f).unwrap();
        for p in text.split("\n\n") {
            let p = p.trim();
            if p.chars().count() >= 40 {
                paragraphs.push(p.to_owned());
            }
            words.extend(p.split_whitespace().map(str::to_owned));
        }
    }
    (paragraphs, words)
}

/// Replaces each word with probability `p` by a random vocabulary word.
fn perturb(rng: &mut Rng, text: &str, vocab: &[String], p: f64) -> String {
    text.split(' ')
        .map(|w| {
            if rng.chance(p) {
                vocab[rng.below(vocab.len())].as_str()
            } else {
                w
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Substitutes, deletes or inserts words at rate `rate`.
fn edit_words(rng: &mut Rng, words: &[String], vocab: &[String], rate: f64) -> Vec<String> {
    let mut out = Vec::with_capacity(words.len() + 8);
    for w in words {
        if rng.chance(rate) {
            match rng.below(3) {
                0 => out.push(vocab[rng.below(vocab.len())].clone()),
                1 => {}
                _ => {
                    out.push(w.clone());
                    out.push(vocab[rng.below(vocab.len())].clone());
                }
            }
        } else {
            out.push(w.clone());
        }
    }
    out
}

/// CPU seconds (user + system) this thread has used, on Linux; wall time misleads on a
/// machine shared with other builds.
fn thread_cpu_secs() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split(' ').collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

fn status(v: &Verdict) -> (String, Option<String>) {
    let doc = match v {
        Verdict::Keep(d) => d,
        Verdict::Drop(d) => &d.doc,
    };
    let a = &doc.annotations[keys::DEDUP];
    (
        a["status"].as_str().unwrap().to_owned(),
        a["duplicate_of"].as_str().map(str::to_owned),
    )
}

#[test]
#[ignore = "measurement; run in release with --ignored --nocapture"]
fn throughput() {
    let (paragraphs, vocab) = seed_material();
    let mut rng = Rng(42);
    let mut docs: Vec<Document> = Vec::new();
    let mut bytes = 0usize;
    while bytes < 20_000_000 {
        let n = docs.len();
        let text = if n > 100 && rng.chance(0.05) {
            // An exact copy of an earlier document, in other case.
            docs[rng.below(n)].text.to_uppercase()
        } else if n > 100 && rng.chance(0.05) {
            let words: Vec<String> = docs[rng.below(n)]
                .text
                .split(' ')
                .map(str::to_owned)
                .collect();
            edit_words(&mut rng, &words, &vocab, 0.02).join(" ")
        } else {
            let k = 4 + rng.below(9);
            (0..k)
                .map(|_| {
                    let p = &paragraphs[rng.below(paragraphs.len())];
                    // Most paragraphs are changed; some repeat verbatim.
                    if rng.chance(0.15) {
                        p.clone()
                    } else {
                        perturb(&mut rng, p, &vocab, 0.15)
                    }
                })
                .collect::<Vec<_>>()
                .join("\n\n")
        };
        bytes += text.len();
        docs.push(Document::new(format!("doc{n:06}"), text));
    }
    let n_docs = docs.len();
    let mut stage = Dedupe::new(&DedupConfig {
        action: Action::Mark,
        ..DedupConfig::default()
    })
    .unwrap();
    let mut counts = std::collections::BTreeMap::<String, usize>::new();
    let mut spans = 0usize;
    let start = Instant::now();
    let cpu_start = thread_cpu_secs();
    for doc in docs {
        let v = stage.process(doc).unwrap();
        if let Verdict::Keep(d) = &v {
            spans += d.annotations[keys::DEDUP]["repeated_spans"]
                .as_array()
                .unwrap()
                .len();
        }
        *counts.entry(status(&v).0).or_default() += 1;
    }
    let secs = start.elapsed().as_secs_f64();
    let cpu = thread_cpu_secs()
        .zip(cpu_start)
        .map(|(end, start)| end - start);
    let index = stage.index();
    println!(
        "throughput: {n_docs} docs, {:.1} MB in {secs:.2} s wall = {:.0} docs/s, {:.1} MB/s",
        bytes as f64 / 1e6,
        n_docs as f64 / secs,
        bytes as f64 / 1e6 / secs
    );
    if let Some(cpu) = cpu.filter(|&c| c > 0.0) {
        println!(
            "            {cpu:.2} s CPU = {:.0} docs/s, {:.1} MB/s per core",
            n_docs as f64 / cpu,
            bytes as f64 / 1e6 / cpu
        );
    }
    println!("statuses: {counts:?}; repeated spans recorded: {spans}");
    println!(
        "index: {} kept docs, {:.1} MB, {:.0} bytes per kept doc (avg {:.0} bytes of text)",
        index.len(),
        index.memory_bytes() as f64 / 1e6,
        index.memory_bytes() as f64 / index.len() as f64,
        bytes as f64 / n_docs as f64
    );
}

fn shingles(text: &str, k: usize) -> HashSet<String> {
    let norm = normalize(text);
    let words: Vec<&str> = norm.split(' ').filter(|w| !w.is_empty()).collect();
    if words.len() < k {
        return std::iter::once(words.join(" ")).collect();
    }
    words.windows(k).map(|w| w.join(" ")).collect()
}

fn jaccard(a: &HashSet<String>, b: &HashSet<String>) -> f64 {
    let inter = a.intersection(b).count();
    inter as f64 / (a.len() + b.len() - inter) as f64
}

#[test]
#[ignore = "measurement; run in release with --ignored --nocapture"]
fn recall_precision() {
    let (_, vocab) = seed_material();
    let mut rng = Rng(7);
    let n_base = 2000;
    let base: Vec<Vec<String>> = (0..n_base)
        .map(|_| {
            let len = 150 + rng.below(400);
            (0..len)
                .map(|_| vocab[rng.below(vocab.len())].clone())
                .collect()
        })
        .collect();
    let cfg = DedupConfig {
        action: Action::Mark,
        ..DedupConfig::default()
    };
    let mut stage = Dedupe::new(&cfg).unwrap();
    let mut false_base = 0;
    for (i, words) in base.iter().enumerate() {
        let v = stage
            .process(Document::new(format!("base{i}"), words.join(" ")))
            .unwrap();
        if status(&v).0 != "unique" {
            false_base += 1;
        }
    }
    println!("{n_base} unrelated base documents, flagged as duplicates: {false_base}");
    // (true positives, false negatives, false positives) against exact Jaccard ≥ threshold.
    let (mut tp, mut fn_, mut fp, mut fp_wrong) = (0, 0, 0, 0);
    for rate in [0.01, 0.02, 0.03, 0.05, 0.10] {
        let (mut flagged, mut sum_j, mut above) = (0, 0.0, 0);
        let n = 400;
        for c in 0..n {
            let src = rng.below(n_base);
            let copy = edit_words(&mut rng, &base[src], &vocab, rate).join(" ");
            let j = jaccard(&shingles(&base[src].join(" "), 5), &shingles(&copy, 5));
            sum_j += j;
            let v = stage
                .process(Document::new(format!("copy{rate}_{c}"), copy))
                .unwrap();
            let (st, of) = status(&v);
            // A copy without any edit is an exact duplicate: found, too.
            let hit = st != "unique" && of.as_deref() == Some(&*format!("base{src}"));
            let truth = j >= cfg.threshold;
            above += usize::from(truth);
            flagged += usize::from(hit);
            match (hit, truth) {
                (true, true) => tp += 1,
                (false, true) => fn_ += 1,
                (true, false) => fp += 1,
                (false, false) => {}
            }
            if st != "unique" && !hit {
                fp += 1;
                fp_wrong += 1;
            }
        }
        println!(
            "edit rate {:>4.0}%: mean Jaccard {:.3}, {above}/{n} with Jaccard ≥ {}, \
             flagged as duplicate of its source {flagged}/{n} ({:.1}%)",
            rate * 100.0,
            sum_j / n as f64,
            cfg.threshold,
            100.0 * flagged as f64 / n as f64
        );
    }
    // Every copy is a real near copy of its source, so a flag naming the source is right
    // in that sense even when the exact Jaccard is just under the threshold.
    println!(
        "flags naming the wrong document or an unrelated base: {}",
        fp_wrong + false_base
    );
    println!(
        "against exact Jaccard ≥ {}: precision {:.3}, recall {:.3} (tp {tp}, fn {fn_}, fp {})",
        cfg.threshold,
        tp as f64 / (tp + fp + false_base) as f64,
        tp as f64 / (tp + fn_) as f64,
        fp + false_base
    );
}
