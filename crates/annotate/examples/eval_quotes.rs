//! Direct quotations and their speakers against `german-news-quotations` (gold `Direct`).
//!
//! ```text
//! cargo run --release -p pipeline-annotate --example eval_quotes -- \
//!     ../shared/data/german-news-quotations/test.jsonl.gz [--errors]
//! ```
//!
//! - quote span F1: a predicted quote counts when its span (marks included) equals the
//!   outer span of a gold `Direct` quote;
//! - speaker accuracy: over the matched quotes whose gold speaker is not a pronoun, the
//!   predicted speaker is right when it shares a word of three or more letters with the
//!   gold speaker's text (`Donald Trump` ~ `US-Präsident Trump`, genitive `-s` ignored);
//!   a missing prediction is wrong. Pronoun speakers (`er`, `Sie`) are counted apart.
//! - speaker mention accuracy: over the matched quotes with a gold speaker (pronouns
//!   included), the predicted `speaker_mention` overlaps one of the gold speaker's spans.
//!   The gold speaker is a span of the text (`der brasilianische Präsident`, `er`), so this
//!   is the dataset's own measure; it does not judge which entity the mention was resolved
//!   to, which the accuracy above does.
//!
//! The publication date is passed as metadata, as the pipeline does.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};

use pipeline_annotate::AnnotateConfig;
use pipeline_core::spans::Label;
use pipeline_core::Document;

const PRONOUNS: &[&str] = &["er", "sie", "es", "ich", "wir", "ihr", "man"];

