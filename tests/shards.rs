//! Several machines: `run --shard i/n`, the dedup phases on files (`pipeline dedup …`) and
//! on streams (`pipeline stream --phase …`), each checked against one whole run.

use std::collections::BTreeMap;
use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::Value;

use crate::util::{full_config, repo_root, stderr, TestDir};

/// The seeds' texts, in file order.
fn seed_texts() -> Vec<String> {
    let mut files: Vec<_> = std::fs::read_dir(repo_root().join("seeds"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect()
}

/// A corpus made from the seeds, deterministically: the seeds, exact copies, copies with
/// words changed, truncated copies, and new documents recombined from seed paragraphs;
/// `files` JSONL files of records `{"id", "text"}`.
fn corpus(dir: &TestDir, files: usize) -> Vec<String> {
    let seeds = seed_texts();
    let paragraphs: Vec<&str> = seeds
        .iter()
        .flat_map(|s| s.lines())
        .filter(|l| l.chars().count() > 80)
        .collect();
    let mut state: u64 = 42;
    let mut next = |n: usize| {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((state >> 33) % n as u64) as usize
    };
    let mut docs: Vec<(String, String)> = seeds
        .iter()
        .enumerate()
        .map(|(i, t)| (format!("seed{i}"), t.clone()))
        .collect();
    for k in 0..48 {
        let base = seeds[next(seeds.len())].clone();
        let text = match k % 4 {
            0 => base,
            1 => {
                let mut words: Vec<&str> = base.split(' ').collect();
                for _ in 0..3 {
                    let at = next(words.len());
                    words[at] = "Wort";
                }
                words.join(" ")
            }
            2 => base.chars().take(base.chars().count() * 4 / 5).collect(),
            _ => (0..6)
                .map(|_| paragraphs[next(paragraphs.len())])
                .collect::<Vec<_>>()
                .join("\n"),
        };
        docs.push((format!("d{k:02}"), text));
    }
    let mut names = Vec::new();
    for f in 0..files {
        let name = format!("in/part{f}.jsonl");
        let mut body = String::new();
        for (id, text) in docs.iter().skip(f).step_by(files) {
            body.push_str(&serde_json::json!({"id": id, "text": text}).to_string());
            body.push('\n');
        }
        dir.write(&name, body);
        names.push(name);
    }
    names
}

fn lines(path: &std::path::Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Records by (id, source path), with `source` left out when `without_source`.
fn by_key(records: Vec<Value>, without_source: bool) -> BTreeMap<(String, String), Value> {
    records
        .into_iter()
        .map(|mut r| {
            let key = (
                r["id"].as_str().unwrap().to_owned(),
                if without_source {
                    String::new()
                } else {
                    r["source"]["path"].as_str().unwrap_or_default().to_owned()
                },
            );
            if without_source {
                r.as_object_mut().unwrap().remove("source");
            }
            (key, r)
        })
        .collect()
}

/// The shard folders under `dir/root`, in shard order.
fn shard_dirs(dir: &TestDir, root: &str) -> Vec<std::path::PathBuf> {
    let mut shards: Vec<_> = std::fs::read_dir(dir.path().join(root))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("shard-")
        })
        .collect();
    shards.sort();
    shards
}

/// Every `name` file of the shard folders under `dir/root`, concatenated.
fn union(dir: &TestDir, root: &str, name: &str) -> Vec<Value> {
    (shard_dirs(dir, root).iter())
        .flat_map(|s| lines(&s.join(name)))
        .collect()
}

/// `documents` (lines of shards' or partitions' `documents.jsonl`, in order) put together as
/// the README says: one file, over which `pipeline link-names` links the persons a
/// document names by a family name alone, as one run does at its end.
fn linked(dir: &TestDir, documents: &[String]) -> Vec<Value> {
    let mut body = documents.join("\n");
    body.push('\n');
    let path = dir.write("put-together/documents.jsonl", body);
    dir.pipeline_ok(&["link-names", path.to_str().unwrap()]);
    lines(&path)
}

/// Every shard's `documents.jsonl` under `dir/root` as lines, in shard order.
fn raw_union(dir: &TestDir, root: &str) -> Vec<String> {
    (shard_dirs(dir, root).iter())
        .flat_map(|s| {
            let text = std::fs::read_to_string(s.join("documents.jsonl")).unwrap_or_default();
            text.lines().map(str::to_owned).collect::<Vec<_>>()
        })
        .collect()
}

fn statuses(docs: &[Value], rejected: &[Value]) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for d in docs {
        let status = d["dedup"]["status"].as_str().unwrap_or("none").to_owned();
        *out.entry(status).or_default() += 1;
        for (field, kind) in [
            ("repeated_spans", "with_repeated_spans"),
            ("removed", "with_removed_passages"),
        ] {
            if d["dedup"][field].as_array().is_some_and(|a| !a.is_empty()) {
                *out.entry(kind.to_owned()).or_default() += 1;
            }
        }
    }
    for r in rejected {
        *out.entry(r["reason"].as_str().unwrap().to_owned())
            .or_default() += 1;
    }
    out
}

