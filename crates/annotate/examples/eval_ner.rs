//! Strict span F1 of the entity recogniser on GermEval 2014 (outer level), per PER/LOC/ORG.
//!
//! ```text
//! cargo run --release -p pipeline-annotate --example eval_ner -- \
//!     /work/shared/data/germeval2014-ner/dev.jsonl.gz
//! ```
//!
//! Two scorings are printed: `skip` leaves the `*deriv`/`*part` gold spans out (and
//! ignores predictions that hit one exactly); `map` counts them as their base class.
//! `OTH`/`MISC` are not scored.

use std::collections::{BTreeMap, HashSet};
use std::io::{BufRead, BufReader};

use pipeline_annotate::AnnotateConfig;
use pipeline_core::{keys, Document};

const LABELS: [&str; 3] = ["PER", "LOC", "ORG"];

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
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "/work/shared/data/germeval2014-ner/dev.jsonl.gz".into());
    // `--errors` (second argument) lists false positives and negatives on stderr.
    let show = std::env::args().nth(2).is_some_and(|a| a == "--errors");
    let reader = BufReader::new(flate2::read::GzDecoder::new(std::fs::File::open(&path)?));
    let config = AnnotateConfig {
        dates: false,
        quotes: false,
        ..AnnotateConfig::default()
    };
    let mut stage = config.build_stage()?;
    let mut skip: BTreeMap<&str, Score> = BTreeMap::new();
    let mut map: BTreeMap<&str, Score> = BTreeMap::new();
    let mut sentences = 0;
    for line in reader.lines() {
        let v: serde_json::Value = serde_json::from_str(&line?)?;
        sentences += 1;
        let text = v["text"].as_str().unwrap_or_default();
        let offsets: Vec<(u64, u64)> = v["token_offsets"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|o| (o[0].as_u64().unwrap_or(0), o[1].as_u64().unwrap_or(0)))
            .collect();
        // Gold spans in token indices: (start, end, base label, is deriv/part).
        let gold: Vec<(u64, u64, String, bool)> = v["entities_outer"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|e| {
                let ty = e["type"].as_str().unwrap_or_default();
                let base = ty.trim_end_matches("deriv").trim_end_matches("part");
                (
                    e["start"].as_u64().unwrap_or(0),
                    e["end"].as_u64().unwrap_or(0),
                    base.to_owned(),
                    base != ty,
                )
            })
            .collect();
        let mut doc = Document::new("g", text);
        stage.annotate(&mut doc);
        // Predictions mapped to token indices; unaligned ones stay false positives.
        let mut pred: HashSet<(u64, u64, String)> = HashSet::new();
        let mut unaligned: Vec<String> = Vec::new();
        for e in doc.annotations[keys::ANNOTATE_ENTITIES]
            .as_array()
            .into_iter()
            .flatten()
        {
            let label = e["label"].as_str().unwrap_or_default().to_owned();
            if !LABELS.contains(&label.as_str()) {
                continue;
            }
            let (s, en) = (
                e["start"].as_u64().unwrap_or(0),
                e["end"].as_u64().unwrap_or(0),
            );
            let a = offsets.iter().position(|o| o.0 == s);
            let b = offsets.iter().position(|o| o.1 == en);
            match (a, b) {
                (Some(a), Some(b)) => {
                    pred.insert((a as u64, b as u64 + 1, label));
                }
                _ => unaligned.push(label),
            }
        }
        for label in unaligned {
            for table in [&mut skip, &mut map] {
                if let Some(l) = LABELS.iter().find(|l| **l == label) {
                    table.entry(l).or_default().fp += 1;
                }
            }
        }
        for (table, use_derived) in [(&mut skip, false), (&mut map, true)] {
            let scored: HashSet<(u64, u64, String)> = gold
                .iter()
                .filter(|g| LABELS.contains(&g.2.as_str()) && (use_derived || !g.3))
                .map(|g| (g.0, g.1, g.2.clone()))
                .collect();
            let ignored: HashSet<(u64, u64)> = if use_derived {
                HashSet::new()
            } else {
                gold.iter().filter(|g| g.3).map(|g| (g.0, g.1)).collect()
            };
            for l in LABELS {
                let s = table.entry(l).or_default();
                for p in pred.iter().filter(|p| p.2 == l) {
                    if scored.contains(p) {
                        s.tp += 1;
                    } else if !ignored.contains(&(p.0, p.1)) {
                        s.fp += 1;
                        if show && !use_derived {
                            let words: Vec<&str> = text.split(' ').collect();
                            eprintln!("FP {l}: {}", words[p.0 as usize..p.1 as usize].join(" "));
                        }
                    }
                }
                s.fn_ += scored
                    .iter()
                    .filter(|g| g.2 == l && !pred.contains(*g))
                    .count();
                if show && !use_derived {
                    let words: Vec<&str> = text.split(' ').collect();
                    for g in scored.iter().filter(|g| g.2 == l && !pred.contains(*g)) {
                        eprintln!("FN {l}: {}", words[g.0 as usize..g.1 as usize].join(" "));
                    }
                }
            }
        }
    }
    println!("{path}: {sentences} sentences");
    for (name, table) in [("skip deriv/part", &skip), ("map deriv/part to base", &map)] {
        println!("\n{name}:");
        let mut all = Score::default();
        for l in LABELS {
            let s = table.get(l).copied().unwrap_or_default();
            all.tp += s.tp;
            all.fp += s.fp;
            all.fn_ += s.fn_;
            let (p, r, f) = s.prf();
            println!(
                "  {l}  P {:.3}  R {:.3}  F1 {:.3}  (tp {} fp {} fn {})",
                p, r, f, s.tp, s.fp, s.fn_
            );
        }
        let (p, r, f) = all.prf();
        println!("  all  P {:.3}  R {:.3}  F1 {:.3}", p, r, f);
    }
    Ok(())
}
