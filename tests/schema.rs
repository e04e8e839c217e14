//! Checks every output line against the contract in SCHEMA.md: required fields, their
//! types, and that every span's offsets select its text (counting characters).

use serde_json::Value;

use crate::util::TestDir;

/// Problems with one `documents.jsonl` line; empty when it meets the contract.
pub fn check_document(doc: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    let mut need = |ok: bool, what: &str| {
        if !ok {
            problems.push(format!("{}: {what}", doc["id"]));
        }
    };
    need(doc["schema_version"] == 1, "schema_version is 1");
    need(
        doc["id"].as_str().is_some_and(|s| !s.is_empty()),
        "id is a non-empty string",
    );
    let source = &doc["source"];
    need(source["path"].is_string(), "source.path is a string");
    need(
        matches!(
            source["format"].as_str(),
            Some("text" | "jsonl" | "html" | "warc")
        ),
        "source.format is text, jsonl, html or warc",
    );
    need(
        source["sha256"].as_str().is_some_and(|s| s.len() == 64),
        "source.sha256 is hex SHA-256",
    );
    need(source["bytes"].is_u64(), "source.bytes is a number");
    need(
        source["record"].is_null() || source["record"].is_u64(),
        "source.record is null or a number",
    );
    need(
        doc["title"].is_null() || doc["title"].is_string(),
        "title is null or a string",
    );
    need(
        doc["published"].is_null() || doc["published"].as_str().is_some_and(is_iso_date),
        "published is null or ISO 8601",
    );
    let text = doc["text"].as_str().unwrap_or_default();
    need(doc["text"].is_string(), "text is a string");
    need(
        !text.contains("\n\n\n") && text.trim() == text,
        "paragraphs separated by one blank line",
    );
    let chars: Vec<char> = text.chars().collect();

    let lang = &doc["lang"];
    need(lang.is_object(), "lang is an object");
    need(
        lang["code"].is_null() || lang["code"].as_str().is_some_and(|c| c.len() == 2),
        "lang.code is ISO 639-1 or null",
    );
    need(
        lang["confidence"].is_null()
            || lang["confidence"]
                .as_f64()
                .is_some_and(|c| (0.0..=1.0).contains(&c)),
        "lang.confidence in 0..1",
    );
    need(lang["segments"].is_array(), "lang.segments is an array");

    let clean = &doc["clean"];
    need(clean["removed"].is_array(), "clean.removed is an array");
    for removed in clean["removed"].as_array().into_iter().flatten() {
        need(
            removed["text"].is_string() && removed["reason"].is_string(),
            "clean.removed entries have text and reason",
        );
    }
    need(
        clean["quality"]["words"].is_u64(),
        "clean.quality.words is a number",
    );

    let dedup = &doc["dedup"];
    need(
        matches!(
            dedup["status"].as_str(),
            Some("unique" | "exact_duplicate" | "near_duplicate")
        ),
        "dedup.status is one of the three",
    );
    need(
        dedup["duplicate_of"].is_null() || dedup["duplicate_of"].is_string(),
        "dedup.duplicate_of is null or an id",
    );
    need(
        dedup["repeated_spans"].is_array(),
        "dedup.repeated_spans is an array",
    );

    let annotations = &doc["annotations"];
    for key in ["sentences", "entities", "dates", "quotes"] {
        need(
            annotations[key].is_array(),
            &format!("annotations.{key} is an array"),
        );
    }
    for entity in annotations["entities"].as_array().into_iter().flatten() {
        need(
            matches!(
                entity["label"].as_str(),
                Some("PER" | "LOC" | "ORG" | "MISC")
            ),
            "entity label is PER, LOC, ORG or MISC",
        );
        need(
            entity["canonical"].is_string(),
            "entity canonical is a string",
        );
    }
    for date in annotations["dates"].as_array().into_iter().flatten() {
        need(
            date["value"].is_null() || date["value"].as_str().is_some_and(is_iso_date),
            "date value is ISO 8601 or null",
        );
    }

    for quote in annotations["quotes"].as_array().into_iter().flatten() {
        need(
            quote["speaker"].is_null() || quote["speaker"].is_string(),
            "quote speaker is a string or null",
        );
        need(
            quote
                .get("speaker_mention")
                .is_some_and(|m| m.is_null() || m["text"].is_string()),
            "quote speaker_mention is null or has a text",
        );
    }
    let speaker_mentions = Value::Array(
        annotations["quotes"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|q| &q["speaker_mention"])
            .filter(|m| !m.is_null())
            .cloned()
            .collect(),
    );
    let span_lists = [
        ("lang.segments", &lang["segments"]),
        ("annotations.quotes[].speaker_mention", &speaker_mentions),
        ("dedup.repeated_spans", &dedup["repeated_spans"]),
        ("annotations.sentences", &annotations["sentences"]),
        ("annotations.entities", &annotations["entities"]),
        ("annotations.dates", &annotations["dates"]),
        ("annotations.quotes", &annotations["quotes"]),
    ];
    for (name, list) in span_lists {
        for span in list.as_array().into_iter().flatten() {
            let (Some(start), Some(end)) = (span["start"].as_u64(), span["end"].as_u64()) else {
                need(false, &format!("{name} span has numeric start and end"));
                continue;
            };
            let (start, end) = (start as usize, end as usize);
            if start >= end || end > chars.len() {
                need(
                    false,
                    &format!(
                        "{name} span {start}..{end} lies within the {} chars of text",
                        chars.len()
                    ),
                );
                continue;
            }
            if let Some(expected) = span["text"].as_str() {
                let got: String = chars[start..end].iter().collect();
                need(
                    got == expected,
                    &format!("{name} text[{start}:{end}] = {got:?} equals {expected:?}"),
                );
            }
        }
    }
    problems
}

