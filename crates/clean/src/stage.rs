//! The `clean` stage: normalise, remove boilerplate, extract title and date, measure,
//! filter.

use std::collections::BTreeMap;

use pipeline_core::{keys, Document, Stage, StageError, Verdict};
use serde_json::{json, Map, Value};

use crate::boilerplate::{Classifier, Options, Outcome};
use crate::config::CleanConfig;
use crate::normalize::normalize_into;
use crate::quality::Quality;

/// Drop reason: nothing is left after cleaning.
pub const DROP_EMPTY: &str = "clean_empty";
/// Drop reason: fewer words than `min_words`.
pub const DROP_TOO_SHORT: &str = "clean_too_short";
/// Drop reason: more words than `max_words`.
pub const DROP_TOO_LONG: &str = "clean_too_long";
/// Drop reason: mean word length outside `min_mean_word_length..=max_mean_word_length`.
pub const DROP_WORD_LENGTH: &str = "clean_word_length";
/// Drop reason: symbol ratio above `max_symbol_ratio`.
pub const DROP_SYMBOL_RATIO: &str = "clean_symbol_ratio";
/// Drop reason: digit ratio above `max_digit_ratio`.
pub const DROP_DIGIT_RATIO: &str = "clean_digit_ratio";
/// Drop reason: uppercase ratio above `max_uppercase_ratio`.
pub const DROP_UPPERCASE_RATIO: &str = "clean_uppercase_ratio";
/// Drop reason: stop-word ratio below `min_stopword_ratio`.
pub const DROP_FEW_STOPWORDS: &str = "clean_few_stopwords";
/// Drop reason: duplicate paragraph ratio above `max_duplicate_line_ratio`.
pub const DROP_DUPLICATE_LINES: &str = "clean_duplicate_lines";
/// Drop reason: list-item ratio above `max_bullet_line_ratio`.
pub const DROP_BULLET_LINES: &str = "clean_bullet_lines";

/// Metadata fields of the input that already give the title.
const META_TITLE: &[&str] = &["title"];
/// Metadata fields of the input that already give the publication date.
const META_PUBLISHED: &[&str] = &["published", "date"];

/// The `clean` stage, built from a [`CleanConfig`] once per worker.
///
/// For each document it:
/// 1. normalises the text ([`crate::normalize`]);
/// 2. classifies each line as kept or removed (with a reason), unless `boilerplate` is off;
/// 3. moves the title to `clean.title` and the publication date to `clean.published`;
/// 4. joins the kept lines into paragraphs separated by one blank line;
/// 5. writes `clean.removed`, `clean.quality` and, when it found URLs or a byline,
///    `clean.metadata`;
/// 6. drops the document if nothing is left (`clean_empty`) or a configured quality
///    filter fails.
#[derive(Debug)]
pub struct Clean {
    config: CleanConfig,
    classifier: Classifier,
    /// The normalised text of the document at hand, kept from one document to the next.
    normalized: String,
}

impl Clean {
    /// Builds the stage (compiles the word lists and patterns).
    pub fn new(config: CleanConfig) -> Self {
        Clean {
            config,
            classifier: Classifier::new(),
            normalized: String::new(),
        }
    }

