//! Every input format through the binary: text and Markdown, JSONL (plain, gzip, zstd),
//! HTML, WARC and WET, legacy encodings and mojibake, and format detection by content.

use std::io::Write;

use serde_json::Value;

use crate::schema::check_output;
use crate::util::{full_config, repo_root, TestDir};

const ARTICLE: &str =
    "Die Stadtwerke haben am Mittwoch angekündigt, die Preise für Strom und Gas im \
kommenden Jahr stabil zu halten. Grund seien gesunkene Einkaufspreise an den Energiebörsen, \
teilte das Unternehmen mit.";

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

/// A zstd frame holding `raw` as one uncompressed block (valid zstd, no encoder needed).
fn zstd_raw(raw: &[u8]) -> Vec<u8> {
    assert!(raw.len() < 256);
    let mut frame = vec![0x28, 0xB5, 0x2F, 0xFD, 0x20, raw.len() as u8];
    let header = ((raw.len() as u32) << 3) | 1;
    frame.extend_from_slice(&header.to_le_bytes()[..3]);
    frame.extend_from_slice(raw);
    frame
}

fn warc_record(kind: &str, id: &str, uri: &str, content_type: &str, block: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "WARC/1.0\r\nWARC-Type: {kind}\r\nWARC-Target-URI: {uri}\r\nWARC-Date: 2024-05-18T01:58:10Z\r\n\
         WARC-Record-ID: <urn:uuid:{id}>\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\r\n",
        block.len()
    )
    .into_bytes();
    out.extend_from_slice(block);
    out.extend_from_slice(b"\r\n\r\n");
    out
}

fn run(dir: &TestDir) -> (Vec<Value>, Vec<Value>) {
    run_on(dir, &["in"])
}

fn run_on(dir: &TestDir, inputs: &[&str]) -> (Vec<Value>, Vec<Value>) {
    dir.write("pipeline.toml", full_config(inputs, "error_budget = 0.5"));
    dir.pipeline_ok(&["run", "pipeline.toml", "--progress", "off"]);
    check_output(dir)
}

fn doc<'a>(documents: &'a [Value], id: &str) -> &'a Value {
    documents.iter().find(|d| d["id"] == id).unwrap_or_else(|| {
        panic!(
            "{id} in {:#?}",
            documents.iter().map(|d| &d["id"]).collect::<Vec<_>>()
        )
    })
}

#[test]
fn text_markdown_and_jsonl_in_every_compression() {
    let dir = TestDir::new();
    dir.write("in/plain.txt", ARTICLE);
    dir.write(
        "in/notes.md",
        format!(
            "# Energiepreise bleiben stabil\n\n{}",
            ARTICLE.replace("Mittwoch", "**Montag**")
        ),
    );
    dir.write("in/utf16.txt", {
        let mut bytes = vec![0xFF, 0xFE];
        for unit in ARTICLE.replace("Mittwoch", "Dienstag").encode_utf16() {
            bytes.extend_from_slice(&unit.to_le_bytes());
        }
        bytes
    });
    dir.write(
        "in/mojibake.txt",
        ARTICLE
            .replace("Mittwoch", "Freitag")
            .replace("für", "fÃ¼r"),
    );
    let record = |id: &str, day: &str| {
        format!(
            "{{\"id\": \"{id}\", \"text\": \"{}\", \"url\": \"https://x.example/{id}\"}}\n",
            ARTICLE.replace("Mittwoch", day)
        )
    };
    dir.write("in/a.jsonl", record("j1", "Samstag"));
    dir.write("in/b.jsonl.gz", gzip(record("j2", "Sonntag").as_bytes()));
    dir.write(
        "in/c.jsonl.zst",
        zstd_raw(b"{\"id\": \"j3\", \"text\": \"Kurzer Text aus einer zstd-Datei.\"}\n"),
    );
    // A file without an extension is read when named, and its format told by its content.
    dir.write("loose/export", record("j4", "Donnerstag"));
    let (documents, rejected) = run_on(&dir, &["in", "loose/export"]);
    assert!(rejected.is_empty(), "{rejected:#?}");
    assert_eq!(documents.len(), 8);
    assert_eq!(doc(&documents, "utf16")["source"]["encoding"], "utf-16le");
    let moji = doc(&documents, "mojibake");
    assert!(moji["text"].as_str().unwrap().contains("für Strom"));
    assert!(moji["source"]["encoding"]
        .as_str()
        .unwrap()
        .contains("mojibake repaired"));
    let notes = doc(&documents, "notes");
    assert_eq!(notes["title"], "Energiepreise bleiben stabil");
    assert!(notes["text"]
        .as_str()
        .unwrap()
        .contains("am Montag angekündigt"));
    let j2 = doc(&documents, "j2");
    assert_eq!(
        (
            j2["source"]["format"].as_str(),
            j2["source"]["compression"].as_str()
        ),
        (Some("jsonl"), Some("gzip"))
    );
    assert_eq!(j2["metadata"]["url"], "https://x.example/j2");
    assert_eq!(doc(&documents, "j3")["source"]["compression"], "zstd");
    assert_eq!(
        doc(&documents, "j4")["source"]["format"],
        "jsonl",
        "detected from the content"
    );
}

