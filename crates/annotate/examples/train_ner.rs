//! Trains the statistical entity tagger on GermEval 2014 and writes `models/ner.bin`.
//!
//! ```text
//! cargo run --release -p pipeline-annotate --example train_ner -- \
//!     /work/shared/data/germeval2014-ner [--epochs 12] [--dev-only] [--out FILE]
//! ```
//!
//! Default: trains on dev plus the first half of test (sentences 1–2550) and reports strict
//! outer-span F1 on the second half of test only (2551–5100), on GermEval's gold tokens:
//! once over all twelve classes (the official outer-level scoring) and once over the four
//! main classes with `deriv`/`part` gold spans left out (`OTH` is `MISC`). `--dev-only`
//! trains on dev alone and reports on the whole test set (nothing is written then, unless
//! `--out` is given).

use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::time::Instant;

use pipeline_annotate::ner::{self, Example, Featurizer, NerModel, Trainer};

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

fn evaluate(model: &NerModel, feat: &Featurizer, data: &[Sentence]) {
    let mut all = Prf::default();
    let mut main = Prf::default();
    let mut per_type: Vec<Prf> = (0..4).map(|_| Prf::default()).collect();
    let mut tags = Vec::new();
    for s in data {
        let inputs = feat.inputs(&s.text, &s.offsets);
        model.tag(&inputs, &mut tags);
        let gold: HashSet<_> = ner::spans(&s.gold).into_iter().collect();
        let pred: HashSet<_> = ner::spans(&tags).into_iter().collect();
        all.add(&gold, &pred);
        let keep = |set: &HashSet<(usize, usize, usize)>, ty: Option<usize>| {
            set.iter()
                .filter(|x| x.2 < 4 && ty.map_or(true, |t| x.2 == t))
                .copied()
                .collect::<HashSet<_>>()
        };
        main.add(&keep(&gold, None), &keep(&pred, None));
        for (t, prf) in per_type.iter_mut().enumerate() {
            prf.add(&keep(&gold, Some(t)), &keep(&pred, Some(t)));
        }
    }
    all.show("12 classes (official outer)");
    main.show("PER/LOC/ORG/MISC");
    for (t, prf) in per_type.iter().enumerate() {
        let name = ["PER", "LOC", "ORG", "MISC (OTH)"][t];
        prf.show(&format!("  {name}"));
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let dir = args
        .iter()
        .find(|a| !a.starts_with("--") && !a.parse::<usize>().is_ok() && !a.ends_with(".bin"))
        .cloned()
        .unwrap_or_else(|| "/work/shared/data/germeval2014-ner".into());
    let opt = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let epochs: usize = opt("--epochs").map_or(Ok(12), |e| e.parse())?;
    let prune: f32 = opt("--prune").map_or(Ok(0.02), |e| e.parse())?;
    let dev_only = args.iter().any(|a| a == "--dev-only");
    let out = opt("--out").or_else(|| {
        (!dev_only).then(|| concat!(env!("CARGO_MANIFEST_DIR"), "/models/ner.bin").to_owned())
    });

    let dev = load(&format!("{dir}/dev.jsonl.gz"))?;
    let mut test = load(&format!("{dir}/test.jsonl.gz"))?;
    let (train, heldout): (Vec<Sentence>, Vec<Sentence>) = if dev_only {
        (dev, test)
    } else {
        let second = test.split_off(test.len() / 2);
        (dev.into_iter().chain(test).collect(), second)
    };
    println!(
        "training on {} sentences, reporting on {} held-out sentences ({})",
        train.len(),
        heldout.len(),
        if dev_only {
            "dev → full test"
        } else {
            "dev + test[..2550] → test[2550..]"
        }
    );
    let feat = Featurizer::new();
    let examples: Vec<Example> = train
        .iter()
        .map(|s| Example {
            inputs: feat.inputs(&s.text, &s.offsets),
            gold: s.gold.clone(),
        })
        .collect();
    let mut trainer = Trainer::new();
    let mut order: Vec<usize> = (0..examples.len()).collect();
    let mut seed = 0x2545_f491_4f6c_dd1du64;
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
    let model = NerModel::from_bytes(&bytes)?;
    println!(
        "trained in {:.1} s: {} features, {:.2} MB after pruning |w| < {prune}",
        started.elapsed().as_secs_f64(),
        model.len(),
        bytes.len() as f64 / 1e6
    );
    println!("held-out, strict outer spans on gold tokens:");
    evaluate(&model, &feat, &heldout);
    if let Some(out) = out {
        std::fs::write(&out, &bytes)?;
        println!("wrote {out}");
    }
    Ok(())
}