/// One whole run of `config` over its inputs into `whole/`, to compare the shards with.
fn run_whole(dir: &TestDir, config: &str) {
    dir.pipeline_ok(&[
        "run",
        config,
        "--output",
        "whole",
        "-q",
        "--progress",
        "off",
    ]);
}

#[test]
fn shards_without_dedupe_together_equal_one_run() {
    let dir = TestDir::new();
    dir.copy_seeds();
    corpus(&dir, 5);
    let config = full_config(&["seeds", "in"], "").replace("[[stages]]\ntype = \"dedupe\"\n\n", "");
    assert!(!config.contains("dedupe"));
    dir.write("nodedup.toml", config);
    run_whole(&dir, "nodedup.toml");
    for i in 0..3 {
        let share = format!("{i}/3");
        dir.pipeline_ok(&[
            "run",
            "nodedup.toml",
            "--shard",
            &share,
            "--output",
            "sharded",
            "-q",
            "--progress",
            "off",
        ]);
        let shard = dir.path().join(format!("sharded/shard-000{i}-of-0003"));
        assert!(shard.join("_SUCCESS").is_file(), "shard {i} is marked done");
        let report: Value =
            serde_json::from_str(&std::fs::read_to_string(shard.join("report.json")).unwrap())
                .unwrap();
        assert_eq!(report["conservation"]["ok"], true);
    }
    let whole = by_key(lines(&dir.path().join("whole/documents.jsonl")), false);
    assert_eq!(whole.len(), 5 + 5 + 48, "nothing is deduplicated");
    eqnice!(
        whole,
        by_key(linked(&dir, &raw_union(&dir, "sharded")), false)
    );
    eqnice!(
        by_key(lines(&dir.path().join("whole/rejected.jsonl")), false),
        by_key(union(&dir, "sharded", "rejected.jsonl"), false)
    );
}

