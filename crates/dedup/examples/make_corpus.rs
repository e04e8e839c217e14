//! Writes a benchmark corpus for the `dedupe` stage, built from real German news articles,
//! with exact and near copies at known rates, and its ground truth.
//!
//! ```text
//! cargo run --release -p pipeline-dedup --example make_corpus -- \
//!     --size-mb 100 --out /tmp/dedup.jsonl [--seed 1] [--exact 0.05] [--near 0.15] \
//!     [--data ../shared/data]
//! ```
//!
//! Sources: `10kgnad/test.jsonl.gz` and `german-news-quotations/*.jsonl.gz` under `--data`
//! (both non-commercial: measure with them, never commit the corpus). Every real article
//! is one original; more originals are recombined from runs of 2–4 consecutive sentences of
//! random articles until the size is reached. A quarter of the originals carry 1–3
//! boilerplate lines (navigation, newsletter, credits). Each further document is, with
//! probability `--exact`, a copy of an earlier original that normalises to the same text
//! (identical, or with other whitespace and quote marks); with probability `--near`, a near
//! copy with one edit drawn uniformly from:
//!
//! - `words`: each word substituted, deleted or followed by an inserted word with
//!   probability `param` ∈ [0.5 %, 6 %];
//! - `boilerplate_add`: `param` ∈ 1..=4 boilerplate lines added at the top or bottom;
//! - `boilerplate_remove`: the original's boilerplate lines (`param` of them) removed;
//! - `reorder`: the body paragraphs shuffled (`param` paragraphs);
//! - `truncate`: only the first `param` ∈ [40 %, 95 %] of the body's sentences kept;
//!
//! otherwise a new original. Every document has a `published` time: an original's is
//! random (the article's date for the quotation set), a copy's is the same day at a random
//! hour, so a copy is sometimes older than its original.
//!
//! `<out>` gets `{"id", "text", "published"}` lines; `<out>.truth.jsonl` one line per
//! document: `{"id", "kind": "original" | "exact" | "near", "of": original id | null,
//! "edit", "param", "jaccard", "containment"}`, the last two being the true similarity to
//! the original (5-word shingles of the normalised text; containment of the smaller
//! shingle set in the larger).

mod common;

use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use common::{arg, shingles, similarity, Rng};
use serde_json::{json, Value};

const BOILERPLATE: &[&str] = &[
    "Kostenlose Beratung",
    "Jetzt Newsletter abonnieren und keine Nachricht mehr verpassen.",
    "Foto: dpa",
    "Mehr zum Thema",
    "Lesen Sie auch: Die wichtigsten Nachrichten des Tages im Überblick",
    "Alle Rechte vorbehalten. Vervielfältigung nur mit Genehmigung der Redaktion.",
    "Wir verwenden Cookies, um Ihnen das beste Nutzererlebnis zu bieten. Mit der weiteren Nutzung der Seite stimmen Sie dem zu.",
    "Teilen auf Facebook",
    "Artikel drucken",
    "Zur Startseite",
    "Kommentare anzeigen",
    "Anzeige",
    "Video: Die Lage im Überblick",
    "Hier finden Sie alle aktuellen Entwicklungen in unserem Liveblog.",
    "Quelle: AFP, Reuters",
    "Unterstützen Sie unabhängigen Journalismus mit einem Abo für nur 1 Euro im ersten Monat.",
    "Empfohlener redaktioneller Inhalt",
    "Bildergalerie öffnen",
    "Folgen Sie uns auf WhatsApp, um keine Eilmeldung zu verpassen.",
    "Das könnte Sie auch interessieren",
    "Hinweis: Dieser Text wurde nach Erscheinen aktualisiert.",
    "Sie haben einen Fehler entdeckt? Schreiben Sie uns an die Redaktion.",
];

