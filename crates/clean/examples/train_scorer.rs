//! Fits the line scorer's weights (a logistic regression) on the tuning half of the two
//! evaluation sets and writes them to `src/scorer_weights.rs`.
//!
//! ```text
//! cargo run --release -p pipeline-clean --example train_scorer            # print only
//! cargo run --release -p pipeline-clean --example train_scorer -- --write # update the table
//! ```
//! `--data DIR` points at the folder holding both sets (default `../shared/data`).
//!
//! The pages are split as `eval_clean` splits them (FNV-1a hash of the page id, even:
//! tuning); only the tuning half is read. Labels of the lines the scorer sees:
//!
//! - `trafilatura-eval`: a line holding a `gt_with` snippet (or a long part of one) is
//!   content, a line holding a `gt_without` snippet is not; other lines are not used.
//!   Each labelled line weighs 1, as each snippet counts once in the score.
//! - `article-extraction-benchmark`: a line found in `ground_truth_text` is content, a
//!   line with a word that is not in it is not; each page weighs as much as an average
//!   trafilatura page, shared among its lines by their word counts.
//!
//! The fit is Newton's method with a small L2 penalty, from zero weights: deterministic.

// Matrix code reads best with index loops.
#![allow(clippy::needless_range_loop)]

use std::collections::HashSet;
use std::io::{BufRead, BufReader};

use pipeline_clean::normalize;
use pipeline_clean::training::{context, Extractor, CONTEXT_FEATURES, FEATURES, M, N};
use serde_json::Value;

#[path = "common/split.rs"]
mod split;
use split::{fnv, is_tuning, squash};

const TRAF: &str = "trafilatura-eval/pages.jsonl.gz";
const AEB: &str = "article-extraction-benchmark/pages.jsonl.gz";
const OUT: &str = "crates/clean/src/scorer_weights.rs";
/// L2 penalty per unit of total sample weight.
const L2: f64 = 1e-3;

fn pages(path: &str) -> Vec<Value> {
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    BufReader::new(flate2::read::GzDecoder::new(file))
        .lines()
        .map(|l| serde_json::from_str(&l.expect("readable data set")).expect("a JSON line"))
        .filter(|v: &Value| is_tuning(v["id"].as_str().unwrap_or_default()))
        .collect()
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(squash))
                .filter(|s| !s.is_empty())
                .collect()
        })
        .unwrap_or_default()
}

/// One page: the stage-one features of its lines and the label (content or not, and
/// weight) of the lines that have one.
struct PageRows {
    rows: Vec<Option<[f64; N]>>,
    labels: Vec<Option<(f64, f64)>>,
    fold: u64,
}

#[derive(Clone, Copy)]
struct Sample<const K: usize> {
    x: [f64; K],
    y: f64,
    w: f64,
}

fn fold(page: &Value) -> u64 {
    (fnv(page["id"].as_str().unwrap_or_default()) >> 1) & 1
}

fn nonblank(text: &str) -> Vec<String> {
    normalize(text)
        .split('\n')
        .filter(|l| !l.is_empty())
        .map(squash)
        .collect()
}

fn traf_page(ex: &Extractor, page: &Value) -> PageRows {
    let text = page["text_with_boilerplate"].as_str().unwrap_or_default();
    let with = strings(&page["gt_with"]);
    let without = strings(&page["gt_without"]);
    let lines = nonblank(text);
    let rows = ex.rows(text);
    let labels = rows
        .iter()
        .zip(&lines)
        .map(|(x, l)| {
            x.as_ref()?;
            let pos = with
                .iter()
                .any(|w| l.contains(w.as_str()) || (l.chars().count() >= 20 && w.contains(l)));
            let neg = without.iter().any(|w| l.contains(w.as_str()));
            (pos != neg).then_some((if pos { 1.0 } else { 0.0 }, 1.0))
        })
        .collect();
    PageRows {
        rows,
        labels,
        fold: fold(page),
    }
}

