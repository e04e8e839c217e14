//! Scores [`pipeline_read::extract_html`] on the two shared main-content benchmarks.
//!
//! ```sh
//! cargo run --release -p pipeline-read --example eval_html            # ../shared/data
//! cargo run --release -p pipeline-read --example eval_html -- DIR     # another data folder
//! ```
//!
//! - `article-extraction-benchmark` (181 English news pages): token F1 of the extracted
//!   text against `ground_truth_text`, bag of whitespace tokens, averaged over pages. The
//!   title is *not* prepended to the text (the benchmark's bodies do not start with it).
//!   Anchor: trafilatura 0.958.
//! - `trafilatura-eval` (990 pages, mostly German): snippet precision/recall/F1 as
//!   trafilatura's own scorer counts them (a `gt_with` snippet found is a true positive, a
//!   `gt_without` snippet found a false positive), matched after collapsing whitespace.
//!   Anchor: 0.924. Title and date accuracy against `gt_metadata` where it has them.
//!
//! Every set is split in two by a hash of the page id (FNV-1a, even = `tune`, odd =
//! `test`): heuristics were tuned on `tune` only; `test` and `all` are reported beside it.
//! Speed is HTML megabytes per second of `extract_html` alone, one thread.

use std::collections::HashMap;
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use pipeline_read::{extract_html, HtmlDocument};
use serde::Deserialize;

/// One page of `article-extraction-benchmark/pages.jsonl.gz` (the fields we use).
#[derive(Deserialize)]
struct ZytePage {
    id: String,
    url: Option<String>,
    html: String,
    ground_truth_text: String,
}

/// One page of `trafilatura-eval/pages.jsonl.gz` (the fields we use).
#[derive(Deserialize)]
struct TrafPage {
    id: String,
    url: Option<String>,
    html: String,
    #[serde(default)]
    gt_with: Vec<String>,
    #[serde(default)]
    gt_without: Vec<String>,
    #[serde(default)]
    gt_metadata: Option<HashMap<String, serde_json::Value>>,
}

/// Which half of a set a page belongs to.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Half {
    Tune,
    Test,
}

impl Half {
    fn name(self) -> &'static str {
        match self {
            Half::Tune => "tune",
            Half::Test => "test",
        }
    }
}

/// FNV-1a 64 of the id: stable across platforms and Rust versions.
fn half(id: &str) -> Half {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in id.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    if h & 1 == 0 {
        Half::Tune
    } else {
        Half::Test
    }
}

fn load<T: for<'de> Deserialize<'de>>(path: &Path) -> Vec<T> {
    let file =
        std::fs::File::open(path).unwrap_or_else(|e| panic!("cannot open {}: {e}", path.display()));
    let reader = std::io::BufReader::new(flate2::read::GzDecoder::new(file));
    reader
        .lines()
        .map(|line| serde_json::from_str(&line.expect("readable line")).expect("valid page"))
        .collect()
}

/// Whitespace collapsed to single spaces, trimmed.
fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Token precision, recall and F1 between two texts as bags of whitespace tokens.
fn token_prf(pred: &str, gold: &str) -> (f64, f64, f64) {
    let mut bag: HashMap<&str, i64> = HashMap::new();
    let gold_n = gold
        .split_whitespace()
        .map(|t| *bag.entry(t).or_default() += 1)
        .count();
    let mut common = 0usize;
    let mut pred_n = 0usize;
    for t in pred.split_whitespace() {
        pred_n += 1;
        if let Some(c) = bag.get_mut(t) {
            if *c > 0 {
                *c -= 1;
                common += 1;
            }
        }
    }
    if pred_n == 0 || gold_n == 0 {
        let both_empty = pred_n == gold_n;
        return if both_empty {
            (1.0, 1.0, 1.0)
        } else {
            (0.0, 0.0, 0.0)
        };
    }
    let p = common as f64 / pred_n as f64;
    let r = common as f64 / gold_n as f64;
    let f = if common == 0 {
        0.0
    } else {
        2.0 * p * r / (p + r)
    };
    (p, r, f)
}

/// Mean P/R/F1 over pages.
#[derive(Default)]
struct Mean {
    n: usize,
    p: f64,
    r: f64,
    f: f64,
}

impl Mean {
    fn add(&mut self, (p, r, f): (f64, f64, f64)) {
        self.n += 1;
        self.p += p;
        self.r += r;
        self.f += f;
    }
    fn line(&self, set: &str, half: &str) -> String {
        let n = self.n.max(1) as f64;
        format!(
            "{set:<12} {half:<5} {:>4}  P {:.3}  R {:.3}  F1 {:.3}",
            self.n,
            self.p / n,
            self.r / n,
            self.f / n
        )
    }
}

/// Snippet counts, summed over pages (micro average, as trafilatura's scorer).
#[derive(Default)]
struct Snippets {
    pages: usize,
    tp: usize,
    fn_: usize,
    fp: usize,
    tn: usize,
}

impl Snippets {
    fn add(&mut self, text: &str, with: &[String], without: &[String]) {
        self.pages += 1;
        for s in with {
            if text.contains(&squash(s)) {
                self.tp += 1;
            } else {
                self.fn_ += 1;
            }
        }
        for s in without {
            if text.contains(&squash(s)) {
                self.fp += 1;
            } else {
                self.tn += 1;
            }
        }
    }
    fn line(&self, set: &str, half: &str) -> String {
        let p = self.tp as f64 / (self.tp + self.fp).max(1) as f64;
        let r = self.tp as f64 / (self.tp + self.fn_).max(1) as f64;
        let f = if p + r > 0.0 {
            2.0 * p * r / (p + r)
        } else {
            0.0
        };
        let acc =
            (self.tp + self.tn) as f64 / (self.tp + self.tn + self.fp + self.fn_).max(1) as f64;
        format!(
            "{set:<12} {half:<5} {:>4}  P {p:.3}  R {r:.3}  F1 {f:.3}  acc {acc:.3}",
            self.pages
        )
    }
}

