//! Scores the `clean` stage on two main-content extraction benchmarks, from the pasted
//! text of each page (`text_with_boilerplate`), never from its HTML.
//!
//! - `trafilatura-eval` (990 pages): snippet matching as its README describes. After
//!   collapsing whitespace, a `gt_with` snippet found in the extracted text is a true
//!   positive (else a false negative), a `gt_without` snippet found is a false positive
//!   (else a true negative); precision, recall and F1 over all snippets.
//! - `article-extraction-benchmark` (181 pages): bag-of-whitespace-tokens precision and
//!   recall against `ground_truth_text` per page, averaged over pages; F1 is the harmonic
//!   mean of the averages (as the benchmark's table reports it), and the mean of per-page
//!   F1 is printed too.
//!
//! The extracted text is the stage's output text (`doc.text`, empty when the document is
//! dropped). The title moved to `clean.title` is left out: neither ground truth counts the
//! headline as content (`--with-title` puts it back in front to check).
//!
//! Each set is split in two halves by the FNV-1a hash of the page id (even: tuning, odd:
//! held out). Tune on the tuning half only; `--worst` and `--show` refuse held-out pages.
//!
//! ```text
//! cargo run --release -p pipeline-clean --example eval_clean
//! cargo run --release -p pipeline-clean --example eval_clean -- --worst 20 --set traf
//! cargo run --release -p pipeline-clean --example eval_clean -- --show <page id>
//! ```
//! `--data DIR` points at the folder holding both sets (default `../shared/data`).

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader};
use std::time::{Duration, Instant};

use pipeline_clean::{normalize, CleanConfig};
use pipeline_core::{keys, BuildContext, Document, Stage, StageConfig, Verdict};
use serde_json::Value;

#[path = "common/split.rs"]
mod split;
use split::{is_tuning, squash};

const TRAF: &str = "trafilatura-eval/pages.jsonl.gz";
const AEB: &str = "article-extraction-benchmark/pages.jsonl.gz";

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Set {
    Traf,
    Aeb,
}

struct Page {
    set: Set,
    id: String,
    text: String,
    /// trafilatura-eval: snippets that must / must not appear.
    with: Vec<String>,
    without: Vec<String>,
    /// article-extraction-benchmark: the ground-truth body.
    truth: String,
}

impl Page {
    fn tuning(&self) -> bool {
        is_tuning(&self.id)
    }
}