fn aeb_page(ex: &Extractor, page: &Value, page_weight: f64) -> PageRows {
    let text = page["text_with_boilerplate"].as_str().unwrap_or_default();
    let truth_raw = page["ground_truth_text"].as_str().unwrap_or_default();
    let truth = squash(truth_raw);
    let paragraphs: HashSet<String> = truth_raw.split("\n\n").map(squash).collect();
    let tokens: HashSet<&str> = truth.split(' ').collect();
    let lines = nonblank(text);
    let rows = ex.rows(text);
    let mut labels: Vec<Option<(f64, f64)>> = rows
        .iter()
        .zip(&lines)
        .map(|(x, l)| {
            x.as_ref()?;
            let words = l.split(' ').count() as f64;
            let pos = (l.chars().count() >= 20 && truth.contains(l)) || paragraphs.contains(l);
            let neg = !l.split(' ').all(|t| tokens.contains(t));
            (pos || neg).then_some((if pos { 1.0 } else { 0.0 }, words))
        })
        .collect();
    let total: f64 = labels.iter().flatten().map(|l| l.1).sum();
    for (_, w) in labels.iter_mut().flatten() {
        *w *= page_weight / total;
    }
    PageRows {
        rows,
        labels,
        fold: fold(page),
    }
}

fn stage_one(pages: &[&PageRows]) -> Vec<Sample<N>> {
    let mut out = Vec::new();
    for p in pages {
        for (x, l) in p.rows.iter().zip(&p.labels) {
            if let (Some(x), Some((y, w))) = (x, l) {
                out.push(Sample {
                    x: *x,
                    y: *y,
                    w: *w,
                });
            }
        }
    }
    out
}

fn stage_two(pages: &[&PageRows], w1: &[f64; N]) -> Vec<Sample<M>> {
    let mut out = Vec::new();
    for p in pages {
        for (x, l) in context(&p.rows, w1).iter().zip(&p.labels) {
            if let (Some(x), Some((y, w))) = (x, l) {
                out.push(Sample {
                    x: *x,
                    y: *y,
                    w: *w,
                });
            }
        }
    }
    out
}

fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

/// Solves `a x = b` for a symmetric positive definite `a` (Cholesky).
fn solve<const K: usize>(mut a: Vec<[f64; K]>, b: [f64; K]) -> [f64; K] {
    for j in 0..K {
        let mut d = a[j][j];
        for k in 0..j {
            d -= a[j][k] * a[j][k];
        }
        let d = d.max(1e-12).sqrt();
        a[j][j] = d;
        for i in j + 1..K {
            let mut s = a[i][j];
            for k in 0..j {
                s -= a[i][k] * a[j][k];
            }
            a[i][j] = s / d;
        }
    }
    let mut y = [0.0; K];
    for i in 0..K {
        let mut s = b[i];
        for k in 0..i {
            s -= a[i][k] * y[k];
        }
        y[i] = s / a[i][i];
    }
    let mut x = [0.0; K];
    for i in (0..K).rev() {
        let mut s = y[i];
        for k in i + 1..K {
            s -= a[k][i] * x[k];
        }
        x[i] = s / a[i][i];
    }
    x
}

fn fit<const K: usize>(samples: &[Sample<K>]) -> [f64; K] {
    let total: f64 = samples.iter().map(|s| s.w).sum();
    let lambda = L2 * total;
    let mut w = [0.0; K];
    for _ in 0..25 {
        let mut grad = [0.0; K];
        let mut hess = vec![[0.0; K]; K];
        for s in samples {
            let z: f64 = s.x.iter().zip(&w).map(|(a, b)| a * b).sum();
            let p = sigmoid(z);
            let g = s.w * (p - s.y);
            let h = s.w * p * (1.0 - p);
            for i in 0..K {
                grad[i] += g * s.x[i];
                for j in 0..=i {
                    hess[i][j] += h * s.x[i] * s.x[j];
                }
            }
        }
        for i in 0..K {
            // The bias is not penalised.
            if i > 0 {
                grad[i] += lambda * w[i];
                hess[i][i] += lambda;
            }
            for j in 0..i {
                hess[j][i] = hess[i][j];
            }
        }
        let step = solve(hess, grad);
        let size: f64 = step.iter().map(|s| s * s).sum::<f64>().sqrt();
        for i in 0..K {
            w[i] -= step[i];
        }
        if size < 1e-6 {
            break;
        }
    }
    w
}

fn logit<const K: usize>(w: &[f64; K], x: &[f64; K]) -> f64 {
    x.iter().zip(w).map(|(a, b)| a * b).sum()
}