#[test]
fn a_shard_of_a_deduplicating_config_points_to_the_phases() {
    let dir = TestDir::new();
    dir.copy_seeds_and_config();
    let output = dir.pipeline(&["run", "pipeline.toml", "--shard", "0/2"]);
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(err.contains("pipeline dedup signatures"), "{err}");
    let output = dir.pipeline(&["run", "pipeline.toml", "--shard", "2/2"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("0 ≤ i < n"), "{}", stderr(&output));
}

#[test]
fn dedup_phases_on_shards_equal_one_run() {
    phases_equal_one_run(
        &full_config(&["seeds", "in"], ""),
        &[
            "dedup_exact_duplicate",
            "dedup_near_duplicate",
            "with_repeated_spans",
        ],
    );
}

#[test]
fn dedup_phases_equal_one_run_when_repeated_passages_are_removed() {
    let config = "[source]\npaths = [\"seeds\", \"in\"]\n\n[[stages]]\ntype = \"clean\"\n\n\
                  [[stages]]\ntype = \"dedupe\"\nremove_repeated = true\n\n\
                  [[stages]]\ntype = \"detect_language\"\n\n[[stages]]\ntype = \"annotate\"\n\n\
                  [sink]\npath = \"out\"\n";
    phases_equal_one_run(
        config,
        &[
            "dedup_exact_duplicate",
            "dedup_near_duplicate",
            "with_removed_passages",
        ],
    );
}

/// Runs `config` whole and through the file phases on 3 shards and 2 key partitions, checks
/// that the corpus exercises `kinds`, and that both give the same records.
fn phases_equal_one_run(config: &str, kinds: &[&str]) {
    let dir = TestDir::new();
    dir.copy_seeds();
    corpus(&dir, 6);
    dir.write("pipeline.toml", config);
    run_whole(&dir, "pipeline.toml");
    let shards = 3;
    for i in 0..shards {
        let share = format!("{i}/{shards}");
        dir.pipeline_ok(&[
            "dedup",
            "signatures",
            "pipeline.toml",
            "--shard",
            &share,
            "--progress",
            "off",
        ]);
    }
    // The shuffle split over two key partitions, as two machines would run it.
    dir.pipeline_ok(&["dedup", "bands", "pipeline.toml", "--partition", "0/2"]);
    dir.pipeline_ok(&["dedup", "bands", "pipeline.toml", "--partition", "1/2"]);
    let clusters = dir.pipeline_ok(&["dedup", "clusters", "pipeline.toml"]);
    assert!(
        stderr(&clusters).contains("decisions"),
        "{}",
        stderr(&clusters)
    );
    for i in 0..shards {
        let share = format!("{i}/{shards}");
        dir.pipeline_ok(&[
            "dedup",
            "filter",
            "pipeline.toml",
            "--shard",
            &share,
            "--progress",
            "off",
        ]);
        assert!(dir
            .path()
            .join(format!("out/shard-000{i}-of-0003/_SUCCESS"))
            .is_file());
    }
    let whole_docs = lines(&dir.path().join("whole/documents.jsonl"));
    let whole_rejected = lines(&dir.path().join("whole/rejected.jsonl"));
    let found = statuses(&whole_docs, &whole_rejected);
    for kind in kinds {
        assert!(
            found.contains_key(*kind),
            "the corpus exercises {kind}: {found:?}"
        );
    }
    eqnice!(
        by_key(whole_docs, false),
        by_key(linked(&dir, &raw_union(&dir, "out")), false)
    );
    eqnice!(
        by_key(whole_rejected, false),
        by_key(union(&dir, "out", "rejected.jsonl"), false)
    );
}

/// Runs `pipeline stream <args>` with `input` on stdin.
fn stream_output(dir: &TestDir, args: &[&str], input: &[u8]) -> std::process::Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_pipeline"))
        .arg("stream")
        .args(args)
        .current_dir(dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let output = child.wait_with_output().unwrap();
    // A run that fails early may close stdin before it is all written.
    let _ = writer.join().unwrap();
    output
}

/// Runs `pipeline stream <args>` with `input` on stdin and returns stdout; it must succeed.
fn stream(dir: &TestDir, args: &[&str], input: &[u8]) -> Vec<u8> {
    let output = stream_output(dir, args, input);
    assert!(
        output.status.success(),
        "stream {args:?}: {}",
        stderr(&output)
    );
    output.stdout
}

#[test]
fn dedup_phases_on_streamed_partitions_equal_one_run() {
    let dir = TestDir::new();
    let inputs = corpus(&dir, 4);
    dir.write("pipeline.toml", full_config(&["in"], ""));
    run_whole(&dir, "pipeline.toml");
    std::fs::create_dir_all(dir.path().join("pending")).unwrap();
    for (part, input) in inputs.iter().enumerate() {
        let body = std::fs::read(dir.path().join(input)).unwrap();
        let (part, rejected) = (
            part.to_string(),
            format!("rejected-signatures-{part}.jsonl"),
        );
        let pending = stream(
            &dir,
            &[
                "pipeline.toml",
                "--phase",
                "signatures",
                "--part",
                &part,
                "--rejected",
                &rejected,
                "-q",
            ],
            &body,
        );
        dir.write(&format!("pending/part-{part:0>5}"), pending);
    }
    // The shuffle, as an engine does it: group the keys' lines by key.
    let keys = dir.pipeline_ok(&["dedup", "keys", "pipeline.toml", "pending"]);
    let mut groups: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for line in String::from_utf8(keys.stdout).unwrap().lines() {
        let (key, pos) = line.split_once('\t').unwrap();
        groups
            .entry(key.to_owned())
            .or_default()
            .push(pos.to_owned());
    }
    let groups: String = groups
        .into_iter()
        .filter(|(_, docs)| docs.len() > 1)
        .map(|(key, docs)| serde_json::json!({"key": key, "docs": docs}).to_string() + "\n")
        .collect();
    dir.write("groups.jsonl", groups);
    dir.pipeline_ok(&[
        "dedup",
        "clusters",
        "pipeline.toml",
        "--groups",
        "groups.jsonl",
        "--pending",
        "pending",
        "--decisions",
        "decisions.jsonl",
    ]);
    let mut docs = Vec::new();
    let mut rejected = Vec::new();
    for part in 0..inputs.len() {
        let pending = std::fs::read(dir.path().join(format!("pending/part-{part:0>5}"))).unwrap();
        let rejected_file = format!("rejected-{part}.jsonl");
        let out = stream(
            &dir,
            &[
                "pipeline.toml",
                "--phase",
                "filter",
                "--decisions",
                "decisions.jsonl",
                "--rejected",
                &rejected_file,
                "-q",
            ],
            &pending,
        );
        docs.extend(String::from_utf8(out).unwrap().lines().map(str::to_owned));
        rejected.extend(lines(
            &dir.path().join(format!("rejected-signatures-{part}.jsonl")),
        ));
        rejected.extend(lines(&dir.path().join(rejected_file)));
    }
    // The partitions' documents put together, as the Spark driver does.
    let docs = linked(&dir, &docs);
    let whole_docs = lines(&dir.path().join("whole/documents.jsonl"));
    let ids = |d: &[Value]| d.iter().map(|v| v["id"].clone()).collect::<Vec<_>>();
    // Partitions in order give the documents in the whole run's order.
    assert_eq!(ids(&whole_docs), ids(&docs));
    // `source` says where a record came from: a file and line there, stdin here.
    eqnice!(by_key(whole_docs, true), by_key(docs, true));
    eqnice!(
        by_key(lines(&dir.path().join("whole/rejected.jsonl")), true),
        by_key(rejected, true)
    );
}

#[test]
fn the_filter_phase_refuses_documents_that_are_not_pending() {
    let dir = TestDir::new();
    dir.write("pipeline.toml", full_config(&["in"], ""));
    dir.write("decisions.jsonl", "");
    let output = stream_output(
        &dir,
        &[
            "pipeline.toml",
            "--phase",
            "filter",
            "--decisions",
            "decisions.jsonl",
        ],
        b"{\"id\": \"a\", \"text\": \"Ein Text.\"}\n",
    );
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(
        err.contains("not a pending document") || err.contains("no fingerprint"),
        "{err}"
    );
    let output = dir.pipeline(&["stream", "pipeline.toml", "--phase", "filter"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("--decisions"),
        "{}",
        stderr(&output)
    );
}

/// The corpus of [`corpus`] with publication dates that do not follow the input order (and
/// a few undated records), written in the order `order` gives to the records, spread over
/// three files named so that the file order changes too. Returns id → publication date.
fn dated_corpus(
    dir: &TestDir,
    order: impl Fn(usize, usize) -> usize,
    names: [&str; 3],
) -> BTreeMap<String, Option<String>> {
    let scratch = TestDir::new();
    let file = corpus(&scratch, 1).remove(0);
    let mut records: Vec<Value> = lines(&scratch.path().join(file));
    for (i, record) in records.iter_mut().enumerate() {
        if i % 9 != 4 {
            let day = 1 + (i * 7919 + 13) % 28;
            record["published"] = Value::from(format!("2025-03-{day:02}T08:00:00"));
        }
    }
    let dates = records
        .iter()
        .map(|r| {
            let id = r["id"].as_str().unwrap().to_owned();
            (id, r["published"].as_str().map(str::to_owned))
        })
        .collect();
    let n = records.len();
    let mut placed: Vec<(usize, Value)> = records
        .into_iter()
        .enumerate()
        .map(|(i, r)| (order(i, n), r))
        .collect();
    placed.sort_by_key(|(place, _)| *place);
    for (f, name) in names.iter().enumerate() {
        let body: String = placed
            .iter()
            .skip(f)
            .step_by(3)
            .map(|(_, r)| r.to_string() + "\n")
            .collect();
        dir.write(&format!("in/{name}"), body);
    }
    dates
}

const KEEP_EARLIEST: &str = "[source]\npaths = [\"in\"]\n\n[[stages]]\ntype = \"detect_language\"\nworkers = WORKERS\n\n[[stages]]\ntype = \"dedupe\"\nkeep = \"earliest\"\n\n[sink]\npath = \"out\"\n";

/// Runs the keep-earliest config with `workers` language workers; returns the output files'
/// records and the report.
fn run_keeping_earliest(dir: &TestDir, workers: usize) -> (Vec<Value>, Vec<Value>, Value) {
    dir.write(
        "pipeline.toml",
        KEEP_EARLIEST.replace("WORKERS", &workers.to_string()),
    );
    dir.pipeline_ok(&["run", "pipeline.toml", "--progress", "off"]);
    (
        lines(&dir.path().join("out/documents.jsonl")),
        lines(&dir.path().join("out/rejected.jsonl")),
        dir.read_json("out/report.json"),
    )
}

#[test]
fn keep_earliest_gives_the_same_output_for_any_input_order_and_worker_count() {
    let forward = TestDir::new();
    let dates = dated_corpus(&forward, |i, _| i, ["a.jsonl", "b.jsonl", "c.jsonl"]);
    let (docs, rejected, report) = run_keeping_earliest(&forward, 1);
    assert!(
        report["conservation"]["ok"].as_bool().unwrap(),
        "{report:#}"
    );
    assert_eq!(report["mode"], "full");
    assert!(
        report["stages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["name"].as_str().unwrap())
            .eq(["read", "detect_language", "dedupe", "write"]),
        "{report:#}"
    );
    assert_eq!(
        report["conservation"]["input_items"].as_u64(),
        Some((docs.len() + rejected.len()) as u64)
    );
    assert!(
        !forward.path().join("out/state/earliest").exists(),
        "work files removed"
    );

    // Every duplicate repeats a document published no later than itself.
    let rank = |id: &str| (dates[id].is_none(), dates[id].clone(), id.to_owned());
    let mut duplicates = 0;
    for r in &rejected {
        let detail = r["detail"].as_str().unwrap();
        let of = detail
            .split_whitespace()
            .skip_while(|w| *w != "as" && *w != "of")
            .nth(1)
            .unwrap_or_else(|| panic!("{detail}"));
        let id = r["id"].as_str().unwrap();
        assert!(rank(of) < rank(id), "{of} was kept over {id}");
        duplicates += 1;
    }
    assert!(duplicates >= 10, "{duplicates}");

    // Two workers: the same bytes.
    let documents_bytes = std::fs::read(forward.path().join("out/documents.jsonl")).unwrap();
    run_keeping_earliest(&forward, 2);
    assert_eq!(
        std::fs::read(forward.path().join("out/documents.jsonl")).unwrap(),
        documents_bytes
    );

    // Records reversed and spread over files in another order: the same documents kept,
    // with the same annotations, and the same rejections.
    let reversed = TestDir::new();
    dated_corpus(&reversed, |i, n| n - i, ["c.jsonl", "a.jsonl", "b.jsonl"]);
    let (docs_r, rejected_r, _) = run_keeping_earliest(&reversed, 2);
    assert_eq!(by_key(docs.clone(), true), by_key(docs_r, true));
    assert_eq!(by_key(rejected.clone(), true), by_key(rejected_r, true));

    // Kept first in input order instead, the reversed input keeps other documents.
    let first = |dir: &TestDir| {
        let config = KEEP_EARLIEST
            .replace("WORKERS", "1")
            .replace("keep = \"earliest\"", "keep = \"first\"");
        dir.write("pipeline.toml", config);
        dir.pipeline_ok(&["run", "pipeline.toml", "--progress", "off", "--full"]);
        by_key(lines(&dir.path().join("out/documents.jsonl")), true)
    };
    assert_ne!(first(&forward), first(&reversed));
}

#[test]
fn a_stream_cannot_keep_the_earliest_without_the_phases() {
    let dir = TestDir::new();
    dir.write(
        "pipeline.toml",
        KEEP_EARLIEST
            .replace("WORKERS", "1")
            .replace("paths = [\"in\"]", "format = \"jsonl\""),
    );
    let output = stream_output(
        &dir,
        &["pipeline.toml"],
        b"{\"id\": \"a\", \"text\": \"Guten Tag.\"}\n",
    );
    assert_eq!(output.status.code(), Some(2));
    let message = stderr(&output);
    assert!(message.contains("keep = \"earliest\""), "{message}");
    assert!(message.contains("--phase signatures"), "{message}");
}