/// One original: boilerplate lines above and below its body paragraphs (each a list of
/// sentences).
#[derive(Clone)]
struct Original {
    id: String,
    top: Vec<String>,
    body: Vec<Vec<String>>,
    bottom: Vec<String>,
    date: String,
}

impl Original {
    fn text(&self) -> String {
        render(&self.top, &self.body, &self.bottom)
    }
}

fn render(top: &[String], body: &[Vec<String>], bottom: &[String]) -> String {
    let mut parts: Vec<String> = top.to_vec();
    parts.extend(body.iter().map(|p| p.join(" ")));
    parts.extend(bottom.iter().cloned());
    parts.join("\n\n")
}

/// Sentences of a paragraph: split after `.`, `!` or `?` (and closing quotes) before
/// whitespace and an uppercase letter or an opening quote.
fn sentences(paragraph: &str) -> Vec<String> {
    let chars: Vec<(usize, char)> = paragraph.char_indices().collect();
    let mut out = Vec::new();
    let mut start = 0;
    for i in 0..chars.len() {
        let c = chars[i].1;
        if !matches!(c, '.' | '!' | '?') {
            continue;
        }
        let mut j = i + 1;
        while j < chars.len() && matches!(chars[j].1, '"' | '“' | '”' | '«' | '»' | ')') {
            j += 1;
        }
        if j + 1 < chars.len()
            && chars[j].1 == ' '
            && (chars[j + 1].1.is_uppercase() || matches!(chars[j + 1].1, '„' | '"' | '»'))
        {
            let s = paragraph[start..chars[j].0].trim();
            if !s.is_empty() {
                out.push(s.to_owned());
            }
            start = chars[j + 1].0;
        }
    }
    let s = paragraph[start..].trim();
    if !s.is_empty() {
        out.push(s.to_owned());
    }
    out
}

/// Articles as paragraphs of sentences, with their date when known.
fn load_articles(data: &Path) -> Vec<(Vec<Vec<String>>, Option<String>)> {
    let mut files = vec![data.join("10kgnad/test.jsonl.gz")];
    for split in ["train", "dev", "test"] {
        files.push(data.join(format!("german-news-quotations/{split}.jsonl.gz")));
    }
    let mut seen = std::collections::HashSet::new();
    let mut articles = Vec::new();
    let mut rng = Rng(3);
    for file in files {
        let f = std::fs::File::open(&file)
            .unwrap_or_else(|e| panic!("cannot open {}: {e}", file.display()));
        for line in BufReader::new(flate2::read::GzDecoder::new(f)).lines() {
            let v: Value = serde_json::from_str(&line.expect("readable line")).expect("json");
            let text = v["text"].as_str().unwrap_or_default();
            if !seen.insert(pipeline_dedup::normalize(text)) {
                continue;
            }
            let mut body: Vec<Vec<String>> = Vec::new();
            for p in text.split("\n\n") {
                let s = sentences(p);
                if s.is_empty() {
                    continue;
                }
                if s.len() > 6 {
                    // One-line articles (10kgnad): paragraphs of 2–5 sentences.
                    let mut rest = &s[..];
                    while !rest.is_empty() {
                        let n = (2 + rng.below(4)).min(rest.len());
                        body.push(rest[..n].to_vec());
                        rest = &rest[n..];
                    }
                } else {
                    body.push(s);
                }
            }
            if !body.is_empty() {
                articles.push((body, v["date"].as_str().map(str::to_owned)));
            }
        }
    }
    articles
}

fn random_date(rng: &mut Rng) -> String {
    format!(
        "{}-{:02}-{:02}",
        2015 + rng.below(2),
        1 + rng.below(12),
        1 + rng.below(28)
    )
}

fn boilerplate(rng: &mut Rng, n: usize) -> Vec<String> {
    (0..n)
        .map(|_| BOILERPLATE[rng.below(BOILERPLATE.len())].to_owned())
        .collect()
}

