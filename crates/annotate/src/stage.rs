//! The `annotate` stage: runs the annotators over each document and writes their spans.

use pipeline_core::text::CharIndex;
use pipeline_core::{keys, Document, Stage, StageError, Verdict};
use serde_json::{json, Value};

use crate::config::AnnotateConfig;
use crate::dates::{self, Ymd};
use crate::entities::Recognizer;
use crate::error::Result;
use crate::quotes;
use crate::sentences;
use crate::tokenize::{tokenize, Token};

/// Metadata fields that may hold a document's publication date, in order of preference.
const PUBLISHED_METADATA: &[&str] = &["published", "date"];

/// The annotation stage, built from an [`AnnotateConfig`]. It never drops a document; it
/// adds `annotate.*` keys (see [`pipeline_core::keys`]) with character offsets into `text`.
#[derive(Debug)]
pub struct Annotate {
    config: AnnotateConfig,
    reference: Option<Ymd>,
    recognizer: Recognizer,
    /// Token buffer reused across documents.
    toks: Vec<Token>,
}

impl Annotate {
    /// Builds the stage: checks the config and prepares the word lists.
    pub fn new(config: &AnnotateConfig) -> Result<Self> {
        let reference = config.reference_ymd()?;
        Ok(Annotate {
            config: config.clone(),
            reference,
            recognizer: Recognizer::new(),
            toks: Vec::new(),
        })
    }

    /// Builds the stage with the rule-based entity recogniser alone.
    pub fn new_rules_only(config: &AnnotateConfig) -> Result<Self> {
        Ok(Annotate {
            recognizer: Recognizer::rules_only(),
            ..Annotate::new(config)?
        })
    }

    /// Annotates one document in place.
    pub fn annotate(&mut self, doc: &mut Document) {
        let published = publication_date(doc).or(self.reference);
        let text = doc.text.as_str();
        tokenize(text, &mut self.toks);
        let toks = &self.toks;
        let index = CharIndex::new(text);
        let span = |a: usize, b: usize| (index.char_of(a), index.char_of(b));
        let cfg = &self.config;

        let sents = sentences::split(text, toks, cfg.line_breaks);
        if cfg.sentences {
            let v: Vec<Value> = sents
                .iter()
                .map(|&(a, b)| {
                    let (s, e) = span(toks[a].start, toks[b - 1].end);
                    json!({"start": s, "end": e})
                })
                .collect();
            doc.annotations
                .insert(keys::ANNOTATE_SENTENCES.to_owned(), Value::Array(v));
        }
        if cfg.tokens {
            let v: Vec<Value> = toks
                .iter()
                .map(|t| {
                    let (s, e) = span(t.start, t.end);
                    json!({"start": s, "end": e, "text": t.text(text)})
                })
                .collect();
            doc.annotations
                .insert(keys::ANNOTATE_TOKENS.to_owned(), Value::Array(v));
        }
        if cfg.dates {
            let v: Vec<Value> = dates::find(text, toks, published)
                .into_iter()
                .map(|d| {
                    let (a, b) = (toks[d.first].start, toks[d.end - 1].end);
                    let (s, e) = span(a, b);
                    json!({"start": s, "end": e, "text": &text[a..b], "value": d.value, "resolved": d.resolved})
                })
                .collect();
            doc.annotations
                .insert(keys::ANNOTATE_DATES.to_owned(), Value::Array(v));
        }
        if cfg.entities || cfg.quotes {
            let ents = self.recognizer.find(text, toks, &sents);
            if cfg.entities {
                let v: Vec<Value> = ents
                    .iter()
                    .map(|e| {
                        let (a, b) = (toks[e.first].start, toks[e.end - 1].end);
                        let (s, end) = span(a, b);
                        json!({"start": s, "end": end, "text": &text[a..b],
                               "label": e.label.as_str(), "canonical": e.canonical})
                    })
                    .collect();
                doc.annotations
                    .insert(keys::ANNOTATE_ENTITIES.to_owned(), Value::Array(v));
            }
            if cfg.quotes {
                let v: Vec<Value> = quotes::find(text, toks, &ents, &sents, cfg.quote_min_words)
                    .into_iter()
                    .map(|q| {
                        let (s, e) = span(q.start, q.end);
                        let mention = q.speaker_mention.map(|(a, b)| {
                            let (ms, me) = span(a, b);
                            json!({"start": ms, "end": me, "text": &text[a..b]})
                        });
                        json!({"start": s, "end": e, "speaker": q.speaker,
                               "speaker_mention": mention})
                    })
                    .collect();
                doc.annotations
                    .insert(keys::ANNOTATE_QUOTES.to_owned(), Value::Array(v));
            }
        }
    }
}

impl Stage for Annotate {
    /// Adds the annotations and keeps the document; never fails.
    fn process(&mut self, mut doc: Document) -> Result<Verdict, StageError> {
        self.annotate(&mut doc);
        Ok(Verdict::Keep(doc))
    }
}