fn words(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 3)
        .map(|w| {
            w.strip_suffix('s')
                .filter(|b| b.len() >= 3)
                .unwrap_or(w)
                .to_lowercase()
        })
        .collect()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let path = args
        .iter()
        .find(|a| a.ends_with(".gz") || a.ends_with(".jsonl"))
        .cloned()
        .unwrap_or_else(|| {
            concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../../shared/data/german-news-quotations/test.jsonl.gz"
            )
            .into()
        });
    let show = args.iter().any(|a| a == "--errors");
    let reader = BufReader::new(flate2::read::GzDecoder::new(std::fs::File::open(&path)?));
    let flag = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .and_then(|v| v.parse::<usize>().ok())
    };
    let mut config = AnnotateConfig::default();
    if let Some(n) = flag("--min-words") {
        config.quote_min_words = n;
    }
    let mut stage = config.build_stage()?;
    let (mut tp, mut fp, mut fn_) = (0, 0, 0);
    let (mut sp_ok, mut sp_n, mut pron, mut pron_named) = (0, 0, 0, 0);
    let (mut mention_hit, mut mention_n) = (0, 0);
    let mut docs = 0;
    for line in reader.lines() {
        let v: serde_json::Value = serde_json::from_str(&line?)?;
        docs += 1;
        let text = v["text"].as_str().unwrap_or_default();
        let chars: Vec<char> = text.chars().collect();
        let slice = |s: u64, e: u64| chars[s as usize..e as usize].iter().collect::<String>();
        // Gold direct quotes: outer span → speaker text.
        let mut gold: HashMap<(u64, u64), String> = HashMap::new();
        let mut gold_spans: HashMap<(u64, u64), Vec<(u64, u64)>> = HashMap::new();
        for a in v["annotations"].as_array().into_iter().flatten() {
            if a["type"] != "Direct" {
                continue;
            }
            let spans = a["quote"]["spans"].as_array().cloned().unwrap_or_default();
            let (Some(first), Some(last)) = (spans.first(), spans.last()) else {
                continue;
            };
            let key = (
                first[0].as_u64().unwrap_or(0),
                last[1].as_u64().unwrap_or(0),
            );
            let speaker = a["speaker"]["text"].as_str().unwrap_or("").to_owned();
            gold.insert(key, speaker);
            let spans = a["speaker"]["spans"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|s| (s[0].as_u64().unwrap_or(0), s[1].as_u64().unwrap_or(0)))
                .collect();
            gold_spans.insert(key, spans);
        }
        let mut doc = Document::new("q", text);
        if let Some(d) = v["date"].as_str() {
            doc.metadata
                .insert("published".into(), serde_json::json!(d));
        }
        stage.annotate(&mut doc);
        let mut matched = 0;
        for q in doc.spans.quotes.iter().flatten() {
            let key = (q.start as u64, q.end as u64);
            let pred = q.speaker.as_deref();
            let Some(gold_speaker) = gold.get(&key) else {
                fp += 1;
                if show {
                    print_in_context("FP quote", &chars, key);
                }
                continue;
            };
            tp += 1;
            matched += 1;
            if gold_speaker.is_empty() {
                continue;
            }
            let mention = (q.speaker_mention.as_ref()).map(|m| (m.start as u64, m.end as u64));
            let mention_ok = mention.is_some_and(|(ms, me)| {
                gold_spans[&key].iter().any(|&(gs, ge)| ms < ge && gs < me)
            });
            if show && !mention_ok {
                eprintln!(
                    "mention: quote {key:?}, gold {gold_speaker:?} at {:?}, predicted {:?} at {:?}",
                    gold_spans[&key],
                    q.speaker_mention.as_ref().map(|m| m.text.as_str()),
                    mention
                );
            }
            mention_n += 1;
            mention_hit += usize::from(mention_ok);
            if PRONOUNS.contains(&gold_speaker.to_lowercase().as_str()) {
                pron += 1;
                pron_named += usize::from(pred.is_some());
                continue;
            }
            sp_n += 1;
            let gw = words(gold_speaker);
            let ok = pred.is_some_and(|p| words(p).iter().any(|w| gw.contains(w)));
            sp_ok += usize::from(ok);
            if show && !ok {
                let (a, b) = (key.0 as usize, key.1 as usize);
                let before: String = chars[a.saturating_sub(160)..a].iter().collect();
                let quote: String = if b - a > 90 {
                    format!("{}…{}", slice(key.0, key.0 + 40), slice(key.1 - 40, key.1))
                } else {
                    slice(key.0, key.1)
                };
                let after: String = chars[b..(b + 80).min(chars.len())].iter().collect();
                // Diagnostics: the persons and organisations found around the quote.
                let near: Vec<String> = (doc.spans.entities.iter().flatten())
                    .filter(|e| e.end + 160 >= a && e.start <= b + 80)
                    .filter(|e| matches!(e.label, Label::Per | Label::Org))
                    .map(|e| format!("{}:{}", e.label.as_str(), e.text))
                    .collect();
                let said = q.speaker_mention.as_ref().map(|m| m.text.as_str());
                eprintln!(
                    "speaker: gold {gold_speaker:?}, predicted {pred:?} (mention {said:?})\n    {}[[{}]]{}\n    entities near: {}",
                    before.replace('\n', "⏎"),
                    quote.replace('\n', "⏎"),
                    after.replace('\n', "⏎"),
                    near.join(", ")
                );
            }
        }
        fn_ += gold.len() - matched;
        if show {
            for (k, _) in gold.iter() {
                let hit = (doc.spans.quotes.iter().flatten())
                    .any(|q| (q.start as u64, q.end as u64) == *k);
                if !hit {
                    print_in_context("FN quote", &chars, *k);
                }
            }
        }
    }
    let p = tp as f64 / (tp + fp).max(1) as f64;
    let r = tp as f64 / (tp + fn_).max(1) as f64;
    let f = if p + r > 0.0 {
        2.0 * p * r / (p + r)
    } else {
        0.0
    };
    println!("{path}: {docs} articles");
    println!("  quote spans  P {p:.3}  R {r:.3}  F1 {f:.3}  (tp {tp} fp {fp} fn {fn_})");
    println!(
        "  speakers     accuracy {:.3} ({sp_ok}/{sp_n} matched quotes with a named gold speaker)",
        sp_ok as f64 / sp_n.max(1) as f64
    );
    println!("  pronoun gold speakers: {pron} (a speaker was resolved for {pron_named})");
    println!(
        "  speaker mentions  accuracy {:.3} ({mention_hit}/{mention_n} matched quotes with a gold speaker, pronouns included)",
        mention_hit as f64 / mention_n.max(1) as f64
    );
    Ok(())
}

/// Prints the span `(start, end)` of `chars` under `label`, then with 80 characters before
/// and 50 after it, line breaks shown as `⏎`.
fn print_in_context(label: &str, chars: &[char], (start, end): (u64, u64)) {
    let (a, b) = (start as usize, end as usize);
    let span: String = chars[a..b].iter().collect();
    let before: String = chars[a.saturating_sub(80)..a].iter().collect();
    let after: String = chars[b..(b + 50).min(chars.len())].iter().collect();
    eprintln!(
        "{label}: {span}\n    {}[[{}]]{}",
        before.replace('\n', "⏎"),
        span.replace('\n', "⏎"),
        after.replace('\n', "⏎")
    );
}
