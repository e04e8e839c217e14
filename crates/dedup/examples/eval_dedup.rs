//! Evaluates the `dedupe` stage on a corpus written by `make_corpus`: precision and recall
//! of exact and near duplicates by band of true similarity and by edit type, throughput
//! (MB/s per core) and index memory.
//!
//! ```text
//! cargo run --release -p pipeline-dedup --example eval_dedup -- --corpus /tmp/dedup.jsonl \
//!     [--config "bands = 20, rows = 5"] [--order input|shuffle|rank] [--no-speed]
//! ```
//!
//! `--config` overrides stage settings (TOML keys, comma-separated); `action` is always
//! `mark`. `--order shuffle` feeds the documents in a seeded random order, `rank` sorted by
//! (`published`, `id`). A near copy counts as a duplicate that must be found (a
//! *positive*) when its true similarity to its original meets the definition in the crate
//! README: Jaccard ≥ 0.8, or containment ≥ 0.9 with Jaccard ≥ 0.5 (`--def-jaccard`,
//! `--def-containment`, `--def-min-jaccard`). A pair counts as found when both documents
//! end up with the same kept representative. A flag is correct when it names a document
//! of the same generated group, or when the pair's true similarity meets the definition
//! (duplicates already present in the source data).

mod common;

use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, BufReader};
use std::time::Instant;

use common::{arg, flag, shingles, similarity, Rng};
use pipeline_core::{keys, Document, Stage, Verdict};
use pipeline_dedup::{DedupConfig, Dedupe};
use serde_json::Value;

/// CPU seconds (user + system) this thread has used, on Linux.
fn thread_cpu_secs() -> f64 {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").unwrap_or_default();
    let Some(close) = stat.rfind(')') else {
        return 0.0;
    };
    let fields: Vec<&str> = stat[close + 2..].split(' ').collect();
    let tick = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (tick(11) + tick(12)) / 100.0
}

struct Truth {
    kind: String,
    of: Option<String>,
    edit: Option<String>,
    jaccard: f64,
    containment: f64,
}

struct Run {
    /// id → (status, duplicate_of)
    result: HashMap<String, (String, Option<String>)>,
    cpu: f64,
    wall: f64,
    memory: usize,
    kept: usize,
}

fn run(cfg: &DedupConfig, docs: &[Document]) -> Run {
    let mut stage = Dedupe::new(cfg).expect("valid config");
    let mut result = HashMap::with_capacity(docs.len());
    let mut verdicts = Vec::with_capacity(docs.len());
    let (cpu0, wall0) = (thread_cpu_secs(), Instant::now());
    for doc in docs {
        verdicts.push(stage.process(doc.clone()).expect("process"));
    }
    verdicts.extend(stage.finish().expect("finish"));
    let (cpu, wall) = (thread_cpu_secs() - cpu0, wall0.elapsed().as_secs_f64());
    for v in verdicts {
        let doc = match v {
            Verdict::Keep(d) => d,
            Verdict::Drop(d) => d.doc,
        };
        let a = &doc.annotations[keys::DEDUP];
        let status = a["status"].as_str().unwrap_or("?").to_owned();
        let of = a["duplicate_of"].as_str().map(str::to_owned);
        result.insert(doc.id, (status, of));
    }
    Run {
        result,
        cpu,
        wall,
        memory: stage.index().memory_bytes(),
        kept: stage.index().len(),
    }
}

fn pct(a: usize, b: usize) -> String {
    if b == 0 {
        "   -  ".into()
    } else {
        format!("{:5.1}%", 100.0 * a as f64 / b as f64)
    }
}

