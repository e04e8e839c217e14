//! `pipeline stream`: JSONL documents on stdin, output documents on stdout in input order,
//! rejections and the report to files; a reader that goes away ends the run quietly.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

use crate::schema::check_document;
use crate::util::{repo_root, TestDir};

/// The seeds as JSONL records, `copies` times (ids made unique).
fn seeds_jsonl(copies: usize) -> String {
    let mut files: Vec<_> = std::fs::read_dir(repo_root().join("seeds"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let mut out = String::new();
    for copy in 0..copies {
        for path in &files {
            let id = format!("{}-{copy}", path.file_stem().unwrap().to_string_lossy());
            let text = std::fs::read_to_string(path).unwrap();
            out.push_str(&serde_json::json!({"id": id, "text": text}).to_string());
            out.push('\n');
        }
    }
    out
}

fn spawn_stream(dir: &TestDir, args: &[&str]) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_pipeline"))
        .arg("stream")
        .args(args)
        .current_dir(dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

#[test]
fn stdin_to_stdout_in_order_with_rejections_and_report_in_files() {
    let dir = TestDir::new();
    std::fs::copy(
        repo_root().join("pipeline.toml"),
        dir.path().join("pipeline.toml"),
    )
    .unwrap();
    let mut input = seeds_jsonl(1);
    input.push_str("{broken json\n");
    input.push_str(
        &seeds_jsonl(1)
            .lines()
            .nth(2)
            .unwrap()
            .replace("-0", "-copy"),
    );
    input.push('\n');
    let mut child = spawn_stream(
        &dir,
        &[
            "pipeline.toml",
            "--rejected",
            "r/rejected.jsonl",
            "--report",
            "r/report.json",
        ],
    );
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let documents: Vec<serde_json::Value> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let ids: Vec<&str> = documents
        .iter()
        .map(|d| d["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        vec![
            "000_4cc634fd74ce4d48-0",
            "001_71e4d82f6747df7e-0",
            "002_1a67b9573dd5dde7-0",
            "003_b6e55cbff507565a-0",
            "004_c9c43821286cbbc7-0"
        ]
    );
    for doc in &documents {
        let problems = check_document(doc);
        assert!(problems.is_empty(), "{problems:?}");
    }
    let rejected = dir.read_jsonl("r/rejected.jsonl");
    let reasons: Vec<&str> = rejected
        .iter()
        .map(|r| r["reason"].as_str().unwrap())
        .collect();
    assert_eq!(reasons, vec!["read_invalid_json", "dedup_exact_duplicate"]);
    assert_eq!(rejected[0]["id"], "stdin#6");
    let report = dir.read_json("r/report.json");
    assert_eq!(report["mode"], "stream");
    assert_eq!(report["conservation"]["ok"], true);
    assert_eq!(report["conservation"]["input_items"], 7);
}

#[test]
fn a_reader_that_stops_early_ends_the_run_quietly() {
    let dir = TestDir::new();
    dir.write("clean-only.toml", "[[stages]]\ntype = \"clean\"\n");
    let mut child = spawn_stream(&dir, &["clean-only.toml", "-q"]);
    let mut stdin = child.stdin.take().unwrap();
    let input = seeds_jsonl(60);
    let writer = std::thread::spawn(move || {
        // The pipeline may stop reading once its output is gone; a failed write is expected.
        let _ = stdin.write_all(input.as_bytes());
    });
    let mut first = String::new();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    stdout.read_line(&mut first).unwrap();
    assert!(first.starts_with("{\"schema_version\":1"), "{first}");
    drop(stdout);
    let status = child.wait().unwrap();
    writer.join().unwrap();
    assert_eq!(
        status.code(),
        Some(0),
        "a closed output pipe is not an error"
    );
}