fn load(path: &str, set: Set) -> Vec<Page> {
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let reader = BufReader::new(flate2::read::GzDecoder::new(file));
    let strings = |v: &Value| -> Vec<String> {
        v.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str().map(squash))
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .unwrap_or_default()
    };
    reader
        .lines()
        .map(|line| {
            let line = line.expect("readable data set");
            let v: Value = serde_json::from_str(&line).expect("a JSON line");
            Page {
                set,
                id: v["id"].as_str().unwrap_or_default().to_owned(),
                text: v["text_with_boilerplate"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
                with: strings(&v["gt_with"]),
                without: strings(&v["gt_without"]),
                truth: v["ground_truth_text"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
            }
        })
        .collect()
}

/// Snippet counts (trafilatura-eval) or per-page token scores (benchmark).
#[derive(Default, Clone, Copy)]
struct Score {
    tp: f64,
    fp: f64,
    fn_: f64,
    /// Sums of per-page precision, recall and F1, and the page count.
    p: f64,
    r: f64,
    f: f64,
    pages: f64,
}

impl Score {
    fn add(&mut self, o: &Score) {
        self.tp += o.tp;
        self.fp += o.fp;
        self.fn_ += o.fn_;
        self.p += o.p;
        self.r += o.r;
        self.f += o.f;
        self.pages += o.pages;
    }

    /// (precision, recall, F1, mean per-page F1).
    fn prf(&self, set: Set) -> (f64, f64, f64, f64) {
        let (p, r) = match set {
            Set::Traf => (
                div(self.tp, self.tp + self.fp),
                div(self.tp, self.tp + self.fn_),
            ),
            Set::Aeb => (div(self.p, self.pages), div(self.r, self.pages)),
        };
        (p, r, f1(p, r), div(self.f, self.pages))
    }
}

fn div(a: f64, b: f64) -> f64 {
    if b == 0.0 {
        0.0
    } else {
        a / b
    }
}

fn f1(p: f64, r: f64) -> f64 {
    div(2.0 * p * r, p + r)
}

fn score(page: &Page, extracted: &str) -> Score {
    let mut s = Score {
        pages: 1.0,
        ..Score::default()
    };
    match page.set {
        Set::Traf => {
            let text = squash(extracted);
            for w in &page.with {
                if text.contains(w.as_str()) {
                    s.tp += 1.0;
                } else {
                    s.fn_ += 1.0;
                }
            }
            for w in &page.without {
                if text.contains(w.as_str()) {
                    s.fp += 1.0;
                }
            }
            let (p, r) = (div(s.tp, s.tp + s.fp), div(s.tp, s.tp + s.fn_));
            s.p = p;
            s.r = r;
            s.f = f1(p, r);
        }
        Set::Aeb => {
            let mut truth: HashMap<&str, i64> = HashMap::new();
            for t in page.truth.split_whitespace() {
                *truth.entry(t).or_default() += 1;
            }
            let n_truth = page.truth.split_whitespace().count() as f64;
            let mut n_pred = 0.0;
            for t in extracted.split_whitespace() {
                n_pred += 1.0;
                if let Some(c) = truth.get_mut(t) {
                    if *c > 0 {
                        *c -= 1;
                        s.tp += 1.0;
                    }
                }
            }
            s.fp = n_pred - s.tp;
            s.fn_ = n_truth - s.tp;
            // An empty prediction of an empty truth is perfect.
            s.p = if n_pred == 0.0 && n_truth == 0.0 {
                1.0
            } else {
                div(s.tp, n_pred)
            };
            s.r = if n_truth == 0.0 {
                1.0
            } else {
                div(s.tp, n_truth)
            };
            s.f = f1(s.p, s.r);
        }
    }
    s
}

struct Run {
    /// Extracted text per page, in page order.
    texts: Vec<String>,
    /// Removed line numbers and reasons per page.
    removed: Vec<HashMap<u64, (String, Option<f64>)>>,
    elapsed: Duration,
    /// Time per page.
    times: Vec<Duration>,
}

fn run(stage: &mut dyn Stage, pages: &[Page], with_title: bool) -> Run {
    let mut texts = Vec::with_capacity(pages.len());
    let mut removed = Vec::with_capacity(pages.len());
    let mut elapsed = Duration::ZERO;
    let mut times = Vec::with_capacity(pages.len());
    for page in pages {
        let doc = Document::new(page.id.clone(), page.text.clone());
        let start = Instant::now();
        let verdict = stage.process(doc).expect("the clean stage never fails");
        times.push(start.elapsed());
        elapsed += start.elapsed();
        let (doc, dropped) = match verdict {
            Verdict::Keep(doc) => (doc, false),
            Verdict::Drop(d) => (d.doc, true),
        };
        let mut text = if dropped { String::new() } else { doc.text };
        if with_title {
            if let Some(t) = doc
                .annotations
                .get(keys::CLEAN_TITLE)
                .and_then(Value::as_str)
            {
                text = format!("{t}\n\n{text}");
            }
        }
        let mut gone = HashMap::new();
        if let Some(Value::Array(list)) = doc.annotations.get(keys::CLEAN_REMOVED) {
            for r in list {
                gone.insert(
                    r["line"].as_u64().unwrap_or(0),
                    (
                        r["reason"].as_str().unwrap_or("").to_owned(),
                        r.get("score").and_then(Value::as_f64),
                    ),
                );
            }
        }
        texts.push(text);
        removed.push(gone);
    }
    Run {
        texts,
        removed,
        elapsed,
        times,
    }
}

fn report(name: &str, set: Set, pages: &[Page], texts: &[String]) {
    let mut halves = [Score::default(); 3];
    for (page, text) in pages.iter().zip(texts) {
        if page.set != set {
            continue;
        }
        let s = score(page, text);
        halves[if page.tuning() { 0 } else { 1 }].add(&s);
        halves[2].add(&s);
    }
    let mut line = format!("{name:<16}");
    for h in &halves {
        let (p, r, f, pf) = h.prf(set);
        let extra = if set == Set::Aeb {
            format!(" ({pf:.3})")
        } else {
            String::new()
        };
        line.push_str(&format!(" | {p:.3} {r:.3} {f:.3}{extra} n={}", h.pages));
    }
    println!("{line}");
}

fn main() {
    let mut args = std::env::args().skip(1);
    let mut data = String::from("../shared/data");
    let mut only: Option<Set> = None;
    let mut worst = 0usize;
    let mut show: Option<String> = None;
    let mut with_title = false;
    let mut slow = 0usize;
    let mut missed = false;
    let mut dump: Option<String> = None;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--data" => data = args.next().expect("--data DIR"),
            "--set" => {
                only = match args.next().as_deref() {
                    Some("traf") | Some("trafilatura") => Some(Set::Traf),
                    Some("aeb") => Some(Set::Aeb),
                    other => panic!("--set traf|aeb, not {other:?}"),
                }
            }
            "--worst" => worst = args.next().and_then(|n| n.parse().ok()).expect("--worst N"),
            "--show" => show = Some(args.next().expect("--show ID")),
            "--with-title" => with_title = true,
            "--missed" => missed = true,
            "--dump" => dump = Some(args.next().expect("--dump FILE")),
            "--slow" => slow = args.next().and_then(|n| n.parse().ok()).expect("--slow N"),
            other => panic!("unknown argument {other}"),
        }
    }
    let mut pages = Vec::new();
    for (path, set) in [(TRAF, Set::Traf), (AEB, Set::Aeb)] {
        if only.is_none() || only == Some(set) {
            pages.extend(load(&format!("{data}/{path}"), set));
        }
    }
    let mut stage = CleanConfig::default()
        .build(&BuildContext::default())
        .expect("default config builds");

    if let Some(id) = show {
        let i = pages
            .iter()
            .position(|p| p.id == id)
            .expect("no page with that id");
        assert!(pages[i].tuning(), "{id} is in the held-out half");
        show_page(&mut *stage, &pages[i], with_title);
        return;
    }

    let result = run(&mut *stage, &pages, with_title);
    let bytes: usize = pages.iter().map(|p| p.text.len()).sum();
    let raw: Vec<String> = pages.iter().map(|p| p.text.clone()).collect();
    println!(
        "{:<16} | tuning half: P R F1       | held-out half: P R F1    | full set: P R F1",
        ""
    );
    for set in [Set::Traf, Set::Aeb] {
        if only.is_some_and(|o| o != set) {
            continue;
        }
        println!(
            "{}",
            match set {
                Set::Traf => "trafilatura-eval (snippets)",
                Set::Aeb =>
                    "article-extraction-benchmark (tokens; F1 of mean P/R, mean page F1 in brackets)",
            }
        );
        report("keep everything", set, &pages, &raw);
        report("clean", set, &pages, &result.texts);
    }
    let secs = result.elapsed.as_secs_f64();
    println!(
        "stage time: {:.1} MB in {secs:.2} s = {:.1} MB/s ({} pages)",
        bytes as f64 / 1e6,
        bytes as f64 / 1e6 / secs,
        pages.len()
    );

    if let Some(path) = dump {
        let mut out = String::new();
        for (i, p) in pages.iter().enumerate().filter(|(_, p)| p.tuning()) {
            let s = score(p, &result.texts[i]);
            out.push_str(&format!("{}\t{:.3}\t{:.3}\t{:.3}\n", p.id, s.f, s.p, s.r));
        }
        std::fs::write(&path, out).expect("writable dump file");
    }
    if missed {
        missed_by_reason(&pages, &result);
    }
    if slow > 0 {
        let mut by_time: Vec<usize> = (0..pages.len()).collect();
        by_time.sort_by_key(|&i| std::cmp::Reverse(result.times[i]));
        for i in by_time.into_iter().take(slow) {
            println!(
                "{:>8.2} ms {:>8} bytes {}",
                result.times[i].as_secs_f64() * 1e3,
                pages[i].text.len(),
                pages[i].id
            );
        }
    }
    if worst > 0 {
        let mut scored: Vec<(f64, usize)> = pages
            .iter()
            .enumerate()
            .filter(|(_, p)| p.tuning())
            .map(|(i, p)| (score(p, &result.texts[i]).f, i))
            .collect();
        scored.sort_by(|a, b| a.0.total_cmp(&b.0));
        println!("worst pages of the tuning half:");
        for (f, i) in scored.into_iter().take(worst) {
            let s = score(&pages[i], &result.texts[i]);
            println!(
                "{f:.3} p={:.2} r={:.2} {:?} {} ({} lines removed)",
                s.p,
                s.r,
                pages[i].set,
                pages[i].id,
                result.removed[i].len()
            );
        }
    }
}

