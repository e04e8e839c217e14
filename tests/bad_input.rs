//! Bad input: every unreadable file or record becomes one line of `rejected.jsonl` with a
//! reason a person can act on, and the run goes on.

use std::io::Write;

use crate::schema::check_output;
use crate::util::{full_config, stderr, TestDir};

const ARTICLE: &str = "Die Stadtverwaltung hat am Dienstag neue Pläne für den Ausbau des \
Radwegenetzes vorgestellt. Bis zum Jahr 2030 sollen mehr als hundert Kilometer neue Wege entstehen, \
wie die Bürgermeisterin bei einer Pressekonferenz im Rathaus erklärte.";

#[test]
fn every_bad_file_and_record_is_rejected_once_with_a_reason() {
    let dir = TestDir::new();
    dir.write("in/good.txt", ARTICLE);
    dir.write("in/latin1.txt", b"Gespr\xe4che \xfcber die Zukunft der Stadt wurden am Montag in der Stadthalle gef\xfchrt, und alle Parteien nahmen teil.");
    dir.write(
        "in/binary.txt",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00",
    );
    dir.write("in/empty.txt", "");
    let records = format!(
        "{{\"id\": \"r1\", \"text\": \"{ARTICLE}\"}}\n{{not json\n{{\"id\": \"r3\", \"body\": \"no text field\"}}\n\n{{\"id\": \"r5\", \"text\": \"Ein anderer Artikel: Die Feuerwehr rückte am Abend zu einem Brand in einer Lagerhalle aus, verletzt wurde niemand.\"}}\n"
    );
    dir.write("in/records.jsonl", &records);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    for i in 0..300 {
        writeln!(gz, "{{\"id\": \"gz{i}\", \"text\": \"Meldung Nummer {i}: Der Gemeinderat tagt heute zum {i}. Mal in diesem Jahr über den Haushalt.\"}}").unwrap();
    }
    let packed = gz.finish().unwrap();
    dir.write("in/truncated.jsonl.gz", &packed[..packed.len() * 2 / 3]);
    dir.write("pipeline.toml", full_config(&["in"], "") + "");
    let output = dir.pipeline_ok(&["run", "pipeline.toml", "--progress", "off"]);
    let (documents, rejected) = check_output(&dir);

    let reason_of = |id: &str| -> String {
        rejected
            .iter()
            .find(|r| r["id"] == id)
            .map(|r| r["reason"].as_str().unwrap().to_owned())
            .unwrap_or_else(|| panic!("{id} is rejected; rejected: {rejected:#?}"))
    };
    assert_eq!(reason_of("binary"), "read_binary");
    assert_eq!(reason_of("empty"), "read_empty");
    assert_eq!(reason_of("records#2"), "read_invalid_json");
    assert_eq!(reason_of("r3"), "read_missing_text");
    let truncated: Vec<_> = rejected
        .iter()
        .filter(|r| r["reason"] == "read_truncated")
        .collect();
    assert_eq!(truncated.len(), 1, "{rejected:#?}");
    assert!(truncated[0]["source"]["path"]
        .as_str()
        .unwrap()
        .ends_with("truncated.jsonl.gz"));
    for r in &rejected {
        if r["stage"] == "read" {
            assert!(
                r["source"]["path"].as_str().unwrap().starts_with("in/"),
                "{r}"
            );
        }
    }

    let ids: Vec<&str> = documents
        .iter()
        .map(|d| d["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"good") && ids.contains(&"r5"), "{ids:?}");
    let latin1 = documents
        .iter()
        .find(|d| d["id"] == "latin1")
        .expect("latin1 is kept");
    assert!(latin1["text"]
        .as_str()
        .unwrap()
        .starts_with("Gespräche über"));
    assert!(latin1["source"]["encoding"]
        .as_str()
        .unwrap()
        .starts_with("windows-1252"));
    let gz_kept = ids.iter().filter(|id| id.starts_with("gz")).count();
    assert!(
        gz_kept > 50,
        "records before the truncation are kept ({gz_kept})"
    );

    let report = dir.read_json("out/report.json");
    let input_items = report["conservation"]["input_items"].as_u64().unwrap();
    assert_eq!(input_items, (documents.len() + rejected.len()) as u64);
    assert!(report["conservation"]["ok"].as_bool().unwrap());
    assert!(
        stderr(&output).contains("read.read_binary"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn over_the_error_budget_the_output_is_written_and_the_exit_code_is_2() {
    let dir = TestDir::new();
    dir.write("in/a.txt", ARTICLE);
    dir.write("in/b.txt", b"\x00\x01binary");
    dir.write("pipeline.toml", full_config(&["in"], "error_budget = 0.4"));
    let output = dir.pipeline(&["run", "pipeline.toml", "--progress", "off"]);
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(
        err.contains(
            "1 of 2 inputs (50.0%) could not be read or processed, over the error budget of 40.0%"
        ),
        "{err}"
    );
    let (documents, rejected) = check_output(&dir);
    assert_eq!((documents.len(), rejected.len()), (1, 1));
    assert_eq!(
        dir.read_json("out/report.json")["error_budget"]["exceeded"],
        true
    );

    dir.write("pipeline.toml", full_config(&["in"], "error_budget = 0.5"));
    dir.pipeline_ok(&["run", "pipeline.toml", "--progress", "off", "--full"]);
}

#[test]
fn an_oversized_file_is_rejected_with_the_setting_to_change() {
    let dir = TestDir::new();
    dir.write("in/big.txt", ARTICLE.repeat(50));
    dir.write("in/small.txt", ARTICLE);
    dir.write(
        "in/more.txt",
        ARTICLE.replace("Radwegenetzes", "Straßennetzes"),
    );
    let config =
        full_config(&["in"], "").replace("[source]\n", "[source]\nmax_file_bytes = 4096\n");
    dir.write("pipeline.toml", config);
    let config = std::fs::read_to_string(dir.path().join("pipeline.toml")).unwrap();
    dir.write(
        "pipeline.toml",
        config.replace("[pipeline]\n", "[pipeline]\nerror_budget = 0.5\n"),
    );
    dir.pipeline_ok(&["run", "pipeline.toml", "--progress", "off"]);
    let (documents, rejected) = check_output(&dir);
    assert_eq!(documents.len(), 2);
    assert_eq!(rejected[0]["reason"], "read_too_large");
    assert!(rejected[0]["detail"]
        .as_str()
        .unwrap()
        .contains("max_file_bytes"));
}

#[test]
fn a_full_disk_fails_clearly_and_leaves_earlier_output_alone() {
    let dir = TestDir::new();
    dir.copy_seeds_and_config();
    let mut big = String::new();
    for i in 0..400 {
        let text =
            format!("Der Stadtrat beschloss am Montag neue Regeln für den Verkehr, Nummer {i}. ")
                .repeat(20);
        big.push_str(&serde_json::json!({"id": format!("x{i}"), "text": text}).to_string());
        big.push('\n');
    }
    dir.write("big.jsonl", big);
    std::fs::create_dir(dir.path().join("out")).unwrap();
    // A 400 KB file system for out/, mounted in a private mount namespace (no root needed,
    // nothing stays mounted): the seeds fit, the seeds plus big.jsonl do not.
    let script = r#"
        mount -t tmpfs -o size=400k tmpfs out || exit 90
        "$PIPELINE" run pipeline.toml --progress off -q || exit 91
        cp out/documents.jsonl before.jsonl
        "$PIPELINE" run pipeline.toml --progress off -q --input seeds --input big.jsonl 2> err.txt
        echo $? > code.txt
        cp out/documents.jsonl after.jsonl
        ls -a out > listing.txt
    "#;
    let status = std::process::Command::new("unshare")
        .args(["--user", "--map-root-user", "--mount", "sh", "-c", script])
        .env("PIPELINE", env!("CARGO_BIN_EXE_pipeline"))
        .current_dir(dir.path())
        .status()
        .expect("unshare (util-linux) runs");
    assert!(
        status.success(),
        "the setup in the mount namespace failed: {status:?}"
    );
    let read = |name: &str| std::fs::read_to_string(dir.path().join(name)).unwrap();
    assert_eq!(read("code.txt").trim(), "2");
    let err = read("err.txt");
    assert!(
        err.contains("out/.documents.jsonl.partial`: No space left on device"),
        "{err}"
    );
    assert_eq!(
        err.matches("No space left").count(),
        1,
        "the cause is said once: {err}"
    );
    assert!(
        read("before.jsonl") == read("after.jsonl"),
        "the earlier output is left as it was"
    );
    assert!(
        !read("listing.txt").contains(".partial"),
        "nothing half-written stays: {}",
        read("listing.txt")
    );
}

/// The faults of the reliability suite in one corpus: every valid record comes out, every
/// bad one is rejected once with its file, line or byte offset and reason, and the counts
/// reconcile.
#[test]
fn a_corpus_with_every_kind_of_fault_reconciles() {
    let dir = TestDir::new();
    let valid = |i: usize| {
        serde_json::json!({"id": format!("ok{i}"), "text": ARTICLE.replace("2030", &format!("{}", 2030 + i))})
            .to_string()
    };
    let mut corpus: Vec<u8> = Vec::new();
    let mut bad = Vec::new(); // (line, reason)
    let mut line = 0;
    let mut push = |corpus: &mut Vec<u8>, bytes: &[u8]| {
        corpus.extend_from_slice(bytes);
        corpus.push(b'\n');
        line += 1;
        line
    };
    for i in 0..40 {
        push(&mut corpus, valid(i).as_bytes());
        match i % 8 {
            0 => bad.push((push(&mut corpus, b"{\"id\": \"broken"), "read_invalid_json")),
            1 => {
                push(&mut corpus, b"");
            }
            2 => bad.push((
                push(
                    &mut corpus,
                    b"{\"id\": \"u\", \"text\": \"caf\xc3\x28 \xff\xfe\"}",
                ),
                "read_invalid_utf8",
            )),
            3 => bad.push((
                push(&mut corpus, b"{\"id\": \"e\", \"text\": \"\"}"),
                "read_empty",
            )),
            4 => bad.push((
                push(&mut corpus, b"{\"id\": \"t\", \"text\": 5}"),
                "read_missing_text",
            )),
            5 => bad.push((
                push(&mut corpus, b"[\"not\", \"an object\"]"),
                "read_invalid_json",
            )),
            _ => {}
        }
    }
    dir.write("in/corpus.jsonl", &corpus);
    // One 50 MB document: well-formed, under the default record limit, so it is read.
    let huge = ARTICLE.repeat(50_000_000 / ARTICLE.len() + 1);
    dir.write(
        "in/huge.jsonl",
        serde_json::json!({"id": "huge", "text": huge}).to_string(),
    );
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    for i in 100..400 {
        writeln!(gz, "{}", valid(i)).unwrap();
    }
    let packed = gz.finish().unwrap();
    dir.write("in/truncated.jsonl.gz", &packed[..packed.len() / 2]);
    dir.write(
        "in/binary.txt",
        b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00",
    );
    std::os::unix::fs::symlink("gone.txt", dir.path().join("in/unreadable.txt")).unwrap();
    dir.write(
        "pipeline.toml",
        "[pipeline]\nerror_budget = 0.5\n[source]\npaths = [\"in\"]\n[[stages]]\ntype = \"detect_language\"\n[sink]\npath = \"out\"\n",
    );
    dir.pipeline_ok(&["run", "pipeline.toml", "--progress", "off"]);
    // Read as plain JSONL: the contract checks want every stage, and this corpus runs one.
    let (documents, rejected) = (
        dir.read_jsonl("out/documents.jsonl"),
        dir.read_jsonl("out/rejected.jsonl"),
    );

    let report = dir.read_json("out/report.json");
    assert!(report["conservation"]["ok"].as_bool().unwrap(), "{report}");
    assert_eq!(
        report["conservation"]["input_items"].as_u64().unwrap(),
        (documents.len() + rejected.len()) as u64
    );
    let ids: std::collections::HashSet<&str> = documents
        .iter()
        .map(|d| d["id"].as_str().unwrap())
        .collect();
    for i in 0..40 {
        assert!(ids.contains(format!("ok{i}").as_str()), "ok{i} is kept");
    }
    let huge_doc = documents
        .iter()
        .find(|d| d["id"] == "huge")
        .expect("the 50 MB document is kept");
    assert_eq!(huge_doc["text"].as_str().unwrap().len(), huge.len());
    let from_gz = ids
        .iter()
        .filter(|id| id.starts_with("ok") && id.len() == 5)
        .count();
    assert!(
        from_gz > 50,
        "records before the cut of the .gz are kept ({from_gz})"
    );

    let in_corpus: Vec<(u64, &str)> = rejected
        .iter()
        .filter(|r| r["source"]["path"] == "in/corpus.jsonl")
        .map(|r| {
            (
                r["source"]["record"].as_u64().unwrap(),
                r["reason"].as_str().unwrap(),
            )
        })
        .collect();
    let expected: Vec<(u64, &str)> = bad
        .iter()
        .map(|&(line, reason)| (line as u64, reason))
        .collect();
    assert_eq!(
        in_corpus, expected,
        "each bad line once, with its line number and reason"
    );
    let reason_of = |path: &str| -> Vec<&str> {
        rejected
            .iter()
            .filter(|r| r["source"]["path"] == path)
            .map(|r| r["reason"].as_str().unwrap())
            .collect()
    };
    assert_eq!(reason_of("in/truncated.jsonl.gz"), vec!["read_truncated"]);
    assert_eq!(reason_of("in/binary.txt"), vec!["read_binary"]);
    assert_eq!(reason_of("in/unreadable.txt").len(), 1, "{rejected:#?}");
    for r in &rejected {
        assert!(!r["detail"].as_str().unwrap().is_empty(), "{r}");
    }
}
