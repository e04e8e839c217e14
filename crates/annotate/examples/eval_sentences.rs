//! Sentence splitting against the sentence spans of `german-news-quotations`.
//!
//! ```text
//! cargo run --release -p pipeline-annotate --example eval_sentences -- \
//!     ../shared/data/german-news-quotations/test.jsonl.gz [--errors]
//! ```
//!
//! Spans are compared with whitespace trimmed off both ends and opening quote marks off the
//! start, since the gold starts some sentences after their opening mark (`--exact-start`
//! compares starts as they are, as earlier versions did). Prints three scores over all
//! articles of the file:
//! - boundary F1: a boundary is the start offset of a sentence, leaving out the start of the
//!   text and starts right after a blank line (paragraph breaks are free);
//! - the same without boundaries right after `:` or `;`, where the gold is inconsistent
//!   (it splits after 41% of them in train; this splitter never does);
//! - span F1: exact `(start, end)` sentence spans (trailing whitespace ignored).

use std::collections::HashSet;
use std::io::{BufRead, BufReader};

use pipeline_annotate::AnnotateConfig;
use pipeline_core::Document;

fn f1(tp: usize, fp: usize, fn_: usize) -> (f64, f64, f64) {
    let p = tp as f64 / (tp + fp).max(1) as f64;
    let r = tp as f64 / (tp + fn_).max(1) as f64;
    (
        p,
        r,
        if p + r > 0.0 {
            2.0 * p * r / (p + r)
        } else {
            0.0
        },
    )
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
                "/../../../shared/data/german-news-quotations/test.jsonl.gz"
            )
            .into()
        });
    let show = args.iter().any(|a| a == "--errors");
    // `--exact-start`: the scoring of earlier versions (span starts as they are).
    let keep_leading = args.iter().any(|a| a == "--exact-start");
    let reader = BufReader::new(flate2::read::GzDecoder::new(std::fs::File::open(&path)?));
    let config = AnnotateConfig {
        entities: false,
        dates: false,
        quotes: false,
        ..AnnotateConfig::default()
    };
    let mut stage = config.build_stage()?;
    let (mut btp, mut bfp, mut bfn) = (0, 0, 0);
    let (mut stp, mut sfp, mut sfn) = (0, 0, 0);
    let (mut ctp, mut cfp, mut cfn) = (0, 0, 0);
    let mut docs = 0;
    for line in reader.lines() {
        let v: serde_json::Value = serde_json::from_str(&line?)?;
        docs += 1;
        let text = v["text"].as_str().unwrap_or_default();
        let chars: Vec<char> = text.chars().collect();
        // Trim whitespace off a span's ends, and opening quote marks off its start: the gold
        // starts some sentences after their opening mark (`sei. „|Aber das Virus`).
        let trim = |mut s: usize, mut e: usize| {
            while e > s && chars[e - 1].is_whitespace() {
                e -= 1;
            }
            if !keep_leading {
                while s < e
                    && (chars[s].is_whitespace() || matches!(chars[s], '„' | '"' | '»' | '“'))
                {
                    s += 1;
                }
            }
            (s, e)
        };
        let gold: Vec<(usize, usize)> = v["sentences"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|s| {
                trim(
                    s[0].as_u64().unwrap_or(0) as usize,
                    s[1].as_u64().unwrap_or(0) as usize,
                )
            })
            .filter(|(s, e)| e > s)
            .collect();
        let mut doc = Document::new("s", text);
        stage.annotate(&mut doc);
        let pred: Vec<(usize, usize)> = (doc.spans.sentences.iter().flatten())
            .map(|s| trim(s.start, s.end))
            .collect();
        let after_blank = |s: usize| {
            let before: String = chars[..s]
                .iter()
                .rev()
                .take_while(|c| c.is_whitespace())
                .collect();
            s == 0 || before.matches('\n').count() >= 2
        };
        let bounds = |spans: &[(usize, usize)]| -> HashSet<usize> {
            spans
                .iter()
                .map(|s| s.0)
                .filter(|&s| !after_blank(s))
                .collect()
        };
        let (gb, pb) = (bounds(&gold), bounds(&pred));
        // The gold splits after 41% of colons and semicolons (train); count those apart.
        let after_colon = |b: &usize| {
            matches!(
                chars[..*b]
                    .iter()
                    .rev()
                    .find(|c| !c.is_whitespace() && !matches!(c, '„' | '"' | '»' | '“')),
                Some(':' | ';')
            )
        };
        let (gc, pc): (HashSet<usize>, HashSet<usize>) = (
            gb.iter().copied().filter(|b| !after_colon(b)).collect(),
            pb.iter().copied().filter(|b| !after_colon(b)).collect(),
        );
        ctp += gc.intersection(&pc).count();
        cfp += pc.difference(&gc).count();
        cfn += gc.difference(&pc).count();
        btp += gb.intersection(&pb).count();
        bfp += pb.difference(&gb).count();
        bfn += gb.difference(&pb).count();
        let (gs, ps): (HashSet<_>, HashSet<_>) = (
            gold.iter().copied().collect(),
            pred.iter().copied().collect(),
        );
        stp += gs.intersection(&ps).count();
        sfp += ps.difference(&gs).count();
        sfn += gs.difference(&ps).count();
        if show {
            let ctx = |b: usize| -> String {
                chars[b.saturating_sub(40)..(b + 30).min(chars.len())]
                    .iter()
                    .collect::<String>()
                    .replace('\n', "⏎")
            };
            for b in pb.difference(&gb) {
                eprintln!("FP split: {}", ctx(*b));
            }
            for b in gb.difference(&pb) {
                eprintln!("FN split: {}", ctx(*b));
            }
        }
    }
    let (p, r, f) = f1(btp, bfp, bfn);
    println!("{path}: {docs} articles");
    println!("  boundaries  P {p:.4}  R {r:.4}  F1 {f:.4}  (tp {btp} fp {bfp} fn {bfn})");
    let (p, r, f) = f1(ctp, cfp, cfn);
    println!("  boundaries not after ':'/';'  P {p:.4}  R {r:.4}  F1 {f:.4}  (tp {ctp} fp {cfp} fn {cfn})");
    let (p, r, f) = f1(stp, sfp, sfn);
    println!("  spans       P {p:.4}  R {r:.4}  F1 {f:.4}  (tp {stp} fp {sfp} fn {sfn})");
    Ok(())
}
