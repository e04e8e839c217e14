//! Incremental runs: a run into an output folder that holds an earlier run's output reads
//! only new and changed files, keeps the rest, and every document is there exactly once.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::schema::check_output;
use crate::util::{stderr, TestDir};

fn seeds_dir() -> TestDir {
    let dir = TestDir::new();
    dir.copy_seeds_and_config();
    dir
}

fn run(dir: &TestDir, extra: &[&str]) -> (String, Value) {
    let mut args = vec!["run", "pipeline.toml", "--progress", "off"];
    args.extend_from_slice(extra);
    let output = dir.pipeline_ok(&args);
    (stderr(&output), dir.read_json("out/report.json"))
}

/// Document id → text, failing if an id appears twice.
fn texts(documents: &[Value]) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for doc in documents {
        let id = doc["id"].as_str().unwrap().to_owned();
        let previous = out.insert(id.clone(), doc["text"].as_str().unwrap().to_owned());
        assert!(previous.is_none(), "{id} is in the output twice");
    }
    out
}

const NEW_ARTICLE: &str = "Neue Brücke über den Rhein eröffnet\n\nNach vier Jahren Bauzeit ist die neue \
Rheinbrücke am Samstag für den Verkehr freigegeben worden. Die Verkehrsministerin sprach bei der \
Eröffnung von einem wichtigen Tag für die ganze Region, die lange auf die Verbindung gewartet hat.\n";

#[test]
fn a_second_run_reads_only_the_new_file_and_keeps_every_document_once() {
    let dir = seeds_dir();
    let (_, first) = run(&dir, &[]);
    assert_eq!(first["mode"], "full");
    assert_eq!(first["full_reason"], "no earlier output in this folder");
    let (before, _) = check_output(&dir);

    dir.write("seeds/005_bruecke.txt", NEW_ARTICLE);
    let (summary, second) = run(&dir, &[]);
    assert_eq!(second["mode"], "incremental", "{second:#}");
    assert_eq!(second["files_skipped"], 5);
    assert_eq!(
        second["conservation"]["input_items"], 1,
        "only the new file was read"
    );
    assert_eq!(second["output"]["carried_documents"], 5);
    assert!(
        summary.contains("incremental: 5 of 6 files unchanged and skipped"),
        "{summary}"
    );
    let (after, _) = check_output(&dir);
    let after_texts = texts(&after);
    assert_eq!(after_texts.len(), 6);
    for (id, text) in texts(&before) {
        assert_eq!(after_texts[&id], text, "{id} is carried over unchanged");
    }
    assert!(after_texts["005_bruecke"].starts_with("Nach vier Jahren Bauzeit"));
}

/// The inode of a file of the output folder: a file rewritten and renamed into place gets a
/// new one.
fn inode(dir: &TestDir, name: &str) -> u64 {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(dir.path().join("out").join(name))
        .unwrap()
        .ino()
}

