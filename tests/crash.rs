//! Crash safety: the binary is killed (SIGKILL) at seeded points of a run, during a first
//! run and during an incremental run; running again must give output byte-identical to
//! runs that were never interrupted. Output files are renamed into place only when a run
//! succeeds, and a changed or new file's earlier lines are always replaced, so a kill at any
//! point leaves a state the next run completes exactly.

use std::fmt::Write as _;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::util::{full_config, TestDir};

/// `n` JSONL documents of varied German sentences, with every 7th an exact copy.
fn corpus(n: usize, tag: &str) -> String {
    const WORDS: &[&str] = &[
        "Der",
        "Stadtrat",
        "beschloss",
        "am",
        "Montag",
        "neue",
        "Regeln",
        "für",
        "den",
        "Verkehr",
        "in",
        "der",
        "Innenstadt",
        "und",
        "die",
        "Opposition",
        "kritisierte",
        "hohe",
        "Kosten",
        "Bürger",
        "fordern",
        "mehr",
        "Radwege",
        "Busse",
        "sollen",
        "häufiger",
        "fahren",
    ];
    let mut state = 0x9e37_79b9_7f4a_7c15u64 ^ tag.len() as u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut out = String::new();
    let mut texts: Vec<String> = Vec::new();
    for i in 0..n {
        let text = if i % 7 == 6 {
            texts[(next() as usize) % texts.len()].clone()
        } else {
            let mut paragraphs = Vec::new();
            for _ in 0..3 {
                let words: Vec<&str> = (0..40)
                    .map(|_| WORDS[(next() as usize) % WORDS.len()])
                    .collect();
                paragraphs.push(format!("{}.", words.join(" ")));
            }
            paragraphs.join("\n\n")
        };
        texts.push(text.clone());
        let _ = writeln!(
            out,
            "{}",
            serde_json::json!({"id": format!("{tag}{i}"), "text": text})
        );
    }
    out
}

fn hash_output(dir: &TestDir) -> (Vec<u8>, Vec<u8>) {
    (
        std::fs::read(dir.path().join("out/documents.jsonl")).unwrap(),
        std::fs::read(dir.path().join("out/rejected.jsonl")).unwrap(),
    )
}

/// Starts a run and kills it after `after`; returns whether it was still running then.
fn run_and_kill(dir: &TestDir, after: Duration) -> bool {
    let mut child = Command::new(env!("CARGO_BIN_EXE_pipeline"))
        .args(["run", "pipeline.toml", "--progress", "off", "-q"])
        .current_dir(dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(after);
    let running = child.try_wait().unwrap().is_none();
    let _ = child.kill();
    let _ = child.wait();
    running
}

fn setup(dir: &TestDir, first: &str) {
    dir.write("in/a.jsonl", first);
    dir.write("pipeline.toml", full_config(&["in"], "batch_size = 16"));
}

#[test]
fn a_killed_run_completes_to_the_same_bytes_when_run_again() {
    let (first, second) = (corpus(1500, "a"), corpus(700, "b"));

    // The reference: runs that are never interrupted, and how long each takes.
    let reference = TestDir::new();
    setup(&reference, &first);
    let started = Instant::now();
    reference.pipeline_ok(&["run", "pipeline.toml", "--progress", "off"]);
    let first_run = started.elapsed();
    let after_first = hash_output(&reference);
    reference.write("in/b.jsonl", &second);
    let started = Instant::now();
    reference.pipeline_ok(&["run", "pipeline.toml", "--progress", "off"]);
    let second_run = started.elapsed();
    let after_second = hash_output(&reference);

    let mut state = 20251121u64;
    let mut fraction = move || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut killed_while_running = 0;
    for point in 0..10 {
        let dir = TestDir::new();
        setup(&dir, &first);
        let incremental = point % 2 == 1;
        if incremental {
            dir.pipeline_ok(&["run", "pipeline.toml", "--progress", "off"]);
            dir.write("in/b.jsonl", &second);
        }
        let span = if incremental { second_run } else { first_run };
        let after = span.mul_f64(0.05 + 0.9 * fraction());
        killed_while_running += usize::from(run_and_kill(&dir, after));
        dir.pipeline_ok(&["run", "pipeline.toml", "--progress", "off"]);
        let expected = if incremental {
            &after_second
        } else {
            &after_first
        };
        assert!(
            hash_output(&dir) == *expected,
            "point {point}: killed after {after:?} of a {} run, the run after it differs",
            if incremental { "incremental" } else { "first" }
        );
    }
    assert!(
        killed_while_running >= 5,
        "only {killed_while_running} of 10 kills hit a running pipeline"
    );
}
