//! End-to-end strict span F1 of the annotate stage's entities on GermEval 2014 (outer spans).
//!
//! ```text
//! cargo run --release -p pipeline-annotate --example eval_ner -- \
//!     ../shared/data/germeval2014-ner/test.jsonl.gz --second-half [--rules] [--errors]
//! ```
//!
//! The stage runs on each sentence's text (gold tokens joined by spaces) with its own
//! tokenizer; a predicted span counts when its character span equals a gold token span and
//! its label equals the gold type, `OTH` read as `MISC`. Gold `*deriv`/`*part` spans are not
//! entities of the output's four classes: they are not scored, and a prediction on one is a
//! false positive. `--second-half` scores only test sentences 2551–5100 (the model is trained
//! on dev and the first half); `--rules` runs the rule-based recogniser alone.

use std::collections::{BTreeMap, HashSet};
use std::io::{BufRead, BufReader};

use pipeline_annotate::AnnotateConfig;
use pipeline_core::Document;

const LABELS: [&str; 4] = ["PER", "LOC", "ORG", "MISC"];

#[derive(Default, Clone, Copy)]
struct Score {
    tp: usize,
    fp: usize,
    fn_: usize,
}

impl Score {
    fn prf(&self) -> (f64, f64, f64) {
        let p = self.tp as f64 / (self.tp + self.fp).max(1) as f64;
        let r = self.tp as f64 / (self.tp + self.fn_).max(1) as f64;
        let f = if p + r > 0.0 {
            2.0 * p * r / (p + r)
        } else {
            0.0
        };
        (p, r, f)
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let path = args
        .iter()
        .find(|a| !a.starts_with("--"))
        .cloned()
        .unwrap_or_else(|| {
            concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../../shared/data/germeval2014-ner/test.jsonl.gz"
            )
            .into()
        });
    let flag = |f: &str| args.iter().any(|a| a == f);
    let (show, second_half, rules) = (flag("--errors"), flag("--second-half"), flag("--rules"));
    let reader = BufReader::new(flate2::read::GzDecoder::new(std::fs::File::open(&path)?));
    let lines: Vec<String> = reader.lines().collect::<Result<_, _>>()?;
    let skip = if second_half { lines.len() / 2 } else { 0 };
    let config = AnnotateConfig {
        dates: false,
        quotes: false,
        ..AnnotateConfig::default()
    };
    let mut stage = if rules {
        config.build_stage_rules_only()?
    } else {
        config.build_stage()?
    };
    let mut table: BTreeMap<&str, Score> = BTreeMap::new();
    let mut sentences = 0;
    for line in &lines[skip..] {
        let v: serde_json::Value = serde_json::from_str(line)?;
        sentences += 1;
        let text = v["text"].as_str().unwrap_or_default();
        let offsets: Vec<(u64, u64)> = v["token_offsets"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|o| (o[0].as_u64().unwrap_or(0), o[1].as_u64().unwrap_or(0)))
            .collect();
        let span_of = |s: u64, e: u64| -> (u64, u64) {
            (
                offsets.get(s as usize).map_or(0, |o| o.0),
                offsets.get(e as usize - 1).map_or(0, |o| o.1),
            )
        };
        let gold: HashSet<(u64, u64, &str)> = v["entities_outer"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|e| {
                let label = match e["type"].as_str()? {
                    "PER" => "PER",
                    "LOC" => "LOC",
                    "ORG" => "ORG",
                    "OTH" => "MISC",
                    _ => return None,
                };
                let (s, en) = span_of(e["start"].as_u64()?, e["end"].as_u64()?);
                Some((s, en, label))
            })
            .collect();
        let mut doc = Document::new("g", text);
        stage.annotate(&mut doc);
        let pred: HashSet<(u64, u64, &str)> = (doc.spans.entities.iter().flatten())
            .map(|e| (e.start as u64, e.end as u64, e.label.as_str()))
            .collect();
        let chars: Vec<char> = text.chars().collect();
        let show_span = |s: u64, e: u64| chars[s as usize..e as usize].iter().collect::<String>();
        for l in LABELS {
            let s = table.entry(l).or_default();
            for p in pred.iter().filter(|p| p.2 == l) {
                if gold.contains(p) {
                    s.tp += 1;
                } else {
                    s.fp += 1;
                    if show {
                        eprintln!("FP {l}: {}", show_span(p.0, p.1));
                    }
                }
            }
            for g in gold.iter().filter(|g| g.2 == l && !pred.contains(*g)) {
                s.fn_ += 1;
                if show {
                    eprintln!("FN {l}: {}", show_span(g.0, g.1));
                }
            }
        }
    }
    println!(
        "{path}{}: {sentences} sentences, {}",
        if second_half { " (second half)" } else { "" },
        if rules { "rules only" } else { "tagger" }
    );
    let mut all = Score::default();
    for l in LABELS {
        let s = table.get(l).copied().unwrap_or_default();
        all.tp += s.tp;
        all.fp += s.fp;
        all.fn_ += s.fn_;
        let (p, r, f) = s.prf();
        println!(
            "  {l:<4}  P {p:.3}  R {r:.3}  F1 {f:.3}  (tp {} fp {} fn {})",
            s.tp, s.fp, s.fn_
        );
    }
    let (p, r, f) = all.prf();
    println!("  all   P {p:.3}  R {r:.3}  F1 {f:.3}");
    Ok(())
}