/// Hits over tries, for metadata fields.
#[derive(Default)]
struct Accuracy {
    tried: usize,
    hit: usize,
}

impl Accuracy {
    fn add(&mut self, hit: bool) {
        self.tried += 1;
        self.hit += usize::from(hit);
    }
    fn show(&self) -> String {
        format!(
            "{:.3} ({}/{})",
            self.hit as f64 / self.tried.max(1) as f64,
            self.hit,
            self.tried
        )
    }
}

fn gold_str(meta: &Option<HashMap<String, serde_json::Value>>, key: &str) -> Option<String> {
    let value = meta.as_ref()?.get(key)?.as_str()?.trim();
    (!value.is_empty()).then(|| value.to_owned())
}

/// An extractor under test.
type Extract<'a> = &'a dyn Fn(&str, Option<&str>) -> HtmlDocument;

fn timed(extract: Extract, html: &str, url: Option<&str>, spent: &mut Duration) -> HtmlDocument {
    let start = Instant::now();
    let doc = extract(html, url);
    *spent += start.elapsed();
    doc
}

fn main() {
    let data: PathBuf = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"));
    // EVAL_HTML_PAGES=1 prints one line per page on stderr (set, half, id, score).
    let per_page = std::env::var_os("EVAL_HTML_PAGES").is_some();
    run(&data, &extract_html, per_page);
}

/// Scores `extract` on both sets under `data` and prints the table.
pub fn run(data: &Path, extract: Extract, per_page: bool) {
    let mut spent = Duration::ZERO;
    let mut bytes = 0usize;

    let zyte: Vec<ZytePage> = load(&data.join("article-extraction-benchmark/pages.jsonl.gz"));
    let (mut z_tune, mut z_test, mut z_all) = (Mean::default(), Mean::default(), Mean::default());
    for page in &zyte {
        bytes += page.html.len();
        let doc = timed(extract, &page.html, page.url.as_deref(), &mut spent);
        let score = token_prf(&doc.text, &page.ground_truth_text);
        if per_page {
            eprintln!(
                "zyte\t{}\t{}\t{:.3}",
                half(&page.id).name(),
                page.id,
                score.2
            );
        }
        z_all.add(score);
        match half(&page.id) {
            Half::Tune => z_tune.add(score),
            Half::Test => z_test.add(score),
        }
    }

    let traf: Vec<TrafPage> = load(&data.join("trafilatura-eval/pages.jsonl.gz"));
    let (mut t_tune, mut t_test, mut t_all) = (
        Snippets::default(),
        Snippets::default(),
        Snippets::default(),
    );
    // [tune, test] accuracy of title and date.
    let mut title_acc = [Accuracy::default(), Accuracy::default()];
    let mut date_acc = [Accuracy::default(), Accuracy::default()];
    for page in &traf {
        bytes += page.html.len();
        let doc = timed(extract, &page.html, page.url.as_deref(), &mut spent);
        let text = squash(&doc.text);
        t_all.add(&text, &page.gt_with, &page.gt_without);
        if per_page {
            let mut one = Snippets::default();
            one.add(&text, &page.gt_with, &page.gt_without);
            eprintln!(
                "traf\t{}\t{}\t{}\t{}\t{}\t{}",
                half(&page.id).name(),
                page.id,
                one.tp,
                one.fn_,
                one.fp,
                one.tn
            );
        }
        match half(&page.id) {
            Half::Tune => t_tune.add(&text, &page.gt_with, &page.gt_without),
            Half::Test => t_test.add(&text, &page.gt_with, &page.gt_without),
        }
        let h = usize::from(half(&page.id) == Half::Test);
        if let Some(gold) = gold_str(&page.gt_metadata, "title") {
            let got = doc.title.as_deref().map(squash).unwrap_or_default();
            title_acc[h].add(got.to_lowercase() == squash(&gold).to_lowercase());
        }
        if let Some(gold) = gold_str(&page.gt_metadata, "date") {
            let got = doc.published.as_deref().unwrap_or("");
            date_acc[h].add(got.get(..10) == gold.get(..10));
        }
    }

    println!("set          half  pages scores (text without title)");
    println!("{}", z_tune.line("zyte-token", "tune"));
    println!("{}", z_test.line("zyte-token", "test"));
    println!("{}", z_all.line("zyte-token", "all"));
    println!("{}", t_tune.line("traf-snippet", "tune"));
    println!("{}", t_test.line("traf-snippet", "test"));
    println!("{}", t_all.line("traf-snippet", "all"));
    for (h, name) in [(0, "tune"), (1, "test")] {
        println!(
            "metadata {name}: title {}  date {}",
            title_acc[h].show(),
            date_acc[h].show()
        );
    }
    let all = |a: &[Accuracy; 2]| Accuracy {
        tried: a[0].tried + a[1].tried,
        hit: a[0].hit + a[1].hit,
    };
    println!(
        "metadata all:  title {}  date {}  (trafilatura-eval gt_metadata; title exact after case/space folding, date = first 10 chars)",
        all(&title_acc).show(),
        all(&date_acc).show()
    );
    let secs = spent.as_secs_f64();
    println!(
        "speed: {:.1} MB of HTML in {secs:.2} s = {:.1} MB/s (one thread)",
        bytes as f64 / 1e6,
        bytes as f64 / 1e6 / secs.max(1e-9)
    );
}