#[test]
fn an_html_page_gives_its_main_text_and_metadata() {
    let dir = TestDir::new();
    std::fs::create_dir_all(dir.path().join("in")).unwrap();
    std::fs::copy(
        repo_root().join("tests/data/page.html"),
        dir.path().join("in/page.html"),
    )
    .unwrap();
    let (documents, rejected) = run(&dir);
    assert!(rejected.is_empty(), "{rejected:#?}");
    let page = doc(&documents, "page");
    let text = page["text"].as_str().unwrap();
    assert!(
        text.starts_with("Der Stadtrat hat am Donnerstagabend"),
        "{text}"
    );
    assert!(
        text.contains("als gefährlich für Radfahrerinnen und Radfahrer."),
        "{text}"
    );
    for boilerplate in [
        "Startseite",
        "Anmelden",
        "Meistgelesen",
        "Feuerwehr rettet Katze",
        "Impressum",
    ] {
        assert!(!text.contains(boilerplate), "{boilerplate} in {text}");
    }
    assert_eq!(page["source"]["format"], "html");
    assert_eq!(page["title"], "Stadtrat beschließt neue Radwege");
    assert!(
        page["published"]
            .as_str()
            .unwrap()
            .starts_with("2025-03-14"),
        "{}",
        page["published"]
    );
    assert_eq!(page["metadata"]["author"], "Erika Muster");
    assert_eq!(page["lang"]["code"], "de");
}

#[test]
fn warc_and_wet_records_become_documents_with_url_and_crawl_date() {
    let dir = TestDir::new();
    let html = std::fs::read(repo_root().join("tests/data/page.html")).unwrap();
    let mut http = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\n\r\n",
        html.len()
    )
    .into_bytes();
    http.extend_from_slice(&html);
    let mut warc = Vec::new();
    warc.extend(gzip(&warc_record(
        "warcinfo",
        "info",
        "",
        "application/warc-fields",
        b"software: test\r\n",
    )));
    warc.extend(gzip(&warc_record(
        "response",
        "page-1",
        "https://lokalblatt.example/stadtrat-radwege",
        "application/http; msgtype=response",
        &http,
    )));
    let redirect = b"HTTP/1.1 301 Moved Permanently\r\nLocation: https://x.example/\r\nContent-Length: 0\r\n\r\n";
    warc.extend(gzip(&warc_record(
        "response",
        "moved",
        "http://x.example/",
        "application/http; msgtype=response",
        redirect,
    )));
    dir.write("in/crawl.warc.gz", warc);
    let wet = warc_record(
        "conversion",
        "wet-1",
        "https://b.example/",
        "text/plain",
        ARTICLE.as_bytes(),
    );
    dir.write("in/crawl.warc.wet.gz", gzip(&wet));
    let (documents, rejected) = run(&dir);
    assert_eq!(documents.len(), 2, "{documents:#?}");
    let page = doc(&documents, "urn:uuid:page-1");
    assert_eq!(
        page["metadata"]["url"],
        "https://lokalblatt.example/stadtrat-radwege"
    );
    assert_eq!(page["metadata"]["crawl_date"], "2024-05-18T01:58:10Z");
    assert!(page["text"]
        .as_str()
        .unwrap()
        .starts_with("Der Stadtrat hat"));
    assert_eq!(page["source"]["format"], "warc");
    let wet = doc(&documents, "urn:uuid:wet-1");
    assert!(wet["text"].as_str().unwrap().starts_with("Die Stadtwerke"));
    assert_eq!(rejected.len(), 1);
    assert_eq!(rejected[0]["reason"], "read_http_status");
}