/// Prints each input line with the cleaner's decision and what the ground truth says:
/// `W` contains a must-have snippet, `X` a must-not snippet, `G` is in the benchmark's
/// ground truth.
fn show_page(stage: &mut dyn Stage, page: &Page, with_title: bool) {
    let result = run(stage, std::slice::from_ref(page), with_title);
    let s = score(page, &result.texts[0]);
    println!(
        "{} {:?} p={:.3} r={:.3} f={:.3}",
        page.id, page.set, s.p, s.r, s.f
    );
    let text = squash(&result.texts[0]);
    for w in &page.with {
        if !text.contains(w.as_str()) {
            println!("MISSED  {w}");
        }
    }
    for w in &page.without {
        if text.contains(w.as_str()) {
            println!("LEAKED  {w}");
        }
    }
    let truth = squash(&page.truth);
    let truth_tokens: HashSet<&str> = page.truth.split_whitespace().collect();
    let normalized = normalize(&page.text);
    for (i, line) in normalized.split('\n').enumerate() {
        if line.is_empty() {
            continue;
        }
        let no = i as u64 + 1;
        let mark = match page.set {
            Set::Traf => {
                let l = squash(line);
                if page
                    .with
                    .iter()
                    .any(|w| l.contains(w.as_str()) || w.contains(&l))
                {
                    "W"
                } else if page.without.iter().any(|w| l.contains(w.as_str())) {
                    "X"
                } else {
                    " "
                }
            }
            Set::Aeb => {
                let l = squash(line);
                if truth.contains(&l) {
                    "G"
                } else if l.split(' ').all(|t| truth_tokens.contains(t)) {
                    "g"
                } else {
                    " "
                }
            }
        };
        let decision = match result.removed[0].get(&no) {
            Some((reason, score)) => format!(
                "- {reason:<14}{}",
                score.map(|s| format!(" {s}")).unwrap_or_default()
            ),
            None => "+".to_owned(),
        };
        let shown: String = line.chars().take(110).collect();
        println!("{no:>4} {mark} {decision:<22} {shown}");
    }
}