/// The publication date from `clean.published`, or metadata `published`/`date`.
fn publication_date(doc: &Document) -> Option<Ymd> {
    let from = |v: Option<&Value>| v.and_then(Value::as_str).and_then(Ymd::parse_iso);
    from(doc.annotations.get(keys::CLEAN_PUBLISHED)).or_else(|| {
        PUBLISHED_METADATA
            .iter()
            .find_map(|k| from(doc.metadata.get(*k)))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEEDS: &[(&str, &str)] = &[
        (
            "000",
            include_str!("../../../seeds/000_4cc634fd74ce4d48.txt"),
        ),
        (
            "001",
            include_str!("../../../seeds/001_71e4d82f6747df7e.txt"),
        ),
        (
            "002",
            include_str!("../../../seeds/002_1a67b9573dd5dde7.txt"),
        ),
        (
            "003",
            include_str!("../../../seeds/003_b6e55cbff507565a.txt"),
        ),
        (
            "004",
            include_str!("../../../seeds/004_c9c43821286cbbc7.txt"),
        ),
    ];

    fn stage(tokens: bool) -> Annotate {
        Annotate::new(&AnnotateConfig {
            tokens,
            ..AnnotateConfig::default()
        })
        .unwrap()
    }

    fn run(text: &str, published: Option<&str>) -> Document {
        let mut doc = Document::new("t", text);
        if let Some(p) = published {
            doc.annotations
                .insert(keys::CLEAN_PUBLISHED.into(), json!(p));
        }
        match stage(true).process(doc).unwrap() {
            Verdict::Keep(d) => d,
            Verdict::Drop(_) => panic!("annotate never drops"),
        }
    }

    fn slice(text: &str, s: usize, e: usize) -> String {
        text.chars().skip(s).take(e - s).collect()
    }

    /// Every span lies inside the text, and spans with a `text` field match it by chars.
    fn check_spans(doc: &Document) {
        let len = doc.text.chars().count();
        for key in [
            keys::ANNOTATE_SENTENCES,
            keys::ANNOTATE_TOKENS,
            keys::ANNOTATE_DATES,
            keys::ANNOTATE_ENTITIES,
            keys::ANNOTATE_QUOTES,
        ] {
            let spans = doc.annotations[key].as_array().unwrap();
            for s in spans {
                let (a, b) = (
                    s["start"].as_u64().unwrap() as usize,
                    s["end"].as_u64().unwrap() as usize,
                );
                assert!(a < b && b <= len, "{key}: {s}");
                let got = slice(&doc.text, a, b);
                if let Some(t) = s.get("text") {
                    assert_eq!(got, t.as_str().unwrap(), "{key}: {s}");
                }
                assert_eq!(
                    got.trim(),
                    got,
                    "{key}: span has surrounding whitespace: {s}"
                );
            }
        }
    }

    #[test]
    fn every_seed_has_consistent_spans() {
        for (name, text) in SEEDS {
            let doc = run(text, None);
            check_spans(&doc);
            for key in [keys::ANNOTATE_SENTENCES, keys::ANNOTATE_ENTITIES] {
                assert!(
                    !doc.annotations[key].as_array().unwrap().is_empty(),
                    "{name}: no {key}"
                );
            }
        }
    }

    #[test]
    fn seed_000_finds_the_key_facts() {
        let doc = run(SEEDS[0].1, Some("2025-09-22T06:11:00"));
        let ents = doc.annotations[keys::ANNOTATE_ENTITIES].as_array().unwrap();
        let canon = |t: &str| {
            ents.iter()
                .filter(|e| e["text"] == t)
                .map(|e| e["canonical"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        };
        assert!(canon("Kim Jong Un").iter().all(|c| c == "Kim Jong Un"));
        assert!(!canon("Kims").is_empty() && canon("Kims").iter().all(|c| c == "Kim Jong Un"));
        assert!(!canon("Trump").is_empty() && canon("Trump").iter().all(|c| c == "Donald Trump"));
        let dates = doc.annotations[keys::ANNOTATE_DATES].as_array().unwrap();
        assert_eq!(dates[0]["value"], "2025-09-22T06:11");
        let quotes = doc.annotations[keys::ANNOTATE_QUOTES].as_array().unwrap();
        assert!(quotes.len() >= 2, "{quotes:?}");
    }

    #[test]
    fn seed_002_attributes_quotes_to_kim() {
        let doc = run(SEEDS[2].1, None);
        let quotes = doc.annotations[keys::ANNOTATE_QUOTES].as_array().unwrap();
        let speakers: Vec<&Value> = quotes.iter().map(|q| &q["speaker"]).collect();
        assert!(
            speakers.iter().filter(|s| **s == "Kim Jong Un").count() >= 2,
            "{quotes:?}"
        );
    }

    #[test]
    fn offsets_count_characters() {
        let doc = run(
            "Grüße aus Pjöngjang. Äußerst „schön“ sagte Kim Jong Un am 22.09.2025.",
            None,
        );
        check_spans(&doc);
        let ents = doc.annotations[keys::ANNOTATE_ENTITIES].as_array().unwrap();
        let pj = ents.iter().find(|e| e["text"] == "Pjöngjang").unwrap();
        assert_eq!(pj["start"], 10);
        assert_eq!(pj["end"], 19);
    }

    #[test]
    fn publication_date_from_metadata_and_reference() {
        let mut doc = Document::new("m", "Am Sonntag sprach er.");
        doc.metadata.insert("date".into(), json!("2025-09-22"));
        assert_eq!(publication_date(&doc), Ymd::new(2025, 9, 22));
        let mut s = Annotate::new(&AnnotateConfig {
            reference_date: Some("2025-09-22".into()),
            ..AnnotateConfig::default()
        })
        .unwrap();
        let mut doc = Document::new("r", "Am Sonntag sprach er.");
        s.annotate(&mut doc);
        assert_eq!(
            doc.annotations[keys::ANNOTATE_DATES][0]["value"],
            "2025-09-21"
        );
        assert_eq!(doc.annotations[keys::ANNOTATE_DATES][0]["resolved"], true);
    }

    fn canonicals(doc: &Document, text: &str) -> Vec<String> {
        doc.annotations[keys::ANNOTATE_ENTITIES]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["text"] == text)
            .map(|e| e["canonical"].as_str().unwrap().to_owned())
            .collect()
    }

    #[test]
    fn canonical_names_agree_across_documents() {
        let a = run(
            "US-Präsident Donald Trump lud Kim Jong-un ein. Trumps Angebot gilt, sagte Trump.",
            None,
        );
        let b = run(
            "Kim Kong Un antwortete nicht. Machthaber Kim Jong Un schwieg, und Kims Schweigen \
             dauerte an. Kim Jong Un reiste ab. Präsident Donald Trump wartete.",
            None,
        );
        for (doc, text) in [
            (&a, "Kim Jong-un"),
            (&b, "Kim Kong Un"),
            (&b, "Kim Jong Un"),
            (&b, "Kims"),
        ] {
            let c = canonicals(doc, text);
            assert!(
                !c.is_empty() && c.iter().all(|c| c == "Kim Jong Un"),
                "{text}: {c:?}"
            );
        }
        for (doc, text) in [
            (&a, "Donald Trump"),
            (&a, "Trump"),
            (&a, "Trumps"),
            (&b, "Donald Trump"),
        ] {
            let c = canonicals(doc, text);
            assert!(
                !c.is_empty() && c.iter().all(|c| c == "Donald Trump"),
                "{text}: {c:?}"
            );
        }
    }

    #[test]
    fn seed_002_typo_links_to_the_right_name() {
        let doc = run(SEEDS[2].1, None);
        let c = canonicals(&doc, "Kim Kong Un");
        assert!(
            !c.is_empty() && c.iter().all(|c| c == "Kim Jong Un"),
            "{c:?}"
        );
    }

    #[test]
    fn offsets_count_emoji_as_one_character() {
        let text = "👋🏽 Grüße aus Pjöngjang! 😀 Präsident Donald Trump kam am Montag.";
        let doc = run(text, Some("2025-09-24"));
        check_spans(&doc);
        let ents = doc.annotations[keys::ANNOTATE_ENTITIES].as_array().unwrap();
        let pj = ents.iter().find(|e| e["text"] == "Pjöngjang").unwrap();
        assert_eq!(pj["start"], 13);
        let chars: Vec<char> = text.chars().collect();
        let dt = ents.iter().find(|e| e["text"] == "Donald Trump").unwrap();
        let (s, e) = (
            dt["start"].as_u64().unwrap() as usize,
            dt["end"].as_u64().unwrap() as usize,
        );
        assert_eq!(chars[s..e].iter().collect::<String>(), "Donald Trump");
        let date = &doc.annotations[keys::ANNOTATE_DATES][0];
        assert_eq!(date["value"], "2025-09-22");
    }

    #[test]
    fn relative_dates_resolve_against_the_publication_date() {
        let doc = run(
            "Am Montag sprach er, im vergangenen Monat schwieg er, gestern kam er.",
            Some("2025-09-24"),
        );
        let dates = doc.annotations[keys::ANNOTATE_DATES].as_array().unwrap();
        let value = |t: &str| {
            dates
                .iter()
                .find(|d| d["text"] == t)
                .map(|d| d["value"].clone())
        };
        assert_eq!(value("Montag"), Some(json!("2025-09-22")), "{dates:?}");
        assert!(dates.iter().all(|d| d["resolved"] == true), "{dates:?}");
        let doc = run("Am Montag sprach er.", None);
        assert_eq!(doc.annotations[keys::ANNOTATE_DATES][0]["resolved"], false);
    }

    #[test]
    fn disabled_annotators_write_nothing() {
        let cfg = AnnotateConfig {
            sentences: false,
            dates: false,
            entities: false,
            quotes: false,
            ..AnnotateConfig::default()
        };
        let mut s = Annotate::new(&cfg).unwrap();
        let mut doc = Document::new("d", "Hallo Welt.");
        s.annotate(&mut doc);
        assert!(doc.annotations.is_empty());
    }

    #[test]
    fn empty_text_is_fine() {
        let doc = run("", None);
        check_spans(&doc);
        assert!(doc.annotations[keys::ANNOTATE_SENTENCES]
            .as_array()
            .unwrap()
            .is_empty());
    }
}