    /// The first quality filter the document fails, as (reason, detail).
    fn filter(&self, q: &Quality) -> Option<(&'static str, String)> {
        let c = &self.config;
        if let Some(min) = c.min_words.filter(|&m| q.words < m) {
            return Some((
                DROP_TOO_SHORT,
                format!("{} words, below min_words = {min}", q.words),
            ));
        }
        if let Some(max) = c.max_words.filter(|&m| q.words > m) {
            return Some((
                DROP_TOO_LONG,
                format!("{} words, above max_words = {max}", q.words),
            ));
        }
        if let Some(min) = c.min_mean_word_length.filter(|&m| q.mean_word_length < m) {
            return Some((
                DROP_WORD_LENGTH,
                format!(
                    "mean word length {}, below min_mean_word_length = {min}",
                    q.mean_word_length
                ),
            ));
        }
        if let Some(max) = c.max_mean_word_length.filter(|&m| q.mean_word_length > m) {
            return Some((
                DROP_WORD_LENGTH,
                format!(
                    "mean word length {}, above max_mean_word_length = {max}",
                    q.mean_word_length
                ),
            ));
        }
        let above = [
            (
                c.max_symbol_ratio,
                q.symbol_ratio,
                DROP_SYMBOL_RATIO,
                "symbol_ratio",
                "max_symbol_ratio",
            ),
            (
                c.max_digit_ratio,
                q.digit_ratio,
                DROP_DIGIT_RATIO,
                "digit_ratio",
                "max_digit_ratio",
            ),
            (
                c.max_uppercase_ratio,
                q.uppercase_ratio,
                DROP_UPPERCASE_RATIO,
                "uppercase_ratio",
                "max_uppercase_ratio",
            ),
            (
                c.max_duplicate_line_ratio,
                q.duplicate_line_ratio,
                DROP_DUPLICATE_LINES,
                "duplicate_line_ratio",
                "max_duplicate_line_ratio",
            ),
            (
                c.max_bullet_line_ratio,
                q.bullet_line_ratio,
                DROP_BULLET_LINES,
                "bullet_line_ratio",
                "max_bullet_line_ratio",
            ),
        ];
        for (limit, value, reason, signal, setting) in above {
            if let Some(max) = limit.filter(|&m| value > m) {
                return Some((reason, format!("{signal} {value}, above {setting} = {max}")));
            }
        }
        if let Some(min) = c.min_stopword_ratio.filter(|&m| q.stopword_ratio < m) {
            return Some((
                DROP_FEW_STOPWORDS,
                format!(
                    "stopword_ratio {}, below min_stopword_ratio = {min}",
                    q.stopword_ratio
                ),
            ));
        }
        None
    }
}

/// A non-empty value of one of `fields` in the metadata.
fn known(metadata: &Map<String, Value>, fields: &[&str]) -> Option<Value> {
    fields.iter().find_map(|f| match metadata.get(*f) {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.trim().is_empty() => None,
        Some(v) => Some(v.clone()),
    })
}

/// "12 lines removed (8 navigation, 2 date, 2 title)".
fn removal_summary(out: &Outcome) -> String {
    if out.lines == 0 {
        return "the input has no text".to_owned();
    }
    let mut by_reason: BTreeMap<&str, usize> = BTreeMap::new();
    for r in &out.removed {
        *by_reason.entry(r.reason.as_str()).or_default() += 1;
    }
    let mut parts: Vec<(&str, usize)> = by_reason.into_iter().collect();
    parts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let parts: Vec<String> = parts.iter().map(|(r, n)| format!("{n} {r}")).collect();
    format!(
        "no text left after cleaning: all {} lines removed ({})",
        out.removed.len(),
        parts.join(", ")
    )
}