/// Counts, over the tuning half of trafilatura-eval, the must-have snippets lost per
/// removal reason, and prints a sample of each.
fn missed_by_reason(pages: &[Page], result: &Run) {
    let mut by: HashMap<String, Vec<String>> = HashMap::new();
    for (i, page) in pages.iter().enumerate() {
        if page.set != Set::Traf || !page.tuning() {
            continue;
        }
        let text = squash(&result.texts[i]);
        let normalized = normalize(&page.text);
        for w in &page.with {
            if text.contains(w.as_str()) {
                continue;
            }
            let line = normalized.split('\n').enumerate().find(|(_, l)| {
                let l = squash(l);
                !l.is_empty() && (l.contains(w.as_str()) || (l.len() > 20 && w.contains(&l)))
            });
            let reason = match line {
                None => "not in input".to_owned(),
                Some((no, _)) => result.removed[i]
                    .get(&(no as u64 + 1))
                    .map_or("kept?".to_owned(), |(r, _)| r.clone()),
            };
            let sample: String = w.chars().take(70).collect();
            by.entry(format!("missed, {reason}"))
                .or_default()
                .push(format!("{} | {sample}", page.id));
        }
    }
    for (i, page) in pages.iter().enumerate() {
        if page.set != Set::Traf || !page.tuning() {
            continue;
        }
        let text = squash(&result.texts[i]);
        for w in &page.without {
            if text.contains(w.as_str()) {
                let sample: String = w.chars().take(70).collect();
                by.entry("leaked".to_owned())
                    .or_default()
                    .push(format!("{} | {sample}", page.id));
            }
        }
    }
    let mut list: Vec<_> = by.into_iter().collect();
    list.sort_by_key(|(_, v)| std::cmp::Reverse(v.len()));
    for (reason, v) in list {
        println!("{:>4} {reason}", v.len());
        for x in v.iter().take(if reason == "leaked" { 200 } else { 6 }) {
            println!("       {x}");
        }
    }
}
