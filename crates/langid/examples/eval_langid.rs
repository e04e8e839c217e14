//! Accuracy and throughput of the `detect_language` stage beside plain lingua and plain
//! whatlang, measured in one run, single-threaded, in release:
//!
//! ```text
//! cargo run --release -p pipeline-langid --features all-languages --example eval_langid -- [OPTIONS]
//!   --half odd|even|all   test lines to use, by line index (default odd: the report half;
//!                         thresholds were tuned on the even half)
//!   --data PATH           lingua test data (default ../shared/data/lingua-langid/testdata.jsonl.gz)
//!   --gnad PATH           10kGNAD articles (default ../shared/data/10kgnad/test.jsonl.gz)
//!   --per-lang N          at most N texts per language and kind (default 200; plain
//!                         lingua needs ~10 ms a text, so the whole half takes ~20 min)
//!   --skip-lingua         leave plain lingua out (fast tuning runs)
//!   --dump PATH           write one TSV line per test text: id, our answer, confidence,
//!                         detector, whatlang's answer and confidence, lingua's answer
//!   --joined 600,1000     lengths (characters) to which each language's test sentences
//!                         are joined for the long-text accuracy (default 600)
//! ```
//!
//! Accuracy counts an undetermined answer as wrong, like lingua's published tables. "ours
//! raw" is the stage with `min_chars = 1` and `min_confidence = 0` (every answer it has);
//! "ours default" is the default config, whose short texts are undetermined on purpose.

use std::collections::BTreeMap;
use std::io::{BufRead, Write};
use std::time::{Duration, Instant};

use lingua::{Language, LanguageDetector, LanguageDetectorBuilder};
use pipeline_core::{Document, Stage};
use pipeline_langid::{DetectLanguage, LangIdConfig};

const SEEDS: [&str; 5] = [
    include_str!("../../../seeds/000_4cc634fd74ce4d48.txt"),
    include_str!("../../../seeds/001_71e4d82f6747df7e.txt"),
    include_str!("../../../seeds/002_1a67b9573dd5dde7.txt"),
    include_str!("../../../seeds/003_b6e55cbff507565a.txt"),
    include_str!("../../../seeds/004_c9c43821286cbbc7.txt"),
];
const KINDS: [&str; 3] = ["sentences", "word-pairs", "single-words"];
const REF_FILES: [&str; 3] = [
    "sentences-accuracy-values.csv",
    "word-pairs-accuracy-values.csv",
    "single-words-accuracy-values.csv",
];
const REF_COLUMNS: [&str; 3] = ["lingua-high-accuracy", "whatlang", "cld2"];

/// One detector's answer: code, confidence (0 when it gives none), detector name.
type Answer = (Option<String>, f64, &'static str);
/// A detector under test.
type Pass<'a> = (&'static str, Box<dyn Fn(&str) -> Answer + 'a>);

struct Sample {
    id: String,
    lang: String,
    kind: usize,
    text: String,
}

/// Correct answers and time per (language, kind) for one detector.
#[derive(Default)]
struct Tally {
    correct: BTreeMap<(String, usize), (usize, usize)>,
    time: [Duration; 3],
    bytes: [usize; 3],
    docs: [usize; 3],
}

impl Tally {
    fn add(&mut self, s: &Sample, answer: Option<&str>, took: Duration) {
        let e = self.correct.entry((s.lang.clone(), s.kind)).or_default();
        e.0 += usize::from(answer == Some(s.lang.as_str()));
        e.1 += 1;
        self.time[s.kind] += took;
        self.bytes[s.kind] += s.text.len();
        self.docs[s.kind] += 1;
    }

    fn accuracy(&self, lang: &str, kind: usize) -> Option<f64> {
        let (ok, n) = self.correct.get(&(lang.to_owned(), kind))?;
        Some(100.0 * *ok as f64 / *n as f64)
    }

    fn mean(&self, kind: usize) -> f64 {
        let v: Vec<f64> = self
            .correct
            .iter()
            .filter(|((_, k), _)| *k == kind)
            .map(|(_, (ok, n))| 100.0 * *ok as f64 / *n as f64)
            .collect();
        v.iter().sum::<f64>() / v.len() as f64
    }

    fn speed(&self, kinds: &[usize]) -> (f64, f64) {
        let secs: f64 = kinds.iter().map(|&k| self.time[k].as_secs_f64()).sum();
        let bytes: usize = kinds.iter().map(|&k| self.bytes[k]).sum();
        let docs: usize = kinds.iter().map(|&k| self.docs[k]).sum();
        (bytes as f64 / 1e6 / secs, docs as f64 / secs)
    }
}

fn stage(toml_src: &str) -> DetectLanguage {
    let config: LangIdConfig = toml::from_str(toml_src).expect("config parses");
    DetectLanguage::new(&config).expect("stage builds")
}

fn whatlang_code(lang: whatlang::Lang) -> Option<String> {
    let code = match lang.code() {
        "cmn" => "zho",
        "pes" => "fas",
        other => other,
    };
    let iso: lingua::IsoCode639_3 = code.parse().ok()?;
    Some(
        Language::from_iso_code_639_3(&iso)
            .iso_code_639_1()
            .to_string(),
    )
}

fn lingua_code(d: &LanguageDetector, text: &str) -> Option<String> {
    d.detect_language_of(text)
        .map(|l| l.iso_code_639_1().to_string())
}

fn status(field: &str) -> String {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with(field))
        .map(|l| l.trim_start_matches(field).trim().to_owned())
        .unwrap_or_default()
}