fn edit_words(
    rng: &mut Rng,
    body: &[Vec<String>],
    vocab: &[String],
    rate: f64,
) -> Vec<Vec<String>> {
    body.iter()
        .map(|p| {
            let text = p.join(" ");
            let mut out: Vec<&str> = Vec::new();
            for w in text.split(' ') {
                if rng.chance(rate) {
                    match rng.below(3) {
                        0 => out.push(&vocab[rng.below(vocab.len())]),
                        1 => {}
                        _ => {
                            out.push(w);
                            out.push(&vocab[rng.below(vocab.len())]);
                        }
                    }
                } else {
                    out.push(w);
                }
            }
            vec![out.join(" ")]
        })
        .collect()
}

fn main() {
    let size_mb: f64 = arg("--size-mb").map_or(100.0, |s| s.parse().expect("--size-mb"));
    let out = PathBuf::from(arg("--out").unwrap_or_else(|| "/tmp/dedup.jsonl".into()));
    let data =
        PathBuf::from(arg("--data").unwrap_or_else(|| {
            concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data").into()
        }));
    let seed: u64 = arg("--seed").map_or(1, |s| s.parse().expect("--seed"));
    let p_exact: f64 = arg("--exact").map_or(0.05, |s| s.parse().expect("--exact"));
    let p_near: f64 = arg("--near").map_or(0.15, |s| s.parse().expect("--near"));

    let mut rng = Rng(seed);
    let mut articles = load_articles(&data);
    rng.shuffle(&mut articles);
    let vocab: Vec<String> = articles
        .iter()
        .flat_map(|(b, _)| b.iter().flatten())
        .flat_map(|s| s.split(' '))
        .filter(|w| w.chars().count() > 2)
        .step_by(7)
        .map(str::to_owned)
        .collect();
    let mut next_real = 0;
    let mut originals: Vec<Original> = Vec::new();
    let mut with_boilerplate: Vec<usize> = Vec::new();

    let mut corpus = BufWriter::new(std::fs::File::create(&out).expect("create --out"));
    let truth_path = PathBuf::from(format!("{}.truth.jsonl", out.display()));
    let mut truth = BufWriter::new(std::fs::File::create(&truth_path).expect("create truth"));
    let target = (size_mb * 1e6) as usize;
    let (mut written, mut n, mut n_exact, mut n_near) = (0usize, 0usize, 0usize, 0usize);
    let mut edits = std::collections::BTreeMap::<&str, usize>::new();
    while written < target {
        let id = format!("d{n:07}");
        let time = format!("T{:02}:{:02}", rng.below(24), rng.below(60));
        let roll = rng.unit();
        let (text, date, record) = if !originals.is_empty() && roll < p_exact + p_near {
            let mut edit = if roll < p_exact {
                "exact"
            } else {
                [
                    "words",
                    "boilerplate_add",
                    "boilerplate_remove",
                    "reorder",
                    "truncate",
                ][rng.below(5)]
            };
            let mut o = if edit == "boilerplate_remove" && !with_boilerplate.is_empty() {
                originals[with_boilerplate[rng.below(with_boilerplate.len())]].clone()
            } else {
                originals[rng.below(originals.len())].clone()
            };
            if (edit == "reorder" && o.body.len() < 3)
                || (edit == "boilerplate_remove" && o.top.len() + o.bottom.len() == 0)
            {
                edit = "words";
            }
            let original_text = o.text();
            let (text, param) = match edit {
                "exact" => {
                    if rng.chance(0.5) {
                        (original_text.clone(), 0.0)
                    } else {
                        let t = original_text
                            .replace("\n\n", "\n \n\n")
                            .replace(['„', '“'], "\"")
                            .replace(", ", " , ");
                        (format!("{t} "), 1.0)
                    }
                }
                "words" => {
                    let rate = rng.range(0.005, 0.06);
                    (
                        render(
                            &o.top,
                            &edit_words(&mut rng, &o.body, &vocab, rate),
                            &o.bottom,
                        ),
                        rate,
                    )
                }
                "boilerplate_add" => {
                    let k = 1 + rng.below(4);
                    let lines = boilerplate(&mut rng, k);
                    if rng.chance(0.5) {
                        o.top.splice(0..0, lines);
                    } else {
                        o.bottom.extend(lines);
                    }
                    (o.text(), k as f64)
                }
                "boilerplate_remove" => {
                    let k = o.top.len() + o.bottom.len();
                    (render(&[], &o.body, &[]), k as f64)
                }
                "reorder" => {
                    let before = o.body.clone();
                    while o.body == before {
                        rng.shuffle(&mut o.body);
                    }
                    (o.text(), o.body.len() as f64)
                }
                _ => {
                    let total: usize = o.body.iter().map(Vec::len).sum();
                    let f = rng.range(0.4, 0.95);
                    let mut keep = ((total as f64 * f).round() as usize).max(1);
                    let mut body = Vec::new();
                    for p in &o.body {
                        if keep == 0 {
                            break;
                        }
                        let k = keep.min(p.len());
                        body.push(p[..k].to_vec());
                        keep -= k;
                    }
                    (render(&o.top, &body, &o.bottom), f)
                }
            };
            let (j, c) = similarity(&shingles(&original_text, 5), &shingles(&text, 5));
            let kind = if edit == "exact" {
                assert_eq!(
                    pipeline_dedup::normalize(&text),
                    pipeline_dedup::normalize(&original_text)
                );
                n_exact += 1;
                "exact"
            } else {
                n_near += 1;
                "near"
            };
            *edits.entry(edit).or_default() += 1;
            let record = json!({"id": id, "kind": kind, "of": o.id, "edit": edit,
                "param": (param * 1e4).round() / 1e4, "jaccard": (j * 1e4).round() / 1e4,
                "containment": (c * 1e4).round() / 1e4});
            (text, o.date.clone(), record)
        } else {
            let (body, date) = if next_real < articles.len() {
                next_real += 1;
                articles[next_real - 1].clone()
            } else {
                let body = (0..3 + rng.below(5))
                    .map(|_| {
                        let (a, _) = &articles[rng.below(articles.len())];
                        let all: Vec<&String> = a.iter().flatten().collect();
                        let k = (2 + rng.below(3)).min(all.len());
                        let start = rng.below(all.len() - k + 1);
                        all[start..start + k].iter().map(|s| (*s).clone()).collect()
                    })
                    .collect();
                (body, None)
            };
            let date = date.unwrap_or_else(|| random_date(&mut rng));
            let (top, bottom) = if rng.chance(0.25) {
                let (t, b) = (rng.below(3), rng.below(2));
                (
                    boilerplate(&mut rng, t),
                    boilerplate(&mut rng, b.max(usize::from(t == 0))),
                )
            } else {
                (Vec::new(), Vec::new())
            };
            let o = Original {
                id: id.clone(),
                top,
                body,
                bottom,
                date: date.clone(),
            };
            if o.top.len() + o.bottom.len() > 0 {
                with_boilerplate.push(originals.len());
            }
            let text = o.text();
            originals.push(o);
            let record = json!({"id": id, "kind": "original", "of": null, "edit": null,
                "param": null, "jaccard": null, "containment": null});
            (text, date, record)
        };
        let line =
            json!({"id": id, "text": text, "published": format!("{date}{time}")}).to_string();
        writeln!(corpus, "{line}").expect("write corpus");
        writeln!(truth, "{record}").expect("write truth");
        written += line.len() + 1;
        n += 1;
    }
    corpus.flush().expect("flush corpus");
    truth.flush().expect("flush truth");
    println!(
        "{}: {n} documents, {:.1} MB; {} originals ({next_real} real articles), {n_exact} exact \
         and {n_near} near copies {edits:?}; truth in {}",
        out.display(),
        written as f64 / 1e6,
        originals.len(),
        truth_path.display()
    );
}
