//! Larger generated corpora through the binary: worker counts do not change the output,
//! duplicates are found at known rates, and nothing is lost.

use std::fmt::Write as _;

use crate::schema::check_output;
use crate::util::{full_config, repo_root, TestDir};

/// Paragraphs of the seeds, the raw material of generated documents.
fn seed_paragraphs() -> Vec<String> {
    let mut paragraphs = Vec::new();
    for entry in std::fs::read_dir(repo_root().join("seeds")).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        paragraphs.extend(
            text.lines()
                .map(str::trim)
                .filter(|l| l.split_whitespace().count() >= 20)
                .map(str::to_owned),
        );
    }
    paragraphs.sort();
    paragraphs
}

/// `n` JSONL documents of 3 to 6 seed paragraphs each, chosen by a fixed pseudo-random
/// sequence, with every 10th document an exact copy of an earlier one.
fn generate(n: usize) -> (String, usize) {
    let paragraphs = seed_paragraphs();
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut texts: Vec<String> = Vec::new();
    let mut copies = 0;
    let mut out = String::new();
    for i in 0..n {
        let text = if i % 10 == 9 {
            copies += 1;
            texts[(next() as usize) % texts.len()].clone()
        } else {
            let count = 3 + (next() % 4) as usize;
            let mut chosen: Vec<String> = (0..count)
                .map(|_| paragraphs[(next() as usize) % paragraphs.len()].clone())
                .collect();
            chosen.push(format!("Laufende Nummer {i} dieser Meldung im Testkorpus."));
            chosen.join("\n\n")
        };
        texts.push(text.clone());
        let _ = writeln!(
            out,
            "{}",
            serde_json::json!({"id": format!("g{i:05}"), "text": text})
        );
    }
    (out, copies)
}

fn config_with_workers(workers: usize) -> String {
    full_config(&["corpus.jsonl"], "batch_size = 16\nchannel_capacity = 2")
        .replace(
            "type = \"clean\"",
            &format!("type = \"clean\"\nworkers = {workers}"),
        )
        .replace(
            "type = \"detect_language\"",
            &format!("type = \"detect_language\"\nworkers = {workers}"),
        )
        .replace(
            "type = \"annotate\"",
            &format!("type = \"annotate\"\nworkers = {workers}"),
        )
}

/// Runs `config` over `corpus` in a new folder; returns the folder and the bytes of
/// `documents.jsonl` and `rejected.jsonl`.
fn run(corpus: &str, config: String) -> (TestDir, (Vec<u8>, Vec<u8>)) {
    let dir = TestDir::new();
    dir.write("corpus.jsonl", corpus);
    dir.write("pipeline.toml", config);
    dir.pipeline_ok(&["run", "pipeline.toml", "--progress", "off"]);
    let bytes = |name: &str| std::fs::read(dir.path().join("out").join(name)).unwrap();
    let output = (bytes("documents.jsonl"), bytes("rejected.jsonl"));
    (dir, output)
}

#[test]
fn output_is_identical_for_one_and_three_workers_and_copies_are_rejected() {
    let (corpus, copies) = generate(600);
    let mut outputs = Vec::new();
    for workers in [1, 3] {
        let (dir, output) = run(&corpus, config_with_workers(workers));
        let (documents, rejected) = check_output(&dir);
        assert_eq!(documents.len() + rejected.len(), 600);
        let exact = rejected
            .iter()
            .filter(|r| r["reason"] == "dedup_exact_duplicate")
            .count();
        assert_eq!(
            exact, copies,
            "every planted copy is found, and nothing else is exact"
        );
        let report = dir.read_json("out/report.json");
        assert!(report["conservation"]["ok"].as_bool().unwrap());
        outputs.push(output);
    }
    assert!(
        outputs[0] == outputs[1],
        "1 and 3 workers write byte-identical output"
    );
}

#[test]
fn a_dedup_index_spilled_to_disk_gives_the_same_output_and_leaves_no_spill_files() {
    let (corpus, copies) = generate(3000);
    let mut outputs = Vec::new();
    // `0` keeps the whole index in memory; at 1 MB, shingle sets, band, passage and exact
    // entries, ids and records of 3000 documents all outgrow their share.
    for spill_after_mb in [0, 1] {
        let config = full_config(&["corpus.jsonl"], "")
            .replace(
                "type = \"dedupe\"",
                &format!("type = \"dedupe\"\nspill_after_mb = {spill_after_mb}"),
            )
            .replace("[[stages]]\ntype = \"annotate\"\n\n", "");
        let (dir, output) = run(&corpus, config);
        // Without the annotate stage, so not `check_output`, which wants its annotations.
        let documents = dir.read_jsonl("out/documents.jsonl");
        let rejected = dir.read_jsonl("out/rejected.jsonl");
        assert_eq!(documents.len() + rejected.len(), 3000);
        // A copy of a document dropped as a near duplicate is a near duplicate itself.
        let duplicates = rejected
            .iter()
            .filter(|r| r["reason"].as_str().unwrap().starts_with("dedup_"))
            .count();
        assert!(duplicates >= copies, "{duplicates} < {copies}");
        let mut left: Vec<String> = std::fs::read_dir(dir.path().join("out/state/dedupe"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(left, ["index.redb"], "spill_after_mb = {spill_after_mb}");
        outputs.push(output);
    }
    assert!(outputs[0] == outputs[1], "spilling changes no byte");
}