/// Weighted log loss and accuracy of `score` (a logit) on `samples`.
fn check<const K: usize>(samples: &[Sample<K>], w: &[f64; K]) -> (f64, f64) {
    let (mut loss, mut right, mut all) = (0.0, 0.0, 0.0);
    for s in samples {
        let p = sigmoid(logit(w, &s.x));
        loss -= s.w * (s.y * p.max(1e-12).ln() + (1.0 - s.y) * (1.0 - p).max(1e-12).ln());
        if (p >= 0.5) == (s.y > 0.5) {
            right += s.w;
        }
        all += s.w;
    }
    (loss / all, right / all)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let mut data = String::from("../shared/data");
    let mut write = false;
    let mut cv = false;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--data" => data = args.next().expect("--data DIR"),
            "--write" => write = true,
            "--cv" => cv = true,
            other => panic!("unknown argument {other}"),
        }
    }
    let ex = Extractor::default();
    let traf = pages(&format!("{data}/{TRAF}"));
    let mut all: Vec<PageRows> = traf.iter().map(|p| traf_page(&ex, p)).collect();
    let n_traf: usize = all.iter().map(|p| p.labels.iter().flatten().count()).sum();
    let traf_weight = n_traf as f64 / traf.len() as f64;
    let aeb = pages(&format!("{data}/{AEB}"));
    all.extend(aeb.iter().map(|p| aeb_page(&ex, p, traf_weight)));
    let n_all: usize = all.iter().map(|p| p.labels.iter().flatten().count()).sum();
    eprintln!(
        "{} trafilatura-eval pages ({n_traf} lines), {} benchmark pages ({} lines)",
        traf.len(),
        aeb.len(),
        n_all - n_traf
    );
    if cv {
        // Two folds of the tuning half, by another bit of the page hash.
        for fold in 0..2 {
            let train: Vec<&PageRows> = all.iter().filter(|p| p.fold != fold).collect();
            let test: Vec<&PageRows> = all.iter().filter(|p| p.fold == fold).collect();
            let w1 = fit(&stage_one(&train));
            let w2 = fit(&stage_two(&train, &w1));
            let (l1, a1) = check(&stage_one(&test), &w1);
            let (l2, a2) = check(&stage_two(&test, &w1), &w2);
            println!("fold {fold}: stage one loss {l1:.4} accuracy {a1:.4}; stage two loss {l2:.4} accuracy {a2:.4}");
        }
        return;
    }
    let refs: Vec<&PageRows> = all.iter().collect();
    let s1 = stage_one(&refs);
    let w1 = fit(&s1);
    let s2 = stage_two(&refs, &w1);
    let w2 = fit(&s2);
    let (l1, a1) = check(&s1, &w1);
    let (l2, a2) = check(&s2, &w2);
    eprintln!("training: stage one loss {l1:.4} accuracy {a1:.4}; stage two loss {l2:.4} accuracy {a2:.4}");
    let mut table = String::from(
        "//! Weights of the line scorer, written by\n\
         //! `cargo run --release -p pipeline-clean --example train_scorer -- --write`.\n\
         //!\n\
         //! Fitted on the tuning half of trafilatura-eval (annotations Apache-2.0) and\n\
         //! article-extraction-benchmark (MIT); the pages are third-party, used for\n\
         //! evaluation only. Only these numbers are derived from them.\n\n\
         use crate::scorer::{M, N};\n\n\
         /// Stage one: one weight per feature of [`crate::scorer::FEATURES`].\n\
         #[rustfmt::skip]\n\
         pub(crate) const WEIGHTS: [f64; N] = [\n",
    );
    for (name, x) in FEATURES.iter().zip(&w1) {
        table.push_str(&format!("    {x:.4}, // {name}\n"));
        println!("{name:<20} {x:>9.4}");
    }
    table.push_str(
        "];\n\n\
         /// Stage two: one weight per feature of [`crate::scorer::CONTEXT_FEATURES`].\n\
         #[rustfmt::skip]\n\
         pub(crate) const CONTEXT_WEIGHTS: [f64; M] = [\n",
    );
    for (name, x) in CONTEXT_FEATURES.iter().zip(&w2) {
        table.push_str(&format!("    {x:.4}, // {name}\n"));
        println!("{name:<20} {x:>9.4}");
    }
    table.push_str("];\n");
    if write {
        std::fs::write(OUT, table).unwrap_or_else(|e| panic!("{OUT}: {e}"));
        eprintln!("wrote {OUT}");
    }
}
