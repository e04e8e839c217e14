//! Cleans text files and prints what was kept and removed, or times the stage.
//!
//! ```text
//! cargo run -p pipeline-clean --example clean_files -- seeds/*.txt
//! cargo run --release -p pipeline-clean --example clean_files -- --bench 50 seeds/*.txt
//! ```

use std::time::Instant;

use pipeline_clean::CleanConfig;
use pipeline_core::{keys, BuildContext, Document, StageConfig, Verdict};

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let bench_mb = match args.iter().position(|a| a == "--bench") {
        Some(i) => {
            let mb: usize = args[i + 1].parse().expect("--bench takes megabytes");
            args.drain(i..=i + 1);
            Some(mb)
        }
        None => None,
    };
    let texts: Vec<(String, String)> = args
        .iter()
        .map(|p| {
            (
                p.clone(),
                std::fs::read_to_string(p).expect("readable file"),
            )
        })
        .collect();
    let mut stage = CleanConfig::default()
        .build(&BuildContext::default())
        .expect("default config builds");

    if let Some(mb) = bench_mb {
        let target = mb * 1_000_000;
        let (mut bytes, mut docs, mut i) = (0usize, 0usize, 0usize);
        let start = Instant::now();
        while bytes < target {
            let (_, text) = &texts[i % texts.len()];
            bytes += text.len();
            docs += 1;
            i += 1;
            let _ = stage.process(Document::new(format!("d{i}"), text.clone()));
        }
        let secs = start.elapsed().as_secs_f64();
        eprintln!(
            "{docs} documents, {:.1} MB in {secs:.2} s: {:.1} MB/s, {:.0} docs/s",
            bytes as f64 / 1e6,
            bytes as f64 / 1e6 / secs,
            docs as f64 / secs
        );
        return;
    }

    for (path, text) in texts {
        println!("==================== {path}");
        let doc = match stage
            .process(Document::new(path.clone(), text))
            .expect("no error")
        {
            Verdict::Keep(doc) => doc,
            Verdict::Drop(d) => {
                println!("DROPPED {}: {}", d.reason, d.detail);
                d.doc
            }
        };
        for key in [
            keys::CLEAN_TITLE,
            keys::CLEAN_PUBLISHED,
            keys::CLEAN_METADATA,
        ] {
            if let Some(v) = doc.annotations.get(key) {
                println!("{key}: {v}");
            }
        }
        println!("--- removed");
        if let Some(serde_json::Value::Array(removed)) = doc.annotations.get(keys::CLEAN_REMOVED) {
            for r in removed {
                let text: String = r["text"].as_str().unwrap_or("").chars().take(90).collect();
                println!(
                    "{:>3} {:<15} {:<5} {text}",
                    r["line"],
                    r["reason"].as_str().unwrap_or(""),
                    r.get("score").map(|s| s.to_string()).unwrap_or_default()
                );
            }
        }
        println!("--- kept");
        for p in doc.text.split("\n\n") {
            let p: String = p.chars().take(100).collect();
            println!("  {p}");
        }
        println!("--- quality: {}", doc.annotations[keys::CLEAN_QUALITY]);
    }
}
