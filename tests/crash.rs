//! Crash safety: the binary is killed (SIGKILL) at seeded points of a run, during a first
//! run and during an incremental run; running again must give output byte-identical to
//! runs that were never interrupted. Output files are renamed into place only when a run
//! succeeds; in between, checkpoints record how far the temporary output is complete, and
//! the run after a kill resumes from the last one (inside a file, after its last written
//! record) instead of starting again.

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

/// When a run is killed: after a time, or once its temporary output holds a number of
/// bytes (which does not depend on how loaded the machine is).
#[derive(Debug, Clone, Copy)]
enum Kill {
    After(Duration),
    AtOutput(u64),
}

/// Starts a run and kills it at `kill`; returns whether it was still running then.
fn run_and_kill(dir: &TestDir, kill: Kill) -> bool {
    let mut child = Command::new(env!("CARGO_BIN_EXE_pipeline"))
        .args(["run", "pipeline.toml", "--progress", "off", "-q"])
        .current_dir(dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let partial = dir.path().join("out/.documents.jsonl.partial");
    let started = Instant::now();
    let running = loop {
        if child.try_wait().unwrap().is_some() {
            break false;
        }
        let due = match kill {
            Kill::After(after) => started.elapsed() >= after,
            Kill::AtOutput(bytes) => std::fs::metadata(&partial).map_or(0, |m| m.len()) >= bytes,
        };
        if due {
            break true;
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    let _ = child.kill();
    let _ = child.wait();
    running
}

fn setup(dir: &TestDir, first: &str) {
    dir.write("in/a.jsonl", first);
    for (name, text) in [
        (
            "in/c1.txt",
            "Der Stadtrat tagte am Montag.\n\nEr beschloss neue Regeln für den Verkehr.",
        ),
        (
            "in/c2.txt",
            "Die Opposition kritisierte am Dienstag die hohen Kosten der Radwege.",
        ),
        (
            "in/c3.txt",
            "Der Stadtrat tagte am Montag.\n\nEr beschloss neue Regeln für den Verkehr.",
        ),
    ] {
        dir.write(name, text);
    }
    dir.write(
        "pipeline.toml",
        full_config(&["in"], "batch_size = 16\ncheckpoint_seconds = 0"),
    );
}

/// The report of the last run in `dir`.
fn report(dir: &TestDir) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(dir.path().join("out/report.json")).unwrap())
        .unwrap()
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
    let mut resumed = 0;
    for point in 0..10 {
        let dir = TestDir::new();
        setup(&dir, &first);
        let incremental = point % 2 == 1;
        if incremental {
            dir.pipeline_ok(&["run", "pipeline.toml", "--progress", "off"]);
            dir.write("in/b.jsonl", &second);
        }
        // Every fourth kill comes early, by time (start-up, models, carrying over earlier
        // output); the others once a seeded share of the run's new output is written.
        let span = if incremental { second_run } else { first_run };
        let (start, end) = if incremental {
            (after_first.0.len() as u64, after_second.0.len() as u64)
        } else {
            (0, after_first.0.len() as u64)
        };
        let share = fraction();
        let at = |share: f64| Kill::AtOutput(start + ((end - start) as f64 * share) as u64);
        let kill = if point % 4 == 0 {
            Kill::After(span.mul_f64(0.3 * share))
        } else {
            at(0.05 + 0.9 * share)
        };
        killed_while_running += usize::from(run_and_kill(&dir, kill));
        if point % 3 == 2 {
            // Killed again while resuming: the next run goes on from the later checkpoint.
            run_and_kill(&dir, at(0.5 + 0.45 * share));
        }
        dir.pipeline_ok(&["run", "pipeline.toml", "--progress", "off"]);
        let report = report(&dir);
        if report["mode"] == "resumed" {
            resumed += 1;
            // Only what the checkpoint did not cover was read again.
            let read = report["stages"][0]["docs_in"].as_u64().unwrap();
            let carried = report["output"]["carried_documents"].as_u64().unwrap()
                + report["output"]["carried_rejected"].as_u64().unwrap();
            assert!(carried > 0, "point {point}: {report}");
            let total = if incremental {
                1500 + 700 + 3
            } else {
                1500 + 3
            };
            assert_eq!(read + carried, total, "point {point}: {report}");
        }
        assert!(
            !dir.path().join("out/.documents.jsonl.resume").exists(),
            "point {point}: the resumed-from files are removed after the run"
        );
        let expected = if incremental {
            &after_second
        } else {
            &after_first
        };
        assert!(
            hash_output(&dir) == *expected,
            "point {point}: killed at {kill:?} of a {} run, the run after it differs",
            if incremental { "incremental" } else { "first" }
        );
    }
    assert!(
        killed_while_running >= 8,
        "only {killed_while_running} of 10 kills hit a running pipeline"
    );
    assert!(
        resumed >= 3,
        "only {resumed} of 10 runs after a kill resumed from a checkpoint"
    );
}

/// Starts a run and kills it once its output is under way (checkpoints taken).
fn kill_after_a_checkpoint(dir: &TestDir) {
    assert!(
        run_and_kill(dir, Kill::AtOutput(150_000)),
        "the run ended before it was killed"
    );
}

#[test]
fn a_file_changed_after_the_kill_is_read_again_and_another_config_starts_afresh() {
    let (first, more) = (corpus(1500, "a"), corpus(300, "m"));

    // The file being read grows after the kill: its written records are dropped and it is
    // read again whole, as in an uninterrupted run over the new file.
    let dir = TestDir::new();
    setup(&dir, &first);
    kill_after_a_checkpoint(&dir);
    dir.write("in/a.jsonl", format!("{first}{more}"));
    dir.pipeline_ok(&["run", "pipeline.toml", "--progress", "off"]);
    let run_report = report(&dir);
    assert_eq!(run_report["mode"], "resumed", "{run_report}");
    assert_eq!(
        run_report["resumed"]["file"],
        serde_json::Value::Null,
        "{run_report}"
    );
    let reference = TestDir::new();
    setup(&reference, &format!("{first}{more}"));
    reference.pipeline_ok(&["run", "pipeline.toml", "--progress", "off"]);
    assert!(hash_output(&dir) == hash_output(&reference));

    // A checkpoint of another config is not used, and the report says why.
    let dir = TestDir::new();
    setup(&dir, &first);
    kill_after_a_checkpoint(&dir);
    dir.write(
        "pipeline.toml",
        full_config(&["in"], "batch_size = 32\ncheckpoint_seconds = 0"),
    );
    dir.pipeline_ok(&["run", "pipeline.toml", "--progress", "off"]);
    let run_report = report(&dir);
    assert_eq!(run_report["mode"], "full", "{run_report}");
    assert!(
        run_report["resume_refused"]
            .as_str()
            .is_some_and(|why| why.contains("config changed")),
        "{run_report}"
    );
    let reference = TestDir::new();
    setup(&reference, &first);
    reference.write(
        "pipeline.toml",
        full_config(&["in"], "batch_size = 32\ncheckpoint_seconds = 0"),
    );
    reference.pipeline_ok(&["run", "pipeline.toml", "--progress", "off"]);
    assert!(hash_output(&dir) == hash_output(&reference));
}