fn gz_lines(path: &str) -> impl Iterator<Item = String> {
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    std::io::BufReader::new(flate2::read::GzDecoder::new(file))
        .lines()
        .map(|l| l.expect("line reads"))
}

fn load(path: &str, half: &str, per_lang: usize) -> Vec<Sample> {
    let mut out = Vec::new();
    let mut seen: BTreeMap<(String, usize), usize> = BTreeMap::new();
    for (i, line) in gz_lines(path).enumerate() {
        let keep = match half {
            "even" => i % 2 == 0,
            "odd" => i % 2 == 1,
            _ => true,
        };
        if !keep {
            continue;
        }
        let rec: serde_json::Value = serde_json::from_str(&line).expect("valid json");
        let kind = KINDS
            .iter()
            .position(|k| rec["kind"] == *k)
            .expect("known kind");
        let lang = rec["lang"].as_str().unwrap_or("").to_owned();
        let n = seen.entry((lang, kind)).or_default();
        *n += 1;
        if *n > per_lang {
            continue;
        }
        out.push(Sample {
            id: rec["id"].as_str().unwrap_or("").to_owned(),
            lang: rec["lang"].as_str().unwrap_or("").to_owned(),
            kind,
            text: rec["text"].as_str().unwrap_or("").to_owned(),
        });
    }
    out
}

/// Published accuracy: column -> kind -> language code -> percent.
fn references(data: &str) -> BTreeMap<String, [BTreeMap<String, f64>; 3]> {
    let dir = std::path::Path::new(data)
        .parent()
        .expect("data has a folder")
        .join("reference-accuracy");
    let names: BTreeMap<String, String> = Language::all()
        .into_iter()
        .map(|l| (l.to_string(), l.iso_code_639_1().to_string()))
        .collect();
    let mut out: BTreeMap<String, [BTreeMap<String, f64>; 3]> = BTreeMap::new();
    for (kind, file) in REF_FILES.iter().enumerate() {
        let text = std::fs::read_to_string(dir.join(file)).expect("reference table reads");
        let mut lines = text.lines();
        let header: Vec<&str> = lines.next().unwrap_or("").split(',').collect();
        for line in lines {
            let cells: Vec<&str> = line.split(',').collect();
            let Some(code) = names.get(cells[0]) else {
                continue;
            };
            for col in REF_COLUMNS {
                let Some(i) = header.iter().position(|h| *h == col) else {
                    continue;
                };
                if let Ok(v) = cells[i].parse::<f64>() {
                    if v.is_finite() {
                        out.entry(col.to_owned()).or_default()[kind].insert(code.clone(), v);
                    }
                }
            }
        }
    }
    out
}

