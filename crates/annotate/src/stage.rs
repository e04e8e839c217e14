//! The `annotate` stage: runs the annotators over each document and writes their spans.

use pipeline_core::spans::{Date, Entity, Quote, Span, TextSpan};
use pipeline_core::text::CharIndex;
use pipeline_core::{keys, Document, Stage, StageError, Verdict};
use serde_json::Value;

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
/// fills [`Document::spans`] with character offsets into `text`.
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

    /// Annotates one document in place: fills the lists of [`Document::spans`] that the
    /// config asks for.
    pub fn annotate(&mut self, doc: &mut Document) {
        let published = publication_date(doc).or(self.reference);
        let text = doc.text.as_str();
        tokenize(text, &mut self.toks);
        let toks = &self.toks;
        let index = CharIndex::new(text);
        let span = |a: usize, b: usize| (index.char_of(a), index.char_of(b));
        let cfg = &self.config;
        let out = &mut doc.spans;

        let sents = sentences::split(text, toks, cfg.line_breaks);
        if cfg.sentences {
            out.sentences = Some(
                sents
                    .iter()
                    .map(|&(a, b)| {
                        let (start, end) = span(toks[a].start, toks[b - 1].end);
                        Span { start, end }
                    })
                    .collect(),
            );
        }
        if cfg.tokens {
            out.tokens = Some(
                toks.iter()
                    .map(|t| {
                        let (start, end) = span(t.start, t.end);
                        let text = t.text(text).to_owned();
                        TextSpan { start, end, text }
                    })
                    .collect(),
            );
        }
        if cfg.dates {
            out.dates = Some(
                dates::find(text, toks, published)
                    .into_iter()
                    .map(|d| {
                        let (a, b) = (toks[d.first].start, toks[d.end - 1].end);
                        let (start, end) = span(a, b);
                        Date {
                            start,
                            end,
                            text: text[a..b].to_owned(),
                            value: d.value,
                            resolved: d.resolved,
                        }
                    })
                    .collect(),
            );
        }
        if cfg.entities || cfg.quotes {
            let ents = self.recognizer.find(text, toks, &sents);
            if cfg.quotes {
                out.quotes = Some(
                    quotes::find(text, toks, &ents, &sents, cfg.quote_min_words)
                        .into_iter()
                        .map(|q| {
                            let (start, end) = span(q.start, q.end);
                            let speaker_mention = q.speaker_mention.map(|(a, b)| {
                                let (start, end) = span(a, b);
                                let text = text[a..b].to_owned();
                                TextSpan { start, end, text }
                            });
                            Quote {
                                start,
                                end,
                                speaker: q.speaker,
                                speaker_mention,
                            }
                        })
                        .collect(),
                );
            }
            if cfg.entities {
                out.entities = Some(
                    ents.into_iter()
                        .map(|e| {
                            let (a, b) = (toks[e.first].start, toks[e.end - 1].end);
                            let (start, end) = span(a, b);
                            Entity {
                                start,
                                end,
                                text: text[a..b].to_owned(),
                                label: e.label,
                                canonical: e.canonical,
                            }
                        })
                        .collect(),
                );
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
    use serde_json::json;

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
        let spans = &doc.spans;
        let texts = (spans
            .tokens
            .iter()
            .flatten()
            .map(|t| ((t.start, t.end), &t.text)))
        .chain(
            spans
                .dates
                .iter()
                .flatten()
                .map(|d| ((d.start, d.end), &d.text)),
        )
        .chain(
            spans
                .entities
                .iter()
                .flatten()
                .map(|e| ((e.start, e.end), &e.text)),
        )
        .chain(
            (spans.quotes.iter().flatten())
                .filter_map(|q| q.speaker_mention.as_ref())
                .map(|m| ((m.start, m.end), &m.text)),
        );
        for ((a, b), text) in texts {
            assert_eq!(&slice(&doc.text, a, b), text, "{a}..{b}");
        }
        let lists = [
            spans.sentences.is_some(),
            spans.tokens.is_some(),
            spans.dates.is_some(),
            spans.entities.is_some(),
            spans.quotes.is_some(),
        ];
        assert!(lists.iter().all(|&l| l), "every list is computed");
        for (a, b) in spans.offsets() {
            assert!(a < b && b <= len, "{a}..{b} in {len} characters");
            let got = slice(&doc.text, a, b);
            assert_eq!(got.trim(), got, "span has surrounding whitespace: {a}..{b}");
        }
    }

    fn entities(doc: &Document) -> &[Entity] {
        doc.spans.entities.as_deref().unwrap()
    }

    fn dates(doc: &Document) -> &[Date] {
        doc.spans.dates.as_deref().unwrap()
    }

    fn quotes(doc: &Document) -> &[Quote] {
        doc.spans.quotes.as_deref().unwrap()
    }

    #[test]
    fn every_seed_has_consistent_spans() {
        for (name, text) in SEEDS {
            let doc = run(text, None);
            check_spans(&doc);
            assert!(
                !doc.spans.sentences.as_ref().unwrap().is_empty(),
                "{name}: no sentences"
            );
            assert!(!entities(&doc).is_empty(), "{name}: no entities");
        }
    }

    #[test]
    fn seed_000_finds_the_key_facts() {
        let doc = run(SEEDS[0].1, Some("2025-09-22T06:11:00"));
        let canon = |t: &str| canonicals(&doc, t);
        assert!(canon("Kim Jong Un").iter().all(|c| c == "Kim Jong Un"));
        assert!(!canon("Kims").is_empty() && canon("Kims").iter().all(|c| c == "Kim Jong Un"));
        assert!(!canon("Trump").is_empty() && canon("Trump").iter().all(|c| c == "Donald Trump"));
        assert_eq!(dates(&doc)[0].value.as_deref(), Some("2025-09-22T06:11"));
        assert!(quotes(&doc).len() >= 2, "{:?}", quotes(&doc));
    }

    #[test]
    fn seed_002_attributes_quotes_to_kim() {
        let doc = run(SEEDS[2].1, None);
        let quotes = quotes(&doc);
        let by_kim = quotes
            .iter()
            .filter(|q| q.speaker.as_deref() == Some("Kim Jong Un"));
        assert!(by_kim.count() >= 2, "{quotes:?}");
    }

    #[test]
    fn offsets_count_characters() {
        let doc = run(
            "Grüße aus Pjöngjang. Äußerst „schön“ sagte Kim Jong Un am 22.09.2025.",
            None,
        );
        check_spans(&doc);
        let pj = entities(&doc)
            .iter()
            .find(|e| e.text == "Pjöngjang")
            .unwrap();
        assert_eq!((pj.start, pj.end), (10, 19));
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
        assert_eq!(dates(&doc)[0].value.as_deref(), Some("2025-09-21"));
        assert!(dates(&doc)[0].resolved);
    }

    fn canonicals(doc: &Document, text: &str) -> Vec<String> {
        (entities(doc).iter())
            .filter(|e| e.text == text)
            .map(|e| e.canonical.clone())
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
        let ents = entities(&doc);
        let pj = ents.iter().find(|e| e.text == "Pjöngjang").unwrap();
        assert_eq!(pj.start, 13);
        let chars: Vec<char> = text.chars().collect();
        let dt = ents.iter().find(|e| e.text == "Donald Trump").unwrap();
        let trump: String = chars[dt.start..dt.end].iter().collect();
        assert_eq!(trump, "Donald Trump");
        assert_eq!(dates(&doc)[0].value.as_deref(), Some("2025-09-22"));
    }

    #[test]
    fn relative_dates_resolve_against_the_publication_date() {
        let doc = run(
            "Am Montag sprach er, im vergangenen Monat schwieg er, gestern kam er.",
            Some("2025-09-24"),
        );
        let dates = dates(&doc);
        let value = |t: &str| dates.iter().find(|d| d.text == t).map(|d| d.value.clone());
        assert_eq!(
            value("Montag"),
            Some(Some("2025-09-22".into())),
            "{dates:?}"
        );
        assert!(dates.iter().all(|d| d.resolved), "{dates:?}");
        let doc = run("Am Montag sprach er.", None);
        let unresolved = &doc.spans.dates.unwrap()[0];
        assert!(!unresolved.resolved && unresolved.value.is_none());
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
        assert!(doc.spans.is_empty() && doc.annotations.is_empty());
    }

    #[test]
    fn empty_text_is_fine() {
        let doc = run("", None);
        check_spans(&doc);
        assert_eq!(doc.spans.sentences, Some(vec![]));
    }
}