/// Problems with one `rejected.jsonl` line.
pub fn check_rejected(rejected: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    let mut need = |ok: bool, what: &str| {
        if !ok {
            problems.push(format!("rejected {}: {what}", rejected["id"]));
        }
    };
    need(rejected["id"].is_string(), "id is a string");
    need(
        rejected["source"]["path"].is_string(),
        "source.path is a string",
    );
    need(rejected["stage"].is_string(), "stage is a string");
    let reason = rejected["reason"].as_str().unwrap_or_default();
    need(
        !reason.is_empty() && reason.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
        "reason is snake_case",
    );
    need(
        rejected["detail"].as_str().is_some_and(|d| d.len() > 10),
        "detail explains the reason",
    );
    need(
        rejected["text"].is_null() || rejected["text"].is_string(),
        "text is null or a string",
    );
    problems
}

/// Checks both output files in `<dir>/out` and returns them.
pub fn check_output(dir: &TestDir) -> (Vec<Value>, Vec<Value>) {
    let documents = dir.read_jsonl("out/documents.jsonl");
    let rejected = dir.read_jsonl("out/rejected.jsonl");
    let mut problems: Vec<String> = documents.iter().flat_map(check_document).collect();
    problems.extend(rejected.iter().flat_map(check_rejected));
    assert!(
        problems.is_empty(),
        "output breaks the contract:\n{}",
        problems.join("\n")
    );
    (documents, rejected)
}

fn is_iso_date(s: &str) -> bool {
    let bytes = s.as_bytes();
    let digits = |range: std::ops::Range<usize>| {
        bytes
            .get(range)
            .is_some_and(|b| b.iter().all(u8::is_ascii_digit))
    };
    match s.len() {
        4 => digits(0..4),
        7 => digits(0..4) && bytes[4] == b'-' && digits(5..7),
        10 => digits(0..4) && bytes[4] == b'-' && digits(5..7) && bytes[7] == b'-' && digits(8..10),
        n if n > 10 => {
            digits(0..4)
                && bytes[4] == b'-'
                && digits(5..7)
                && bytes[7] == b'-'
                && digits(8..10)
                && bytes[10] == b'T'
        }
        _ => false,
    }
}

#[test]
fn the_checker_catches_a_span_that_does_not_select_its_text() {
    let doc = serde_json::json!({
        "schema_version": 1, "id": "x",
        "source": {"path": "x.txt", "format": "text", "sha256": "0".repeat(64), "bytes": 3, "record": null},
        "title": null, "published": "2025-09-22", "text": "Grüße aus Pjöngjang",
        "lang": {"code": "de", "confidence": 0.9, "segments": []},
        "clean": {"removed": [], "quality": {"words": 3}},
        "dedup": {"status": "unique", "duplicate_of": null, "similarity": null, "repeated_spans": []},
        "annotations": {"sentences": [], "dates": [], "quotes": [],
            "entities": [{"start": 10, "end": 19, "text": "Pjöngjang", "label": "LOC", "canonical": "Pjöngjang"},
                         {"start": 9, "end": 18, "text": "Pjöngjang", "label": "LOC", "canonical": "Pjöngjang"}]}
    });
    let problems = check_document(&doc);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].contains("text[9:18]"), "{problems:?}");
}