#[test]
fn a_run_that_reads_nothing_leaves_the_output_files_where_they_are() {
    let dir = seeds_dir();
    // A copy, so that there is a rejection too.
    let seed = std::fs::read(dir.path().join("seeds/002_1a67b9573dd5dde7.txt")).unwrap();
    dir.write("seeds/002_copy.txt", seed);
    let (_, first) = run(&dir, &[]);
    assert_eq!(first["output"]["rejected"], 1, "{first:#}");
    let files = ["documents.jsonl", "rejected.jsonl"];
    let inodes: Vec<u64> = files.iter().map(|f| inode(&dir, f)).collect();
    let bytes: Vec<Vec<u8>> = (files.iter())
        .map(|f| std::fs::read(dir.path().join("out").join(f)).unwrap())
        .collect();

    let (summary, again) = run(&dir, &[]);
    assert_eq!(again["mode"], "incremental", "{again:#}");
    assert_eq!(again["output"]["carried_documents"], 5);
    assert_eq!(again["output"]["carried_rejected"], 1);
    assert_eq!(
        again["output"]["names_linked"],
        first["output"]["names_linked"]
    );
    assert!(
        summary.contains("5 documents and 1 rejections carried over"),
        "{summary}"
    );
    for ((file, inode_before), bytes_before) in files.iter().zip(&inodes).zip(&bytes) {
        assert_eq!(inode(&dir, file), *inode_before, "{file} was not rewritten");
        let now = std::fs::read(dir.path().join("out").join(file)).unwrap();
        assert!(&now == bytes_before, "{file} is as it was");
    }
    let leftovers: Vec<String> = std::fs::read_dir(dir.path().join("out"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".partial"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    check_output(&dir);

    // A new file: the output is written anew, with every earlier line.
    dir.write("seeds/005_bruecke.txt", NEW_ARTICLE);
    let (_, third) = run(&dir, &[]);
    assert_eq!(third["output"]["carried_documents"], 5);
    assert_ne!(inode(&dir, "documents.jsonl"), inodes[0]);
    let (documents, _) = check_output(&dir);
    assert_eq!(texts(&documents).len(), 6);
}

#[test]
fn a_changed_file_replaces_its_old_document_and_a_touched_one_is_skipped() {
    let dir = seeds_dir();
    run(&dir, &[]);
    let path = dir.path().join("seeds/004_c9c43821286cbbc7.txt");
    let original = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        original.replace("Funkstille", "weiterhin Funkstille"),
    )
    .unwrap();
    // Same bytes, new modification time: recognised as unchanged by its hash.
    let untouched = dir.path().join("seeds/002_1a67b9573dd5dde7.txt");
    let bytes = std::fs::read(&untouched).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    std::fs::write(&untouched, bytes).unwrap();

    let (_, report) = run(&dir, &[]);
    assert_eq!(report["files_skipped"], 4);
    assert_eq!(report["conservation"]["input_items"], 1);
    let (documents, rejected) = check_output(&dir);
    assert!(rejected.is_empty());
    let all = texts(&documents);
    assert_eq!(all.len(), 5);
    assert!(all["004_c9c43821286cbbc7"].contains("weiterhin Funkstille"));
}

#[test]
fn full_and_a_changed_config_read_everything_again() {
    let dir = seeds_dir();
    run(&dir, &[]);
    let (_, report) = run(&dir, &["--full"]);
    assert_eq!(report["mode"], "full");
    assert_eq!(report["full_reason"], "--full was given");
    assert_eq!(report["conservation"]["input_items"], 5);

    let config = std::fs::read_to_string(dir.path().join("pipeline.toml")).unwrap();
    std::fs::write(
        dir.path().join("pipeline.toml"),
        config.replace("batch_size = 64", "batch_size = 32"),
    )
    .unwrap();
    let (_, report) = run(&dir, &[]);
    assert_eq!(
        report["full_reason"],
        "the config changed since the last run"
    );
    let (documents, _) = check_output(&dir);
    assert_eq!(texts(&documents).len(), 5);
}

#[test]
fn output_of_another_build_is_not_carried_over() {
    let dir = seeds_dir();
    run(&dir, &[]);
    // A copy of the binary has a new modification time, as a rebuilt one has.
    let copy = dir.path().join("pipeline-new-build");
    std::fs::copy(env!("CARGO_BIN_EXE_pipeline"), &copy).unwrap();
    let args = ["run", "pipeline.toml", "--progress", "off"];
    let output = (0..50)
        .find_map(|_| {
            match std::process::Command::new(&copy)
                .args(args)
                .current_dir(dir.path())
                .output()
            {
                // ETXTBSY: another test thread forked while the copy was open for writing
                // and holds it until its child execs.
                Err(e) if e.raw_os_error() == Some(26) => {
                    std::thread::sleep(std::time::Duration::from_millis(100));
                    None
                }
                other => Some(other.expect("the copied binary runs")),
            }
        })
        .expect("the copied binary runs within 5 s");
    assert!(output.status.success(), "{}", stderr(&output));
    let report = dir.read_json("out/report.json");
    assert_eq!(report["mode"], "full");
    assert!(
        report["full_reason"]
            .as_str()
            .is_some_and(|why| why.contains("another build of the pipeline")),
        "{}",
        report["full_reason"]
    );
    let (documents, _) = check_output(&dir);
    assert_eq!(texts(&documents).len(), 5);
    // The first build again: its output was replaced, so it reads everything too.
    let (_, report) = run(&dir, &[]);
    assert_eq!(report["mode"], "full");
    let (_, report) = run(&dir, &[]);
    assert_eq!(report["mode"], "incremental", "{report:#}");
}

#[test]
fn a_new_files_duplicate_among_earlier_documents_is_found() {
    let dir = seeds_dir();
    run(&dir, &[]);
    let original =
        std::fs::read_to_string(dir.path().join("seeds/002_1a67b9573dd5dde7.txt")).unwrap();
    dir.write(
        "seeds/006_copy.txt",
        original.replace("Gleichzeitig", "Zugleich"),
    );
    let (_, report) = run(&dir, &[]);
    assert_eq!(report["mode"], "incremental");
    assert_eq!(report["conservation"]["input_items"], 1);
    let (documents, rejected) = check_output(&dir);
    assert_eq!(texts(&documents).len(), 5);
    assert_eq!(rejected.len(), 1, "{rejected:#?}");
    assert_eq!(rejected[0]["id"], "006_copy");
    assert_eq!(rejected[0]["reason"], "dedup_near_duplicate");
    assert!(rejected[0]["detail"]
        .as_str()
        .unwrap()
        .contains("002_1a67b9573dd5dde7"));
}

/// Writes a near copy of seed 002 (one word changed) as `name`.
fn near_copy_of_002(dir: &TestDir, name: &str, word: (&str, &str)) {
    let original =
        std::fs::read_to_string(dir.path().join("seeds/002_1a67b9573dd5dde7.txt")).unwrap();
    assert!(original.contains(word.0));
    dir.write(name, original.replace(word.0, word.1));
}

fn rejected_ids(rejected: &[Value]) -> Vec<(String, String)> {
    rejected
        .iter()
        .map(|r| {
            (
                r["id"].as_str().unwrap().to_owned(),
                r["reason"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn the_dedup_index_comes_from_the_state_folder_not_from_the_earlier_text() {
    let dir = seeds_dir();
    run(&dir, &[]);
    assert!(dir.path().join("out/state/dedupe/index.redb").is_file());
    // Change seed 002's text in the earlier output: an index rebuilt from the output
    // would no longer know the original, the stored one still does.
    let path = dir.path().join("out/documents.jsonl");
    let lines: Vec<String> = std::fs::read_to_string(&path)
        .unwrap()
        .lines()
        .map(|line| {
            let mut doc: Value = serde_json::from_str(line).unwrap();
            if doc["id"] == "002_1a67b9573dd5dde7" {
                doc["text"] = Value::from(NEW_ARTICLE);
            }
            serde_json::to_string(&doc).unwrap()
        })
        .collect();
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();

    near_copy_of_002(&dir, "seeds/006_copy.txt", ("Gleichzeitig", "Zugleich"));
    let (_, report) = run(&dir, &[]);
    assert_eq!(report["mode"], "incremental");
    // (The edited line's annotations no longer fit its text, so the contract check is
    // not run here.)
    let rejected = dir.read_jsonl("out/rejected.jsonl");
    assert_eq!(
        rejected_ids(&rejected),
        [("006_copy".to_owned(), "dedup_near_duplicate".to_owned())]
    );
}

#[test]
fn without_its_index_the_dedup_stage_rebuilds_it_from_the_earlier_output() {
    let dir = seeds_dir();
    run(&dir, &[]);
    let index = dir.path().join("out/state/dedupe/index.redb");
    std::fs::remove_file(&index).unwrap();
    near_copy_of_002(&dir, "seeds/006_copy.txt", ("Gleichzeitig", "Zugleich"));
    run(&dir, &[]);
    assert!(index.is_file(), "rebuilt");
    near_copy_of_002(&dir, "seeds/007_copy.txt", ("Gleichzeitig", "Außerdem"));
    let (_, report) = run(&dir, &[]);
    assert_eq!(report["conservation"]["input_items"], 1);
    let (documents, rejected) = check_output(&dir);
    assert_eq!(texts(&documents).len(), 5);
    assert_eq!(
        rejected_ids(&rejected),
        [
            ("006_copy".to_owned(), "dedup_near_duplicate".to_owned()),
            ("007_copy".to_owned(), "dedup_near_duplicate".to_owned())
        ]
    );
}

#[test]
fn a_changed_files_earlier_text_no_longer_makes_duplicates() {
    let dir = seeds_dir();
    run(&dir, &[]);
    // 002 changes completely, and a near copy of its old text arrives: the copy is now
    // unique, as the text it repeats is gone from the output.
    near_copy_of_002(&dir, "seeds/006_copy.txt", ("Gleichzeitig", "Zugleich"));
    dir.write("seeds/002_1a67b9573dd5dde7.txt", NEW_ARTICLE);
    let (_, report) = run(&dir, &[]);
    assert_eq!(report["conservation"]["input_items"], 2);
    let (documents, rejected) = check_output(&dir);
    assert!(rejected.is_empty(), "{rejected:#?}");
    let all = texts(&documents);
    assert_eq!(all.len(), 6);
    assert!(all["002_1a67b9573dd5dde7"].starts_with("Nach vier Jahren Bauzeit"));

    // The index of this run holds the new 002 and the copy: a third copy is found.
    let copy = std::fs::read_to_string(dir.path().join("seeds/006_copy.txt")).unwrap();
    dir.write("seeds/008_copy.txt", copy.replace("Zugleich", "Außerdem"));
    run(&dir, &[]);
    let (_, rejected) = check_output(&dir);
    assert_eq!(
        rejected_ids(&rejected),
        [("008_copy".to_owned(), "dedup_near_duplicate".to_owned())]
    );
}

#[test]
fn files_of_one_stem_keep_distinct_ids_when_one_is_read_again() {
    let dir = TestDir::new();
    dir.write("in/a/bericht.txt", NEW_ARTICLE);
    let other = NEW_ARTICLE
        .replace("Samstag", "Sonntag")
        .replace("vier", "fünf");
    dir.write("in/b/bericht.txt", &other);
    dir.write(
        "pipeline.toml",
        "[source]\npaths = [\"in\"]\n[[stages]]\ntype = \"clean\"\n[sink]\npath = \"out\"\n",
    );
    run(&dir, &[]);
    let ids = |dir: &TestDir| -> BTreeMap<String, String> {
        dir.read_jsonl("out/documents.jsonl")
            .iter()
            .map(|d| {
                let path = d["source"]["path"].as_str().unwrap().to_owned();
                (path, d["id"].as_str().unwrap().to_owned())
            })
            .collect()
    };
    let first = ids(&dir);
    assert_eq!(first.len(), 2);
    assert_ne!(first["in/a/bericht.txt"], first["in/b/bericht.txt"]);

    // Only the second file changes: read alone, it must not take the first one's id.
    dir.write("in/b/bericht.txt", other.replace("Rhein", "Main"));
    let (_, report) = run(&dir, &[]);
    assert_eq!(report["mode"], "incremental");
    assert_eq!(ids(&dir), first);
    texts(&dir.read_jsonl("out/documents.jsonl"));
}

const MERKEL_ALONE: &str = "Merkel lobt die Zusammenarbeit\n\nMerkel sagte am Mittwoch nach einem \
Treffen mit Emmanuel Macron in Paris, die CDU stehe fest zu Europa und zur Partnerschaft mit \
Frankreich. „Wir arbeiten gut und vertrauensvoll zusammen“, sagte Merkel vor Journalisten. Beide \
Regierungen wollen ihre Pläne für die Industrie im Herbst gemeinsam vorstellen.\n";

const MERKEL_IN_FULL: [&str; 2] = [
    "Kanzlerin empfängt Macron\n\nBundeskanzlerin Angela Merkel (CDU) hat am Montag in Berlin den \
französischen Präsidenten Emmanuel Macron empfangen. Merkel und Macron sprachen über die Lage in \
Europa, über den Haushalt der Union und über die gemeinsame Verteidigung der beiden Länder.\n",
    "Gespräche über Europa\n\nDie CDU-Vorsitzende Angela Merkel will mit Emmanuel Macron eine neue \
Initiative für Europa vorlegen. Nach Angaben aus Regierungskreisen soll der Plan bis zum Sommer \
fertig sein, damit die anderen Staaten der Union rechtzeitig darüber beraten können.\n",
];

/// The canonical names of the persons a document names by `word`, and its quotes' speakers.
fn person_names(documents: &[Value], id: &str, word: &str) -> (Vec<String>, Vec<String>) {
    let doc = documents.iter().find(|d| d["id"] == id).unwrap();
    let annotations = &doc["annotations"];
    let canonicals = (annotations["entities"].as_array().unwrap().iter())
        .filter(|e| e["label"] == "PER" && e["text"] == word)
        .map(|e| e["canonical"].as_str().unwrap().to_owned())
        .collect();
    let speakers = (annotations["quotes"].as_array().unwrap().iter())
        .filter_map(|q| q["speaker"].as_str().map(str::to_owned))
        .collect();
    (canonicals, speakers)
}

/// Fails unless there are mentions and every one is named `name`.
#[track_caller]
fn assert_all_named(canonicals: &[String], name: &str) {
    assert!(
        !canonicals.is_empty() && canonicals.iter().all(|c| c == name),
        "{canonicals:?}"
    );
}

/// The bytes of `out/documents.jsonl`.
fn output_bytes(dir: &TestDir) -> Vec<u8> {
    std::fs::read(dir.path().join("out/documents.jsonl")).unwrap()
}

#[test]
fn a_family_name_alone_takes_the_full_name_that_later_documents_give() {
    let dir = seeds_dir();
    dir.write("seeds/005_merkel.txt", MERKEL_ALONE);
    let (_, first) = run(&dir, &[]);
    assert_eq!(first["output"]["names_linked"]["mentions"], 0);
    assert_eq!(first["output"]["names_linked"]["forgotten_below"], 0);
    let (documents, _) = check_output(&dir);
    let (canonicals, speakers) = person_names(&documents, "005_merkel", "Merkel");
    assert_all_named(&canonicals, "Merkel");
    assert_eq!(speakers, ["Merkel"]);

    // Two new articles name her in full: the carried-over article links to them.
    dir.write("seeds/006_merkel.txt", MERKEL_IN_FULL[0]);
    dir.write("seeds/007_merkel.txt", MERKEL_IN_FULL[1]);
    let (summary, second) = run(&dir, &[]);
    assert_eq!(second["mode"], "incremental", "{second:#}");
    let linked = &second["output"]["names_linked"];
    assert_eq!(linked["documents"], 1, "{linked}");
    assert!(summary.contains("names: "), "{summary}");
    let (documents, _) = check_output(&dir);
    let (canonicals, speakers) = person_names(&documents, "005_merkel", "Merkel");
    assert_all_named(&canonicals, "Angela Merkel");
    assert_eq!(speakers, ["Angela Merkel"]);
    for id in ["006_merkel", "007_merkel"] {
        let (canonicals, _) = person_names(&documents, id, "Angela Merkel");
        assert_eq!(canonicals, ["Angela Merkel"], "{id}");
    }
    // A run that reads nothing new links the carried-over documents alike.
    let before = output_bytes(&dir);
    let (_, again) = run(&dir, &[]);
    assert_eq!(
        again["output"]["names_linked"],
        second["output"]["names_linked"]
    );
    let after = output_bytes(&dir);
    assert!(before == after, "the output stays as it was");

    // Turned off, each document keeps the names it gives itself.
    let config = std::fs::read_to_string(dir.path().join("pipeline.toml")).unwrap();
    let off = config.replace(
        "type = \"annotate\"\n",
        "type = \"annotate\"\nlink_across_documents = false\n",
    );
    assert_ne!(config, off);
    dir.write("pipeline.toml", off);
    let (_, third) = run(&dir, &["--full"]);
    assert_eq!(third["output"]["names_linked"]["mentions"], 0);
    let (documents, _) = check_output(&dir);
    let (canonicals, _) = person_names(&documents, "005_merkel", "Merkel");
    assert_all_named(&canonicals, "Merkel");

    // `pipeline link-names` on that output gives what a run does by itself.
    dir.pipeline_ok(&["link-names", "out/documents.jsonl"]);
    let linked_after = output_bytes(&dir);
    dir.write("pipeline.toml", config);
    run(&dir, &["--full"]);
    let linked_by_run = output_bytes(&dir);
    assert!(
        linked_after == linked_by_run,
        "link-names and a run link alike"
    );
}

/// A `documents.jsonl` line naming `persons` (`ORG:` before an organisation).
fn entity_line(id: usize, persons: &[&str]) -> String {
    let entities: Vec<Value> = (persons.iter())
        .map(|p| {
            let (label, name) = p.strip_prefix("ORG:").map_or(("PER", *p), |o| ("ORG", o));
            serde_json::json!({"canonical": name, "label": label, "start": 0, "end": 1, "text": name})
        })
        .collect();
    serde_json::json!({"id": id.to_string(), "text": "x", "annotations": {"entities": entities}})
        .to_string()
}

#[test]
fn link_names_keeps_within_its_memory_and_says_what_it_forgot() {
    // 20,000 documents each name someone no other names; every 20th names Angela Merkel
    // and the `CDU`, as the last does, which calls her `Merkel`.
    let mut lines: Vec<String> = (0..20_000)
        .map(|i| {
            let (full, word) = (format!("Anna Einmal{i}"), format!("Allein{i}"));
            let mut persons = vec![full.as_str(), word.as_str()];
            if i % 20 == 0 {
                persons.extend(["Angela Merkel", "ORG:CDU"]);
            }
            entity_line(i, &persons)
        })
        .collect();
    lines.push(entity_line(20_000, &["Merkel", "ORG:CDU"]));
    let dir = TestDir::new();
    let merkel = |dir: &TestDir| {
        let documents = dir.read_jsonl("documents.jsonl");
        let last = &documents.last().unwrap()["annotations"]["entities"][0];
        last["canonical"].as_str().unwrap().to_owned()
    };
    for (memory, forgets) in [(None, false), (Some("1"), true)] {
        dir.write("documents.jsonl", lines.join("\n") + "\n");
        let mut args = vec!["link-names", "documents.jsonl"];
        args.extend(memory.map(|mb| ["--memory-mb", mb]).into_iter().flatten());
        let said = stderr(&dir.pipeline_ok(&args));
        assert_eq!(said.contains("were forgotten"), forgets, "{said}");
        assert!(
            said.starts_with("1 person mentions in 1 documents"),
            "{said}"
        );
        assert_eq!(merkel(&dir), "Angela Merkel", "{memory:?}");
    }
}