fn long_docs(label: &str, docs: &[String], ours: &mut DetectLanguage, plain: &[(&str, usize)]) {
    let bytes: usize = docs.iter().map(String::len).sum();
    let t = Instant::now();
    let mut lingua_docs = 0;
    let mut multi = 0;
    for (i, text) in docs.iter().enumerate() {
        let verdict = ours
            .process(Document::new(i.to_string(), text.clone()))
            .expect("no error");
        let doc = match verdict {
            pipeline_core::Verdict::Keep(doc) => doc,
            pipeline_core::Verdict::Drop(d) => d.doc,
        };
        let v = &doc.annotations[pipeline_core::keys::LANGID_LANG];
        lingua_docs += usize::from(v["detector"] == "ngram");
        multi += usize::from(v["segments"].as_array().map_or(0, Vec::len) > 1);
    }
    let secs = t.elapsed().as_secs_f64();
    println!(
        "  {label:<34} ours (stage, default config): {:>7.2} MB/s {:>8.0} docs/s  ({} docs, {:.1} MB; n-gram scorer decided {lingua_docs}, {multi} with >1 segment)",
        bytes as f64 / 1e6 / secs,
        docs.len() as f64 / secs,
        docs.len(),
        bytes as f64 / 1e6
    );
    let lingua = LanguageDetectorBuilder::from_all_languages().build();
    for &(name, n) in plain {
        let subset = &docs[..n.min(docs.len())];
        let bytes: usize = subset.iter().map(String::len).sum();
        let t = Instant::now();
        for text in subset {
            match name {
                "whatlang" => {
                    std::hint::black_box(whatlang::detect(text));
                }
                _ => {
                    std::hint::black_box(lingua.detect_language_of(text.as_str()));
                }
            }
        }
        let secs = t.elapsed().as_secs_f64();
        println!(
            "  {label:<34} {name:<29} {:>7.2} MB/s {:>8.0} docs/s  (first {} docs, whole text)",
            bytes as f64 / 1e6 / secs,
            subset.len() as f64 / secs,
            subset.len()
        );
    }
}