fn main() {
    let corpus = arg("--corpus").unwrap_or_else(|| "/tmp/dedup.jsonl".into());
    let truth_path = arg("--truth").unwrap_or_else(|| format!("{corpus}.truth.jsonl"));
    let overrides = arg("--config").unwrap_or_default().replace(',', "\n");
    let order = arg("--order").unwrap_or_else(|| "input".into());
    let def_j: f64 = arg("--def-jaccard").map_or(0.8, |s| s.parse().expect("number"));
    let def_c: f64 = arg("--def-containment").map_or(0.9, |s| s.parse().expect("number"));
    let def_min_j: f64 = arg("--def-min-jaccard").map_or(0.5, |s| s.parse().expect("number"));
    let is_positive = |j: f64, c: f64| j >= def_j || (c >= def_c && j >= def_min_j);

    let mut cfg: DedupConfig = toml::from_str(&overrides).expect("--config is TOML");
    cfg.action = pipeline_dedup::Action::Mark;

    let mut docs: Vec<Document> = Vec::new();
    let mut bytes = 0usize;
    for line in BufReader::new(std::fs::File::open(&corpus).expect("open --corpus")).lines() {
        let v: Value = serde_json::from_str(&line.expect("line")).expect("json");
        let mut doc = Document::new(
            v["id"].as_str().expect("id"),
            v["text"].as_str().expect("text"),
        );
        if let Some(p) = v.get("published") {
            doc.metadata.insert("published".into(), p.clone());
        }
        bytes += doc.text.len();
        docs.push(doc);
    }
    match order.as_str() {
        "shuffle" => Rng(99).shuffle(&mut docs),
        "rank" => docs.sort_by(|a, b| {
            let p = |d: &Document| d.metadata["published"].as_str().unwrap_or("~").to_owned();
            p(a).cmp(&p(b)).then_with(|| a.id.cmp(&b.id))
        }),
        _ => {}
    }
    let mut truth: HashMap<String, Truth> = HashMap::new();
    for line in BufReader::new(std::fs::File::open(&truth_path).expect("open truth")).lines() {
        let v: Value = serde_json::from_str(&line.expect("line")).expect("json");
        truth.insert(
            v["id"].as_str().expect("id").to_owned(),
            Truth {
                kind: v["kind"].as_str().unwrap_or("original").to_owned(),
                of: v["of"].as_str().map(str::to_owned),
                edit: v["edit"].as_str().map(str::to_owned),
                jaccard: v["jaccard"].as_f64().unwrap_or(0.0),
                containment: v["containment"].as_f64().unwrap_or(0.0),
            },
        );
    }
    println!(
        "corpus {corpus}: {} documents, {:.1} MB of text, order {order}; config {}",
        docs.len(),
        bytes as f64 / 1e6,
        toml::to_string(&cfg).unwrap_or_default().replace('\n', " ")
    );

    let full = run(&cfg, &docs);
    let mb = bytes as f64 / 1e6;
    println!(
        "stage (all features): {:.2} s CPU, {:.2} s wall: {:.1} MB/s per core; index {} kept \
         docs, {:.1} MB = {:.0} bytes per kept doc",
        full.cpu,
        full.wall,
        mb / full.cpu,
        full.kept,
        full.memory as f64 / 1e6,
        full.memory as f64 / full.kept.max(1) as f64
    );
    if !flag("--no-speed") {
        let fast_cfg = DedupConfig {
            repeated_spans: false,
            ..cfg.clone()
        };
        let fast = run(&fast_cfg, &docs);
        println!(
            "signatures + index (repeated_spans = false): {:.2} s CPU: {:.1} MB/s per core; \
             {:.0} bytes per kept doc",
            fast.cpu,
            mb / fast.cpu,
            fast.memory as f64 / fast.kept.max(1) as f64
        );
    }

    let res = &full.result;
    let group = |id: &str| -> String {
        truth
            .get(id)
            .and_then(|t| t.of.clone())
            .unwrap_or_else(|| id.to_owned())
    };
    let rep = |id: &str| -> String {
        match res.get(id) {
            Some((s, Some(of))) if s != "unique" => of.clone(),
            _ => id.to_owned(),
        }
    };
    let text_of: HashMap<&str, &str> = docs
        .iter()
        .map(|d| (d.id.as_str(), d.text.as_str()))
        .collect();

    // Flags: correct when same group, or when the pair itself meets the definition.
    let mut flags: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let mut wrong_examples = Vec::new();
    for (id, (status, of)) in res {
        let Some(of) = of else { continue };
        let entry = flags
            .entry(if status == "exact_duplicate" {
                "exact"
            } else {
                "near"
            })
            .or_default();
        entry.0 += 1;
        let correct = group(id) == group(of) || {
            let (j, c) = similarity(
                &shingles(text_of[id.as_str()], 5),
                &shingles(text_of[of.as_str()], 5),
            );
            let ok = is_positive(j, c);
            if !ok && wrong_examples.len() < 5 {
                wrong_examples.push(format!(
                    "{id} flagged as {status} of {of}: true J {j:.3}, C {c:.3}"
                ));
            }
            ok
        };
        entry.1 += usize::from(correct);
    }

    // Recall over the truth pairs (copy, original).
    let bands = [
        (0.95, 1.01),
        (0.9, 0.95),
        (0.8, 0.9),
        (0.7, 0.8),
        (0.6, 0.7),
        (0.5, 0.6),
        (0.0, 0.5),
    ];
    let mut by_band = vec![(0usize, 0usize, 0usize, 0usize); bands.len()];
    let mut by_edit: BTreeMap<String, (usize, usize, usize, usize)> = BTreeMap::new();
    let (mut exact_n, mut exact_found) = (0, 0);
    for (id, t) in &truth {
        let Some(of) = &t.of else { continue };
        let found = rep(id) == rep(of);
        if t.kind == "exact" {
            exact_n += 1;
            exact_found += usize::from(found);
            continue;
        }
        let pos = is_positive(t.jaccard, t.containment);
        let b = bands
            .iter()
            .position(|&(lo, hi)| t.jaccard >= lo && t.jaccard < hi)
            .unwrap_or(bands.len() - 1);
        for e in [
            &mut by_band[b],
            by_edit
                .entry(t.edit.clone().unwrap_or_default())
                .or_default(),
        ] {
            e.0 += 1;
            e.1 += usize::from(found);
            e.2 += usize::from(pos);
            e.3 += usize::from(pos && found);
        }
    }
    let (ef, ec) = flags.get("exact").copied().unwrap_or_default();
    let (nf, nc) = flags.get("near").copied().unwrap_or_default();
    println!(
        "exact copies: recall {} ({exact_found}/{exact_n}); exact flags: precision {} ({ec}/{ef})",
        pct(exact_found, exact_n),
        pct(ec, ef)
    );
    let pos: usize = by_band.iter().map(|e| e.2).sum();
    let pos_found: usize = by_band.iter().map(|e| e.3).sum();
    let all: usize = by_band.iter().map(|e| e.0).sum();
    let all_found: usize = by_band.iter().map(|e| e.1).sum();
    println!(
        "near copies: recall of positives {} ({pos_found}/{pos}), of all near copies {} \
         ({all_found}/{all}); near flags: precision {} ({nc}/{nf})",
        pct(pos_found, pos),
        pct(all_found, all),
        pct(nc, nf)
    );
    println!("  true Jaccard     copies  found  recall | positives  found  recall");
    for (&(lo, hi), e) in bands.iter().zip(&by_band) {
        println!(
            "  [{lo:.2}, {:.2})  {:>8} {:>6} {} | {:>9} {:>6} {}",
            hi.min(1.0),
            e.0,
            e.1,
            pct(e.1, e.0),
            e.2,
            e.3,
            pct(e.3, e.2)
        );
    }
    println!("  edit               copies  found  recall | positives  found  recall");
    for (edit, e) in &by_edit {
        println!(
            "  {edit:<18} {:>6} {:>6} {} | {:>9} {:>6} {}",
            e.0,
            e.1,
            pct(e.1, e.0),
            e.2,
            e.3,
            pct(e.3, e.2)
        );
    }
    for w in wrong_examples {
        println!("  wrong: {w}");
    }
}