impl Stage for Clean {
    fn process(&mut self, mut doc: Document) -> Result<Verdict, StageError> {
        normalize_into(&doc.text, &mut self.normalized);
        let normalized = &self.normalized;
        let known_title = known(&doc.metadata, META_TITLE);
        let opts = Options {
            boilerplate: self.config.boilerplate,
            extract_title: self.config.extract_title,
            extract_published: self.config.extract_published,
            known_title: known_title
                .as_ref()
                .and_then(|v| v.as_str().map(str::to_owned)),
            known_published: known(&doc.metadata, META_PUBLISHED).is_some(),
            record_features: false,
        };
        let mut out = self.classifier.clean(normalized, &opts);
        let removed_chars: usize = out.removed.iter().map(|r| r.text.chars().count()).sum();
        let quality = Quality::measure_counted(
            &out.text,
            out.words,
            out.lines,
            out.removed.len(),
            removed_chars,
        );

        // The summary of an empty result reads the removed lines, which the record
        // below takes.
        let empty_detail = out.text.is_empty().then(|| removal_summary(&out));
        let ann = &mut doc.annotations;
        if self.config.record_removed {
            let removed: Vec<Value> = std::mem::take(&mut out.removed)
                .into_iter()
                .map(|r| {
                    let mut v = Map::new();
                    v.insert("text".to_owned(), Value::String(r.text));
                    v.insert("reason".to_owned(), r.reason.as_str().into());
                    v.insert("line".to_owned(), r.line.into());
                    if let Some(score) = r.score {
                        v.insert("score".to_owned(), score.into());
                    }
                    Value::Object(v)
                })
                .collect();
            ann.insert(keys::CLEAN_REMOVED.to_owned(), Value::Array(removed));
        }
        ann.insert(keys::CLEAN_QUALITY.to_owned(), quality.to_json());
        if let Some(title) = &out.title {
            ann.insert(keys::CLEAN_TITLE.to_owned(), json!(title));
        }
        if let Some(published) = &out.published {
            ann.insert(keys::CLEAN_PUBLISHED.to_owned(), json!(published));
        }
        let mut meta = Map::new();
        if let Some(url) = out.urls.first() {
            meta.insert("url".to_owned(), json!(url));
            if out.urls.len() > 1 {
                meta.insert("urls".to_owned(), json!(out.urls));
            }
        }
        if let Some(author) = &out.author {
            meta.insert("author".to_owned(), json!(author));
        }
        if !meta.is_empty() {
            ann.insert(keys::CLEAN_METADATA.to_owned(), Value::Object(meta));
        }

        if let Some(detail) = empty_detail {
            // The original text stays on the dropped document, so that nothing is lost.
            return Ok(Verdict::drop(doc, DROP_EMPTY, detail));
        }
        doc.text = out.text;
        if let Some((reason, detail)) = self.filter(&quality) {
            return Ok(Verdict::drop(doc, reason, detail));
        }
        Ok(Verdict::Keep(doc))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::normalize;
    use pipeline_core::{BuildContext, StageConfig};

    const SEED_000: &str = include_str!("../../../seeds/000_4cc634fd74ce4d48.txt");
    const SEED_001: &str = include_str!("../../../seeds/001_71e4d82f6747df7e.txt");
    const SEED_002: &str = include_str!("../../../seeds/002_1a67b9573dd5dde7.txt");
    const SEED_003: &str = include_str!("../../../seeds/003_b6e55cbff507565a.txt");
    const SEED_004: &str = include_str!("../../../seeds/004_c9c43821286cbbc7.txt");

    fn stage(config: CleanConfig) -> Box<dyn Stage> {
        config.build(&BuildContext::default()).unwrap()
    }

    fn keep(text: &str) -> Document {
        match stage(CleanConfig::default())
            .process(Document::new("t", text))
            .unwrap()
        {
            Verdict::Keep(doc) => doc,
            Verdict::Drop(d) => panic!("dropped: {} ({})", d.reason, d.detail),
        }
    }

    /// (line, reason) of every removed line.
    fn removed(doc: &Document) -> Vec<(u64, String)> {
        doc.annotations[keys::CLEAN_REMOVED]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["line"].as_u64().unwrap(),
                    r["reason"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    }

    fn removed_lines(doc: &Document) -> Vec<u64> {
        removed(doc).into_iter().map(|(l, _)| l).collect()
    }

    fn reason_of(doc: &Document, line: u64) -> Option<String> {
        removed(doc)
            .into_iter()
            .find(|(l, _)| *l == line)
            .map(|(_, r)| r)
    }

    /// The input's line `no` (from 1), trimmed.
    fn input_line(text: &str, no: usize) -> &str {
        text.lines().nth(no - 1).unwrap().trim()
    }

    /// Every input line not in `removed` must be a paragraph of the output, in order.
    fn assert_rest_kept(input: &str, doc: &Document) {
        let gone = removed_lines(doc);
        let input = normalize(input);
        let expected: Vec<&str> = input
            .lines()
            .enumerate()
            .filter(|(i, l)| !l.trim().is_empty() && !gone.contains(&(*i as u64 + 1)))
            .map(|(_, l)| l.trim())
            .collect();
        let got: Vec<&str> = doc.text.split("\n\n").collect();
        assert_eq!(got, expected);
    }

    fn assert_text_shape(doc: &Document) {
        assert!(!doc.text.contains("\n\n\n"));
        assert_eq!(doc.text.trim(), doc.text);
        assert!(doc
            .text
            .split("\n\n")
            .all(|p| !p.is_empty() && !p.contains('\n')));
    }

    #[test]
    fn seed_000_navigation_date_title_and_teaser_tail() {
        let doc = keep(SEED_000);
        assert_text_shape(&doc);
        assert_eq!(
            doc.annotations[keys::CLEAN_TITLE],
            "Kim Jong Un biedert sich bei Trump an – Atomwaffen bleiben Bedingung"
        );
        assert_eq!(
            doc.annotations[keys::CLEAN_PUBLISHED],
            "2025-09-22T06:11:00"
        );
        let gone = removed_lines(&doc);
        for line in 1..=10 {
            assert!(gone.contains(&line), "line {line} kept");
        }
        assert_eq!(reason_of(&doc, 9).as_deref(), Some("published"));
        assert_eq!(reason_of(&doc, 10).as_deref(), Some("published"));
        assert_eq!(reason_of(&doc, 12).as_deref(), Some("title"));
        assert!(gone.contains(&8));
        // From "Wissenswertes zum Thema" to the end, everything is removed.
        for line in 48..=67u64 {
            if !input_line(SEED_000, line as usize).is_empty() {
                assert!(gone.contains(&line), "line {line} kept");
            }
        }
        assert!(doc
            .text
            .starts_with("Nordkoreas Diktator Kim Jong Un hat überraschend"));
        assert!(doc.text.ends_with("liebgewonnene Dogmen über Bord werfen."));
        for sub in [
            "Atomwaffen als nicht verhandelbares Druckmittel",
            "Trump und Kim – eine merkwürdige Männerfreundschaft",
            "Die Realität der nordkoreanischen Atommacht",
            "Ein pragmatischer Ansatz könnte Bewegung bringen",
            "Die Gefahren eines faulen Kompromisses",
        ] {
            assert!(doc.text.split("\n\n").any(|p| p == sub), "{sub}");
        }
        assert_rest_kept(SEED_000, &doc);
        assert!(!doc.annotations.contains_key(keys::CLEAN_METADATA));
    }

    #[test]
    fn seed_001_title_bullets_bio_and_notes() {
        let doc = keep(SEED_001);
        assert_text_shape(&doc);
        assert_eq!(
            doc.annotations[keys::CLEAN_TITLE],
            "Trump und Kim: Romanze der Staatschefs feiert ihre Renaissance"
        );
        assert!(!doc.annotations.contains_key(keys::CLEAN_PUBLISHED));
        assert!(doc.text.starts_with("Die USA müssen entscheiden:"));
        for bullet in 3..=5 {
            let line = input_line(SEED_001, bullet);
            assert!(doc.text.split("\n\n").any(|p| p == line), "bullet {bullet}");
        }
        assert_eq!(reason_of(&doc, 6).as_deref(), Some("editorial_note"));
        assert_eq!(reason_of(&doc, 15).as_deref(), Some("navigation"));
        assert_eq!(reason_of(&doc, 54).as_deref(), Some("author_bio"));
        assert_eq!(reason_of(&doc, 55).as_deref(), Some("author_bio"));
        assert_eq!(reason_of(&doc, 56).as_deref(), Some("editorial_note"));
        assert_eq!(reason_of(&doc, 57).as_deref(), Some("editorial_note"));
        assert_eq!(removed_lines(&doc), vec![1, 6, 15, 54, 55, 56, 57]);
        assert_rest_kept(SEED_001, &doc);
    }

    #[test]
    fn seed_002_kicker_captions_video_teasers_and_credit() {
        let doc = keep(SEED_002);
        assert_text_shape(&doc);
        assert_eq!(
            doc.annotations[keys::CLEAN_TITLE],
            "Nordkorea bietet den USA Gespräche an - Atomwaffen unverhandelbar"
        );
        assert!(!doc.annotations.contains_key(keys::CLEAN_PUBLISHED));
        let expect = [
            (1, "title"),
            (3, "title_repeat"),
            (7, "caption"),
            (9, "caption"),
            (11, "credit"),
            (19, "video_teaser"),
            (21, "video_teaser"),
            (23, "video_teaser"),
            (33, "video_teaser"),
            (35, "video_teaser"),
            (37, "video_teaser"),
            (43, "agency_credit"),
        ];
        let got = removed(&doc);
        let got: Vec<(u64, &str)> = got.iter().map(|(l, r)| (*l, r.as_str())).collect();
        assert_eq!(got, expect);
        assert!(doc
            .text
            .contains("Kim will nicht auf Atomwaffen verzichten"));
        assert!(doc.text.contains("\"Die Welt weiß sehr gut"));
        assert_rest_kept(SEED_002, &doc);
    }

    #[test]
    fn seed_003_skip_links_date_url_captions_signature() {
        let doc = keep(SEED_003);
        assert_text_shape(&doc);
        assert_eq!(
            doc.annotations[keys::CLEAN_TITLE],
            "Nordkoreas Machthaber will Atomstreitkräfte weiter ausbauen"
        );
        assert_eq!(doc.annotations[keys::CLEAN_PUBLISHED], "2025-02-09");
        assert_eq!(
            doc.annotations[keys::CLEAN_METADATA],
            json!({"url": "https://jump.nonsense.moe:443/https/p.dw.com/p/4qDtG"})
        );
        let expect = [
            (1, "navigation"),
            (2, "navigation"),
            (3, "navigation"),
            (4, "navigation"),
            (6, "title"),
            (8, "published"),
            (12, "url"),
            (13, "caption"),
            (14, "caption"),
            (28, "caption"),
            (29, "caption"),
            (39, "agency_credit"),
        ];
        let got = removed(&doc);
        let got: Vec<(u64, &str)> = got.iter().map(|(l, r)| (*l, r.as_str())).collect();
        assert_eq!(got, expect);
        assert!(doc
            .text
            .split("\n\n")
            .any(|p| p == "\"Ich komme mit ihm aus, er kommt mit mir aus\""));
        assert!(doc
            .text
            .starts_with("Noch zeigt sich Kim Jong Un unbeeindruckt"));
        assert_rest_kept(SEED_003, &doc);
    }

    #[test]
    fn seed_004_no_title_no_date_only_credit_removed() {
        let doc = keep(SEED_004);
        assert_text_shape(&doc);
        assert!(!doc.annotations.contains_key(keys::CLEAN_TITLE));
        assert!(!doc.annotations.contains_key(keys::CLEAN_PUBLISHED));
        assert_eq!(removed(&doc), vec![(13, "agency_credit".to_owned())]);
        assert_rest_kept(SEED_004, &doc);
        assert_eq!(doc.text.split("\n\n").count(), 12);
    }

    #[test]
    fn seeds_are_idempotent() {
        for seed in [SEED_000, SEED_001, SEED_002, SEED_003, SEED_004] {
            let once = keep(seed);
            let twice = keep(&once.text);
            assert_eq!(twice.text, once.text);
            assert_eq!(removed(&twice), vec![]);
        }
    }

    #[test]
    fn ledger_and_quality_shapes() {
        let doc = keep(SEED_002);
        let first = &doc.annotations[keys::CLEAN_REMOVED][0];
        assert_eq!(
            first["text"],
            "Nordkorea bietet den USA Gespräche an - Atomwaffen unverhandelbar"
        );
        assert_eq!(first["reason"], "title");
        assert_eq!(first["line"], 1);
        assert!(first.get("score").is_none());
        assert!(doc.annotations[keys::CLEAN_REMOVED][1]["score"].is_f64());
        let q = &doc.annotations[keys::CLEAN_QUALITY];
        for field in [
            "words",
            "chars",
            "mean_word_length",
            "symbol_ratio",
            "digit_ratio",
            "uppercase_ratio",
            "stopword_ratio",
            "duplicate_line_ratio",
            "paragraphs",
            "lines",
            "lines_removed",
        ] {
            assert!(q.get(field).is_some(), "{field}");
        }
        assert_eq!(q["paragraphs"], 10);
        assert_eq!(q["lines_removed"], 12);
        assert!(q["stopword_ratio"].as_f64().unwrap() > 0.3);
    }

    #[test]
    fn metadata_title_and_date_are_not_overwritten() {
        let mut doc = Document::new("m", SEED_000);
        doc.metadata.insert(
            "title".into(),
            json!("Kim Jong Un biedert sich bei Trump an – Atomwaffen bleiben Bedingung"),
        );
        doc.metadata.insert("date".into(), json!("2025-09-22"));
        let Verdict::Keep(doc) = stage(CleanConfig::default()).process(doc).unwrap() else {
            panic!("kept");
        };
        assert!(!doc.annotations.contains_key(keys::CLEAN_TITLE));
        assert!(!doc.annotations.contains_key(keys::CLEAN_PUBLISHED));
        assert_eq!(reason_of(&doc, 12).as_deref(), Some("title_repeat"));
        assert_eq!(reason_of(&doc, 9).as_deref(), Some("date"));
        assert!(doc.text.starts_with("Nordkoreas Diktator"));
        assert_eq!(doc.metadata["date"], "2025-09-22");
    }

    #[test]
    fn empty_result_is_dropped_with_a_summary() {
        let mut s = stage(CleanConfig::default());
        let Verdict::Drop(d) = s
            .process(Document::new("e", "Menü\nTeilen\n22.09.2025"))
            .unwrap()
        else {
            panic!("dropped");
        };
        assert_eq!(d.reason, DROP_EMPTY);
        assert_eq!(
            d.detail,
            "no text left after cleaning: all 3 lines removed (2 navigation, 1 published)"
        );
        assert_eq!(
            d.doc.text, "Menü\nTeilen\n22.09.2025",
            "the input is kept on the dropped document"
        );
        let Verdict::Drop(d) = s.process(Document::new("e", " \n\u{200B}\n")).unwrap() else {
            panic!("dropped");
        };
        assert_eq!(d.reason, DROP_EMPTY);
        assert_eq!(d.detail, "the input has no text");
    }

    #[test]
    fn quality_filters_drop_with_reason_and_detail() {
        let cfg = CleanConfig {
            min_words: Some(1000),
            ..CleanConfig::default()
        };
        let Verdict::Drop(d) = stage(cfg).process(Document::new("s", SEED_002)).unwrap() else {
            panic!("dropped");
        };
        assert_eq!(d.reason, DROP_TOO_SHORT);
        assert_eq!(d.detail, "252 words, below min_words = 1000");
        assert!(d.doc.annotations.contains_key(keys::CLEAN_QUALITY));

        let cfg = CleanConfig {
            min_stopword_ratio: Some(0.9),
            ..CleanConfig::default()
        };
        let Verdict::Drop(d) = stage(cfg).process(Document::new("s", SEED_004)).unwrap() else {
            panic!("dropped");
        };
        assert_eq!(d.reason, DROP_FEW_STOPWORDS);
        assert!(
            d.detail.starts_with("stopword_ratio 0.")
                && d.detail.ends_with("below min_stopword_ratio = 0.9")
        );

        let cfg = CleanConfig {
            max_duplicate_line_ratio: Some(0.3),
            ..CleanConfig::default()
        };
        let text = "Das ist ein Satz mit einigen Wörtern und einem Ende.\n".repeat(3);
        let Verdict::Drop(d) = stage(cfg).process(Document::new("d", text)).unwrap() else {
            panic!("dropped");
        };
        assert_eq!(d.reason, DROP_DUPLICATE_LINES);
        assert_eq!(
            d.detail,
            "duplicate_line_ratio 0.6667, above max_duplicate_line_ratio = 0.3"
        );
    }

    #[test]
    fn filters_are_off_by_default() {
        let doc = keep("Kurz.");
        assert_eq!(doc.text, "Kurz.");
    }

    #[test]
    fn record_removed_can_be_turned_off() {
        let cfg = CleanConfig {
            record_removed: false,
            ..CleanConfig::default()
        };
        let Verdict::Keep(doc) = stage(cfg).process(Document::new("r", SEED_003)).unwrap() else {
            panic!("kept");
        };
        assert!(!doc.annotations.contains_key(keys::CLEAN_REMOVED));
        assert!(doc.annotations.contains_key(keys::CLEAN_TITLE));
    }

    /// Throughput on the seeds repeated to 50 MB. Run with
    /// `cargo test --release -p pipeline-clean -- --ignored --nocapture throughput`.
    #[test]
    #[ignore]
    fn throughput() {
        let seeds = [SEED_000, SEED_001, SEED_002, SEED_003, SEED_004];
        let mut s = stage(CleanConfig::default());
        let (mut bytes, mut docs) = (0usize, 0usize);
        let start = std::time::Instant::now();
        while bytes < 50_000_000 {
            let text = seeds[docs % seeds.len()];
            bytes += text.len();
            docs += 1;
            let _ = s.process(Document::new("x", text)).unwrap();
        }
        let secs = start.elapsed().as_secs_f64();
        eprintln!(
            "clean: {docs} docs, {:.1} MB in {secs:.2} s = {:.1} MB/s",
            bytes as f64 / 1e6,
            bytes as f64 / 1e6 / secs
        );
    }
}