/// Accuracy on texts long enough for whatlang and the function-word shortcut: each
/// language's test sentences of the half, joined until a text has `joined_chars`
/// characters. Lingua's test data has no such texts, and documents are this long.
fn joined_sentences(
    samples: &[Sample],
    ours: &DetectLanguage,
    joined_chars: usize,
    mut dump: Option<&mut std::io::BufWriter<std::fs::File>>,
) {
    let mut texts: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    let mut current: BTreeMap<&str, String> = BTreeMap::new();
    for s in samples.iter().filter(|s| s.kind == 0) {
        let text = current.entry(&s.lang).or_default();
        if !text.is_empty() {
            text.push(' ');
        }
        text.push_str(&s.text);
        if text.chars().count() >= joined_chars {
            texts.entry(&s.lang).or_default().push(std::mem::take(text));
        }
    }
    let (mut right, mut all, mut took, mut bytes) = (0usize, 0usize, Duration::ZERO, 0usize);
    let mut worst: Vec<(f64, &str)> = Vec::new();
    for (lang, list) in &texts {
        let mut lang_right = 0;
        for (i, text) in list.iter().enumerate() {
            let t = Instant::now();
            let a = ours.detect(text);
            took += t.elapsed();
            bytes += text.len();
            lang_right += usize::from(a.code.as_deref() == Some(*lang));
            if let Some(out) = dump.as_mut() {
                writeln!(
                    out,
                    "joined{joined_chars}-{lang}-{i}\t{}\t{}\t{}\t{}\t-\t0\t-\t0",
                    text.chars().count(),
                    a.code.as_deref().unwrap_or("-"),
                    a.confidence.unwrap_or(0.0),
                    a.detector.map_or("-", |d| d.name()),
                )
                .expect("dump writes");
            }
        }
        right += lang_right;
        all += list.len();
        worst.push((100.0 * lang_right as f64 / list.len() as f64, lang));
    }
    worst.sort_by(|a, b| a.0.total_cmp(&b.0));
    let worst: Vec<String> = worst
        .iter()
        .take(8)
        .map(|(pct, lang)| format!("{lang} {pct:.0}"))
        .collect();
    println!(
        "\nsentences joined to {joined_chars}+ characters, ours raw: {:.2} % of {all} texts in {} languages right, {:.2} MB/s; lowest: {}",
        100.0 * right as f64 / all.max(1) as f64,
        texts.len(),
        bytes as f64 / 1e6 / took.as_secs_f64().max(1e-9),
        worst.join(", ")
    );
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let opt = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let half = opt("--half").unwrap_or_else(|| "odd".to_owned());
    let data = opt("--data").unwrap_or_else(|| {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/data/lingua-langid/testdata.jsonl.gz"
        )
        .to_owned()
    });
    let gnad = opt("--gnad").unwrap_or_else(|| {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/data/10kgnad/test.jsonl.gz"
        )
        .to_owned()
    });
    let skip_lingua = args.iter().any(|a| a == "--skip-lingua");
    let mut dump = opt("--dump")
        .map(|p| std::io::BufWriter::new(std::fs::File::create(p).expect("dump file")));

    let per_lang = opt("--per-lang")
        .and_then(|n| n.parse().ok())
        .unwrap_or(200);
    let samples = load(&data, &half, per_lang);
    println!(
        "lingua test data, {half} half (line index), at most {per_lang} per language and kind: {} texts, {} languages compiled in",
        samples.len(),
        Language::all().len()
    );
    let raw = stage("min_chars = 1\nmin_confidence = 0.0");
    let default = stage("");
    let lingua = LanguageDetectorBuilder::from_all_languages().build();
    // Each detector runs over all texts in its own pass: interleaving them per text would
    // let the second one find the first one's model pages in the CPU cache.
    let mut tallies: BTreeMap<&str, Tally> = BTreeMap::new();
    let mut answers: BTreeMap<&str, Vec<Answer>> = BTreeMap::new();
    let mut passes: Vec<Pass> = vec![
        (
            "ours raw",
            Box::new(|t: &str| {
                let a = raw.detect(t);
                (
                    a.code,
                    a.confidence.unwrap_or(0.0),
                    a.detector.map_or("-", |d| d.name()),
                )
            }),
        ),
        (
            "ours default",
            Box::new(|t: &str| (default.detect(t).code, 0.0, "-")),
        ),
        (
            "whatlang",
            Box::new(|t: &str| {
                let w = whatlang::detect(t);
                (
                    w.as_ref().and_then(|i| whatlang_code(i.lang())),
                    w.as_ref().map_or(0.0, |i| i.confidence()),
                    "-",
                )
            }),
        ),
    ];
    if !skip_lingua {
        passes.push((
            "lingua high",
            Box::new(|t: &str| (lingua_code(&lingua, t), 0.0, "-")),
        ));
    }
    for (name, detect) in &passes {
        let tally = tallies.entry(name).or_default();
        let out = answers.entry(name).or_default();
        for s in &samples {
            let t = Instant::now();
            let answer = detect(&s.text);
            let took = t.elapsed();
            tally.add(s, answer.0.as_deref(), took);
            out.push(answer);
        }
    }
    if let Some(out) = dump.as_mut() {
        let none = vec![(None, 0.0, "-"); samples.len()];
        let ours = &answers["ours raw"];
        let what = &answers["whatlang"];
        let ling = answers.get("lingua high").unwrap_or(&none);
        for (i, s) in samples.iter().enumerate() {
            writeln!(
                out,
                "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t0",
                s.id,
                s.text.chars().count(),
                ours[i].0.as_deref().unwrap_or("-"),
                ours[i].1,
                ours[i].2,
                what[i].0.as_deref().unwrap_or("-"),
                what[i].1,
                ling[i].0.as_deref().unwrap_or("-"),
            )
            .expect("dump writes");
        }
    }

    let joined: Vec<usize> = opt("--joined").map_or(vec![600], |list| {
        list.split(',')
            .map(|n| {
                n.trim()
                    .parse()
                    .expect("--joined takes lengths like 600,1000")
            })
            .collect()
    });
    for &chars in &joined {
        joined_sentences(&samples, &raw, chars, dump.as_mut());
    }

    let refs = references(&data);
    let langs: Vec<String> = {
        let mut v: Vec<String> = samples.iter().map(|s| s.lang.clone()).collect();
        v.sort();
        v.dedup();
        v
    };
    println!("\naccuracy % (undetermined counts as wrong); mean = unweighted over languages");
    println!(
        "{:<26} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9}",
        "detector",
        "de sent",
        "de pairs",
        "de words",
        "mean sent",
        "mean pair",
        "mean word",
        "mean all",
        "MB/s"
    );
    for (name, t) in &tallies {
        let de: Vec<String> = (0..3)
            .map(|k| {
                t.accuracy("de", k)
                    .map_or("-".into(), |v| format!("{v:.1}"))
            })
            .collect();
        let means: Vec<f64> = (0..3).map(|k| t.mean(k)).collect();
        let (mbs, _) = t.speed(&[0, 1, 2]);
        println!(
            "{name:<26} {:>9} {:>9} {:>9} {:>9.2} {:>9.2} {:>9.2} {:>9.2} {:>9.3}",
            de[0],
            de[1],
            de[2],
            means[0],
            means[1],
            means[2],
            means.iter().sum::<f64>() / 3.0,
            mbs
        );
    }
    for (col, tables) in &refs {
        let de: Vec<String> = (0..3)
            .map(|k| {
                tables[k]
                    .get("de")
                    .map_or("-".into(), |v| format!("{v:.1}"))
            })
            .collect();
        let means: Vec<f64> = (0..3)
            .map(|k| {
                let v: Vec<f64> = langs
                    .iter()
                    .filter_map(|l| tables[k].get(l))
                    .copied()
                    .collect();
                v.iter().sum::<f64>() / v.len() as f64
            })
            .collect();
        let n = langs.iter().filter(|l| tables[0].contains_key(*l)).count();
        println!(
            "{:<26} {:>9} {:>9} {:>9} {:>9.2} {:>9.2} {:>9.2} {:>9.2}   ({n} languages)",
            format!("published {col}"),
            de[0],
            de[1],
            de[2],
            means[0],
            means[1],
            means[2],
            means.iter().sum::<f64>() / 3.0
        );
    }

    println!("\nthroughput on the test texts (single thread, detection call only)");
    for (name, t) in &tallies {
        let row: Vec<String> = [vec![0], vec![1], vec![2], vec![0, 1, 2]]
            .iter()
            .map(|ks| {
                let (mbs, dps) = t.speed(ks);
                format!("{mbs:>7.3} MB/s {dps:>7.0} docs/s")
            })
            .collect();
        println!(
            "{name:<14} sentences {} | word pairs {} | single words {} | all {}",
            row[0], row[1], row[2], row[3]
        );
    }
    if let (Some(o), Some(l)) = (tallies.get("ours raw"), tallies.get("lingua high")) {
        let ratio = o.speed(&[0, 1, 2]).0 / l.speed(&[0, 1, 2]).0;
        println!("ours raw / lingua high throughput: {ratio:.1}x");
    }

    println!("\nlong documents (whole texts)");
    let mut seeds = Vec::new();
    let mut bytes = 0;
    while bytes < 10_000_000 {
        for s in SEEDS {
            bytes += s.len();
            seeds.push(s.to_owned());
        }
    }
    let mut ours = stage("");
    let plain: Vec<(&str, usize)> = if skip_lingua {
        vec![("whatlang", usize::MAX)]
    } else {
        vec![
            ("whatlang", usize::MAX),
            ("lingua high (all languages)", 50),
        ]
    };
    long_docs("seeds repeated to 10 MB", &seeds, &mut ours, &plain);
    let gnad_docs: Vec<String> = gz_lines(&gnad)
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(&l).expect("json");
            v["text"].as_str().unwrap_or("").to_owned()
        })
        .collect();
    long_docs("10kGNAD test articles", &gnad_docs, &mut ours, &plain);
    let mut segs_off = stage("segments = \"off\"");
    long_docs(
        "10kGNAD, segments = \"off\"",
        &gnad_docs,
        &mut segs_off,
        &[],
    );
    long_docs("seeds, segments = \"off\"", &seeds, &mut segs_off, &[]);

    println!(
        "\npeak resident memory (VmHWM): {}, now {}",
        status("VmHWM:"),
        status("VmRSS:")
    );
}
